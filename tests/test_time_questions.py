"""Dates in questions become filters: "minggu lalu", "kemarin", "tahun 2017",
"last week" cite only articles from those dates (`retrieval/time_range.py`)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from retrieval.time_range import time_range_in

runner = CliRunner()
TODAY = date.today()
MONDAY = TODAY - timedelta(days=TODAY.weekday())
LAST_WEEK = MONDAY - timedelta(days=4)  # a Thursday of last week
YESTERDAY = TODAY - timedelta(days=1)


def story(title: str, day: date, text: str) -> dict[str, str]:
    return {"title": title, "content": text, "date": day.isoformat(), "source": "Kabar Uji",
            "url": f"https://kabar.example/{title.split()[0].lower()}-{day.isoformat()}"}  # fmt: skip


ARTICLES = [
    story("Banjir merendam Bekasi", LAST_WEEK,
          "Banjir merendam ratusan rumah warga di Bekasi setelah hujan deras semalaman. "
          "Warga mengungsi ke masjid dan sekolah terdekat sambil menunggu air surut."),
    story("Banjir melanda Medan", date(2017, 11, 9),
          "Banjir melanda sejumlah kecamatan di Medan setelah sungai Deli meluap. "
          "Ratusan warga mengungsi ke posko yang didirikan pemerintah kota."),
    story("Banjir di Semarang surut", YESTERDAY,
          "Banjir di Semarang mulai surut setelah pompa air dinyalakan di kawasan pelabuhan. "
          "Warga kembali ke rumah untuk membersihkan lumpur yang tersisa."),
]  # fmt: skip


def ask(question: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["ask", question, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_time_questions_cite_only_articles_from_those_dates(data_dir: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "banjir.jsonl"
    jsonl.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["add", str(jsonl)]).exit_code == 0

    def cited_dates(question: str) -> set[str]:
        answer = ask(question)
        assert answer["citations"], answer
        return {c["date"] for c in answer["citations"]}

    assert cited_dates("Di mana banjir terjadi minggu lalu?") == {LAST_WEEK.isoformat()}
    assert cited_dates("Where was the flood last week?") == {LAST_WEEK.isoformat()}
    assert cited_dates("Di mana banjir mulai surut kemarin?") == {YESTERDAY.isoformat()}
    assert cited_dates("Di mana banjir pada tahun 2017?") == {"2017-11-09"}
    assert cited_dates("Banjir apa yang terjadi pada 9 November 2017?") == {"2017-11-09"}
    answer = ask("Di mana banjir terjadi minggu lalu?")
    assert any("minggu lalu" in note for note in answer["notes"])
    # A period with no dated article narrows nothing, and says so.
    answer = ask("Di mana banjir pada tahun 1999?")
    assert any("searched them all" in n for n in answer["notes"])


def test_phrases_resolve_against_today() -> None:
    today = date(2024, 3, 13)  # a Wednesday
    cases = {
        "kemarin": (date(2024, 3, 12), date(2024, 3, 12)),
        "pekan lalu": (date(2024, 3, 4), date(2024, 3, 10)),
        "bulan ini": (date(2024, 3, 1), today),
        "last month": (date(2024, 2, 1), date(2024, 2, 29)),
        "tahun 2017": (date(2017, 1, 1), date(2017, 12, 31)),
        "pada 9 November": (date(2023, 11, 9), date(2023, 11, 9)),  # the latest 9 November
        "bulan Desember": (date(2023, 12, 1), date(2023, 12, 31)),
    }
    for phrase, expected in cases.items():
        found = time_range_in(f"Apa yang terjadi {phrase}?", today)
        assert found is not None and (found.since, found.until) == expected, phrase
    assert time_range_in("Siapa yang memimpin pertempuran di Albu Kamal?", today) is None
    assert time_range_in("Harga beras Rp 12.500 per kilogram", today) is None
