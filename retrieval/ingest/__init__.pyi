from .chunking import chunk_article as chunk_article
from .cleaning import CleaningError as CleaningError, clean_article as clean_article
from .feeds import FeedEntry as FeedEntry, FeedError as FeedError, parse_listing as parse_listing
from .fetch import FetchedPage as FetchedPage, FetchError as FetchError, fetch_url as fetch_url
from .loaders import (
    count_articles as count_articles,
    iter_inputs as iter_inputs,
    load_file as load_file,
)
from .pipeline import (
    AddInterrupted as AddInterrupted,
    AddReport as AddReport,
    ItemResult as ItemResult,
    add_inputs as add_inputs,
    add_raw_articles as add_raw_articles,
    chunk_for_index as chunk_for_index,
    ensure_seeded as ensure_seeded,
    make_fetcher as make_fetcher,
)
