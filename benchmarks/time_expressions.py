"""How well each reader turns the time words of a question into a date range
(issue 11): dateparser alone (`search_dates`, then the period its parser
names), and tanya's reader (`retrieval/time_range.py`: dateparser with the
guards and regexes its docstring lists). Labelled questions, "today" pinned.

    python -m benchmarks.time_expressions

A question is right when the reader returns exactly the expected range, or
nothing when the question names no time (or a date that does not exist).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from retrieval.time_range import time_range_in

TODAY = date(2024, 3, 13)  # a Wednesday
Range = tuple[date, date] | None
D = date

# (question, expected range or None). Written for this benchmark; questions
# as users ask them, Indonesian and English, with and without time words.
LABELLED: list[tuple[str, Range]] = [
    ("Apa yang terjadi kemarin di Jakarta?", (D(2024, 3, 12), D(2024, 3, 12))),
    ("Berita hari ini soal banjir?", (TODAY, TODAY)),
    ("Siapa yang ditangkap 2 hari lalu?", (D(2024, 3, 11), D(2024, 3, 11))),
    ("Di mana gempa minggu lalu?", (D(2024, 3, 4), D(2024, 3, 10))),
    ("Di mana gempa pekan lalu?", (D(2024, 3, 4), D(2024, 3, 10))),
    ("Apa keputusan DPR minggu kemarin?", (D(2024, 3, 4), D(2024, 3, 10))),
    ("Apa yang terjadi 3 minggu lalu?", (D(2024, 2, 19), D(2024, 2, 25))),
    ("Ada demo apa minggu ini?", (D(2024, 3, 11), TODAY)),
    ("Harga beras bulan ini berapa?", (D(2024, 3, 1), TODAY)),
    ("Siapa yang menang pilkada bulan lalu?", (D(2024, 2, 1), D(2024, 2, 29))),
    ("Apa yang terjadi pada bulan Desember?", (D(2023, 12, 1), D(2023, 12, 31))),
    ("Berapa inflasi tahun lalu?", (D(2023, 1, 1), D(2023, 12, 31))),
    ("Apa saja bencana tahun ini?", (D(2024, 1, 1), TODAY)),
    ("Siapa yang memimpin pertempuran pada tahun 2017?", (D(2017, 1, 1), D(2017, 12, 31))),
    ("Banjir apa yang terjadi pada 9 November?", (D(2023, 11, 9), D(2023, 11, 9))),
    ("Apa yang terjadi pada 9 November 2017?", (D(2017, 11, 9), D(2017, 11, 9))),
    ("Apa yang terjadi pada 9/11/2017?", (D(2017, 11, 9), D(2017, 11, 9))),
    ("Pemilu Mei 2019 dimenangkan siapa?", (D(2019, 5, 1), D(2019, 5, 31))),
    ("Berita banjir 7 hari terakhir?", (D(2024, 3, 7), TODAY)),
    ("What happened yesterday in Medan?", (D(2024, 3, 12), D(2024, 3, 12))),
    ("Where was the flood last week?", (D(2024, 3, 4), D(2024, 3, 10))),
    ("What happened three weeks ago?", (D(2024, 2, 19), D(2024, 2, 25))),
    ("Who won the election last month?", (D(2024, 2, 1), D(2024, 2, 29))),
    ("What did the police say in 2017?", (D(2017, 1, 1), D(2017, 12, 31))),
    ("What happened in November 2017?", (D(2017, 11, 1), D(2017, 11, 30))),
    ("Who won last Wednesday?", (D(2024, 3, 6), D(2024, 3, 6))),
    ("Floods in the past 3 days?", (D(2024, 3, 11), TODAY)),
    ("Apa yang terjadi di Medan yesterday?", (D(2024, 3, 12), D(2024, 3, 12))),
    # No time, or no date that exists: no filter.
    ("Siapa yang memimpin pertempuran di Albu Kamal?", None),
    ("Harga beras Rp 12.500 per kilogram?", None),
    ("Siapa Rabu?", None),
    ("Tim Rabu Biru menang berapa?", None),
    ("Berapa korban dari 2000 orang?", None),
    ("Skor 3-1 untuk Persib?", None),
    ("Gempa 6,2 SR di mana?", None),
    ("Apa isi PP 71 2019?", None),
    ("Jam 10 pagi ada apa?", None),
    ("Siapa pemimpin benteng terakhir IS?", None),
    ("Banjir tanggal 31 Februari di mana?", None),
    ("Siapa presiden pada tahun 3000?", None),
    ("Apa berita terbaru?", None),
    ("Kapan Presiden datang?", None),
]


def _span(anchor: date, period: str) -> tuple[date, date]:
    if period == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, min(monday + timedelta(days=6), TODAY)
    if period == "month":
        first = anchor.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, min(nxt - timedelta(days=1), TODAY)
    if period == "year":
        return date(anchor.year, 1, 1), min(date(anchor.year, 12, 31), TODAY)
    return anchor, anchor


def dateparser_alone(question: str) -> Range:
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    settings = {
        "RELATIVE_BASE": datetime(TODAY.year, TODAY.month, TODAY.day, 12),
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
    }
    found = search_dates(question, languages=["id", "en"], settings=settings)  # type: ignore[arg-type]
    if not found:
        return None
    phrase, when = found[0]
    data = DateDataParser(languages=["id", "en"], settings=settings).get_date_data(phrase)  # type: ignore[arg-type]
    period = data.period if data.date_obj is not None else "day"
    return _span(when.date(), period or "day")


def tanya(question: str) -> Range:
    found = time_range_in(question, TODAY)
    return (found.since, found.until) if found else None


READERS: dict[str, Callable[[str], Range]] = {
    "dateparser alone": dateparser_alone,
    "tanya (time_range.py)": tanya,
}


def main() -> None:
    timed = [q for q, r in LABELLED if r is not None]
    untimed = [q for q, r in LABELLED if r is None]
    print(f"{len(timed)} questions naming a time, {len(untimed)} naming none; today {TODAY}")
    print("| reader | right ranges | no filter where none | all right |")
    print("|---|---|---|---|")
    for name, read in READERS.items():
        right = sum(read(q) == r for q, r in LABELLED if r is not None)
        clean = sum(read(q) is None for q in untimed)
        print(f"| {name} | {right}/{len(timed)} | {clean}/{len(untimed)} | "
              f"{right + clean}/{len(LABELLED)} |")  # fmt: skip
        for q, r in LABELLED:
            got = read(q)
            if got != r:
                print(f"|   wrong: {q} | {got} | expected {r} | |")


if __name__ == "__main__":
    main()
