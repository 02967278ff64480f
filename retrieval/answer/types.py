"""The `Answer`: the one object every front end renders (CLI, `--json`,
Telegram), so they never disagree. Its JSON shape (`tanya ask --json`)
is a contract with scripts: fields are added, never renamed or dropped."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass
class Citation:
    """Source `[n]` of an answer. `quote` is the stored chunk text (never
    model output); `start`/`end` locate it in the article's cleaned text."""

    n: int
    article_id: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    quote: str
    chunk_id: str = ""
    start: int = 0
    end: int = 0
    # Other outlets that published the same story (syndicated copies, stored
    # once): [{"source", "url", "title", "date"}].
    also_in: list[dict[str, str | None]] = field(default_factory=list)


@dataclass
class Passage:
    """A retrieved passage as shown to the answerer, numbered from 1."""

    n: int
    chunk_id: str
    article_id: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    text: str
    start: int
    end: int
    score: float


@dataclass
class Turn:
    """One exchange of a conversation, for follow-up questions."""

    question: str
    answer: str


@dataclass
class Answer:
    question: str
    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    mode: Literal["llm", "extractive"] = "extractive"
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Added to the first contract (answer, found, citations, mode, timings), for front ends:
    standalone_question: str | None = None  # the follow-up rewritten, when it was
    notes: list[str] = field(default_factory=list)  # e.g. "the model was unreachable"
    passages: list[Passage] = field(default_factory=list)  # all retrieved, for /sources
    # Who published the cited articles and when ("Menurut Jurnalislamcom, 10 November 2017").
    attribution: str | None = None
    # The period the question named ({"from", "to", "expression", "applied"}), when it named one.
    time_filter: dict[str, Any] | None = None
    # The short answer (a name, date, number, place or outlet), verbatim from
    # the cited sentence; None when the question asks for none or the
    # sentence holds none. Front ends show it first, in bold.
    answer_span: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["timings_ms"] = {k: round(v, 1) for k, v in self.timings_ms.items()}
        return data
