"""Who published what an answer says, and when: "Menurut Jurnalislamcom,
10 November 2017" ("According to Jurnalislamcom, 10 November 2017"), so an
old story is not read as today's news. Dates are written in the answer's
language with Babel ("10 Mei 2019", "10 May 2019")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from retrieval.answer.types import Citation
from retrieval.text.question import Language

_LEAD = {"id": "Menurut", "en": "According to"}
_AND = {"id": "dan", "en": "and"}
_UNDATED = {"id": "tanpa tanggal", "en": "undated"}
_UNNAMED = {"id": "artikel", "en": "an article"}
# More sources than this are summed up by the source list below the answer.
_MAX_NAMED = 3


def format_day(iso: str | None, language: Language) -> str | None:
    """`2017-11-10` as "10 November 2017" in `language`; None when unreadable."""
    if not iso:
        return None
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return None
    from babel.dates import format_date  # only when an answer is rendered

    return format_date(day, "d MMMM y", locale="id_ID" if language == "id" else "en_GB")


def _one(c: Citation, language: Language, marker: bool) -> str:
    who = c.source or _UNNAMED[language]
    when = format_day(c.date, language) or _UNDATED[language]
    return f"{who}, {when}" + (f" [{c.n}]" if marker else "")


def attribution(citations: Sequence[Citation], language: Language) -> str | None:
    """The lead of an answer: its outlets and their dates, one per article
    (cited in the order of the answer); None when nothing is cited."""
    seen: set[str] = set()
    named: list[Citation] = []
    for c in citations:
        if c.article_id not in seen:
            seen.add(c.article_id)
            named.append(c)
    if not named:
        return None
    named = named[:_MAX_NAMED]
    marker = len(named) > 1
    parts = [_one(c, language, marker) for c in named]
    said = parts[0] if len(parts) == 1 else f"{'; '.join(parts[:-1])}; {_AND[language]} {parts[-1]}"
    return f"{_LEAD[language]} {said}"
