"""`ArticleIndex`: the catalog (SQLite + BM25) and the dense store (Chroma)
kept in step, and searched together.

Write protocol, so an article is in the index whole or not at all:

1. embed every chunk of the batch (slow, writes nothing);
2. journal the new chunk ids as `pending` (committed);
3. upsert the vectors into Chroma;
4. one SQLite transaction: replace the articles, chunks and lexical terms,
   clear the `pending` rows, journal the replaced chunk ids as `delete`;
5. delete the replaced vectors from Chroma and clear their journal rows.

A crash anywhere leaves journal rows behind; `repair()` deletes vectors
whose article never committed and finishes pending deletes. Search only
returns chunks present in the catalog, so a stray vector is never shown.

Writes and repairs hold the data dir's write lock (`locking.py`), so one
process writes at a time and never repairs away another's write in flight.
Repair runs whenever this process takes the lock afresh: on open when no
other process is writing, and before its own first write otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from .catalog import ArticleSummary, Catalog, SearchFilters, StoredChunk
from .dense import DenseStore
from .embeddings import TanyaEmbeddings, load_embedder
from .locking import IndexBusyError, WriteLock
from .models import Article, Chunk
from .proximity import rerank
from .settings import Settings

log = logging.getLogger(__name__)

SearchMode = Literal["hybrid", "dense", "lexical"]


class IndexMismatchError(RuntimeError):
    """The index was built by another embedder than the configured one."""


@dataclass
class SearchHit:
    chunk: StoredChunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass
class Candidates:
    """Each retriever's (chunk id, score) list, best first, and their fusion."""

    dense: list[tuple[str, float]]
    lexical: list[tuple[str, float]]
    fused: list[tuple[str, float]]


@dataclass
class RepairReport:
    removed_vectors: int = 0
    reembedded_chunks: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.removed_vectors or self.reembedded_chunks)


def passage_text(title: str, text: str) -> str:
    """What gets embedded for a chunk: its article's title carried in, so a
    passage that never names its subject still matches questions about it."""
    return f"{title}\n{text}" if title else text


class ArticleIndex:
    def __init__(self, settings: Settings, embedder: TanyaEmbeddings | None = None) -> None:
        self.settings = settings
        self.catalog = Catalog(settings.data_dir / "catalog.sqlite3")
        self.dense = DenseStore(
            settings.data_dir / "chroma", settings.collection, settings.chroma_url
        )
        self._embedder = embedder
        self._lock = WriteLock(settings.data_dir / "index.lock")
        self.last_repair = RepairReport()
        # Repair now if nobody else is writing; otherwise before our first write.
        if self._acquire(timeout=0):
            self._lock.release()

    # --- the write lock --------------------------------------------------------------------
    def _acquire(self, timeout: float) -> bool:
        fresh = not self._lock.held
        if not self._lock.acquire(timeout):
            return False
        if fresh:
            try:
                self.last_repair = self.repair()
            except BaseException:
                self._lock.release()
                raise
        return True

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock for a block (a whole `tanya add`, not each batch)."""
        if not self._acquire(self.settings.lock_timeout):
            raise IndexBusyError(
                f"another tanya process is writing to the index in {self.settings.data_dir}: "
                f"{self._lock.holder()}. Wait for it to finish; if it is the Telegram bot, "
                "add articles through the bot (/add) or stop it first."
            )
        try:
            yield
        finally:
            self._lock.release()

    def hold_write_lock(self) -> None:
        """Keep the write lock until `close()` (a long-running writer: the bot).
        Raises `IndexBusyError` when another process is writing."""
        with self.writing():
            self._lock.acquire(0)  # one more level, released by close()

    # --- the embedder, checked against the one that built the index ---------------
    @property
    def embedder_name(self) -> str | None:
        return self.catalog.get_meta("embedder")

    @property
    def embedder(self) -> TanyaEmbeddings:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.embedder, self.settings.embed_threads)
        recorded = self.embedder_name
        if recorded and recorded != self._embedder.name:
            raise IndexMismatchError(
                f"this index ({self.settings.data_dir}) was built with the embedder "
                f"'{recorded}', but the configured one is '{self._embedder.name}'. "
                f"Either set TANYA_EMBEDDER back to match, or rebuild the index with the new "
                f"one: `tanya reindex`."
            )
        return self._embedder

    def _claim_embedder(self) -> TanyaEmbeddings:
        embedder = self.embedder
        if self.embedder_name is None:
            self.catalog.set_meta("embedder", embedder.name)
            self.catalog.set_meta("dimension", str(embedder.dimension))
        return embedder

    # --- writing -----------------------------------------------------------------------
    def status_of(self, article: Article) -> Literal["added", "updated", "unchanged"]:
        return self.stored_copy(article)[0]

    def stored_copy(
        self, article: Article, path: str | None = None
    ) -> tuple[Literal["added", "updated", "unchanged"], str]:
        """Whether `article` is new, a changed version of a stored article, or
        already stored, and the id of that stored copy (`article.id` when new).

        The copy is looked for under the article's id, then under the ids an
        older tanya gave it (`Article.former_ids`), so indexes built before
        ids changed keep working. An article read from a local file (`path`)
        is also stored when the same content was added from another path,
        and replaces what an older tanya added from that file."""
        catalog = self.catalog
        fingerprints = (article.content_hash, article.former_content_hash)

        def judged(stored_id: str) -> tuple[Literal["updated", "unchanged"], str]:
            same = catalog.content_hash(stored_id) in fingerprints
            return ("unchanged" if same else "updated"), stored_id

        for candidate in (article.id, *article.former_ids):
            if catalog.content_hash(candidate) is not None:
                return judged(candidate)
        if article.identity == "path":
            same_content = catalog.ids_with_content(article.content_hash)
            if same_content:
                return "unchanged", same_content[0]
            if path and (former := catalog.former_file_article(path, article.title)):
                return judged(former)
        return "added", article.id

    def write(self, items: Sequence[tuple[Article, Sequence[Chunk]]]) -> None:
        """Store articles (new or changed) with their chunks, atomically per call."""
        if not items:
            return
        with self.writing():
            self._write(items)

    def _write(self, items: Sequence[tuple[Article, Sequence[Chunk]]]) -> None:
        embedder = self._claim_embedder()
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, str | int]] = []
        for article, chunks in items:
            meta = DenseStore.metadata(article.id, article.source, article.date)
            for chunk in chunks:
                ids.append(chunk.chunk_id(article.content_hash))
                texts.append(passage_text(article.title, chunk.text))
                metas.append(meta)
        vectors = self._embed_passages(embedder, texts)

        with self.catalog.transaction() as conn:
            self.catalog.journal(conn, ids, "pending")
        self.dense.upsert(ids, vectors, metas)
        with self.catalog.transaction() as conn:
            replaced = self.catalog.write_articles(conn, items)
            self.catalog.clear_journal(conn, ids)
            # An unchanged chunk id can be rewritten in place; never delete it.
            stale = [c for c in replaced if c not in set(ids)]
            self.catalog.journal(conn, stale, "delete")
        self._finish_deletes(stale)

    def _embed_passages(self, embedder: TanyaEmbeddings, texts: list[str]) -> np.ndarray:
        size = self.settings.embed_batch_size
        parts = [embedder.embed_passages(texts[i : i + size]) for i in range(0, len(texts), size)]
        if not parts:
            return np.zeros((0, embedder.dimension), dtype=np.float32)
        return np.vstack(parts)

    def _finish_deletes(self, chunk_ids: list[str]) -> None:
        if not chunk_ids:
            return
        self.dense.delete(chunk_ids)
        with self.catalog.transaction() as conn:
            self.catalog.clear_journal(conn, chunk_ids)

    def remove(self, article_id: str) -> bool:
        with self.writing():
            with self.catalog.transaction() as conn:
                chunk_ids = self.catalog.delete_article(conn, article_id)
                self.catalog.journal(conn, chunk_ids, "delete")
            self._finish_deletes(chunk_ids)
        # Every stored article has at least one chunk (empty ones are refused).
        return bool(chunk_ids)

    def reindex(self, chunker: Callable[[Article], list[Chunk]]) -> int:
        """Re-chunk and re-embed every stored article with the configured
        embedder (after changing TANYA_EMBEDDER). Interrupted, it is resumed
        by `repair()`, which re-embeds whatever is missing."""
        with self.writing():
            self.dense.reset()
            self.catalog.delete_meta("embedder")
            self.catalog.delete_meta("dimension")
            count = 0
            for summary in self.catalog.list_articles():
                article = self.catalog.load_article(summary.id)
                if article is not None:
                    self._write([(article, chunker(article))])
                    count += 1
        return count

    # --- keeping the two stores in step ---------------------------------------------------
    def repair(self) -> RepairReport:
        """Finish or undo writes a crash interrupted; cheap when nothing did."""
        report = RepairReport()
        entries = self.catalog.journal_entries()
        if entries:
            committed = self.catalog.chunks_by_id([c for c, op in entries if op == "pending"])
            orphans = [c for c, op in entries if op == "delete" or c not in committed]
            self.dense.delete(orphans)
            with self.catalog.transaction() as conn:
                self.catalog.clear_journal(conn, [c for c, _ in entries])
            report.removed_vectors += len(orphans)
            report.notes.append(f"finished {len(entries)} interrupted write(s)")
        _, chunk_count = self.catalog.counts()
        if self.dense.count() != chunk_count:
            self._reconcile(report)
        if report.changed:
            log.warning("index repaired: %s", "; ".join(report.notes))
        return report

    def _reconcile(self, report: RepairReport) -> None:
        """Full comparison of ids: only when the counts disagree."""
        catalog_ids = self.catalog.all_chunk_ids()
        dense_ids = self.dense.all_ids()
        extra = sorted(dense_ids - catalog_ids)
        missing = sorted(catalog_ids - dense_ids)
        if extra:
            self.dense.delete(extra)
            report.removed_vectors += len(extra)
            report.notes.append(f"removed {len(extra)} vector(s) with no article")
        if missing:
            chunks = self.catalog.chunks_by_id(missing)
            ordered = [chunks[c] for c in missing if c in chunks]
            vectors = self._embed_passages(
                self._claim_embedder(), [passage_text(c.title, c.text) for c in ordered]
            )
            metas = [DenseStore.metadata(c.article_id, c.source, _iso(c.date)) for c in ordered]
            self.dense.upsert([c.chunk_id for c in ordered], vectors, metas)
            report.reembedded_chunks += len(ordered)
            report.notes.append(f"re-embedded {len(ordered)} chunk(s) missing from Chroma")

    # --- reading ------------------------------------------------------------------------------
    def candidates(
        self,
        query: str,
        n: int,
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        exclude: Collection[str] = (),
    ) -> Candidates:
        """The first stage of `search`: up to `n` chunks from each retriever
        the mode uses, and their fusion (see `fuse`). `exclude`d chunk ids
        are ranked as if they had never been indexed."""
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        skip = set(exclude)
        filters = self.catalog.resolve_source(filters)
        if filters is not None and filters.source is not None and not filters.source_names:
            return Candidates([], [], [])  # no stored outlet matches
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_queries([query])[0]
            found = self.dense.search(vector, n + len(skip), filters)
            dense = [hit for hit in found if hit[0] not in skip][:n]
        if mode in ("hybrid", "lexical"):
            found = self.catalog.lexical_search(query, n + len(skip), filters)
            lexical = [hit for hit in found if hit[0] not in skip][:n]
        fused = fuse(
            dense,
            lexical,
            method=self.settings.fusion,
            dense_weight=self.settings.dense_weight,
            lexical_weight=self.settings.lexical_weight,
            rrf_k=self.settings.rrf_k,
        )
        return Candidates(dense, lexical, fused)

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        exclude: Collection[str] = (),
    ) -> list[SearchHit]:
        """The `k` best chunks for `query`: dense and lexical rankings fused
        (`candidates`), then in hybrid mode the best few re-ranked by term
        proximity (`proximity.py`). `exclude`d chunk ids are ranked as if they
        had never been indexed (evaluation: the corpus minus a question's own
        passage)."""
        found = self.candidates(query, max(self.settings.candidates, k), filters, mode, exclude)
        dense, lexical, fused = found.dense, found.lexical, found.fused
        depth = self.settings.proximity_depth if mode == "hybrid" else 0
        chunks = self.catalog.chunks_by_id([cid for cid, _ in fused[: max(k * 2 + 10, depth)]])
        fused = rerank(
            query,
            fused,
            {cid: c.text for cid, c in chunks.items()},
            weight=self.settings.proximity_weight,
            depth=depth,
        )
        dense_rank = {cid: (i + 1, s) for i, (cid, s) in enumerate(dense)}
        lexical_rank = {cid: (i + 1, s) for i, (cid, s) in enumerate(lexical)}
        hits = []
        for cid, score in fused:
            if cid not in chunks:  # a vector whose article is gone: never show it
                continue
            d, lx = dense_rank.get(cid), lexical_rank.get(cid)
            hits.append(
                SearchHit(
                    chunk=chunks[cid],
                    score=score,
                    dense_rank=d[0] if d else None,
                    dense_score=d[1] if d else None,
                    lexical_rank=lx[0] if lx else None,
                    lexical_score=lx[1] if lx else None,
                )
            )
            if len(hits) == k:
                break
        return hits

    def list_articles(self, limit: int | None = None, offset: int = 0) -> list[ArticleSummary]:
        return self.catalog.list_articles(limit, offset)

    def stats(self) -> dict[str, object]:
        articles, chunks = self.catalog.counts()
        data_dir = self.settings.data_dir
        disk = sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file())
        return {
            "articles": articles,
            "chunks": chunks,
            "vectors": self.dense.count(),
            "embedder": self.embedder_name or self.settings.embedder,
            "chroma": self.settings.chroma_url or str(data_dir / "chroma"),
            "data_dir": str(data_dir),
            "disk_bytes": disk,
            "sources": dict(self.catalog.sources()),
        }

    def close(self) -> None:
        self._lock.release_all()
        self.catalog.close()


def fuse(
    dense: Sequence[tuple[str, float]],
    lexical: Sequence[tuple[str, float]],
    *,
    method: Literal["convex", "rrf"] = "convex",
    dense_weight: float = 0.5,
    lexical_weight: float = 0.5,
    rrf_k: int = 60,
) -> list[tuple[str, float]]:
    """One ranking from two, best first.

    "convex": each list's scores are min-max normalised to [0, 1] and summed
    with the weights; a chunk missing from a list scores 0 there. It keeps how
    *much* better the top hit is, which rank fusion throws away, and measured
    best on FacQA (BENCHMARKS.md). "rrf": Σ weight / (rrf_k + rank), the
    common baseline.
    """
    scores: dict[str, float] = {}
    for weight, ranking in ((dense_weight, dense), (lexical_weight, lexical)):
        if not ranking:
            continue
        if method == "rrf":
            for rank, (cid, _) in enumerate(ranking, start=1):
                scores[cid] = scores.get(cid, 0.0) + weight / (rrf_k + rank)
            continue
        values = [s for _, s in ranking]
        low, span = min(values), (max(values) - min(values)) or 1.0
        for cid, s in ranking:
            scores[cid] = scores.get(cid, 0.0) + weight * (s - low) / span
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
