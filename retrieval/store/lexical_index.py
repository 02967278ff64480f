"""The BM25 index: postings in SQLite, scored with numpy.

Why not FTS5 (what this replaced): an FTS5 OR query over a question's stems
and bigrams makes SQLite compute `bm25()` row by row for every chunk that
shares one term with the question, most of the index for a common stem: 114
of 154 ms per hybrid search at 100k chunks. Here each term's postings are
read as arrays and scored in bulk; terms in half the chunks or more (whose
BM25 weight is nil, see `idf`) are read only when the other terms match too
few chunks to fill the list. BENCHMARKS.md compares
it with FTS5 (whole and pruned) and with `bm25s`.

Layout, in the catalog's SQLite file, so the lexical entries of an article
are written in the same transaction as the article itself (a crash leaves
both or neither; an article can be searchable by BM25 before its vectors
exist):

* a *segment* is the chunks one write added: `lex_segments` holds their
  chunk rowids and lengths (in terms), in segment-local doc order;
* `lex_postings` holds, per (term, segment), the local doc numbers that
  contain the term and how often (uint32 / uint16 arrays); a term is keyed
  by a 64-bit hash of its text;
* a removed chunk is a tombstone in `lex_deleted` until its segment is
  merged; `lex_docs` finds a chunk's (segment, doc) and its length;
* `lex_stats` keeps the live chunk count and total length (BM25's N and
  average length) and a version that changes with every write, so a reader
  knows when its cached tombstones are stale.

Segments are immutable: a process caches their rowid/length arrays. Small
segments are merged (tombstones dropped) when `MERGE_FACTOR` of one size
tier pile up, in the transaction of the write that made them pile up, so
the number of segments a query reads stays logarithmic in the index size.

Scores are FTS5's `bm25()` (k1 = 1.2, b = 0.75, idf = ln((N - n + 0.5) /
(n + 0.5)), floored at 1e-6), so rankings match the old index; terms at the
floor are skipped when the other terms fill the list, which can only reorder
chunks whose scores differ by less than 1e-5.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import math
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

K1 = 1.2
B = 0.75
MERGE_FACTOR = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS lex_segments (
    id INTEGER PRIMARY KEY,
    n_docs INTEGER NOT NULL,
    rowids BLOB NOT NULL,
    lengths BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS lex_postings (
    term INTEGER NOT NULL,
    segment INTEGER NOT NULL,
    df INTEGER NOT NULL,
    docs BLOB NOT NULL,
    tfs BLOB NOT NULL,
    PRIMARY KEY (term, segment)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lex_postings_segment ON lex_postings(segment, term);
CREATE TABLE IF NOT EXISTS lex_docs (
    chunk_rowid INTEGER PRIMARY KEY,
    segment INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    length INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lex_deleted (
    segment INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (segment, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lex_stats (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    docs INTEGER NOT NULL,
    total_length INTEGER NOT NULL,
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO lex_stats(id, docs, total_length, version) VALUES (0, 0, 0, 0);
"""

DOC = np.dtype("<u4")
TF = np.dtype("<u2")
ROWID = np.dtype("<i8")
LENGTH = np.dtype("<u4")


@lru_cache(maxsize=1 << 18)
def term_key(term: str) -> int:
    """A term's 64-bit key (signed, as SQLite stores integers)."""
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def idf(n_docs: int, df: int) -> float:
    """FTS5's idf: terms in half the chunks or more get a floor of 1e-6."""
    value = math.log((n_docs - df + 0.5) / (df + 0.5))
    return value if value > 0 else 1e-6


@dataclass(frozen=True)
class Segment:
    id: int
    rowids: np.ndarray
    lengths: np.ndarray


class LexicalIndex:
    """BM25 over the catalog's connection. Writes take the caller's
    connection inside its transaction; reads take the catalog's lock."""

    def __init__(
        self, conn: sqlite3.Connection, lock: threading.RLock, merge_factor: int = MERGE_FACTOR
    ) -> None:
        self._conn = conn
        self._lock = lock
        self.merge_factor = merge_factor
        self._segments: dict[int, Segment] = {}
        self._tombstones: tuple[int, dict[int, np.ndarray]] = (-1, {})

    # --- writing (inside the caller's transaction) ------------------------------------------
    def add(self, conn: sqlite3.Connection, docs: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Index chunks (chunk rowid, terms) as one new segment."""
        if not docs:
            return
        lengths = np.array([len(t) for _, t in docs], dtype=LENGTH)
        rowids = np.array([r for r, _ in docs], dtype=ROWID)
        # Every (term, doc) occurrence as two arrays, sorted by term then doc:
        # runs of equal pairs are term frequencies, runs of a term its postings.
        keys = np.fromiter(
            (term_key(t) for _, doc_terms in docs for t in doc_terms),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        owners = np.repeat(np.arange(len(docs), dtype=np.int64), lengths.astype(np.int64))
        order = np.lexsort((owners, keys))
        keys, owners = keys[order], owners[order]
        pair_start = np.flatnonzero(
            np.r_[True, (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])]
        )
        tfs = np.minimum(np.diff(np.r_[pair_start, len(keys)]), 65535).astype(TF)
        pair_keys, pair_docs = keys[pair_start], owners[pair_start].astype(DOC)
        term_start = np.flatnonzero(np.r_[True, pair_keys[1:] != pair_keys[:-1]])
        term_end = np.r_[term_start[1:], len(pair_keys)]
        cur = conn.execute(
            "INSERT INTO lex_segments(n_docs, rowids, lengths) VALUES (?, ?, ?)",
            (len(docs), rowids.tobytes(), lengths.tobytes()),
        )
        segment = int(cur.lastrowid or 0)
        conn.executemany(
            "INSERT INTO lex_postings(term, segment, df, docs, tfs) VALUES (?, ?, ?, ?, ?)",
            (
                (
                    int(pair_keys[a]),
                    segment,
                    int(b - a),
                    pair_docs[a:b].tobytes(),
                    tfs[a:b].tobytes(),
                )
                for a, b in zip(term_start, term_end, strict=True)
            ),
        )
        conn.executemany(
            "INSERT INTO lex_docs(chunk_rowid, segment, doc, length) VALUES (?, ?, ?, ?)",
            (
                (int(r), segment, i, int(n))
                for i, (r, n) in enumerate(zip(rowids, lengths, strict=True))
            ),
        )
        conn.execute(
            "UPDATE lex_stats SET docs = docs + ?, total_length = total_length + ?,"
            " version = version + 1 WHERE id = 0",
            (len(docs), int(lengths.sum())),
        )
        self._merge_if_due(conn)

    def remove(self, conn: sqlite3.Connection, chunk_rowids: Iterable[int]) -> None:
        """Tombstone chunks (they are dropped for good when their segment merges)."""
        found = []
        for rowid in chunk_rowids:
            row = conn.execute(
                "SELECT segment, doc, length FROM lex_docs WHERE chunk_rowid=?", (rowid,)
            ).fetchone()
            if row is not None:
                found.append((rowid, *row))
        if not found:
            return
        conn.executemany(
            "INSERT OR IGNORE INTO lex_deleted(segment, doc) VALUES (?, ?)",
            [(s, d) for _, s, d, _ in found],
        )
        conn.executemany("DELETE FROM lex_docs WHERE chunk_rowid=?", [(r,) for r, *_ in found])
        conn.execute(
            "UPDATE lex_stats SET docs = docs - ?, total_length = total_length - ?,"
            " version = version + 1 WHERE id = 0",
            (len(found), sum(n for *_, n in found)),
        )

    # --- merging ---------------------------------------------------------------------------
    def _merge_if_due(self, conn: sqlite3.Connection) -> None:
        """Merge the segments of a size tier once `merge_factor` of them exist
        (tier: the size's log in base `merge_factor`); repeat upwards."""
        while True:
            sizes = conn.execute("SELECT id, n_docs FROM lex_segments ORDER BY id").fetchall()
            tiers: dict[int, list[int]] = {}
            for seg, n in sizes:
                tier = int(math.log(max(n, 1), self.merge_factor))
                tiers.setdefault(tier, []).append(seg)
            due = next(
                (segs for _, segs in sorted(tiers.items()) if len(segs) >= self.merge_factor), None
            )
            if due is None:
                return
            self.merge(conn, due)

    def merge(self, conn: sqlite3.Connection, segments: Sequence[int]) -> None:
        """Replace `segments` by one, without their tombstoned docs."""
        remaps: dict[int, np.ndarray] = {}
        rowid_parts, length_parts = [], []
        offset = 0
        for seg in segments:
            rowids, lengths = self._segment_arrays(conn, seg)
            dead = self._deleted_docs(conn, seg)
            alive = np.ones(len(rowids), dtype=bool)
            alive[dead] = False
            remap = np.full(len(rowids), -1, dtype=np.int64)
            remap[alive] = np.arange(offset, offset + int(alive.sum()))
            offset += int(alive.sum())
            remaps[seg] = remap
            rowid_parts.append(rowids[alive])
            length_parts.append(lengths[alive])
        rowids = np.concatenate(rowid_parts) if rowid_parts else np.zeros(0, dtype=ROWID)
        lengths = np.concatenate(length_parts) if length_parts else np.zeros(0, dtype=LENGTH)
        cur = conn.execute(
            "INSERT INTO lex_segments(n_docs, rowids, lengths) VALUES (?, ?, ?)",
            (len(rowids), rowids.tobytes(), lengths.tobytes()),
        )
        merged = int(cur.lastrowid or 0)
        # Each segment's postings in term order, merged term by term into a
        # temp table (never into the table being read), then moved in one go.
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS lex_merge"
            " (term INTEGER, segment INTEGER, df INTEGER, docs BLOB, tfs BLOB)"
        )
        conn.execute("DELETE FROM temp.lex_merge")
        streams = [self._postings_in_order(conn, seg) for seg in segments]
        rows = self._merged_rows(heapq.merge(*streams), remaps, merged)
        conn.executemany("INSERT INTO temp.lex_merge VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("INSERT INTO lex_postings SELECT * FROM temp.lex_merge")
        conn.execute("DELETE FROM temp.lex_merge")
        marks = ",".join("?" * len(segments))
        conn.execute(f"DELETE FROM lex_postings WHERE segment IN ({marks})", list(segments))
        conn.execute(f"DELETE FROM lex_deleted WHERE segment IN ({marks})", list(segments))
        conn.execute(f"DELETE FROM lex_segments WHERE id IN ({marks})", list(segments))
        conn.executemany(
            "UPDATE lex_docs SET segment=?, doc=? WHERE chunk_rowid=?",
            ((merged, i, int(r)) for i, r in enumerate(rowids)),
        )
        conn.execute("UPDATE lex_stats SET version = version + 1 WHERE id = 0")

    @staticmethod
    def _postings_in_order(
        conn: sqlite3.Connection, segment: int
    ) -> Iterator[tuple[int, int, bytes, bytes]]:
        # A cursor of its own: the merge reads several while it inserts.
        cur = conn.cursor()
        cur.execute(
            "SELECT term, segment, docs, tfs FROM lex_postings WHERE segment=? ORDER BY term",
            (segment,),
        )
        try:
            for row in cur:  # noqa: UP028 (`yield from` would close the cursor itself)
                yield row
        finally:
            # Ctrl-C mid-merge leaves this generator to be collected after
            # the connection closed: closing its cursor then raised, and
            # "Exception ignored ... Cannot operate on a closed database"
            # reached the user's terminal.
            with contextlib.suppress(sqlite3.ProgrammingError):
                cur.close()

    @staticmethod
    def _merged_rows(
        stream: Iterator[tuple[int, int, bytes, bytes]],
        remaps: dict[int, np.ndarray],
        merged: int,
    ) -> Iterator[tuple[int, int, int, bytes, bytes]]:
        current: int | None = None
        docs: list[np.ndarray] = []
        tfs: list[np.ndarray] = []

        def flush() -> tuple[int, int, int, bytes, bytes] | None:
            d = np.concatenate(docs)
            if not len(d):
                return None
            return (current, merged, len(d), d.astype(DOC).tobytes(), np.concatenate(tfs).tobytes())  # type: ignore[return-value]

        for term, seg, d_blob, t_blob in stream:
            if term != current:
                if current is not None and (row := flush()) is not None:
                    yield row
                current, docs, tfs = term, [], []
            new = remaps[seg][np.frombuffer(d_blob, dtype=DOC)]
            keep = new >= 0
            docs.append(new[keep])
            tfs.append(np.frombuffer(t_blob, dtype=TF)[keep])
        if current is not None and (row := flush()) is not None:
            yield row

    # --- reading ---------------------------------------------------------------------------
    def _segment_arrays(self, conn: sqlite3.Connection, seg: int) -> tuple[np.ndarray, np.ndarray]:
        row = conn.execute("SELECT rowids, lengths FROM lex_segments WHERE id=?", (seg,)).fetchone()
        return np.frombuffer(row[0], dtype=ROWID), np.frombuffer(row[1], dtype=LENGTH)

    @staticmethod
    def _deleted_docs(conn: sqlite3.Connection, seg: int) -> np.ndarray:
        rows = conn.execute("SELECT doc FROM lex_deleted WHERE segment=?", (seg,)).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def _segment(self, seg: int) -> Segment:
        cached = self._segments.get(seg)
        if cached is None:
            rowids, lengths = self._segment_arrays(self._conn, seg)
            cached = self._segments[seg] = Segment(seg, rowids, lengths)
        return cached

    def _current_tombstones(self, version: int) -> dict[int, np.ndarray]:
        if self._tombstones[0] != version:
            by_segment: dict[int, list[int]] = {}
            for seg, doc in self._conn.execute("SELECT segment, doc FROM lex_deleted"):
                by_segment.setdefault(seg, []).append(doc)
            live = {s for (s,) in self._conn.execute("SELECT id FROM lex_segments")}
            self._segments = {s: v for s, v in self._segments.items() if s in live}
            self._tombstones = (
                version,
                {s: np.array(d, dtype=np.int64) for s, d in by_segment.items()},
            )
        return self._tombstones[1]

    def search(
        self, query_terms: Sequence[str], limit: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """(chunk rowid, BM25 score) for the best `limit` chunks, best first.
        `allowed`, if given, is a sorted array of the chunk rowids to consider."""
        unique = list(dict.fromkeys(query_terms))
        if not unique or limit <= 0:
            return []
        keys = {term_key(t): t for t in unique}
        with self._lock:
            n_docs, total_length, version = self._conn.execute(
                "SELECT docs, total_length, version FROM lex_stats WHERE id=0"
            ).fetchone()
            if n_docs <= 0:
                return []
            tombstones = self._current_tombstones(version)
            marks = ",".join("?" * len(keys))
            df_rows = self._conn.execute(
                f"SELECT term, sum(df) FROM lex_postings WHERE term IN ({marks}) GROUP BY term",
                list(keys),
            ).fetchall()
            # Terms at idf's floor add at most 2.2e-6 to a score: not worth
            # reading while the other terms fill the list (they could only
            # reorder near-exact ties). Tombstoned docs still count in `df`
            # here, so a term is put aside only if it stays at the floor with
            # all of them gone.
            dead = sum(len(d) for d in tombstones.values())
            wanted = [t for t, df in df_rows if df - dead < n_docs / 2]
            rowids, scores = self._scored(wanted, n_docs, total_length, tombstones, allowed)
            if len(scores) < limit and len(wanted) < len(df_rows):
                # Too few: the floor terms fill the list, as in FTS5.
                every = [t for t, _ in df_rows]
                rowids, scores = self._scored(every, n_docs, total_length, tombstones, allowed)
        if len(scores) > limit:
            top = np.argpartition(-scores, limit - 1)[:limit]
            rowids, scores = rowids[top], scores[top]
        order = np.lexsort((rowids, -scores))
        return [(int(rowids[i]), float(scores[i])) for i in order]

    def _scored(
        self,
        keys: Sequence[int],
        n_docs: int,
        total_length: int,
        tombstones: dict[int, np.ndarray],
        allowed: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every chunk that holds one of the terms `keys`, with its BM25 score
        (called with the catalog's lock held)."""
        empty = (np.zeros(0, dtype=ROWID), np.zeros(0, dtype=np.float64))
        if not keys:
            return empty
        marks = ",".join("?" * len(keys))
        rows = self._conn.execute(
            f"SELECT term, segment, docs, tfs FROM lex_postings WHERE term IN ({marks})",
            list(keys),
        ).fetchall()
        segments = {seg: self._segment(seg) for seg in {r[1] for r in rows}}
        avg_length = total_length / n_docs
        # Live document frequencies (tombstoned docs do not count), then idf.
        parts: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {}
        live_df: dict[int, int] = {}
        for term, seg, d_blob, t_blob in rows:
            docs = np.frombuffer(d_blob, dtype=DOC)
            tfs = np.frombuffer(t_blob, dtype=TF)
            gone = tombstones.get(seg)
            if gone is not None and len(gone):
                keep = ~np.isin(docs, gone)
                docs, tfs = docs[keep], tfs[keep]
            live_df[term] = live_df.get(term, 0) + len(docs)
            parts.setdefault(seg, []).append((term, docs, tfs))
        weights = {t: idf(n_docs, df) for t, df in live_df.items()}
        found_rowids, found_scores = [], []
        for seg, postings in parts.items():
            segment = segments[seg]
            norm = K1 * (1 - B + B * segment.lengths.astype(np.float64) / avg_length)
            scores = np.zeros(len(segment.rowids), dtype=np.float64)
            for term, docs, tfs in postings:
                tf = tfs.astype(np.float64)
                scores += np.bincount(
                    docs,
                    weights=weights[term] * tf * (K1 + 1) / (tf + norm[docs]),
                    minlength=len(scores),
                )
            hit = np.flatnonzero(scores)
            found_rowids.append(segment.rowids[hit])
            found_scores.append(scores[hit])
        if not found_rowids:
            return empty
        rowids = np.concatenate(found_rowids)
        scores = np.concatenate(found_scores)
        if allowed is not None:
            keep = np.isin(rowids, allowed)
            rowids, scores = rowids[keep], scores[keep]
        return rowids, scores

    def document_frequencies(
        self, wanted: Iterable[str], exclude: Collection[int] = ()
    ) -> tuple[int, dict[str, int]]:
        """(live chunks, live chunks holding each term): a removed chunk's
        postings stay in its segment until a merge, and are not counted.
        `exclude`: chunk rowids counted as if they were not in the index (an
        evaluation's "gold passage removed": its words are then as rare as in
        a corpus without it, not as rare as with it)."""
        unique = sorted(set(wanted))
        keys = {term_key(t): t for t in unique}
        found: dict[str, int] = {}
        with self._lock:
            n_docs, version = self._conn.execute(
                "SELECT docs, version FROM lex_stats WHERE id=0"
            ).fetchone()
            batch = list(keys)
            for i in range(0, len(batch), 500):
                part = batch[i : i + 500]
                marks = ",".join("?" * len(part))
                for key, df in self._conn.execute(
                    f"SELECT term, sum(df) FROM lex_postings WHERE term IN ({marks}) GROUP BY term",
                    part,
                ):
                    found[keys[key]] = int(df)
            if keys:
                # After `tanya remove`, a name only the removed article held
                # is again one no chunk holds (the answerability model weighs it).
                self._subtract(found, keys, self._current_tombstones(version))
            if exclude and keys:
                places = self._places(exclude)
                self._subtract(found, keys, places)
                n_docs -= sum(len(d) for d in places.values())
        return int(n_docs), {t: found.get(t, 0) for t in unique}

    def _places(self, rowids: Collection[int]) -> dict[int, np.ndarray]:
        """Where live chunks sit: their docs by segment (the caller holds the lock)."""
        ids = list(rowids)
        places: dict[int, list[int]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            for seg, doc in self._conn.execute(
                f"SELECT segment, doc FROM lex_docs WHERE chunk_rowid IN ({','.join('?' * len(part))})",
                part,
            ):
                places.setdefault(seg, []).append(doc)
        return {seg: np.array(docs, dtype=np.int64) for seg, docs in places.items()}

    def _subtract(
        self, found: dict[str, int], keys: dict[int, str], places: dict[int, np.ndarray]
    ) -> None:
        """Take the docs at `places` out of `found`'s counts (the caller holds the lock)."""
        marks = ",".join("?" * len(keys))
        for seg, docs in places.items():
            if not len(docs):
                continue
            for key, blob in self._conn.execute(
                f"SELECT term, docs FROM lex_postings WHERE segment=? AND term IN ({marks})",
                [seg, *keys],
            ):
                held = int(np.isin(np.frombuffer(blob, dtype=DOC), docs).sum())
                found[keys[key]] = found.get(keys[key], 0) - held

    def counts(self) -> tuple[int, int]:
        """(live chunks, segments): for stats and tests."""
        with self._lock:
            docs = self._conn.execute("SELECT docs FROM lex_stats WHERE id=0").fetchone()[0]
            segs = self._conn.execute("SELECT count(*) FROM lex_segments").fetchone()[0]
        return int(docs), int(segs)
