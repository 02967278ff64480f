"""The reader: given a question and a passage, the span of the passage that
answers it, or nothing.

multilingual-e5-small reads the question and the passage together
(`<s> query: QUESTION </s> PASSAGE </s>`); a linear head gives each token a
score as the answer's first token and as its last. The first token, `<s>`,
stands for "no answer here" (as readers trained on SQuAD 2.0 do): the
reading's `score` is the best span's score minus the no-answer one, so a
passage that does not answer scores below 0, and the answerer compares it
with a threshold fitted on held-out train questions.

Its top layers and the head were fine-tuned on IDK-MRC train (answerable
questions and their unanswerable edits) and FacQA train (news; each
question also against another passage that does not hold its answer):
`benchmarks/fit_reader.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from retrieval.answer.reader.encoder import Encoder

MAX_TOKENS = 256
MAX_QUESTION_TOKENS = 40
MAX_ANSWER_TOKENS = 30
# Spans `TokenScores.best` looks through for one it does not skip.
_CANDIDATES = 20


@dataclass(frozen=True)
class Reading:
    score: float  # best span minus no answer
    start: int  # the span's characters in the passage
    end: int

    def text(self, passage: str) -> str:
        return passage[self.start : self.end]


@dataclass(frozen=True)
class TokenScores:
    """One reading of a passage: each token's score as the answer's first
    and last token, and the score of "no answer"."""

    offsets: list[tuple[int, int]]
    starts: np.ndarray
    ends: np.ndarray
    none: float

    def shifted(self, by: int) -> TokenScores:
        """The same reading of a window that starts `by` characters into
        the passage, with offsets into the passage."""
        return replace(self, offsets=[(s + by, e + by) for s, e in self.offsets])

    def best(
        self,
        within: tuple[int, int] | None = None,
        skip: Callable[[int, int], bool] | None = None,
    ) -> Reading | None:
        """The best span (of the characters `within`, when given); with
        `skip`, the best of the spans it does not skip (given their first
        and last character), among the best `_CANDIDATES`."""
        usable = np.array([end > start for start, end in self.offsets], dtype=bool)
        if within is not None:
            low, high = within
            usable &= np.array([low <= s and e <= high for s, e in self.offsets], dtype=bool)
        if not usable.any():
            return None
        starts = np.where(usable, self.starts, -np.inf)
        ends = np.where(usable, self.ends, -np.inf)
        # Best start <= end within MAX_ANSWER_TOKENS: a band of the pair matrix.
        pairs = starts[:, None] + ends[None, :]
        n = len(self.offsets)
        i, j = np.indices((n, n))
        pairs[(j < i) | (j - i >= MAX_ANSWER_TOKENS)] = -np.inf
        a, b = divmod(int(pairs.argmax()), n)
        if skip is not None and skip(self.offsets[a][0], self.offsets[b][1]):
            ranked = (
                divmod(int(k), n)
                for k in np.argsort(pairs, axis=None)[::-1][:_CANDIDATES]
                if np.isfinite(pairs.flat[k])
            )
            kept = next(
                ((i, j) for i, j in ranked if not skip(self.offsets[i][0], self.offsets[j][1])),
                None,
            )
            if kept is None:
                return None
            a, b = kept
        return Reading(
            score=float(pairs[a, b]) - self.none,
            start=self.offsets[a][0],
            end=self.offsets[b][1],
        )


# An answer's second window is read on another thread beside the first:
# onnxruntime leaves the interpreter lock while it runs a reading (on the
# caller's thread alone: `encoder._session`), so on 2 cores the two
# readings take about as long as one.
_BESIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tanya-read")


class Reader:
    def __init__(self, encoder: Encoder, head_weight: np.ndarray, head_bias: np.ndarray) -> None:
        self.encoder = encoder
        self.head_weight = head_weight  # [hidden, 2]: start, end
        self.head_bias = head_bias

    def scores(self, question: str, passage: str) -> TokenScores | None:
        """Read `passage` (its first MAX_TOKENS tokens, with the question)
        for `question`; None when it has no text to point at."""
        return self._scores(self._asked(question), passage)

    def _asked(self, question: str) -> list[int]:
        """The question's tokens, as the reader reads them."""
        return self.encoder.tokenizer.encode("query: " + question).ids[:MAX_QUESTION_TOKENS]

    def _scores(self, asked: list[int], passage: str) -> TokenScores | None:
        tok = self.encoder.tokenizer
        context = tok.encode(passage)
        room = MAX_TOKENS - len(asked) - 3
        ids, offsets = context.ids[:room], context.offsets[:room]
        # A bare "▁" covers no character: it cannot start or end an answer.
        if not any(end > start for start, end in offsets):
            return None
        first = len(asked) + 2
        states = self.encoder.forward([tok.bos, *asked, tok.eos, *ids, tok.eos])
        logits = states @ self.head_weight + self.head_bias
        return TokenScores(
            offsets=offsets,
            starts=logits[first : first + len(ids), 0],
            ends=logits[first : first + len(ids), 1],
            none=float(logits[0, 0] + logits[0, 1]),
        )

    def scores_all(self, question: str, passages: Sequence[str]) -> list[TokenScores | None]:
        """`scores` of each passage, the first read here and the others at
        the same time on other threads."""
        asked = self._asked(question)  # once for all of them
        beside = [_BESIDE.submit(self._scores, asked, p) for p in passages[1:]]
        first = [self._scores(asked, passages[0])] if passages else []
        return first + [future.result() for future in beside]

    def read(self, question: str, passage: str) -> Reading | None:
        """The best span of `passage` for `question` (None: no text)."""
        scores = self.scores(question, passage)
        return scores.best() if scores is not None else None
