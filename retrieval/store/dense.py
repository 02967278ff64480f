"""The dense store: chunk vectors in a Chroma collection.

A thin adapter. Vectors are always computed by tanya's embedder and passed
in; the collection is created with no embedding function, so Chroma's
default one (which downloads a model) can never run.

By default Chroma runs embedded (`PersistentClient` under the data dir);
`TANYA_CHROMA_URL=http://host:8000` uses a Chroma server (`chroma run`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from retrieval.errors import TanyaError
from retrieval.store.catalog import SearchFilters


class DenseStoreError(TanyaError, RuntimeError):
    pass


class UnreadableVectors(DenseStoreError):
    """Chroma's files for the collection cannot be read: a process killed
    while Chroma wrote them left one cut short ("Error deserializing pickle
    file: EOF while parsing" of its HNSW metadata). The vectors are derived
    from the catalog's passages, so they can be made again."""


# Chroma writes its HNSW files once `sync_threshold` vectors (1000 by
# default) have been applied since it last wrote them; the rest wait in its
# log, and every process that opens the collection re-inserts them into the
# graph before its first read (0.06 s for 271 vectors, ~0.8 s for 976, on
# each cold `tanya ask`). With 1 every write leaves the files whole: the
# write pays one save (about 0.1 s at 40k vectors, measured in issue 13),
# which `tanya add` does once per batch of passages.
SYNC_THRESHOLD = 1


def _client(path: Path, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DenseStoreError(f"TANYA_CHROMA_URL must look like http://host:8000, got {url!r}")
        try:
            return chromadb.HttpClient(
                host=parts.hostname,
                port=parts.port or (443 if parts.scheme == "https" else 8000),
                ssl=parts.scheme == "https",
                settings=settings,
            )
        except Exception as exc:
            raise DenseStoreError(
                f"cannot reach the Chroma server at {url}: {exc}. Start it (`chroma run`), "
                "correct TANYA_CHROMA_URL, or unset it to keep the vectors in the data dir."
            ) from exc
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _sync_every_write(collection: Any) -> None:
    """A collection an older tanya made (Chroma's default threshold) is set
    to `SYNC_THRESHOLD` when opened, before anything reads it: the vectors
    waiting in its log are then written to its HNSW files by the first read
    that loads its index after the switch (this one, as measured, or the
    next), once, and never replayed again."""
    hnsw = (collection.configuration or {}).get("hnsw") or {}
    if hnsw.get("sync_threshold", SYNC_THRESHOLD) > SYNC_THRESHOLD:
        collection.modify(configuration={"hnsw": {"sync_threshold": SYNC_THRESHOLD}})


def _date_number(value: date | str | None) -> int | None:
    # Chroma filters compare numbers, not strings: 2017-11-10 → 20171110.
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date) else value
    return int(text.replace("-", "")[:8])


class DenseStore:
    def __init__(self, path: Path, collection: str, url: str | None = None) -> None:
        self._client = _client(path, url)
        self._path = path
        self._remote = bool(url)
        self._name = collection
        self._collection = self._open()

    def _open(self) -> Any:
        try:
            # The configuration applies to a new collection; an existing one
            # keeps its own (see `_sync_every_write`).
            collection = self._client.get_or_create_collection(
                name=self._name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "sync_threshold": SYNC_THRESHOLD}},
            )
            _sync_every_write(collection)
            return collection
        except Exception as exc:
            raise DenseStoreError(f"cannot open Chroma collection {self._name!r}: {exc}") from exc

    def close(self) -> None:
        """Release Chroma's files and connections. Without it every opened
        index kept about a dozen file descriptors until the process ended (a
        long-running bot, or a test suite, ran out of them)."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def reset(self) -> None:
        """Drop every vector (a new embedder may have another dimension)."""
        self._client.delete_collection(self._name)
        self._collection = self._open()

    @contextmanager
    def _files_read(self) -> Iterator[None]:
        """Chroma's failure to read its files in the data dir as
        `UnreadableVectors` (a server's error is its own: its collection is
        never emptied for it)."""
        from chromadb.errors import InternalError

        try:
            yield
        except InternalError as exc:
            if self._remote:
                raise
            raise UnreadableVectors(str(exc)) from exc

    def count(self) -> int:
        """How many vectors the collection holds; `UnreadableVectors` when
        Chroma cannot read its files."""
        with self._files_read():
            return int(self._collection.count())

    def check_readable(self) -> None:
        """`UnreadableVectors` when Chroma's vector file was cut short to
        nothing while it holds vectors (its count still reads; a query
        fails). Seen on disk, not by reading: hnswlib loading an empty
        graph file is undefined behaviour, and a later write into the
        emptied collection crashed the interpreter once (SIGSEGV in
        `upsert`, under load). A server's files are its own."""
        if self._remote:
            return
        for segment in self._vector_segments():
            data = self._path / segment / "data_level0.bin"
            if data.is_file() and data.stat().st_size == 0 and self.count():
                raise UnreadableVectors(f"{data} is empty")

    def _vector_segments(self) -> list[str]:
        """The directories of this collection's graph, by Chroma's catalog
        (a deleted collection's directory may stay on disk). None when the
        catalog reads otherwise than Chroma 1.x writes it."""
        import sqlite3

        query = (
            "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
            "WHERE c.name = ? AND s.scope = 'VECTOR'"
        )
        try:
            uri = f"{(self._path / 'chroma.sqlite3').as_uri()}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as conn:
                return [str(row[0]) for row in conn.execute(query, (self._name,))]
        except sqlite3.Error:
            return []

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[Mapping[str, str | int | float]],
    ) -> None:
        if not ids:
            return
        # Chroma caps one call's batch size; stay well under it.
        step = 2000
        for i in range(0, len(ids), step):
            self._collection.upsert(
                ids=list(ids[i : i + step]),
                embeddings=vectors[i : i + step],
                metadatas=list(metadatas[i : i + step]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        step = 2000
        for i in range(0, len(ids), step):
            self._collection.delete(ids=list(ids[i : i + step]))

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset, step = 0, 5000
        while True:
            got = self._collection.get(include=[], limit=step, offset=offset)["ids"]
            ids.update(got)
            if len(got) < step:
                return ids
            offset += step

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every chunk id with its vector, in Chroma's order, read in pages
        as `all_ids` does."""
        ids: list[str] = []
        rows: list[np.ndarray] = []
        offset, step = 0, 5000
        while True:
            got = self._collection.get(include=["embeddings"], limit=step, offset=offset)
            ids += got["ids"]
            if len(got["ids"]):
                rows.append(np.asarray(got["embeddings"], dtype=np.float32))
            if len(got["ids"]) < step:
                break
            offset += step
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix

    def search(
        self, vector: np.ndarray, limit: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """Chunk ids nearest to `vector`, best first, with cosine similarity."""
        # Chroma returns fewer results when the collection is smaller than
        # `limit`; counting first would cost a round trip per query.
        result = self._collection.query(
            query_embeddings=[vector],
            n_results=limit,
            where=_where(filters),
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    @staticmethod
    def metadata(article_id: str, source: str | None, when: date | None) -> dict[str, str | int]:
        meta: dict[str, str | int] = {"article_id": article_id}
        if source:
            meta["source_key"] = source.lower()
        number = _date_number(when)
        if number is not None:
            meta["date_num"] = number
        return meta


def _where(filters: SearchFilters | None) -> dict[str, Any] | None:
    if filters is None or filters.empty:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.source is not None:
        clauses.append({"source_key": {"$in": [s.lower() for s in filters.stored_sources()]}})
    if filters.since:
        clauses.append({"date_num": {"$gte": _date_number(filters.since)}})
    if filters.until:
        clauses.append({"date_num": {"$lte": _date_number(filters.until)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
