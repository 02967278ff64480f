"""Ingestion: inputs (paths, URLs) → loaded → cleaned → chunked → stored → embedded.

One bad input never stops a batch: each failure is reported with its reason
and the rest still goes in. Each article is stored, atomically, as soon as
it is chunked (the catalog and BM25: it can be found by its words at once)
and reported to `progress`; its passages are embedded in full batches across
articles, and their vectors written as each batch is done
(`index.BatchWriter`). Ctrl-C stops the add between two writes: what was
stored stays, whole (passages not embedded yet wait for their vectors); what
was read but not stored is listed (`AddInterrupted`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from retrieval.core.models import Article, Chunk, LoadFailure, RawArticle
from retrieval.core.settings import Settings
from retrieval.ingest.chunking import chunk_article, distinct_chunks
from retrieval.ingest.cleaning import CleaningError, clean_article
from retrieval.ingest.fetch import FetchedPage, fetch_url
from retrieval.ingest.loaders import iter_inputs
from retrieval.store.article_index import ArticleIndex, BatchWriter
from retrieval.store.embeddings import EmbedderError

log = logging.getLogger(__name__)

Outcome = Literal["added", "updated", "unchanged", "failed"]

# Room left in a chunk for the title that is prepended when embedding it.
_TITLE_HEADROOM_TOKENS = 48


@dataclass
class ItemResult:
    origin: str
    status: Outcome
    article_id: str | None = None
    title: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None  # the stored article this one is a syndicated copy of


@dataclass
class AddReport:
    items: list[ItemResult] = field(default_factory=list)

    def count(self, status: Outcome) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def failed(self) -> list[ItemResult]:
        return [item for item in self.items if item.status == "failed"]

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("added", "updated", "unchanged", "failed")}


class AddInterrupted(KeyboardInterrupt):
    """Ctrl-C during an add. `report` holds what was stored (whole) before it;
    `not_stored` the articles read but not yet stored. The index is
    consistent: an interrupted write has been undone."""

    def __init__(
        self, report: AddReport, not_stored: list[ItemResult], waiting_articles: int = 0
    ) -> None:
        super().__init__("interrupted")
        self.report, self.not_stored = report, not_stored
        # Stored articles whose vectors were not written yet (the next writer's).
        self.waiting_articles = waiting_articles


Progress = Callable[[ItemResult], None]


def make_fetcher(settings: Settings, *, allow_private: bool) -> Callable[[str], FetchedPage]:
    return partial(
        fetch_url,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=allow_private,
    )


def add_inputs(
    index: ArticleIndex,
    inputs: Sequence[str],
    *,
    allow_private: bool = True,
    progress: Progress | None = None,
    embed: bool = True,
    sentence_progress: Callable[[int, int], None] | None = None,
) -> AddReport:
    """`tanya add`: files, folders, JSONL and URLs. `allow_private=False` for
    URLs that arrive from chat (never fetch the server's own network).
    `embed=False`: store only; the passages wait for `index.embed_waiting()`.
    `sentence_progress(chunks, total)`: the last step, the sentence vectors."""
    settings = index.settings
    loaded = iter_inputs(
        inputs,
        fetch=make_fetcher(settings, allow_private=allow_private),
        max_bytes=settings.fetch_max_bytes,
        max_feed_articles=settings.feed_max_articles,
    )
    return add_raw_articles(
        index, loaded, progress=progress, embed=embed, sentence_progress=sentence_progress
    )


def add_raw_articles(
    index: ArticleIndex,
    loaded: Iterable[RawArticle | LoadFailure],
    *,
    progress: Progress | None = None,
    embed: bool = True,
    sentence_progress: Callable[[int, int], None] | None = None,
) -> AddReport:
    """Clean, chunk and store each loaded article, then embed its passages
    (`embed=False`: left waiting for `index.embed_waiting()`, e.g. in the
    background); failures are reported, not raised. `progress` gets each
    article's result once, as soon as it is final (stored, before its
    vectors; unchanged or failed). Raises `AddInterrupted` on Ctrl-C."""
    report = AddReport()

    def record(item: ItemResult) -> None:
        report.items.append(item)
        if progress:
            progress(item)

    def failed(item: ItemResult, reason: str) -> None:
        item.status, item.reason = "failed", reason
        record(item)

    batch: BatchWriter[ItemResult] = BatchWriter(
        index, record, failed, embed=embed, sentence_progress=sentence_progress
    )
    # Articles of this batch not yet stored, by id (and by content, for files:
    # the same file twice under two paths is one article, as across batches).
    seen: dict[str, str] = {}
    pending: set[str] = set()  # the ids in `seen`, for syndication's lookups
    # One lock for the whole add: another writer makes it fail at once, not per article.
    with index.writing(), _stop_on_interrupt(index, report, batch):
        for entry in loaded:
            if isinstance(entry, LoadFailure):
                record(ItemResult(entry.origin, "failed", reason=entry.reason))
                continue
            try:
                article = clean_article(entry, max_chars=index.settings.max_article_chars)
            except CleaningError as exc:
                record(ItemResult(entry.origin, "failed", entry.title or None, reason=str(exc)))
                continue
            status, stored_id = index.stored_copy(article, entry.path)
            keys = [article.id]
            if article.identity == "path":
                keys.append("content:" + article.content_hash)
            earlier = next((seen[k] for k in keys if k in seen), None)
            if status == "unchanged" or earlier:
                # The same article twice in one batch is the same as re-adding it.
                record(ItemResult(article.origin, "unchanged", earlier or stored_id, article.title))
                continue
            if (original := _copy_of(index, article, status, pending)) is not None:
                # Syndicated: the same story from another outlet, stored once.
                record(
                    ItemResult(
                        article.origin,
                        "unchanged",
                        original,
                        article.title,
                        f"the same story as article {original}: recorded as another source",
                        duplicate_of=original,
                    )
                )
                continue
            seen.update(dict.fromkeys(keys, article.id))
            if stored_id != article.id:
                article.replaces = stored_id  # stored under an id an older tanya gave it
            pending.add(article.id)
            try:
                chunks = chunk_for_index(index, article)
            except EmbedderError:
                raise  # no article can be added: one clear error, not one per article
            except Exception as exc:  # one article's bad text must not stop the batch
                log.exception("chunking failed for %s", article.origin)
                record(ItemResult(article.origin, "failed", article.id, article.title, str(exc)))
                continue
            batch.add(
                article, chunks, ItemResult(article.origin, status, article.id, article.title)
            )
        batch.flush()
    return report


def _copy_of(
    index: ArticleIndex, article: Article, status: Outcome, pending: set[str]
) -> str | None:
    """The article `article` republishes (see `syndication.py`), recorded as
    one more of its sources; None for a new story. A failure here only means
    no deduplication: it never stops the add."""
    from retrieval.store.syndication import for_index

    try:
        store = for_index(index)
        if status != "added":  # an update of a stored article: its new signature
            store.remember(article.id, article.title, article.text)
            return None
        if not article.url:
            # Syndication is another outlet's URL; articles without one (files,
            # evaluation corpora with their own ids) are never merged, only
            # remembered, so that a later copy from the web is recognised.
            store.remember(article.id, article.title, article.text)
            return None
        original = store.copy_of(article.id, article.title, article.text, pending)
        if original is None:
            store.remember(article.id, article.title, article.text)
            return None
        store.add_source(
            original,
            url=article.url or article.origin,
            source=article.source,
            title=article.title,
            date=article.date.isoformat() if article.date else None,
        )
        return original
    except Exception:
        log.exception("near-duplicate check failed for %s", article.origin)
        return None


@contextmanager
def _stop_on_interrupt(
    index: ArticleIndex, report: AddReport, batch: BatchWriter[ItemResult]
) -> Iterator[None]:
    """Ctrl-C → `AddInterrupted`. A write cut short leaves journal rows: it is
    finished or undone here, under the write lock, so the index is consistent
    when the command exits (not only after the next open); passages stored
    but not embedded stay waiting for their vectors (not re-embedded now:
    Ctrl-C means stop)."""
    try:
        yield
    except KeyboardInterrupt:
        repaired = index.repair(reembed=False)
        lost = batch.settle()
        raise AddInterrupted(report, lost, repaired.waiting_articles) from None


def chunk_for_index(index: ArticleIndex, article: Article) -> list[Chunk]:
    embedder = index.embedder
    budget = min(index.settings.chunk_tokens, embedder.max_tokens - _TITLE_HEADROOM_TOKENS)
    chunks = chunk_article(
        article,
        max_tokens=budget,
        overlap_sentences=index.settings.chunk_overlap_sentences,
        count_tokens=embedder.count_tokens,
    )
    return distinct_chunks(chunks)


def ensure_seeded(index: ArticleIndex, progress: Progress | None = None) -> AddReport | None:
    """Index `seeds/` when the index is empty, so a fresh install can answer."""
    if index.counts().articles > 0:
        return None
    seeds = index.settings.seeds_dir
    if not seeds.is_dir():
        return None
    return add_inputs(index, [str(seeds)], progress=progress)
