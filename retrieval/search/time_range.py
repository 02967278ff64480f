"""Time in questions: "kemarin", "minggu lalu", "bulan ini", "tahun 2017",
"pada 9 November", "last week", "2 hari lalu" become a date range to search
in, resolved against today; "terbaru"/"latest" asks for the newest articles.

dateparser finds and resolves the expressions (`search_dates` for where they
are, `DateDataParser` for what period they name: a day, week, month or
year). Around it, a few rules and regexes, each because dateparser alone
measured worse on the labelled questions of `benchmarks/time_questions.py`
(see BENCHMARKS.md):

* it reads names and numbers as dates: "Rabu" (a weekday, also a name),
  "2000 orang", "skor 3-1", "gempa 6,2", "jam 10". A bare weekday, month or
  year counts only after a word that makes it a time ("hari Rabu", "bulan
  Mei", "tahun 2017", "in 2017"), and a number counts only as a year or in a
  date;
* it misses or misdates Indonesian week phrases: "pekan lalu" (not found),
  "3 minggu lalu" (read as one week), "minggu kemarin" (read as yesterday):
  they are rewritten in English words before dateparser resolves them;
* it reads "31 Februari" as the month of February: a day that does not exist
  is no filter, and the caller says so;
* rolling windows ("7 hari terakhir", "past 3 days") are no single date.

A week runs Monday to Sunday; a range never reaches past today.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from retrieval.store import SearchFilters
from retrieval.text.lexical import QUESTION_WORDS, sastrawi_stop_words
from retrieval.text.messages import Messages

if TYPE_CHECKING:
    from retrieval.store import ArticleIndex
    from retrieval.text.question import Language

Period = Literal["day", "week", "month", "year"]

_MONTHS = {
    **{m: i for i, m in enumerate("januari februari maret april mei juni juli agustus september oktober november desember".split(), 1)},
    **{m: i for i, m in enumerate("january february march april may june july august september october november december".split(), 1)},
    "agu": 8, "agt": 8, "okt": 10, "des": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = (
    "senin selasa rabu kamis jumat jum'at sabtu minggu "
    "monday tuesday wednesday thursday friday saturday sunday"
).split()
# Words after which a bare weekday, month or year is a time, not a name or a count.
_TIME_CUES = (
    "hari tanggal tgl bulan tahun pada sejak selama hingga sampai awal akhir pertengahan "
    "in on during since until by early late mid last"
).split()
_NUMBER_WORDS = {
    "se": 1, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "a": 1, "one": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_COUNT = r"\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_UNITS = {
    "hari": "day", "minggu": "week", "pekan": "week", "bulan": "month", "tahun": "year",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "year": "year", "years": "year",
}  # fmt: skip
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))

# A cheap test before dateparser (whose first call costs ~0.3 s): a question
# with no digit and none of these words names no time.
_MAY_NAME_TIME = re.compile(
    rf"\d|\b(?:{_MONTH}|{_UNIT}|{'|'.join(_WEEKDAYS)}|kemarin|kemarin|lusa|besok|today|"
    r"yesterday|tomorrow|tonight|ago|lalu)\b",
    re.IGNORECASE,
)
# Indonesian week phrases dateparser misses or misdates (module docstring).
_WEEK_PHRASE = re.compile(
    rf"\b(?:(?P<count>{_COUNT})\s*)?(?P<unit>minggu|pekan)\s+(?P<when>lalu|kemarin|yang lalu|ini)\b",
    re.IGNORECASE,
)
# "7 hari terakhir", "sepekan terakhir", "the past 3 days", "last 2 weeks".
_ROLLING = re.compile(
    rf"\b(?:(?P<count>{_COUNT})\s*(?P<unit>{_UNIT})\s+(?:terakhir|belakangan)"
    rf"|(?:the\s+)?(?:past|last)\s+(?P<count2>{_COUNT})\s+(?P<unit2>{_UNIT}))\b",
    re.IGNORECASE,
)
# A day and a month, to catch days that do not exist ("31 Februari").
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\b\.?(?:\s+(\d{{4}}))?", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
# A relative expression dateparser resolves on its own words.
_RELATIVE = re.compile(
    r"\b(?:kemarin|hari ini|lalu|yang lalu|ini|ago|yesterday|today|last|this|past)\b",
    re.IGNORECASE,
)
_SINCE = re.compile(r"\b(?:sejak|since|from)\s*$", re.IGNORECASE)
# "terbaru", "latest": the newest articles first (not a filter).
_RECENT = re.compile(
    r"\b(?:terbaru|terkini|paling baru|teranyar|baru-baru ini|latest|newest|most recent|recent)\b",
    re.IGNORECASE,
)
# Years a question can mean: no news before 1800, nor after next year.
_FIRST_YEAR = 1800


@dataclass(frozen=True)
class TimeRange:
    since: date
    until: date
    phrase: str  # the words of the question it comes from

    def to_json(self) -> dict[str, str]:
        return {
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "expression": self.phrase,
        }

    def describe(self) -> str:
        if self.since == self.until:
            return self.since.isoformat()
        return f"{self.since.isoformat()} – {self.until.isoformat()}"


@dataclass(frozen=True)
class TimeReading:
    """What a question says about time."""

    period: TimeRange | None = None
    prefer_recent: bool = False
    # Words that look like a date but name none ("31 Februari", "tahun 3000").
    not_a_date: str | None = None


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _span(anchor: date, period: Period) -> tuple[date, date]:
    if period == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=6)
    if period == "month":
        return _month_range(anchor.year, anchor.month)
    if period == "year":
        return date(anchor.year, 1, 1), date(anchor.year, 12, 31)
    return anchor, anchor


def _count(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


@lru_cache(maxsize=8)
def _parser(today: date) -> Any:
    from dateparser.date import DateDataParser  # slow to import: only when a question needs it

    return DateDataParser(languages=["id", "en"], settings=_settings(today))


def _settings(today: date) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12),
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def _resolve(expression: str, today: date) -> tuple[date, Period] | None:
    """The date and the period an expression names, by dateparser."""
    try:
        data = _parser(today).get_date_data(expression)
    except (ValueError, OverflowError):  # dateparser raises on some odd inputs
        return None
    if data.date_obj is None or data.period not in ("day", "week", "month", "year"):
        return None
    return data.date_obj.date(), data.period


def _word_before(text: str, start: int) -> str:
    words = re.findall(r"[\w']+", text[:start].lower())
    return words[-1] if words else ""


def _acceptable(question: str, found: str, start: int) -> bool:
    """Whether a span dateparser found is a time the question names, not a
    name or a number (module docstring)."""
    low = found.lower().strip()
    words = re.findall(r"[\w']+", low)
    cued = bool(words) and (words[0] in _TIME_CUES or _word_before(question, start) in _TIME_CUES)
    digits = re.findall(r"\d+", low)
    if digits:
        # A number is a time only as a year, in a day-month, or in a numeric date.
        if _NUMERIC_DATE.search(low):
            return True
        if re.search(rf"\b\d{{1,2}}\s+(?:{_MONTH})\b", low):
            return True
        if re.search(rf"\b\d{{1,3}}\s+(?:{_UNIT})\b", low) and _RELATIVE.search(low):
            return True  # "2 hari lalu", "3 days ago"
        if all(len(d) == 4 for d in digits):
            month_and_year = re.search(rf"\b(?:{_MONTH})\s+\d{{4}}\b", low)
            return bool(month_and_year) or cued or words[0] in ("tahun", "year")
        return False
    if all(w in _WEEKDAYS for w in words):
        following = re.findall(r"[\w']+", question[start + len(found) :].lower())[:1]
        return cued or following in (["lalu"], ["kemarin"])
    if all(w in _MONTHS for w in words):
        return cued
    # Relative words ("kemarin", "bulan lalu", "last week", "tahun 2017" handled above).
    return bool(_RELATIVE.search(low)) or words[0] in ("tahun", "bulan", "year", "month")


def _week_phrase(question: str, today: date) -> TimeRange | None:
    found = _WEEK_PHRASE.search(question)
    if not found:
        return None
    if found.group("when").lower() == "ini":
        monday = today - timedelta(days=today.weekday())
        return TimeRange(monday, today, found.group(0))
    count = _count(found.group("count")) if found.group("count") else 1
    anchor = today - timedelta(weeks=count)
    return TimeRange(*_span(anchor, "week"), found.group(0))


def _rolling(question: str, today: date) -> TimeRange | None:
    found = _ROLLING.search(question)
    if not found:
        return None
    count = _count(found.group("count") or found.group("count2"))
    unit = _UNITS[(found.group("unit") or found.group("unit2")).lower()]
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
    return TimeRange(today - timedelta(days=days - 1), today, found.group(0))


def _impossible_day(question: str, today: date) -> str | None:
    """A day-and-month that no calendar has ("31 Februari", "30 February 2024")."""
    for found in _DAY_MONTH.finditer(question):
        day, month = int(found.group(1)), _MONTHS[found.group(2).lower()]
        year = int(found.group(3)) if found.group(3) else 2000  # a leap year: 29 Feb exists
        if not 1 <= day <= monthrange(year, month)[1]:
            return found.group(0)
    return None


def read_time(question: str, today: date | None = None) -> TimeReading:
    """The period a question names (or None) and whether it asks for the newest."""
    today = today or date.today()
    recent = bool(_RECENT.search(question))
    if not _MAY_NAME_TIME.search(question):
        return TimeReading(prefer_recent=recent)
    impossible = _impossible_day(question, today)
    if impossible:
        return TimeReading(prefer_recent=recent, not_a_date=impossible)
    period = _rolling(question, today) or _week_phrase(question, today)
    if period is None:
        found = _search(question, today)
        if isinstance(found, str):
            return TimeReading(prefer_recent=recent, not_a_date=found)
        period = found
    if period is None:
        return TimeReading(prefer_recent=recent)
    if period.since > today:  # "besok", "next week": no article is dated there yet
        return TimeReading(prefer_recent=recent)
    return TimeReading(
        period=TimeRange(period.since, min(period.until, today), period.phrase),
        prefer_recent=recent,
    )


def _search(question: str, today: date) -> TimeRange | str | None:
    """The first time expression dateparser finds that passes `_acceptable`;
    a string when it names a year no news is from."""
    from dateparser.search import search_dates

    try:
        found = search_dates(question, languages=["id", "en"], settings=_settings(today)) or []
    except (ValueError, OverflowError):
        return None
    offset = 0
    for phrase, when in found:
        start = question.find(phrase, offset)
        if start < 0:
            continue
        offset = start + len(phrase)
        if not _acceptable(question, phrase, start):
            continue
        resolved = _resolve(phrase, today)
        anchor, period = resolved if resolved else (when.date(), _period_of(phrase))
        if not _FIRST_YEAR <= anchor.year <= today.year + 1:
            return phrase
        since, until = _span(anchor, period)
        if _SINCE.search(question[:start]):  # "sejak 2017", "since last week"
            until = today
        if re.search(r"\b(?:ini|this)\b", phrase, re.IGNORECASE):  # "bulan ini": up to today
            until = today
        before = _word_before(question, start)
        if before in ("hari", "tanggal", "tgl", "bulan", "tahun"):  # "bulan Desember": all of it
            phrase = question[question.lower().rfind(before, 0, start) : start + len(phrase)]
        return TimeRange(since, until, phrase.strip())
    # A year dateparser cannot represent ("tahun 99999") is still no filter, said so.
    huge = re.search(r"\b(?:tahun|year|in)\s+(\d{5,})\b", question, re.IGNORECASE)
    return huge.group(0) if huge else None


def _period_of(phrase: str) -> Period:
    low = phrase.lower()
    for unit, period in _UNITS.items():
        if re.search(rf"\b{unit}\b", low):
            return period  # type: ignore[return-value]
    if re.fullmatch(r"(?:\w+\s+)?\d{4}", low) and not re.search(
        rf"\b\d{{1,2}}\s+(?:{_MONTH})", low
    ):
        return "month" if re.search(rf"\b(?:{_MONTH})\b", low) else "year"
    return "day"


def time_range_in(question: str, today: date | None = None) -> TimeRange | None:
    """The period a question names, or None when it names none."""
    return read_time(question, today).period


# How many years back a day or month named without its year is looked for.
_YEARS_BACK = 10


def _latest_year_with_articles(index: ArticleIndex, period: TimeRange) -> TimeRange | None:
    """`period` (a day or a month named without a year: "16 april", "bulan
    Desember") moved to the latest earlier year in which some article is
    dated in it; None for a period named with its year or relative to today
    ("bulan lalu"), or when no year of the last `_YEARS_BACK` has one."""
    phrase = period.phrase
    if (
        re.search(r"\d{4}", phrase)
        or _RELATIVE.search(phrase)
        or not re.search(rf"\b(?:{_MONTH})\b", phrase, re.IGNORECASE)
        or period.since.year != period.until.year
    ):
        return None
    whole_month = period.until.day == monthrange(period.until.year, period.until.month)[1]
    for year in range(period.since.year - 1, period.since.year - 1 - _YEARS_BACK, -1):
        last = monthrange(year, period.until.month)[1]
        if period.since.day > monthrange(year, period.since.month)[1]:
            continue  # 29 February
        since = period.since.replace(year=year)
        until = date(year, period.until.month, last if whole_month else min(period.until.day, last))
        if index.dated_articles_between(since, until):
            return TimeRange(since, until, phrase)
    return None


# --- in the answer path --------------------------------------------------------------------------
NOTES = Messages(
    {
        "narrowed": {
            "id": 'hanya artikel bertanggal {period} ("{phrase}")',
            "en": 'only articles dated {period} ("{phrase}")',
        },
        "reported": {
            "id": 'hanya artikel bertanggal {period} ("{phrase}"), atau sampai {until} yang '
            "menyebut {named}",
            "en": 'only articles dated {period} ("{phrase}"), or until {until} naming {named}',
        },
        "empty": {
            "id": 'tidak ada artikel bertanggal {period} ("{phrase}"): jawaban ini dari artikel '
            "bertanggal lain",
            "en": 'no article is dated {period} ("{phrase}"): this answer is from articles of other '
            "dates",
        },
        "none_dated": {
            "id": 'tidak ada artikel bertanggal {period} ("{phrase}")',
            "en": 'no article is dated {period} ("{phrase}")',
        },
        "contradicted": {
            "id": 'tidak ada artikel bertanggal {period} ("{phrase}"), dan artikel yang ditemukan '
            "menyebut tahun lain ({years})",
            "en": 'no article is dated {period} ("{phrase}"), and the articles found speak of '
            "other years ({years})",
        },
        "other_years": {
            "id": "artikel yang ditemukan tidak menyebut {asked}, hanya tahun lain ({years})",
            "en": "the articles found do not mention {asked}, only other years ({years})",
        },
        "not_a_date": {
            "id": '"{phrase}" bukan tanggal yang ada: tidak dipakai sebagai filter',
            "en": '"{phrase}" is not a real date: not used as a filter',
        },
        "latest_year": {
            "id": '"{phrase}" tanpa tahun: dibaca {period}, tanggal terakhir yang ada artikelnya',
            "en": '"{phrase}" names no year: read as {period}, the latest such date with articles',
        },
        "recent": {
            "id": "artikel terbaru didahulukan",
            "en": "the newest articles first",
        },
    }
)


@dataclass
class TimeScope:
    """How a question's time words change its search: the filters, the
    question to search with, notes for the user, and `time_filter` for JSON."""

    filters: SearchFilters | None
    search_question: str
    notes: list[str]
    time_filter: dict[str, Any] | None = None
    # The searched question with the period a date filter stands for still
    # in it: no article need say "tahun 2024", but among the passages found
    # it tells 2024's target from December 2023's rate.
    read_question: str | None = None
    prefer_recent: bool = False
    # The period the question names when no article is dated in it (no
    # filter: the passages come from other dates; see `contradicted_years`).
    unfiltered: TimeRange | None = None
    # The period the date filter stands for (one of the question's words,
    # not the user's `--since/--until`).
    filtered: TimeRange | None = None
    # That period, when it is a month or a year the filter reaches past
    # (`reported_later`): an article dated after it counts only when it names it.
    reported: TimeRange | None = None

    def in_period(self, dated: str | None, text: str) -> bool:
        """Whether an article dated `dated` saying `text` is one the period
        asked about takes: dated in it, or after it and naming it."""
        period = self.reported
        if period is None or dated is None or dated[:10] <= period.until.isoformat():
            return True
        return _names_period(period, text)


def _without(question: str, phrase: str) -> str:
    """The question without the period's words, which no article contains
    ("minggu lalu") once they are a filter; the question itself when too
    little is left."""
    rest = re.sub(re.escape(phrase), " ", question, count=1, flags=re.IGNORECASE)
    rest = " ".join(rest.split())
    rest = re.sub(
        r"\b(?:pada|on|in|di|dengan|sejak|since|tanggal)\s*([?.!]*)$", r"\1", rest
    ).strip()
    return rest if len(rest.split()) >= 2 else question


def time_scope(
    index: ArticleIndex,
    question: str,
    filters: SearchFilters | None,
    language: Language,
    today: date | None = None,
    standalone: str | None = None,
) -> TimeScope:
    """The search a question's time words call for. `standalone` is the
    question made standalone from the conversation (what is searched).
    Dates the user gave as options (`--since/--until`) win over the
    question's words. A period in which no article is dated narrows
    nothing, and a note says so."""
    standalone = standalone or question
    reading = read_time(question, today)
    if reading.period is None and standalone != question:
        # A follow-up that names no time keeps the conversation's ("and who
        # led it?" after a question about last week); its own words win.
        carried = read_time(standalone, today)
        reading = TimeReading(carried.period, reading.prefer_recent, reading.not_a_date)
    scope = TimeScope(filters, standalone, [], prefer_recent=reading.prefer_recent)
    if reading.period is not None and standalone != question:
        # A follow-up with its own period: the earlier question's period,
        # carried along with its topic words, is not searched for.
        earlier = read_time(standalone.replace(question, " "), today).period
        if earlier is not None and earlier.phrase.lower() not in question.lower():
            scope.search_question = _without(scope.search_question, earlier.phrase)
    if reading.prefer_recent:
        scope.notes.append(NOTES("recent", language))
        # No article says "terbaru": the word would only pull the search off.
        recent = _RECENT.search(scope.search_question)
        if recent:
            scope.search_question = _without(scope.search_question, recent.group(0))
    if reading.not_a_date:
        scope.notes.append(NOTES("not_a_date", language, phrase=reading.not_a_date))
    found = reading.period
    if found is None:
        return scope
    # The period's words are left out of the search only when a date filter
    # stands for them (theirs, or the user's `--since/--until`, which win):
    # otherwise they may be what the text says ("tahun 1998", "tahun lalu"
    # in an undated corpus such as FacQA).
    if filters is not None and (filters.since or filters.until):
        scope.read_question = scope.search_question
        scope.search_question = _without(scope.search_question, found.phrase)
        return scope
    if index.dated_articles_between(found.since, found.until) == 0 and (
        earlier := _latest_year_with_articles(index, found)
    ):
        # "harga emas antam 16 april" in November 2026, over an archive whose
        # 16 April is 2024's: the date without a year is the latest one the
        # articles have, said so; not "no article is dated 2026-04-16".
        found = earlier
        scope.notes.append(
            NOTES("latest_year", language, period=found.describe(), phrase=found.phrase)
        )
    values = {"period": found.describe(), "phrase": found.phrase}
    if index.dated_articles_between(found.since, found.until) == 0:
        scope.notes.append(NOTES("empty", language, **values))
        scope.time_filter = found.to_json() | {"applied": False}
        scope.unfiltered = found
        return scope
    scope.read_question = scope.search_question
    scope.search_question = _without(scope.search_question, found.phrase)
    until = reported_later(found, today or date.today())
    scope.filters = SearchFilters(
        source=filters.source if filters else None, since=found.since, until=until or found.until
    )
    scope.time_filter = found.to_json() | {"applied": True}
    scope.filtered = found
    if until is None:
        scope.notes.append(NOTES("narrowed", language, **values))
        return scope
    scope.reported = found
    named = _period_name(found, language)
    scope.notes.append(NOTES("reported", language, until=until.isoformat(), named=named, **values))
    scope.time_filter["reported_until"] = until.isoformat()
    return scope


# News reports a month's figures in the month after it (December's
# inflation on 2 January) and a year's in the first quarter of the next
# (2023's exports on 20 February 2024): filtered to the dates of the period
# alone, "Berapa nilai ekspor nikel olahan tahun 2023?" was refused over the
# article that answers it. The filter reaches this far past a month or a
# year; an article dated after the period counts only when it names it.
_REPORTED_MONTHS_AFTER = {"month": 1, "year": 3}
_MONTH_NAMES = (
    "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
).split("|")
_MONTH_NAMES_EN = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
).split("|")


def _whole(period: TimeRange) -> Literal["month", "year"] | None:
    since, until = period.since, period.until
    if since == date(since.year, 1, 1) and until == date(since.year, 12, 31):
        return "year"
    one_month = since.day == 1 and (since.year, since.month) == (until.year, until.month)
    if one_month and until.day == monthrange(until.year, until.month)[1]:
        return "month"
    return None


def reported_later(period: TimeRange, today: date) -> date | None:
    """How far past `period` a filter reaches, for a whole month or year
    that has ended; None for any other period (a day, a week, "sejak ...")."""
    whole = _whole(period)
    if whole is None or period.until >= today:
        return None
    months = _REPORTED_MONTHS_AFTER[whole]
    year, month = divmod(period.until.month - 1 + months, 12)
    year, month = period.until.year + year, month + 1
    return date(year, month, monthrange(year, month)[1])


def _period_name(period: TimeRange, language: Language) -> str:
    if _whole(period) == "month":
        names = _MONTH_NAMES_EN if language == "en" else _MONTH_NAMES
        return f"{names[period.since.month - 1].title()} {period.since.year}"
    return str(period.since.year)


def _names_period(period: TimeRange, text: str) -> bool:
    """Whether `text` names the month or year of `period` ("Desember 2023",
    "sepanjang 2023")."""
    year = str(period.since.year)
    if not re.search(rf"(?<!\d){year}(?!\d)", text):
        return False
    if _whole(period) != "month":
        return True
    month = period.since.month - 1
    names = rf"\b(?:{_MONTH_NAMES[month]}|{_MONTH_NAMES_EN[month]})\s+{year}\b"
    return re.search(names, text, re.IGNORECASE) is not None


# A year as an article writes it: "Desember 2023", "musim 2023/2024", "FFI 2023".
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def period_years(scope: TimeScope) -> list[int]:
    """The years of the period a question names when no article is dated
    in it and the period is one an article writes a year for: "Desember
    2022", "tahun 2022", and "tahun lalu", "bulan lalu" (a year named
    without its number: 2023's exports are not last year's); not "minggu
    lalu" (an article writes no year for a week)."""
    asked = scope.unfiltered
    if asked is None or not (_YEAR.search(asked.phrase) or _whole(asked)):
        return []
    return list(range(asked.since.year, asked.until.year + 1))


def contradicted_years(
    scope: TimeScope, quote: str, question: str = "", dates: Sequence[str] = ()
) -> list[int]:
    """The years `quote` names when the question names a year (or a month
    or a year without its number, "tahun lalu"; `period_years`) no article
    is dated in and the quote names only other years ("Berapa inflasi tahunan
    Desember 2022?" over "inflasi tahunan ... pada Desember 2023 sebesar
    2,61 persen": the passages say nothing of 2022); else []. A quote that
    names no year says nothing against the period, nor do the years the
    `question` itself names ("Partai Mesir 2000"). For quotes of dated
    articles only: in an undated corpus (FacQA) no period has an article,
    and a year in a question is mostly its context (on FacQA train, 20
    answers refused so, nearly all right)."""
    asked = scope.unfiltered
    if asked is None or not period_years(scope):
        return []
    # "tahun ini", "tahun lalu" in the quote: years as of its articles' `dates`.
    relative = {y for d in set(dates) for y in _years_said_relative(quote, d)}
    years = sorted(
        ({int(y) for y in _YEAR.findall(quote)} | relative)
        - {int(y) for y in _YEAR.findall(question)}
    )
    if any(asked.since.year <= y <= asked.until.year for y in years):
        return []
    return years


# What follows a figure, not a year: a word counted ("2000 rumah", "1500
# orang"), lower case, not a verb ("2019 digelar") nor a word of asking.
_COUNTED = re.compile(r"\s+(?!(?:me|di|ber|ter|se)\w)([a-z]{3,})\b")


def years_named(question: str, scope: TimeScope) -> list[int]:
    """The years `question` names that are not its period (a filter, or
    one no article is dated in): "Siapa juara Liga 1 2022?", "FFI 2022",
    whose year names an edition, not a date to search. Not a figure that
    counts something: "yg bilang 2000 rumah rusak siapa?"."""
    period = scope.unfiltered or scope.filtered
    taken = set(_YEAR.findall(period.phrase)) if period is not None else set()
    asking = QUESTION_WORDS | sastrawi_stop_words()
    years = set()
    for match in _YEAR.finditer(question):
        counted = _COUNTED.match(question, match.end())
        if counted and counted.group(1) not in asking:
            continue
        if match.group() not in taken:
            years.add(int(match.group()))
    return sorted(years)


_THIS_YEAR = re.compile(r"\b(?:tahun|thn|taun)\s+ini\b|\bthis\s+year\b", re.IGNORECASE)
_LAST_YEAR = re.compile(
    r"\b(?:tahun|thn|taun)\s+(?:lalu|sebelumnya|kemarin)\b|\blast\s+year\b", re.IGNORECASE
)


def _years_said_relative(text: str, date: str) -> set[int]:
    """The years `text` names by "tahun ini" and "tahun lalu" ("this year",
    "last year"), as of its article's `date` (ISO; none when undated)."""
    if not date:
        return set()
    year = int(date[:4])
    return {
        year + shift for shift, said in ((0, _THIS_YEAR), (-1, _LAST_YEAR)) if said.search(text)
    }


def other_years_only(asked: Sequence[int], dates: Sequence[str], texts: Sequence[str]) -> list[int]:
    """For a question naming the years `asked` (`years_named`), answered
    from articles dated `dates` whose passages say `texts`: the years those
    passages name when none is asked, and no article is dated in one asked
    ("Persib menjuarai Liga 1 musim 2023/2024 ... 31 Mei 2024" does not
    say who won in 2022); else []. Never for an undated passage: in
    FacQA's a year in a question is mostly context."""
    if not asked or not dates or not all(dates):
        return []
    if any(int(d[:4]) in asked for d in dates):
        return []
    named = {int(y) for text in texts for y in _YEAR.findall(text)}
    # "musim haji tahun ini", "periode yang sama tahun lalu": years too, as
    # of the article's date (a 2024 article's "tahun lalu" is 2023).
    for dated, text in zip(dates, texts, strict=True):
        named |= _years_said_relative(text, dated)
    if not named or named & set(asked):
        return []
    return sorted(named)


def note_unanswered_period(
    scope: TimeScope, notes: list[str], language: Language, years: Sequence[int] = ()
) -> None:
    """The notes of an answer not given in a period no article is dated in:
    no "this answer is from articles of other dates", and the quote's other
    `years` when they are why (`contradicted_years`)."""
    found = scope.unfiltered
    if found is None:
        return
    period = {"period": found.describe(), "phrase": found.phrase}
    empty = NOTES("empty", language, **period)
    notes[:] = [n for n in notes if n != empty]
    if years:
        notes.append(NOTES("contradicted", language, **period, years=", ".join(map(str, years))))
    else:
        notes.append(NOTES("none_dated", language, **period))


def filters_for_question(
    index: ArticleIndex, question: str, filters: SearchFilters, today: date | None = None
) -> tuple[SearchFilters, str | None, str]:
    """`time_scope` in the shape `tanya ask` used before the answer path applied it."""
    scope = time_scope(index, question, filters, "en", today)
    return scope.filters or filters, scope.notes[-1] if scope.notes else None, scope.search_question
