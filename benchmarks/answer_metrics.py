"""What every answer benchmark counts, and the trivial baseline it is
measured against in the same run.

The trivial answerer: BM25's top passage (`mode="lexical"`, k = 1), its two
sentences holding the most of the question's stems (in passage order), never
"not found". An answerer that does not beat it on gold containment at a
similar length is not worth its machinery.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.answer import Answer
from retrieval.evaluation import contains_any, span_scores
from retrieval.store import ArticleIndex
from retrieval.text import query_terms, split_sentences, terms


def trivial_answer(
    index: ArticleIndex, question: str, exclude: frozenset[str] = frozenset()
) -> str:
    hits = index.search(question, k=1, mode="lexical", exclude=exclude)
    if not hits:
        return ""
    text = hits[0].chunk.text
    wanted = {t for t in query_terms(question) if "_" not in t}
    sentences = [text[s:e] for s, e in split_sentences(text)]
    counts = [len(wanted & set(terms(s))) for s in sentences]
    best = sorted(range(len(sentences)), key=lambda i: -counts[i])[:2]
    return " ".join(sentences[i] for i in sorted(best))


@dataclass
class Tally:
    """Counts for one answerer over a set of questions."""

    name: str
    contained: list[bool] = field(default_factory=list)
    found_answerable: list[bool] = field(default_factory=list)
    refused_unanswerable: list[bool] = field(default_factory=list)
    words: list[int] = field(default_factory=list)  # of every answer given (found)
    span_exact: list[bool] = field(default_factory=list)
    span_f1: list[float] = field(default_factory=list)
    span_given: list[bool] = field(default_factory=list)

    def answerable(self, answer: Answer | str, golds: Sequence[str], found: bool = True) -> None:
        text = answer.answer if isinstance(answer, Answer) else answer
        if isinstance(answer, Answer):
            found = answer.found
        self.found_answerable.append(found)
        self.contained.append(found and contains_any(text, golds))
        if found:
            self.words.append(len(text.split()))
        span = answer.answer_span if isinstance(answer, Answer) and found else None
        self.span_given.append(bool(span))
        if span:
            exact, f1 = span_scores(span, golds)
            self.span_exact.append(exact)
            self.span_f1.append(f1)

    def unanswerable(self, answer: Answer | str, found: bool = True) -> None:
        if isinstance(answer, Answer):
            found = answer.found
            if found:
                self.words.append(len(answer.answer.split()))
        elif found:
            self.words.append(len(answer.split()))
        self.refused_unanswerable.append(not found)

    def row(self) -> dict[str, Any]:
        return {
            "answerer": self.name,
            "gold contained": _share(self.contained),
            # Precision: of the answers given to answerable questions, the
            # share holding the gold (a refusal is not a wrong answer).
            "gold contained, of answers given": _share(
                [c for c, f in zip(self.contained, self.found_answerable, strict=True) if f]
            ),
            "answerable found": _share(self.found_answerable),
            "unanswerable → not found": _share(self.refused_unanswerable),
            "mean words (answers given)": _mean(self.words),
            "short answer given": _share(self.span_given),
            "short answer EM": _share(self.span_exact),
            "short answer F1": _mean(self.span_f1),
        }


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def _mean(values: Sequence[float]) -> float | None:
    return (
        round(sum(values) / len(values), 1 if values and max(values) > 1 else 3) if values else None
    )


def rows(*tallies: Tally) -> list[dict[str, Any]]:
    out = [t.row() for t in tallies]
    # A column nobody measured (the baseline gives no short answer) reads "–".
    return [
        {
            k: ("–" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in r.items()
        }
        for r in out
    ]
