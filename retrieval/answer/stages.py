"""What flows through the answering chain (`chain.py`), step by step:

    AnswerRequest ─condense→ StandaloneQuestion ─retrieve→ Retrieved ─answer→ AnswerChunk …

Typed records instead of one dict of state, so each step says what it
needs and what it gives. `notes` and `timings` are the one thing the steps
share on purpose: what the user is told about how the answer was made, and
how long each step took, collected on the way and handed to the `Answer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from retrieval.answer.types import Answer, Passage, Turn
from retrieval.search.time_range import TimeScope
from retrieval.store import SearchFilters
from retrieval.text.question import Language


@dataclass(frozen=True)
class AnswerRequest:
    """The chain's input: a question (already validated, see
    `retrieval.text.question`), the conversation so far (oldest first),
    search filters and how many passages to give the answerer (None: the
    `TANYA_TOP_K` setting)."""

    question: str
    history: Sequence[Turn] = ()
    filters: SearchFilters | None = None
    k: int | None = None


@dataclass(frozen=True)
class StandaloneQuestion:
    """The question to search and answer with: a follow-up made standalone,
    an English question given the Indonesian words it asks about."""

    request: AnswerRequest
    language: Language  # of the question as asked: the answer's language
    text: str
    k: int
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Retrieved:
    """The numbered passages found for the question, in the period it names."""

    question: StandaloneQuestion
    scope: TimeScope
    passages: list[Passage]


@dataclass(frozen=True)
class AnswerChunk:
    """What the chain streams. `text` is checked text of the model's answer to
    append to what came before (one or more sentences, each citing a passage,
    `answer_check.py`); the last chunk carries the whole `answer`. Chunks add
    up (`+`) as LangChain's streamed chunks do, so `invoke` gives their sum."""

    text: str = ""
    answer: Answer | None = None

    def __add__(self, other: AnswerChunk) -> AnswerChunk:
        return AnswerChunk(self.text + other.text, other.answer or self.answer)
