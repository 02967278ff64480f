"""Checking a model's answer claim by claim against the passages it cites.

A model can cite a real passage for something the passage does not say. Each
sentence of its answer is a claim; the passages its `[n]` markers name (or,
for a sentence without markers, every passage the answer cites) must
support it. Support is measured with the evidence that decides whether
passages answer a question (`retrieval.answer.answerability`): the claim's names
and numbers must all be in a cited passage, and the answerability model,
asked with the claim in place of a question, must find the passage's best
sentence for it likely enough. An unsupported sentence is dropped; the
chain's `notes` say how many were.

`ClaimGate` is the check as `AnswerChecker`'s per-sentence test, so a
sentence is judged before it is streamed: a claim the passage does not make
is never on screen, not shown and then withdrawn. It reads each sentence's
markers as the model wrote them (the passage numbers it was given), before
`cite` renumbers them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from retrieval.answer.citations import _MARKER
from retrieval.answer.extractive import ExtractiveAnswerer
from retrieval.answer.types import Passage
from retrieval.search.time_range import other_years_only

# A claim this unlikely to be answered by its passage is not supported by it.
# Lower than the answering threshold: a claim restates the passage in the
# model's own words, which share fewer of its terms than a quote would.
SUPPORT_FLOOR = 0.2


_ORDINAL = re.compile(r"\bke-?\s?\d+\b", re.I)


def _markers(sentence: str) -> set[int]:
    out: set[int] = set()
    for match in _MARKER.finditer(sentence):
        out.update(int(x) for x in re.split(r"\s*[,;]\s*", match.group(1)))
    return out


def claim_support(extractive: ExtractiveAnswerer, claim: str, passages: Sequence[Passage]) -> float:
    """How well `passages` support `claim`, in [0, 1]."""
    # Ordinals ("Kalimat ke-3", "juara ke-2") are not quantities to find.
    text = _ORDINAL.sub(" ", _MARKER.sub("", claim)).strip()
    if not passages or not text:
        return 0.0
    # The outlet and date a claim attributes ("menurut Kompas") are the
    # article's metadata, not always its text.
    passages = [
        replace(p, title=" ".join(x for x in (p.title, p.source, p.date) if x)) for p in passages
    ]
    scored = extractive.score(text, passages)
    features = extractive.features(text, scored)
    if features is None or extractive.model is None:
        return scored[0].evidence if scored else 0.0
    # Every name and number the claim states must be in a cited passage.
    if features["names_covered"] < 1.0 or features["numbers_covered"] < 1.0:
        return 0.0
    return extractive.model.probability(features)


def of_other_years(years: Sequence[int], passages: Sequence[Passage]) -> list[int]:
    """`time_range.other_years_only` for `passages`: their dates, their
    titles and texts."""
    return other_years_only(
        years, [p.date or "" for p in passages], [f"{p.title}\n{p.text}" for p in passages]
    )


class ClaimGate:
    """A sentence passes when the passages its markers name support it;
    `dropped` keeps the sentences turned away, in order. `years`: the years
    the question asks about (`Answerer.years_asked`): a claim whose cited
    articles are dated, none in one of them, and speak only of other years
    does not answer for them ("Persib menjuarai Liga 1 [1]" for "Siapa juara
    Liga 1 2022?" over "musim 2023/2024"), as an extractive quote does not."""

    def __init__(self, extractive: ExtractiveAnswerer, years: Sequence[int] = ()) -> None:
        self.extractive = extractive
        self.years = list(years)
        self.dropped: list[str] = []

    def __call__(self, sentence: str, passages: Sequence[Passage]) -> bool:
        by_number = {p.n: p for p in passages}
        own = [by_number[n] for n in sorted(_markers(sentence)) if n in by_number]
        supported = claim_support(self.extractive, sentence, own) >= SUPPORT_FLOOR
        if supported and not of_other_years(self.years, own):
            return True
        self.dropped.append(sentence)
        return False
