"""The chat prompts (from the files in `prompts/`) and the text that fills them:
numbered passages fenced so an article cannot speak as the user, and the
conversation for condensing a follow-up."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from prompts import load_prompt
from retrieval.answer.citations import without_markers
from retrieval.answer.types import Passage, Turn
from retrieval.text.question import Language

if TYPE_CHECKING:  # imported by the prompts' builders: not on the offline path
    from langchain_core.prompts import ChatPromptTemplate

# What the model replies, alone, when the passages do not answer; the code
# detects it to set `found=false` (prompts/answer_system.md, rule 7).
NOT_FOUND_MARKER = "TIDAK_DITEMUKAN"

LANGUAGE_NAMES: dict[Language, str] = {"id": "Indonesian (Bahasa Indonesia)", "en": "English"}

# Anything in an article that looks like the fence's own tags ("</passage>",
# "<passages>") loses its "<", so injected text can never close the block
# and continue as if it came from outside it.
_FENCE_TAG = re.compile(r"<(?=\s*/?\s*passages?\b)", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def answer_prompt() -> ChatPromptTemplate:
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("answer_system")), ("human", load_prompt("answer_user"))]
    ).partial(not_found_marker=NOT_FOUND_MARKER)


def condense_prompt() -> ChatPromptTemplate:
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("condense_system")), ("human", load_prompt("condense_user"))]
    )


def defang(text: str) -> str:
    """Article text made safe to put inside the passages fence."""
    return _FENCE_TAG.sub("‹", text)


def _attribute(value: str | None) -> str:
    """A metadata value as a one-line attribute (quotes would end it early)."""
    return defang(_LINE_BREAKS.sub(" ", value or "-").replace('"', "'")).strip()


def format_passages(passages: Sequence[Passage]) -> str:
    """Each passage as `<passage n=".." ...>text</passage>`, for the answer prompt."""
    blocks = []
    for p in passages:
        head = (
            f'<passage n="{p.n}" source="{_attribute(p.source)}" '
            f'date="{_attribute(p.date)}" title="{_attribute(p.title)}">'
        )
        # The article's own "[3]" would read as a marker pointing at passage 3.
        blocks.append(f"{head}\n{defang(without_markers(p.text).strip())}\n</passage>")
    return "\n".join(blocks)


def format_history(history: Sequence[Turn], max_answer_chars: int = 600) -> str:
    """The conversation so far, oldest first, for the condense prompt. Long
    answers are cut: the question they answered matters more than their detail."""
    lines = []
    for turn in history:
        answer = turn.answer.strip()
        if len(answer) > max_answer_chars:
            answer = answer[:max_answer_chars].rsplit(" ", 1)[0] + " …"
        lines.append(f"User: {turn.question.strip()}\nAssistant: {answer}")
    return "\n\n".join(lines)
