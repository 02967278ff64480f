"""Numbered passages in, checked citations out.

The answerer (model or extractive) writes `[n]` markers that refer to the
numbered passages it was given. `cite()` checks them after the fact: a marker
pointing to no passage is dropped, the sources that remain are renumbered in
order of first use, and each source's quote is the stored chunk text with its
offsets, never text the model wrote.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from langchain_core.documents import Document

from retrieval.answer.types import Citation, Passage
from retrieval.store.article_index import ArticleIndex
from retrieval.store.syndication import also_in

# "[1]", "[1, 2]", "[1;2]", "[ 3 ]": one group of passage numbers. A preceding
# space is part of the match so a dropped marker leaves no gap before ".".
_MARKER = re.compile(r"[ \t]*\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")


def without_markers(text: str) -> str:
    """`text` of an article without bracketed numbers of its own: a
    Wikipedia-style footnote ("... kepada seorang gadis,[3][4][5] yang ...")
    quoted in an answer, or given to a model, reads as a marker pointing at
    a passage, and was made a citation of passages 3, 4 and 5 the sentence
    does not come from."""
    return _MARKER.sub("", text)


def passages_from_documents(documents: Sequence[Document]) -> list[Passage]:
    """Retrieved documents (best first) → passages numbered from 1."""
    passages = []
    for n, doc in enumerate(documents, start=1):
        meta = doc.metadata
        passages.append(
            Passage(
                n=n,
                chunk_id=meta["chunk_id"],
                article_id=meta["article_id"],
                title=meta.get("title") or "",
                date=meta.get("date"),
                source=meta.get("source"),
                url=meta.get("url"),
                text=doc.page_content,
                start=int(meta.get("start", 0)),
                end=int(meta.get("end", 0)),
                score=float(meta.get("score", 0.0)),
            )
        )
    return passages


Span = tuple[int, int]


def citation_for(passage: Passage, n: int, span: Span | None = None) -> Citation:
    """Source `n` quoting `passage`, or only `span` of it (offsets into
    `passage.text`, e.g. the sentences an extractive answer used)."""
    start, end = span if span is not None else (0, len(passage.text))
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        date=passage.date,
        source=passage.source,
        url=passage.url,
        quote=passage.text[start:end],
        chunk_id=passage.chunk_id,
        # Offsets into the article's cleaned text: the chunk's own, narrowed.
        start=passage.start + start,
        end=passage.start + end if span is not None else passage.end,
    )


@dataclass
class CitedText:
    """An answer text with its markers checked and renumbered."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)  # markers that pointed to no passage

    @property
    def grounded(self) -> bool:
        return bool(self.citations)


def cite(
    text: str, passages: Sequence[Passage], spans: Mapping[int, Span] | None = None
) -> CitedText:
    """Check and renumber the `[n]` markers of `text` against `passages`.

    `spans` (passage n → offsets into its text) narrows a source's quote to
    the part the answer used; without it the quote is the whole passage.
    """
    spans = spans or {}
    by_number = {p.n: p for p in passages}
    renumbered: dict[int, int] = {}  # passage n → citation n, in order of first use
    dropped: list[int] = []

    def replace(match: re.Match[str]) -> str:
        kept: list[int] = []
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            number = int(part)
            if number not in by_number:
                dropped.append(number)
                continue
            new = renumbered.setdefault(number, len(renumbered) + 1)
            if new not in kept:
                kept.append(new)
        if not kept:
            return ""
        return " " + "".join(f"[{n}]" for n in kept)

    # The space before a marker is part of its match, so a dropped marker
    # leaves none behind ("Hizbullah [9]." → "Hizbullah.").
    checked = _MARKER.sub(replace, text).strip()
    citations = [
        citation_for(by_number[old], new, spans.get(old)) for old, new in renumbered.items()
    ]
    return CitedText(text=checked, citations=citations, dropped=dropped)


def name_other_outlets(index: ArticleIndex, citations: Sequence[Citation]) -> None:
    """Fill each citation's `also_in` with the other outlets of its story.
    Naming them is a courtesy: a failure here never costs the answer."""
    try:
        for citation in citations:
            citation.also_in = also_in(index, citation.article_id)
    except Exception:
        logging.getLogger(__name__).exception("reading the other outlets failed")
