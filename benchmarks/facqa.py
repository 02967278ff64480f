"""FacQA as a retrieval benchmark: the corpus, the questions, and the index
every FacQA benchmark shares.

The corpus is every unique passage of `train.jsonl` and `valid.jsonl`; a
question's gold is the article made of its passage. FacQA passages have no
titles, so each becomes an article with an empty title, chunked by the real
chunker exactly as `ingest.chunk_for_index` does, and written with
`ArticleIndex.write`: what is measured is the retriever, not the cleaner or
the loaders (the ingestion benchmark measures those).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.core import Article, Settings, article_id_for
from retrieval.ingest import chunk_for_index
from retrieval.store import ArticleIndex, TanyaEmbeddings

from .cache import Cache, CachingEmbedder, code_fingerprint, fingerprint

# ../shared/data/facqa beside the checkout, unless TANYA_FACQA_DIR says otherwise.
DEFAULT_FACQA_DIR = Path(
    os.environ.get("TANYA_FACQA_DIR")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "facqa"
)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    passage: str
    answer: str


def load_split(facqa_dir: Path, split: str) -> list[Question]:
    path = facqa_dir / f"{split}.jsonl"
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Question(r["id"], r["question"], r["passage"], r["answer"]) for r in rows]


def corpus_passages(facqa_dir: Path) -> list[str]:
    """Unique passages of train then valid, in first-seen order."""
    seen: dict[str, None] = {}
    for split in ("train", "valid"):
        for q in load_split(facqa_dir, split):
            seen.setdefault(q.passage, None)
    return list(seen)


def passage_article(passage: str) -> Article:
    # No title, no source, no date: FacQA has none, and this is the very
    # article `benchmarks/answers_facqa.py` indexes (same id, same hash).
    return Article(id=passage_id(passage), title="", text=passage, origin="facqa")


def passage_id(passage: str) -> str:
    return article_id_for(explicit=None, url=None, title="", text=passage)


def benchmark_settings(data_dir: Path, **overrides: Any) -> Settings:
    """The settings the benchmarks run with: the defaults (plus any TANYA_*
    variables in the environment, reported beside the results), never a
    `.env` from the working directory."""
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


def describe(settings: Settings) -> dict[str, Any]:
    keys = (
        "embedder",
        "chunk_tokens",
        "chunk_overlap_sentences",
        "fusion",
        "dense_weight",
        "lexical_weight",
        "candidates",
        "rrf_k",
        "proximity_weight",
        "proximity_depth",
    )
    return {k: getattr(settings, k) for k in keys}


# Bump when the way this module builds the index changes.
BUILD_VERSION = "3"


def build_key(facqa_dir: Path, settings: Settings) -> str:
    return fingerprint(
        BUILD_VERSION,
        code_fingerprint(),
        facqa_dir / "train.jsonl",
        facqa_dir / "valid.jsonl",
        settings.embedder,
        settings.chunk_tokens,
        settings.chunk_overlap_sentences,
    )


def open_facqa_index(
    cache: Cache, facqa_dir: Path, embedder: CachingEmbedder, log: Any = print
) -> tuple[ArticleIndex, dict[str, Any]]:
    """The FacQA index, built once per (code, data, settings) and reused."""
    probe = benchmark_settings(cache.root)
    path = cache.artefact(f"facqa-index-{build_key(facqa_dir, probe)}")
    record = cache.ready(path)
    settings = benchmark_settings(path)
    index = ArticleIndex(settings, embedder=embedder)
    if record is not None:
        return index, record | {"cached": True}
    passages = corpus_passages(facqa_dir)
    cache.prune("facqa-index-", keep=path)
    log(f"building the FacQA index ({len(passages)} passages) in {path.name} …")
    started = time.perf_counter()
    build_index(index, passages)
    articles, chunks = index.catalog.counts()
    record = {
        "passages": len(passages),
        "articles": articles,
        "chunks": chunks,
        "build_s": round(time.perf_counter() - started, 1),
        "embedded_now": embedder.computed,
        "embedder": embedder.name,
    }
    embedder.cache.save()
    cache.mark_ready(path, record)
    return index, record | {"cached": False}


def build_index(index: ArticleIndex, passages: list[str], batch: int = 64) -> None:
    """Each passage an untitled article, chunked by the real chunker."""
    items = []
    for passage in passages:
        article = passage_article(passage)
        items.append((article, chunk_for_index(index, article)))
    for i in range(0, len(items), batch):
        index.write(items[i : i + batch])


def one_chunk_per_passage(index: ArticleIndex) -> bool:
    """Whether every article is one untitled chunk holding its whole text,
    i.e. the index `answers_facqa.build_index` writes, chunk for chunk."""
    with closing(sqlite3.connect(f"file:{index.catalog.path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM articles a WHERE a.title != '' OR a.source IS NOT NULL"
            " OR a.n_chunks != 1 OR NOT EXISTS (SELECT 1 FROM chunks c WHERE"
            " c.article_id = a.id AND c.position = 0 AND c.start = 0"
            " AND c.end = length(a.text) AND c.text = a.text)"
        ).fetchone()
    return rows[0] == 0


def load_embedder_for(settings: Settings) -> TanyaEmbeddings:
    from retrieval.store import load_embedder

    return load_embedder(settings.embedder)
