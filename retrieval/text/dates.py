"""Publication dates as news sites write them, in Indonesian or English.

"10 November 2017", "Kamis, 9/11/2017", "Jumat (28/9/2018)", "2017-11-10",
"Senin, 1 Januari 2024 14:30 WIB", "Nov 10, 2017". dateparser does the
reading; this module only decides what counts as a date: a day, a month and a
year must all be there (a bare "2020" or "Mei 2019" is not a publication
date), numeric dates are day-first as in Indonesia, and text that merely
contains numbers ("7,4", "Rp 12.500") is not a date.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

# Cheap test before calling dateparser: a date needs a 4-digit year, or an
# ISO/slashed numeric form.
_LOOKS_DATED = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
# Longest text worth handing to dateparser as "a date": a date line, not a paragraph.
_MAX_DATE_CHARS = 80

_SETTINGS = {
    "DATE_ORDER": "DMY",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
}


@lru_cache(maxsize=4096)
def parse_date(text: str) -> date | None:
    """The calendar date written in `text`, or None when it is not a full date."""
    text = " ".join(text.split())
    if not text or len(text) > _MAX_DATE_CHARS or not _LOOKS_DATED.search(text):
        return None
    # Parenthesised weekday forms ("Jumat (28/9/2018)") read better without brackets.
    cleaned = re.sub(r"[()]", " ", text).strip(" ,|-–—")
    import dateparser  # slow to import (~0.1 s); most commands never need it

    try:
        parsed = dateparser.parse(cleaned, languages=["id", "en"], settings=_SETTINGS)
    except (ValueError, OverflowError):  # dateparser raises on some odd inputs
        return None
    if parsed is None or not 1800 <= parsed.year <= 2200:
        return None
    return parsed.date()


def is_date_line(line: str) -> bool:
    """Whether a whole line is just a date (the second line of the seed format)."""
    return parse_date(line) is not None
