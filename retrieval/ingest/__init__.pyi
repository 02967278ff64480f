from .chunking import chunk_article as chunk_article
from .cleaning import CleaningError as CleaningError
from .cleaning import clean_article as clean_article
from .feeds import (
    FeedEntry as FeedEntry,
)
from .feeds import (
    FeedError as FeedError,
)
from .feeds import (
    parse_listing as parse_listing,
)
from .fetch import (
    FetchedPage as FetchedPage,
)
from .fetch import (
    FetchError as FetchError,
)
from .fetch import (
    fetch_url as fetch_url,
)
from .loaders import (
    count_articles as count_articles,
)
from .loaders import (
    iter_inputs as iter_inputs,
)
from .loaders import (
    load_file as load_file,
)
from .pipeline import (
    AddInterrupted as AddInterrupted,
)
from .pipeline import (
    AddReport as AddReport,
)
from .pipeline import (
    ItemResult as ItemResult,
)
from .pipeline import (
    add_inputs as add_inputs,
)
from .pipeline import (
    add_raw_articles as add_raw_articles,
)
from .pipeline import (
    chunk_for_index as chunk_for_index,
)
from .pipeline import (
    ensure_seeded as ensure_seeded,
)
from .pipeline import (
    make_fetcher as make_fetcher,
)
