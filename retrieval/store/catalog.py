"""The catalog: one SQLite file holding articles, their chunks, the lexical
(BM25) index over stemmed chunk terms (`lexical_index.py`), and a journal of
writes to the dense store.

SQLite is the source of truth. An article, its chunks and its lexical terms
are written in one transaction, so they are there whole or not at all. The
dense store (Chroma) cannot join that transaction; the journal records which
stored chunks still wait for their vectors (`pending`) and which vectors are
left over from a replaced article (`delete`), so `ArticleIndex` can finish
the work after a crash. The sentence vectors of the offline answerer live
here too, written in transactions with their journal (`sentence_table.py`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from retrieval.core.models import Article, Chunk, Removal, article_id_for, content_id, former_ids
from retrieval.store.lexical_index import SCHEMA as LEXICAL_SCHEMA, LexicalIndex
from retrieval.store.sentence_table import SCHEMA as SENTENCE_SCHEMA, SentenceTable
from retrieval.text.lexical import (
    TERMS_VERSION,
    encode_stems,
    learn_stems as _learn,
    query_terms,
    stems_changed_since,
    terms,
    word_stems,
)

# The shortest id prefix a user may type: shorter ones name too many articles
# (and "" named them all).
MIN_ID_PREFIX = 4
# Prefix matches listed at most, when a prefix names several articles.
MAX_ID_MATCHES = 10

log = logging.getLogger(__name__)

# 2: BM25 moved from an FTS5 table (`chunk_terms`) to `lexical_index.py`;
# a version-1 catalog is migrated on open (`_migrate_fts5`).
SCHEMA_VERSION = "2"
# Chunks per segment when a whole index is (re)built at once.
REBUILD_BATCH = 20_000
# Chunks re-indexed per transaction when terms change (`_migrate_terms`).
TERMS_BATCH = 500
# A chunk's text as the lexical index reads it: its article's title first.
_INDEXED_TEXT = (
    "SELECT c.rowid, a.title || char(10) || c.text"
    " FROM chunks c JOIN articles a ON a.id = c.article_id"
)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    source TEXT,
    url TEXT,
    dateline TEXT,
    origin TEXT NOT NULL,
    text TEXT NOT NULL,
    removed TEXT NOT NULL DEFAULT '[]',
    n_chunks INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    stems TEXT
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE INDEX IF NOT EXISTS articles_content_hash ON articles(content_hash);
CREATE TABLE IF NOT EXISTS dense_journal (
    chunk_id TEXT PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('pending', 'delete'))
);
"""


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the catalog returns it, with its article's metadata."""

    chunk_id: str
    article_id: str
    position: int
    start: int
    end: int
    text: str
    title: str
    date: str | None
    source: str | None
    url: str | None


@dataclass(frozen=True)
class StoredArticle:
    """An article as the catalog keeps it: the cleaned text and metadata,
    what cleaning removed, how many passages it has and when it was stored."""

    id: str
    content_hash: str
    title: str
    date: str | None  # ISO date
    source: str | None
    url: str | None
    dateline: str | None
    origin: str
    text: str
    removed: tuple[Removal, ...]
    n_chunks: int
    added_at: str
    updated_at: str

    def to_article(self) -> Article:
        """The article as it was indexed (to re-chunk or re-read it)."""
        return Article(
            id=self.id,
            title=self.title,
            text=self.text,
            origin=self.origin,
            date=date.fromisoformat(self.date) if self.date else None,
            source=self.source,
            url=self.url,
            dateline=self.dateline,
            removed=list(self.removed),
        )


_ARTICLE_COLUMNS = tuple(f.name for f in fields(StoredArticle))


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    origin: str
    n_chunks: int
    added_at: str
    updated_at: str


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to one outlet and/or a date range (inclusive).

    `source` is the outlet as a user writes it: case, spaces and punctuation
    do not matter ("jurnalislam.com" finds "Jurnalislamcom"). `source_names`
    are the stored names it matches (`Catalog.resolve_source`), which is
    what the stores compare."""

    source: str | None = None
    since: date | None = None
    until: date | None = None
    source_names: tuple[str, ...] | None = None

    @property
    def empty(self) -> bool:
        return self.source is None and self.since is None and self.until is None

    def stored_sources(self) -> list[str]:
        """The outlet names a store should match (empty: no filter on outlet)."""
        if self.source is None:
            return []
        return list(self.source_names) if self.source_names is not None else [self.source]


def source_key(name: str) -> str:
    """What outlet names are compared by: "Jurnalislam.com", "jurnalislamcom"
    and "JURNALISLAM COM" are one outlet."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection shared by threads (the bot answers off the event
        # loop); the lock serialises use, SQLite's WAL keeps reads cheap.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            # The sentence tables are created in an older catalog too (empty).
            self._conn.executescript(_SCHEMA + LEXICAL_SCHEMA + SENTENCE_SCHEMA)
            self._set_meta_default("schema_version", SCHEMA_VERSION)
            self._add_stems_column()
        self.lexical = LexicalIndex(self._conn, self._lock)
        self.sentences = SentenceTable(self._conn, self._lock)
        self._migrate_fts5()
        self._migrate_terms()

    def _add_stems_column(self) -> None:
        """A catalog written before passages kept their words' stems: the
        column is added, empty (NULL: stemmed when read, as before), and
        filled as articles are written again (`tanya reindex` fills it all).
        Adding a nullable column rewrites nothing in SQLite."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(chunks)")}
        if "stems" not in columns:
            self._conn.execute("ALTER TABLE chunks ADD COLUMN stems TEXT")

    def _migrate_fts5(self) -> None:
        """A catalog written before the lexical index (FTS5's `chunk_terms`):
        move its terms into the new index, in one transaction, and drop it."""
        with self._lock:
            old = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name='chunk_terms'"
            ).fetchone()
        if old is None:
            return
        _, n_chunks = self.counts()
        log.warning(
            "upgrading the lexical index of %s to the new format (%d chunks, once) …",
            self.path,
            n_chunks,
        )
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT c.rowid, t.terms FROM chunks c JOIN chunk_terms t ON t.rowid = c.rowid"
                " ORDER BY c.rowid"
            ).fetchall()
            for i in range(0, len(rows), REBUILD_BATCH):
                self.lexical.add(conn, [(r, t.split()) for r, t in rows[i : i + REBUILD_BATCH]])
            conn.execute("DROP TABLE chunk_terms")
            conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (SCHEMA_VERSION,))

    def _migrate_terms(self) -> None:
        """A catalog indexed with other terms (`lexical.TERMS_VERSION`; 1:
        before accents were folded): the chunks whose terms differ, those
        with a word beyond ASCII (not a curly quote or a dash alone), are
        indexed again with their stems, `TERMS_BATCH` at a time, each batch
        one transaction (stemmed before it: other processes wait only for
        the writes). Interrupted, the next open does it again (a chunk
        indexed again is indexed once). A new catalog is written with the
        current terms."""
        version = self.get_meta("terms_version") or "1"
        if version == TERMS_VERSION:
            return
        with self._lock:  # read as it goes: only the ids are kept
            found = self._conn.execute(_INDEXED_TEXT)
            changed = [rowid for rowid, indexed in found if stems_changed_since(version, indexed)]
        if changed:
            log.warning(
                "re-indexing %d chunks of %s with terms version %s (once) …",
                len(changed),
                self.path,
                TERMS_VERSION,
            )
        for i in range(0, len(changed), TERMS_BATCH):
            ids = changed[i : i + TERMS_BATCH]
            where = f" WHERE c.rowid IN ({','.join('?' * len(ids))})"
            with self._lock:
                texts = dict(self._conn.execute(_INDEXED_TEXT + where, ids).fetchall())
            made = {r: (t, terms(t), encode_stems(word_stems(t))) for r, t in texts.items()}
            with self.transaction() as conn:
                # Only the chunks still as they were read: one replaced
                # meanwhile was indexed by its writer.
                now = dict(conn.execute(_INDEXED_TEXT + where, ids).fetchall())
                same = [r for r, (t, _, _) in made.items() if now.get(r) == t]
                self.lexical.remove(conn, same)
                self.lexical.add(conn, [(r, made[r][1]) for r in same])
                conn.executemany(
                    "UPDATE chunks SET stems=? WHERE rowid=?", [(made[r][2], r) for r in same]
                )
            log.info("re-indexed %d of %d chunks", min(i + TERMS_BATCH, len(changed)), len(changed))
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('terms_version', ?)",
                (TERMS_VERSION,),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                # BaseException: Ctrl-C mid-write must roll back too.
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    # --- meta ------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def delete_meta(self, key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM meta WHERE key=?", (key,))

    def _set_meta_default(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- articles ---------------------------------------------------------------
    def content_hash(self, article_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT content_hash FROM articles WHERE id=?", (article_id,)
            ).fetchone()
        return row[0] if row else None

    def chunk_ids(self, article_id: str) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM chunks WHERE article_id=? ORDER BY position", (article_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def write_articles(
        self, conn: sqlite3.Connection, items: Sequence[tuple[Article, Sequence[Chunk]]]
    ) -> list[str]:
        """Insert or replace articles with their chunks and lexical terms,
        inside the caller's transaction. Returns the chunk ids replaced."""
        replaced: list[str] = []
        lexical: list[tuple[int, list[str]]] = []
        now = _now()
        for article, chunks in items:
            old = conn.execute("SELECT added_at FROM articles WHERE id=?", (article.id,)).fetchone()
            if old:
                replaced += self._delete_article(conn, article.id)
            if article.replaces and article.replaces != article.id:
                # The stored copy under the id an older tanya gave it.
                former = conn.execute(
                    "SELECT added_at FROM articles WHERE id=?", (article.replaces,)
                ).fetchone()
                if former:
                    replaced += self._delete_article(conn, article.replaces)
                    old = old or former
            conn.execute(
                "INSERT INTO articles(id, content_hash, title, date, source, url, dateline, origin,"
                " text, removed, n_chunks, added_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.id,
                    article.content_hash,
                    article.title,
                    article.date.isoformat() if article.date else None,
                    article.source,
                    article.url,
                    article.dateline,
                    article.origin,
                    article.text,
                    json.dumps([r.__dict__ for r in article.removed], ensure_ascii=False),
                    len(chunks),
                    old[0] if old else now,
                    now,
                ),
            )
            for chunk in chunks:
                indexed = article.title + "\n" + chunk.text
                cur = conn.execute(
                    "INSERT INTO chunks(id, article_id, position, start, end, text, stems)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (
                        chunk.chunk_id(article.content_hash),
                        article.id,
                        chunk.position,
                        chunk.start,
                        chunk.end,
                        chunk.text,
                        # Stemmed for `terms` anyway (cached): kept so that
                        # reading the passage needs no stemmer (`learn_stems`).
                        encode_stems(word_stems(indexed)),
                    ),
                )
                lexical.append((int(cur.lastrowid or 0), terms(indexed)))
        self.lexical.add(conn, lexical)
        return replaced

    def _delete_article(self, conn: sqlite3.Connection, article_id: str) -> list[str]:
        rows = conn.execute(
            "SELECT rowid, id FROM chunks WHERE article_id=?", (article_id,)
        ).fetchall()
        self.lexical.remove(conn, [r[0] for r in rows])
        conn.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))
        conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
        return [r[1] for r in rows]

    def delete_article(self, conn: sqlite3.Connection, article_id: str) -> list[str]:
        """Remove an article inside the caller's transaction; returns its chunk ids."""
        return self._delete_article(conn, article_id)

    def resolve_article_id(self, given: str) -> list[str]:
        """The articles `given` names, as users type ids: the exact id (an id
        from the input, "art003", is the article id); that id or URL as an
        older tanya hashed it; else the ids starting with it, when it has at
        least `MIN_ID_PREFIX` characters (at most `MAX_ID_MATCHES` + 1, so a
        caller can tell there were more). Empty input names nothing."""
        given = given.strip()
        if not given:
            return []
        exact = [given]
        if "://" in given:  # a URL names the article fetched from it
            exact.append(article_id_for(explicit=None, url=given, title="", text=""))
            exact += former_ids(explicit=None, url=given, title="", text="")
        else:
            exact += former_ids(explicit=given, url=None, title="", text="")
        with self._lock:
            for candidate in exact:
                row = self._conn.execute(
                    "SELECT id FROM articles WHERE id=?", (candidate,)
                ).fetchone()
                if row:
                    return [row[0]]
            if len(given) < MIN_ID_PREFIX:
                return []
            rows = self._conn.execute(
                "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                (given, given + "\U0010ffff", MAX_ID_MATCHES + 1),
            ).fetchall()
        return [r[0] for r in rows]

    def ids_with_content(self, content_hash: str) -> list[str]:
        """Articles whose indexed content has this fingerprint."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM articles WHERE content_hash=? ORDER BY added_at, id",
                (content_hash,),
            ).fetchall()
        return [r[0] for r in rows]

    def former_file_article(self, path: str, title: str) -> str | None:
        """The article an older tanya, which knew local files by their content
        only, added from the file at `path`, if it is still there under its
        content id. Its origin is that file: the same absolute path, or a
        relative spelling that resolves to it from here and the same title
        (an origin typed relative to another folder may be another file with
        the same name, and merging two files would lose one)."""
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, title, text, origin FROM articles"
                " WHERE url IS NULL AND origin LIKE ? ESCAPE '\\' ORDER BY updated_at DESC",
                (pattern,),
            ).fetchall()
        for article_id, stored_title, text, origin in rows:
            if article_id != content_id(stored_title, text):
                continue  # not an id from content: not an older tanya's file article
            if origin == path or (stored_title == title and _same_file(origin, path)):
                return str(article_id)
        return None

    def get_article(self, article_id: str) -> StoredArticle | None:
        """The stored article with everything the catalog keeps about it."""
        with self._lock:
            cur = self._conn.execute(
                f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM articles WHERE id=?", (article_id,)
            )
            row = cur.fetchone()
        if row is None:
            return None
        record = dict(zip(_ARTICLE_COLUMNS, row, strict=True))
        removed = tuple(Removal(**r) for r in json.loads(str(record.pop("removed"))))
        return StoredArticle(**record, removed=removed)

    def load_article(self, article_id: str) -> Article | None:
        """The stored (cleaned) article, as it was indexed."""
        record = self.get_article(article_id)
        return record.to_article() if record else None

    def count_dated(self, since: date, until: date) -> int:
        """How many stored articles are dated within [since, until]."""
        with self._lock:
            row = self._conn.execute(
                "SELECT count(*) FROM articles WHERE date >= ? AND date <= ?",
                (since.isoformat(), until.isoformat()),
            ).fetchone()
        return int(row[0])

    def list_articles(self, limit: int | None = None, offset: int = 0) -> list[ArticleSummary]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, title, date, source, url, origin, n_chunks, added_at, updated_at"
                " FROM articles ORDER BY date DESC, title LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            ).fetchall()
        return [ArticleSummary(*r) for r in rows]

    def counts(self) -> tuple[int, int]:
        with self._lock:
            articles = self._conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            chunks = self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return int(articles), int(chunks)

    def resolve_source(self, filters: SearchFilters | None) -> SearchFilters | None:
        """`filters` with the stored outlet names its `source` matches."""
        if filters is None or filters.source is None or filters.source_names is not None:
            return filters
        key = source_key(filters.source)
        names = tuple(name for name, _ in self.sources() if source_key(name) == key)
        return replace(filters, source_names=names)

    def sources(self) -> list[tuple[str, int]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT source, count(*) FROM articles WHERE source IS NOT NULL"
                " GROUP BY source ORDER BY count(*) DESC"
            ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def all_chunk_ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._conn.execute("SELECT id FROM chunks")}

    # --- chunks -------------------------------------------------------------------
    def chunks_by_id(
        self, chunk_ids: Iterable[str], *, learn_stems: bool = False
    ) -> dict[str, StoredChunk]:
        """The stored chunks of these ids (missing ones left out). With
        `learn_stems`, the stems stored with them are handed to the stemmer
        (`retrieval.text.lexical.learn_stems`): for passages about to be
        re-ranked and quoted, whose words would each be stemmed."""
        ids = list(chunk_ids)
        out: dict[str, StoredChunk] = {}
        stems = ", c.stems" if learn_stems else ""
        with self._lock:
            for i in range(0, len(ids), 500):
                batch = ids[i : i + 500]
                marks = ",".join("?" * len(batch))
                for row in self._conn.execute(
                    "SELECT c.id, c.article_id, c.position, c.start, c.end, c.text,"
                    f" a.title, a.date, a.source, a.url{stems}"
                    f" FROM chunks c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
                    batch,
                ):
                    if learn_stems:
                        if row[-1] is not None:  # else written before stems were kept
                            _learn(row[-1])
                        row = row[:-1]
                    out[row[0]] = StoredChunk(*row)
        return out

    def article_chunks(self, article_id: str) -> list[StoredChunk]:
        ids = self.chunk_ids(article_id)
        found = self.chunks_by_id(ids)
        return [found[i] for i in ids if i in found]

    def lexical_search(
        self, query: str, limit: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """Chunk ids ranked by BM25 over stemmed terms, best first, with a
        positive score (higher is better)."""
        allowed = None
        if filters is not None and not filters.empty:
            where, params = _filter_sql(filters)
            with self._lock:
                found = self._conn.execute(
                    "SELECT c.rowid FROM chunks c JOIN articles a ON a.id = c.article_id"
                    f" WHERE 1{where} ORDER BY c.rowid",
                    params,
                ).fetchall()
            allowed = np.array([r[0] for r in found], dtype=np.int64)
        ranked = self.lexical.search(query_terms(query), limit, allowed)
        if not ranked:
            return []
        with self._lock:
            marks = ",".join("?" * len(ranked))
            ids = dict(
                self._conn.execute(
                    f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks})", [r for r, _ in ranked]
                ).fetchall()
            )
        return [(ids[r], score) for r, score in ranked if r in ids]

    def document_frequencies(
        self, wanted: Iterable[str], exclude: Collection[str] = ()
    ) -> tuple[int, dict[str, int]]:
        """(number of chunks, chunks holding each term) in the lexical index:
        how rare a question's words are in the whole corpus (without the
        `exclude`d chunk ids, as if they were not stored: evaluation)."""
        rowids: list[int] = []
        if exclude:
            ids = list(exclude)
            with self._lock:
                for i in range(0, len(ids), 500):
                    part = ids[i : i + 500]
                    rowids += [
                        r
                        for (r,) in self._conn.execute(
                            f"SELECT rowid FROM chunks WHERE id IN ({','.join('?' * len(part))})",
                            part,
                        )
                    ]
        return self.lexical.document_frequencies(wanted, rowids)

    # --- dense-store journal ---------------------------------------------------------
    def journal(self, conn: sqlite3.Connection, chunk_ids: Iterable[str], op: str) -> None:
        conn.executemany(
            "INSERT INTO dense_journal(chunk_id, op) VALUES (?, ?)"
            " ON CONFLICT(chunk_id) DO UPDATE SET op=excluded.op",
            [(c, op) for c in chunk_ids],
        )

    def clear_journal(self, conn: sqlite3.Connection, chunk_ids: Iterable[str]) -> None:
        conn.executemany("DELETE FROM dense_journal WHERE chunk_id=?", [(c,) for c in chunk_ids])

    def waiting_for_vectors(self) -> tuple[int, int]:
        """(articles, chunks) stored whose vectors are not written yet: their
        `pending` journal rows (committed chunks only)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT count(DISTINCT c.article_id), count(*) FROM dense_journal j"
                " JOIN chunks c ON c.id = j.chunk_id WHERE j.op = 'pending'"
            ).fetchone()
        return int(row[0]), int(row[1])

    def chunks_waiting_for_vectors(self, limit: int | None = None) -> list[str]:
        """Ids of stored chunks whose vectors are not written yet, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT j.chunk_id FROM dense_journal j JOIN chunks c ON c.id = j.chunk_id"
                " WHERE j.op = 'pending' ORDER BY c.rowid LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [r[0] for r in rows]

    def waiting_among(self, chunk_ids: Iterable[str]) -> set[str]:
        """Which of these chunk ids are waiting for their vectors (`pending`)."""
        ids = list(chunk_ids)
        found: set[str] = set()
        with self._lock:
            if self._conn.execute("SELECT 1 FROM dense_journal LIMIT 1").fetchone() is None:
                return found  # the usual case: nothing waits, one cheap look
            for i in range(0, len(ids), 500):
                batch = ids[i : i + 500]
                marks = ",".join("?" * len(batch))
                found.update(
                    r[0]
                    for r in self._conn.execute(
                        "SELECT chunk_id FROM dense_journal"
                        f" WHERE op = 'pending' AND chunk_id IN ({marks})",
                        batch,
                    )
                )
        return found

    def journal_entries(self) -> list[tuple[str, str]]:
        with self._lock:
            return [
                (r[0], r[1]) for r in self._conn.execute("SELECT chunk_id, op FROM dense_journal")
            ]


def _same_file(origin: str, path: str) -> bool:
    try:
        return str(Path(origin).expanduser().resolve()) == path
    except (OSError, RuntimeError, ValueError):
        return False


def _filter_sql(filters: SearchFilters | None) -> tuple[str, list[object]]:
    if filters is None or filters.empty:
        return "", []
    clauses: list[str] = []
    params: list[object] = []
    if filters.source is not None:
        names = filters.stored_sources()
        clauses.append(f"lower(a.source) IN ({','.join('lower(?)' for _ in names)})")
        params.extend(names)
    if filters.since:
        clauses.append("a.date >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        clauses.append("a.date <= ?")
        params.append(filters.until.isoformat())
    return " AND " + " AND ".join(clauses), params
