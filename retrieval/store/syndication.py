"""Syndicated copies stored once: the same story republished by another
outlet (another URL, its own header and footer, a sentence more or less, a
few words edited) is recognised and recorded as another source of the
article already stored, not indexed a second time.

How: MinHash signatures of each article's word shingles (datasketch), an
LSH index to find candidates, then the estimated Jaccard similarity against
a threshold. Shingle size and threshold were chosen on a measured set built
from FacQA's news text (`benchmarks/near_duplicates.py`, BENCHMARKS.md).

State lives in the catalog's SQLite file (`catalog.sqlite3`), in tables of
its own: each stored article's signature, its LSH band keys (so a lookup is
an indexed query: building datasketch's in-memory LSH from every stored
signature took each `tanya add` 35 s at 25,000 articles before it could
store anything), and the other sources of each article. Articles without a
signature or band keys (stored before these existed, or by a writer that
skips ingestion, like the benchmarks' stores) get them once, on first use.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import numpy as np

# datasketch is imported where used: its LSH module imports scipy.integrate
# (~1-2 s), which `tanya ask` (it only reads `also_in`) must not pay.
if TYPE_CHECKING:
    from datasketch import MinHash

    from retrieval.store.article_index import ArticleIndex

NUM_PERM = 128
# Named, not left to datasketch's default: stored signatures must stay comparable.
SCHEME = "affine32"
# Chosen on the measured set (BENCHMARKS.md, "Syndicated copies").
SHINGLE_WORDS = 2
THRESHOLD = 0.5
# The LSH banding datasketch's `MinHashLSH(threshold=0.5, num_perm=128)`
# chooses (b bands of r rows; a test checks they still agree): two
# signatures are candidates when all r values of one band are equal.
BANDS, ROWS = 25, 5
_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A copy reports the same figures: at least this share of the numbers of the
# text with fewer numbers must be in the other. Keeps apart daily reports cut
# from one template (gold prices, exchange rates) whose words all match.
MIN_SHARED_NUMBERS = 0.8


def numbers_in(text: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(text))


def same_figures(a: frozenset[str], b: frozenset[str]) -> bool:
    smaller = min(len(a), len(b))
    return smaller == 0 or len(a & b) / smaller >= MIN_SHARED_NUMBERS


def signature(text: str, *, shingle: int = SHINGLE_WORDS, num_perm: int = NUM_PERM) -> MinHash:
    """MinHash of the text's word `shingle`-grams (lower-cased, punctuation ignored)."""
    from datasketch import MinHash

    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + shingle]) for i in range(max(len(words) - shingle + 1, 1))}
    minhash = MinHash(num_perm=num_perm, scheme=SCHEME)
    minhash.update_batch([g.encode("utf-8") for g in grams])
    return minhash


class DedupIndex:
    """Articles' signatures, searchable for near-duplicates."""

    def __init__(self, *, threshold: float = THRESHOLD, shingle: int = SHINGLE_WORDS) -> None:
        from datasketch import MinHashLSH

        self.threshold, self.shingle = threshold, shingle
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, MinHash] = {}
        self._numbers: dict[str, frozenset[str]] = {}

    def insert(self, key: str, minhash: MinHash, numbers: frozenset[str] = frozenset()) -> None:
        if key in self._signatures:
            self._lsh.remove(key)
        self._lsh.insert(key, minhash)
        self._signatures[key] = minhash
        self._numbers[key] = numbers

    def remove(self, key: str) -> None:
        if self._signatures.pop(key, None) is not None:
            self._lsh.remove(key)
            self._numbers.pop(key, None)

    def matches(self, minhash: MinHash, numbers: frozenset[str] = frozenset()) -> list[str]:
        """Keys of the stored articles this one is a copy of, most similar first."""
        scored = []
        for key in self._lsh.query(minhash):
            similarity = minhash.jaccard(self._signatures[key])
            if similarity >= self.threshold and same_figures(numbers, self._numbers[key]):
                scored.append((similarity, key))
        return [key for _, key in sorted(scored, reverse=True)]

    def __contains__(self, key: str) -> bool:
        return key in self._signatures


def band_keys(hashvalues: np.ndarray) -> list[tuple[int, int]]:
    """(band, key) of each LSH band of a signature: the key is a 64-bit hash
    of the band's values (equal bands, equal keys)."""
    values = np.asarray(hashvalues, dtype=np.uint64)
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8)
        out.append((band, int.from_bytes(digest.digest(), "little", signed=True)))
    return out


_SCHEMA = """
CREATE TABLE IF NOT EXISTS article_bands (
    band INTEGER NOT NULL,
    key INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (band, key, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_bands_article ON article_bands(article_id);
CREATE TABLE IF NOT EXISTS article_minhash (
    article_id TEXT PRIMARY KEY,
    shingle INTEGER NOT NULL,
    hashvalues BLOB NOT NULL,
    numbers TEXT NOT NULL DEFAULT ''   -- the figures it reports, space-separated
);
CREATE TABLE IF NOT EXISTS article_sources (
    article_id TEXT NOT NULL,
    url TEXT NOT NULL,          -- the copy's URL, else its origin (a file, a JSONL line)
    source TEXT,                -- the outlet that republished it
    title TEXT,
    date TEXT,
    added_at TEXT NOT NULL,
    PRIMARY KEY (article_id, url)
);
"""


@dataclass(frozen=True)
class OtherSource:
    url: str
    source: str | None
    title: str | None
    date: str | None


def for_index(index: ArticleIndex) -> SyndicationStore:
    """The store beside `index`'s catalog, opened once per index."""
    store = _STORES.get(index)
    if store is None:
        store = _STORES[index] = SyndicationStore(index.catalog.path)
    return store


def also_in(index: ArticleIndex, article_id: str) -> list[dict[str, str | None]]:
    """The other outlets that published an article, for a citation's `also_in`."""
    return [
        {"source": o.source, "url": o.url, "title": o.title, "date": o.date}
        for o in for_index(index).other_sources(article_id)
    ]


_STORES: WeakKeyDictionary[ArticleIndex, SyndicationStore] = WeakKeyDictionary()


class SyndicationStore:
    """Signatures and other sources, beside the catalog in its SQLite file
    (its own connection: WAL lets it read while the catalog writes)."""

    def __init__(self, catalog_path: Path) -> None:
        self._conn = sqlite3.connect(catalog_path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._ready = False  # `_ensure_ready` has run
        with self._lock:
            self._conn.execute("PRAGMA busy_timeout=10000")
            # As the catalog: WAL without an fsync per signature (one per article added).
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _ensure_ready(self) -> None:
        """Signatures and band keys for the stored articles that lack them
        (once per process; cheap when none does)."""
        with self._lock:
            if self._ready:
                return
            missing = self._conn.execute(
                "SELECT id, title, text FROM articles WHERE id NOT IN"
                " (SELECT article_id FROM article_minhash WHERE shingle = ?)",
                (SHINGLE_WORDS,),
            ).fetchall()
            for article_id, title, text in missing:
                self._remember(article_id, f"{title}\n{text}")
            unbanded = self._conn.execute(
                "SELECT article_id, hashvalues FROM article_minhash WHERE shingle = ?"
                " AND article_id NOT IN (SELECT article_id FROM article_bands)",
                (SHINGLE_WORDS,),
            ).fetchall()
            if unbanded:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(
                    "INSERT OR IGNORE INTO article_bands(band, key, article_id) VALUES (?,?,?)",
                    [
                        (band, key, article_id)
                        for article_id, blob in unbanded
                        for band, key in band_keys(np.frombuffer(blob, dtype=np.uint64))
                    ],
                )
                self._conn.execute("COMMIT")
            self._ready = True

    def _remember(self, article_id: str, text: str) -> None:
        minhash, numbers = signature(text), numbers_in(text)
        values = minhash.hashvalues.astype(np.uint64)
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.execute(
                "INSERT OR REPLACE INTO article_minhash(article_id, shingle, hashvalues, numbers)"
                " VALUES (?,?,?,?)",
                (article_id, SHINGLE_WORDS, values.tobytes(), " ".join(sorted(numbers))),
            )
            self._conn.execute("DELETE FROM article_bands WHERE article_id=?", (article_id,))
            self._conn.executemany(
                "INSERT INTO article_bands(band, key, article_id) VALUES (?,?,?)",
                [(band, key, article_id) for band, key in band_keys(values)],
            )
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def matches(self, title: str, text: str) -> list[str]:
        """Articles whose signature `title`+`text` is a near-duplicate of (LSH
        candidates, then the estimated Jaccard similarity and the figures, as
        `DedupIndex.matches`), most similar first; stored or not (a removed
        article's signature stays)."""
        self._ensure_ready()
        full = f"{title}\n{text}"
        minhash, numbers = signature(full), numbers_in(full)
        keys = band_keys(minhash.hashvalues)
        marks = ",".join("(?,?)" for _ in keys)
        with self._lock:
            rows = self._conn.execute(
                "SELECT m.article_id, m.hashvalues, m.numbers FROM article_minhash m"
                " WHERE m.shingle = ? AND m.article_id IN (SELECT article_id FROM article_bands"
                f" WHERE (band, key) IN (VALUES {marks}))",
                [SHINGLE_WORDS, *(v for pair in keys for v in pair)],
            ).fetchall()
        mine = minhash.hashvalues.astype(np.uint64)
        scored = []
        for article_id, blob, stored_numbers in rows:
            similarity = float(np.mean(np.frombuffer(blob, dtype=np.uint64) == mine))
            if similarity >= THRESHOLD and same_figures(numbers, frozenset(stored_numbers.split())):
                scored.append((similarity, article_id))
        return [article_id for _, article_id in sorted(scored, reverse=True)]

    def copy_of(
        self, article_id: str, title: str, text: str, pending: Collection[str] = ()
    ) -> str | None:
        """The article that `title`+`text` (not yet stored as `article_id`) is
        a copy of: a stored one, or one `pending` in the same add; else None."""
        for match in self.matches(title, text):
            if match != article_id and (match in pending or self._exists(match)):
                return match
        return None

    def _exists(self, article_id: str) -> bool:
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone()
        return row is not None

    def remember(self, article_id: str, title: str, text: str) -> None:
        """A stored (or about to be stored) article's signature."""
        self._ensure_ready()
        with self._lock:
            self._remember(article_id, f"{title}\n{text}")

    def add_source(
        self,
        article_id: str,
        *,
        url: str,
        source: str | None,
        title: str | None,
        date: str | None,
    ) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO article_sources(article_id, url, source, title, date, added_at)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT(article_id, url) DO UPDATE SET"
                " source=excluded.source, title=excluded.title, date=excluded.date",
                (article_id, url, source, title, date, datetime.now(UTC).isoformat()),
            )

    def other_sources(self, article_id: str) -> list[OtherSource]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT url, source, title, date FROM article_sources WHERE article_id=?"
                " ORDER BY added_at",
                (article_id,),
            ).fetchall()
        return [OtherSource(*r) for r in rows]
