"""Sentence vectors kept with the index, so `tanya ask` does not embed the
sentences it scores (the slow part of an offline answer: BENCHMARKS.md,
"`tanya ask` latency").

The offline answerer scores the quotable sentences of its passages
(`retrieval.text.quotable_sentences`) by the cosine of their e5 `passage:`
vectors with the question's. Those vectors are made when an article's
vectors are made (`ArticleIndex.embed_waiting_sentences`, after its
passages' vectors: dense search needs those first) and read at ask time by
the sentence's text.

Layout, in the catalog's SQLite file (beside the chunks, so every write is
one transaction with the chunk state it belongs to; not Chroma, which keeps
its HNSW graph in memory and would hold millions of vectors nobody searches):

* `sentence_vectors`: one row per (chunk, quotable sentence of it): the
  chunk's rowid, a 128-bit hash of the sentence's text (what the answerer
  looks up by; a sentence that overlapping chunks or syndicated copies
  repeat is embedded once and its vector copied) and the vector, float16;
* `sentence_journal`: the chunks whose sentence vectors are not written
  yet. A chunk is journaled in the transaction that stores it
  (`ArticleIndex.store`), and its journal row is deleted in the transaction
  that writes its sentence vectors, so a chunk has all its sentence vectors
  or is journaled, never half of them.

Both reference `chunks(rowid)` with ON DELETE CASCADE: a replaced or removed
chunk takes its sentence vectors and journal row with it, in the transaction
that deletes it. A catalog written before this module gets the two tables,
empty, on open: its chunks have no stored sentence vectors (the answerer
embeds what it does not find, as before) until `tanya reindex`.

The meta key `sentence_embedder` names the embedder that made the stored
vectors; the answerer reads them only when that is the index's embedder
(`reindex` to another one empties the table first).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.text.sentences import quotable_sentences

SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_vectors (
    chunk_rowid INTEGER NOT NULL REFERENCES chunks(rowid) ON DELETE CASCADE,
    key BLOB NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sentence_vectors_chunk ON sentence_vectors(chunk_rowid);
CREATE INDEX IF NOT EXISTS sentence_vectors_key ON sentence_vectors(key);
CREATE TABLE IF NOT EXISTS sentence_journal (
    chunk_rowid INTEGER PRIMARY KEY REFERENCES chunks(rowid) ON DELETE CASCADE
);
"""

EMBEDDER_META = "sentence_embedder"
# float16 halves the disk of float32; the cosines it moves (4th decimal) were
# checked not to change any answer (BENCHMARKS.md, "`tanya ask` latency").
STORED_DTYPE = np.float16


def sentence_key(text: str) -> bytes:
    """What a sentence's vector is found by: a hash of its exact text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def chunk_sentences(text: str, start: int) -> list[str]:
    """The texts of a chunk's quotable sentences, in order, each once (what
    the answerer will ask vectors for: `start` is the chunk's offset in its
    article, 0 for the passage that may open with a dateline)."""
    found = (text[s:e] for s, e in quotable_sentences(text, opens_article=start == 0))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class WaitingChunk:
    rowid: int
    sentences: list[str]


class SentenceTable:
    """The two tables, on the catalog's connection and lock."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock

    # --- the journal ------------------------------------------------------------------
    def journal(self, conn: sqlite3.Connection, chunk_ids: Iterable[str]) -> None:
        """Inside the caller's transaction: these stored chunks wait for
        their sentence vectors."""
        conn.executemany(
            "INSERT OR IGNORE INTO sentence_journal(chunk_rowid)"
            " SELECT rowid FROM chunks WHERE id=?",
            [(c,) for c in chunk_ids],
        )

    def journal_all(self, conn: sqlite3.Connection, *, journal: bool = True) -> None:
        """Inside the caller's transaction: forget every stored sentence
        vector and journal every chunk (a reindex, maybe to another embedder;
        `journal=False`: sentence vectors are switched off, none will be made)."""
        conn.execute("DELETE FROM sentence_vectors")
        conn.execute("DELETE FROM sentence_journal")
        if journal:
            conn.execute("INSERT INTO sentence_journal(chunk_rowid) SELECT rowid FROM chunks")

    def waiting(self, limit: int) -> list[WaitingChunk]:
        """Up to `limit` journaled chunks, oldest first, with their sentences."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT c.rowid, c.text, c.start FROM sentence_journal j"
                " JOIN chunks c ON c.rowid = j.chunk_rowid ORDER BY j.chunk_rowid LIMIT ?",
                (limit,),
            ).fetchall()
        return [WaitingChunk(int(r[0]), chunk_sentences(r[1], int(r[2]))) for r in rows]

    def waiting_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM sentence_journal").fetchone()[0])

    def count(self) -> int:
        """Stored rows (a sentence repeated by overlapping chunks counts per chunk)."""
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0])

    # --- vectors ------------------------------------------------------------------------
    def stored_bytes(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        """The stored vectors (as stored) of those of `keys` that have one."""
        out: dict[bytes, bytes] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                batch = list(keys[i : i + 500])
                marks = ",".join("?" * len(batch))
                for key, blob in self._conn.execute(
                    f"SELECT key, vector FROM sentence_vectors WHERE key IN ({marks})", batch
                ):
                    out[bytes(key)] = bytes(blob)
        return out

    def vectors(self, texts: Sequence[str], dimension: int) -> dict[str, np.ndarray]:
        """float32 vectors of those `texts` that are stored (one query)."""
        keys = {sentence_key(t): t for t in texts}
        found = self.stored_bytes(list(keys))
        return {keys[k]: decode(blob, dimension) for k, blob in found.items()}

    def write(
        self,
        conn: sqlite3.Connection,
        chunks: Sequence[WaitingChunk],
        vectors: dict[bytes, bytes],
        embedder: str,
    ) -> int:
        """Inside the caller's transaction: the sentence vectors of those
        `chunks` still journaled (one replaced or removed meanwhile is gone),
        then their journal rows cleared. `vectors`: every sentence's, by key,
        encoded (`encode`). Returns how many chunks were written."""
        recorded = conn.execute("SELECT value FROM meta WHERE key=?", (EMBEDDER_META,)).fetchone()
        if recorded is None or recorded[0] != embedder:
            # Vectors of another embedder must never be read as this one's.
            conn.execute("DELETE FROM sentence_vectors")
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (EMBEDDER_META, embedder),
            )
        done = 0
        for chunk in chunks:
            cur = conn.execute("DELETE FROM sentence_journal WHERE chunk_rowid=?", (chunk.rowid,))
            if cur.rowcount == 0:
                continue  # not waiting any more: replaced, removed, or written by another call
            rows = []
            for text in chunk.sentences:
                key = sentence_key(text)
                rows.append((chunk.rowid, key, vectors[key]))
            conn.executemany(
                "INSERT INTO sentence_vectors(chunk_rowid, key, vector) VALUES (?, ?, ?)", rows
            )
            done += 1
        return done


def encode(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=STORED_DTYPE).tobytes()


def decode(blob: bytes, dimension: int) -> np.ndarray:
    """A stored vector as float32 (its width tells how it was stored)."""
    dtype = np.float16 if len(blob) == 2 * dimension else np.float32
    return np.frombuffer(blob, dtype=dtype).astype(np.float32)
