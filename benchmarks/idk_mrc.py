"""IDK-MRC as an answer benchmark: its corpus as an index, its questions.

IDK-MRC (`../shared/data/idk_mrc/`, see its README) pairs each Wikipedia
paragraph with answerable questions and *unanswerable* ones: small edits of
an answerable question that the paragraph no longer answers. A split's
paragraphs become one index (each an article with its corpus id, chunked by
the real chunker, as `ArticleIndex.write` stores it), and every question is
asked against the whole split's index, exactly as `tanya ask` would.

Train is used to fit the answerability model (`retrieval/answer/answerability.py`,
`python -m benchmarks.fit_answerability`); valid is reported. To keep the
embedding cost down (2 shared cores) train can be sampled: `sample=2` keeps
every second paragraph and the questions about it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.core import Article, article_id_for
from retrieval.ingest import chunk_for_index
from retrieval.store import ArticleIndex

from .cache import Cache, CachingEmbedder, code_fingerprint, fingerprint
from .facqa import benchmark_settings

DEFAULT_IDK_DIR = Path(
    os.environ.get("TANYA_IDK_MRC_DIR")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "idk_mrc"
)
BUILD_VERSION = "1"


@dataclass(frozen=True)
class IdkQuestion:
    id: str
    question: str
    passage_id: str
    unanswerable: bool
    answers: list[str] = field(default_factory=list)
    source: str = ""  # unanswerable: "human" | "model"


def load_corpus(
    idk_dir: Path, split: str, sample: int = 1, offset: int = 0
) -> list[dict[str, str]]:
    """Every `sample`th paragraph, from the `offset`th."""
    with (idk_dir / split / "corpus.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return rows[offset::sample]


def load_questions(
    idk_dir: Path, split: str, sample: int = 1, offset: int = 0
) -> list[IdkQuestion]:
    """The questions about `load_corpus`'s paragraphs."""
    keep = {r["id"] for r in load_corpus(idk_dir, split, sample, offset)}
    out = []
    with (idk_dir / split / "questions.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r["passage_id"] not in keep:
                continue
            answers = list(r.get("answers") or ([r["answer"]] if r.get("answer") else []))
            out.append(
                IdkQuestion(
                    id=r["id"],
                    question=r["question"],
                    passage_id=r["passage_id"],
                    unanswerable=bool(r.get("unanswerable")),
                    answers=answers,
                    source=r.get("unans_source", ""),
                )
            )
    return out


def corpus_article(row: dict[str, str]) -> Article:
    return Article(
        id=stored_id(row["id"]), title=row.get("title", ""), text=row["content"], origin="idk"
    )


def stored_id(corpus_id: str) -> str:
    """The id the index gives an article whose JSONL `id` is `corpus_id`."""
    return article_id_for(explicit=corpus_id, url=None, title="", text="")


def open_idk_index(
    cache: Cache,
    idk_dir: Path,
    split: str,
    embedder: CachingEmbedder,
    sample: int = 1,
    log: Any = print,
) -> ArticleIndex:
    """The split's index, built once per (code, data, settings) and reused."""
    probe = benchmark_settings(cache.root)
    key = fingerprint(
        BUILD_VERSION,
        code_fingerprint(),
        idk_dir / split / "corpus.jsonl",
        sample,
        probe.embedder,
        probe.chunk_tokens,
        probe.chunk_overlap_sentences,
    )
    path = cache.artefact(f"idkmrc-index-{split}-{sample}-{key}")
    record = cache.ready(path)
    index = ArticleIndex(benchmark_settings(path), embedder=embedder)
    if record is not None:
        return index
    cache.prune(f"idkmrc-index-{split}-{sample}-", keep=path)
    rows = load_corpus(idk_dir, split, sample)
    log(f"building the IDK-MRC {split} index ({len(rows)} paragraphs) in {path.name} …")
    started = time.perf_counter()
    items = []
    for row in rows:
        article = corpus_article(row)
        items.append((article, chunk_for_index(index, article)))
    for i in range(0, len(items), 64):
        index.write(items[i : i + 64])
    embedder.cache.save()
    cache.mark_ready(path, {"paragraphs": len(rows), "build_s": time.perf_counter() - started})
    return index
