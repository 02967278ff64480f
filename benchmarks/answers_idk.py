"""IDK-MRC valid: does the offline answerer answer what the paragraphs
answer, and refuse what they do not?

Procedure: the split's 358 paragraphs indexed (`benchmarks/idk_mrc.py`),
every question asked with `Answerer.ask` exactly as `tanya ask` does (no
LLM, default settings). Answerable questions: gold contained (any of its
golds), found, short answer exact match / token F1 where one is given.
Unanswerable ones (a paragraph's question edited so it no longer answers
it): the share answered "not found", also by who edited them (human,
model). Beside it, in the same run, the trivial baseline of
`answer_metrics.py`.

    python -m benchmarks.answers_idk [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retrieval.answer import Answerer

from .answer_metrics import Tally, rows, trivial_answer
from .cache import CACHE_DIR, Cache, CachingEmbedder
from .idk_mrc import DEFAULT_IDK_DIR, load_questions, open_idk_index


def run(
    cache: Cache,
    embedder: CachingEmbedder,
    *,
    idk_dir: Path = DEFAULT_IDK_DIR,
    split: str = "valid",
    limit: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    index = open_idk_index(cache, idk_dir, split, embedder, 1, log)
    questions = load_questions(idk_dir, split)[:limit]
    answerer = Answerer(index, index.settings.model_copy(update={"llm": "", "llm_base_url": None}))
    ours, baseline = Tally("tanya offline"), Tally("trivial baseline")
    by_source: dict[str, list[bool]] = {}
    started = time.perf_counter()
    try:
        for i, q in enumerate(questions, 1):
            answer = answerer.ask(q.question)
            trivial = trivial_answer(index, q.question)
            if q.unanswerable:
                ours.unanswerable(answer)
                baseline.unanswerable(trivial)
                by_source.setdefault(q.source, []).append(not answer.found)
            else:
                ours.answerable(answer, q.answers)
                baseline.answerable(trivial, q.answers)
            if i % 100 == 0:
                log(f"  idk-mrc {split}: {i}/{len(questions)}")
    finally:
        embedder.cache.save()
        index.close()
    return {
        "rows": rows(ours, baseline),
        "split": split,
        "questions": len(questions),
        "answerable": sum(1 for q in questions if not q.unanswerable),
        "unanswerable": sum(1 for q in questions if q.unanswerable),
        "unanswerable not found, human edits": round(
            sum(by_source.get("human", [])) / max(1, len(by_source.get("human", []))), 3
        ),
        "unanswerable not found, model edits": round(
            sum(by_source.get("model", [])) / max(1, len(by_source.get("model", []))), 3
        ),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    from .answer_rows import caching_embedder

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="valid", choices=["train", "valid"])
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    cache = Cache(CACHE_DIR)
    result = run(
        cache,
        caching_embedder(cache),
        split=args.split,
        limit=args.limit,
        log=lambda m: print(m, file=sys.stderr),
    )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
