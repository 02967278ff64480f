"""Whether the passages answer, with the reader: one logistic regression
over the answerability model's log-odds (the features of the best sentence,
`retrieval/answer/answerability.py`) and the reader's score (its best span
against "no answer" in the best sentence's passage).

The two see different things. The features weigh which of the question's
words the passage holds; the reader reads the passage against the question,
so an edited question ("... mulai *ditinggalkan*?") that keeps most words of
an answerable one but asks what the passage does not say scores low there.

Fitted by `benchmarks/fit_answerability.py --reader` on the fifth of train's
passages the reader was not fitted on (`benchmarks/fit_reader.py`), with the
answerability model refitted without them for its log-odds, so neither
input is scored on questions its model has seen.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DECISION_PATH = Path(__file__).resolve().parent / "decision.json"


@dataclass(frozen=True)
class ReaderDecision:
    model_weight: float
    reader_weight: float
    intercept: float
    threshold: float
    # Below this, the answerability model's probability alone refuses,
    # whatever the reader says: the reader finds a plausible span in a
    # passage about something else (a news question whose article is not in
    # the index) more often than the model is fooled by one.
    model_floor: float = 0.0

    def probability(self, model_probability: float, reader_score: float) -> float:
        p = min(max(model_probability, 1e-6), 1 - 1e-6)
        z = (
            self.model_weight * math.log(p / (1 - p))
            + self.reader_weight * reader_score
            + self.intercept
        )
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def load_decision(path: Path = DECISION_PATH) -> ReaderDecision | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return ReaderDecision(
        model_weight=float(data["model_weight"]),
        reader_weight=float(data["reader_weight"]),
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
        model_floor=float(data.get("model_floor", 0.0)),
    )
