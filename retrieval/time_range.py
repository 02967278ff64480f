"""Dates in questions as search filters: "kemarin", "minggu lalu", "bulan
ini", "tahun 2017", "pada 9 November", "last week", resolved against today.

`time_range_in` reads the question; the caller turns the range into the
`--since/--until` filters it already has, when the user gave none. Weeks run
Monday to Sunday; a day or month without a year is its latest occurrence
up to today. Read with regular expressions over Indonesian and English
month names and phrases (a fixed, small vocabulary; publication dates in
articles are dateparser's job, `dates.py`).
"""

from __future__ import annotations

import re
import sqlite3
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .catalog import SearchFilters

_MONTHS = {
    **{m: i for i, m in enumerate("januari februari maret april mei juni juli agustus september oktober november desember".split(), 1)},
    **{m: i for i, m in enumerate("january february march april may june july august september october november december".split(), 1)},
    "agu": 8, "agt": 8, "okt": 10, "des": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))


@dataclass(frozen=True)
class TimeRange:
    since: date
    until: date
    phrase: str  # the words of the question it comes from


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _relative(today: date) -> list[tuple[str, tuple[date, date]]]:
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        (r"hari ini|today", (today, today)),
        (r"kemarin|yesterday", (today - timedelta(days=1),) * 2),  # type: ignore[list-item]
        (
            r"(?:minggu|pekan) (?:lalu|kemarin)|last week",
            (monday - timedelta(days=7), monday - timedelta(days=1)),
        ),
        (r"(?:minggu|pekan) ini|this week", (monday, today)),
        (r"bulan (?:lalu|kemarin)|last month", _month(last_month_end.year, last_month_end.month)),
        (r"bulan ini|this month", (first, today)),
        (
            r"tahun (?:lalu|kemarin)|last year",
            (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        ),
        (r"tahun ini|this year", (date(today.year, 1, 1), today)),
    ]


def time_range_in(question: str, today: date | None = None) -> TimeRange | None:
    """The period a question asks about, or None when it names none."""
    today = today or date.today()
    text = question.lower()
    # An explicit day ("9 November", "9 November 2017").
    found = re.search(rf"\b(\d{{1,2}})\s+({_MONTH})\b\.?(?:\s+((?:19|20)\d\d))?", text)
    if found:
        day, month = int(found.group(1)), _MONTHS[found.group(2)]
        year = int(found.group(3)) if found.group(3) else today.year
        try:
            when = date(year, month, day)
        except ValueError:
            when = None
        if when is not None:
            if not found.group(3) and when > today:
                when = when.replace(year=today.year - 1)
            return TimeRange(when, when, found.group(0))
    # A month ("November 2017", "bulan November").
    found = re.search(rf"\b(?:bulan\s+)?({_MONTH})\s+((?:19|20)\d\d)\b", text) or re.search(
        rf"\bbulan\s+({_MONTH})\b", text
    )
    if found:
        month = _MONTHS[found.group(1)]
        year = int(found.group(2)) if found.lastindex and found.lastindex >= 2 else today.year
        if year == today.year and month > today.month and found.lastindex == 1:
            year -= 1
        return TimeRange(*_month(year, month), found.group(0))
    # A year ("tahun 2017", "in 2017").
    found = re.search(r"\b(?:tahun|in|pada|during|selama)\s+((?:19|20)\d\d)\b", text)
    if found:
        year = int(found.group(1))
        return TimeRange(date(year, 1, 1), date(year, 12, 31), found.group(0))
    for pattern, (since, until) in _relative(today):
        found = re.search(rf"\b(?:{pattern})\b", text)
        if found:
            return TimeRange(since, until, found.group(0))
    return None


def dated_articles_between(catalog_path: Path, since: date, until: date) -> int:
    """How many stored articles are dated within the range (read-only)."""
    conn = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT count(*) FROM articles WHERE date >= ? AND date <= ?",
            (since.isoformat(), until.isoformat()),
        ).fetchone()
    finally:
        conn.close()
    return int(row[0])


def filters_for_question(
    catalog_path: Path, question: str, filters: SearchFilters, today: date | None = None
) -> tuple[SearchFilters, str | None, str]:
    """`filters` narrowed to the period the question names, a note that says
    so, and the question to search with: without the period's words, which
    no article contains ("minggu lalu") once they are a filter. When no
    article is dated in that period (or the articles have no dates), nothing
    is narrowed: the note says all were searched."""
    found = time_range_in(question, today)
    if found is None:
        return filters, None, question
    period = (
        found.since.isoformat()
        if found.since == found.until
        else f"{found.since.isoformat()} – {found.until.isoformat()}"
    )
    if dated_articles_between(catalog_path, found.since, found.until) == 0:
        note = f'no article is dated {period} ("{found.phrase}"): searched them all'
        return filters, note, question
    narrowed = SearchFilters(source=filters.source, since=found.since, until=found.until)
    rest = re.sub(re.escape(found.phrase), " ", question, count=1, flags=re.IGNORECASE)
    rest = " ".join(rest.split())
    rest = re.sub(r"\b(?:pada|on|in|di|dengan)\s*([?.!]*)$", r"\1", rest).strip()
    search = rest if len(rest.split()) >= 2 else question
    return narrowed, f'only articles dated {period} ("{found.phrase}")', search
