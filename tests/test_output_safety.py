"""Text from outside the program never breaks tanya's output (issue 9, items
1 and 10): Rich markup in a title or body is shown as written, never read as
markup; terminal escapes, control characters and bidi overrides in any
field never reach the terminal, whether they arrive in a new article
(removed when it is loaded) or sit in an index written by an older version
(removed when printed); Telegram messages escape every field."""

from __future__ import annotations

import html
import json
import os
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.telegram import render
from bot.telegram.reports import report_blocks
from retrieval.answer.types import Answer, Citation
from retrieval.core.models import RawArticle
from retrieval.ingest.cleaning import clean_article
from retrieval.ingest.pipeline import AddReport, ItemResult
from retrieval.text.safe_text import strip_controls
from tests.conftest import REPO

runner = CliRunner()

CAPTION_BODY = (
    "Banjir merendam ratusan rumah di Jakarta Timur setelah hujan deras semalaman. "
    '[caption id="attachment_12" align="aligncenter"]Foto[/caption] '
    "Warga mengungsi ke masjid terdekat."
)
SLASH_TITLE = "Foto [/] gempa Palu [/]"
RED_TITLE = "Harga [red]cabai[/red] naik"
EVIL_SOURCE = "Evil\x1b]0;PWNED\x07 News\x1b[2J"
EVIL_TITLE = "Pemilu \x1b]0;judul\x07damai \u202ecabai\u202c di \x00desa"
ARTICLES = [
    {"id": "caption", "title": "Banjir di Jakarta", "content": CAPTION_BODY, "source": "Kompas"},
    {
        "id": "slash",
        "title": SLASH_TITLE,
        "content": "Gempa mengguncang Palu pada hari Jumat. Tsunami menyusul beberapa menit kemudian.",
    },
    {
        "id": "red",
        "title": RED_TITLE,
        "content": "Harga cabai rawit di pasar induk Kramat Jati naik dua kali lipat pekan ini.",
    },
    {
        "id": "evil",
        "title": EVIL_TITLE,
        "content": "Pemungutan suara berlangsung damai di seluruh desa menurut pengawas pemilu.",
        "source": EVIL_SOURCE,
        "url": "https://evil.example/pemilu\x1b[2J",
        "date": "10 November 2017\x1b[31m",
    },
]


def squash(text: str) -> str:
    """Output without whitespace: Rich wraps long lines where it likes."""
    return "".join(text.split())


def raw_controls(text: str) -> list[str]:
    """Characters a terminal would act on: controls other than line breaks
    and tabs, and bidi overrides."""
    return [
        ch
        for ch in text
        if (unicodedata.category(ch) == "Cc" and ch not in "\n\t")
        or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    ]


def tanya(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One index for the module, holding the articles above, added by `tanya add`."""
    root = tmp_path_factory.mktemp("safety")
    path = root / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TANYA_DATA_DIR", str(path))
        mp.chdir(root)
        jsonl = root / "nasty.jsonl"
        jsonl.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
        code, out, err = tanya("add", str(jsonl))
        assert code == 0, out + err
        assert "4 added" in out
        yield path


def article_id(name: str) -> str:
    """The stored id of the test article `name`, found by its line in the JSONL."""
    line = next(i for i, a in enumerate(ARTICLES, start=1) if a["id"] == name)
    listed = json.loads(tanya("list", "--json")[1])
    return next(str(row["id"]) for row in listed if row["origin"].endswith(f".jsonl:{line}"))


# --- item 1: Rich markup in articles -----------------------------------------------------------
def test_markup_titles_are_listed_as_written(data_dir: Path) -> None:
    code, out, err = tanya("list")
    assert code == 0, err
    assert SLASH_TITLE in out
    assert RED_TITLE in out  # "[red]" is text, not a style that eats "cabai"


def test_caption_shortcode_in_a_body_survives_search_and_show(data_dir: Path) -> None:
    code, out, err = tanya("search", "banjir Jakarta Timur", "-k", "2")
    assert code == 0, err
    assert squash('[caption id="attachment_12" align="aligncenter"]Foto[/caption]') in squash(out)
    code, out, err = tanya("show", article_id("caption"))
    assert code == 0, err
    assert squash(CAPTION_BODY) in squash(out)


def test_markup_title_is_shown_by_search_show_and_ask(data_dir: Path) -> None:
    code, out, _ = tanya("search", "harga cabai rawit naik", "-k", "1")
    assert code == 0 and RED_TITLE in out
    code, out, _ = tanya("show", article_id("slash"))
    assert code == 0 and SLASH_TITLE in out
    code, out, _ = tanya("ask", "Berapa kenaikan harga cabai rawit di pasar induk?")
    assert code == 0 and RED_TITLE in out


def test_add_progress_in_a_terminal_survives_a_markup_title(tmp_path: Path) -> None:
    # The progress bar is drawn only on a terminal (TTY_COMPATIBLE=1 tells
    # Rich it is one); its line names each article as it is added.
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_text(json.dumps(ARTICLES[1]) + "\n", encoding="utf-8")
    env = {**os.environ, "TANYA_DATA_DIR": str(tmp_path / "data"), "TTY_COMPATIBLE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "add", str(jsonl)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TANYA_DATA_DIR", str(tmp_path / "data"))
        listed = json.loads(tanya("list", "--json")[1])
    assert [a["title"] for a in listed] == [SLASH_TITLE]


def test_a_file_name_with_brackets_is_reported_verbatim(data_dir: Path) -> None:
    code, out, err = tanya("add", "nope[bold]x.txt")
    assert code == 1
    assert "failed nope[bold]x.txt: no such file or folder" in err


def test_missing_extra_hint_keeps_its_brackets(tmp_path: Path) -> None:
    # sentence-transformers is not installed in that process (a None entry
    # in sys.modules makes its import fail, as on a core install).
    code = (
        "import sys\n"
        "sys.modules['sentence_transformers'] = None\n"
        "from bot.cli import app\n"
        "app(['search', 'gempa'])\n"
    )
    env = {
        **os.environ,
        "TANYA_DATA_DIR": str(tmp_path / "data"),
        "TANYA_EMBEDDER": "sentence-transformers:intfloat/multilingual-e5-small",
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    error = done.stderr.rsplit("error:", 1)[1]  # the message, not a logged traceback
    assert "pip install 'tanya[sentence-transformers]'" in " ".join(error.split())


# --- item 10: terminal escapes and control characters --------------------------------------------
def test_escapes_in_an_added_article_are_removed_when_it_is_loaded(data_dir: Path) -> None:
    record = json.loads(tanya("show", article_id("evil"), "--json")[1])
    assert record["source"] == "Evil News"  # the OSC sequence went whole, payload included
    assert record["url"] == "https://evil.example/pemilu"
    assert record["date"] == "2017-11-10"
    assert record["title"] == "Pemilu damai cabai di desa"
    assert "PWNED" not in json.dumps(record)


def test_escapes_never_reach_stdout_of_search_and_ask(data_dir: Path) -> None:
    for args in (
        ("search", "pemungutan suara damai di desa", "-k", "3"),
        ("search", "pemungutan suara damai di desa", "--json"),
        ("ask", "Bagaimana pemungutan suara di desa menurut pengawas pemilu?"),
        ("ask", "Bagaimana pemungutan suara di desa menurut pengawas pemilu?", "--json"),
        ("list",),
        ("stats",),
    ):
        code, out, err = tanya(*args)
        assert code == 0, err
        assert raw_controls(out) == [], (args, out)
        assert "PWNED" not in out


def test_an_older_index_holding_escapes_is_printed_without_them(data_dir: Path) -> None:
    """An index written before load-time cleaning may hold raw escapes: the
    front end strips them when it prints."""
    target = article_id("evil")
    with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
        conn.execute(
            "UPDATE articles SET source=?, title=?, url=? WHERE id=?",
            (EVIL_SOURCE, EVIL_TITLE, "https://evil.example/x\x1b]0;PWNED\x07", target),
        )
        conn.execute(
            "UPDATE chunks SET text = text || ? WHERE article_id=?",
            (" \x1b[2J\x1b]0;PWNED\x07 [/] selesai.", target),
        )
    try:
        for args in (
            ("search", "pemungutan suara damai di desa", "-k", "3"),
            ("search", "pemungutan suara damai di desa", "--json"),
            ("ask", "Bagaimana pemungutan suara di desa menurut pengawas pemilu?"),
            ("show", target),
            ("show", target, "--json"),
            ("list",),
            ("stats",),
        ):
            code, out, err = tanya(*args)
            assert code == 0, (args, err)
            assert raw_controls(out) == [], (args, out)
            assert raw_controls(err) == [], (args, err)
            if "--json" not in args:
                assert "PWNED" not in out, (args, out)
    finally:
        with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
            conn.execute(
                "UPDATE articles SET source=?, title=?, url=? WHERE id=?",
                ("Evil News", "Pemilu damai cabai di desa", "https://evil.example/pemilu", target),
            )


def test_cleaning_strips_every_field_of_every_input_kind() -> None:
    raw = RawArticle(
        title="Judul\x1b]0;x\x07 \u202eterbalik",
        body="Paragraf satu\x1b[2J berisi\x00 teks.\n\nParagraf \x07dua \u2066berisi teks.",
        origin="test",
        date_text="\x1b[1m10 November 2017",
        url=" https://contoh.id/a\x1b[0m ",
        source="Kompas\x1b]8;;http://evil\x1b\\",
    )
    article = clean_article(raw)
    for value in (article.title, article.text, article.source, article.url, article.dateline):
        assert raw_controls(value or "") == []
    assert article.title == "Judul terbalik"
    assert article.source == "Kompas"
    assert article.url == "https://contoh.id/a"
    assert str(article.date) == "2017-11-10"
    assert "]0;" not in article.title and "[2J" not in article.text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a\x1b[2Jb", "ab"),
        ("a\x1b]0;title\x07b", "ab"),
        ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        ("a\x1bPdcs\x1b\\b", "ab"),
        ("tab\tnul\x00del\x7fcsi\x9bend", "tab nul del csi end"),
        ("\u202ereversed\u202c", "reversed"),
        ("plain [red] text", "plain [red] text"),
        # A tower of accents on one letter ("zalgo") is cut to three; the
        # two or three that Vietnamese or Greek stack are kept, as are the
        # marks of scripts that write with them (Devanagari).
        ("Z" + "\u0301\u0302\u0303\u0304" * 50 + "algo", "Z\u0301\u0302\u0303algo"),
        ("Nguyễn Tiếng Việt", "Nguyễn Tiếng Việt"),
        ("Nguye\u0302\u0303n", "Nguye\u0302\u0303n"),
        ("नमस्ते", "नमस्ते"),
    ],
)
def test_strip_controls(given: str, expected: str) -> None:
    assert strip_controls(given) == expected


def test_an_article_with_stacked_accents_is_loaded_with_three_a_letter_at_most() -> None:
    tower = "\u0300\u0301\u0302\u0303\u0304\u0306\u0307" * 40
    raw = RawArticle(
        title=f"Pe{tower}milu damai",
        body=f"Warga me{tower}milih di TPS pada Rabu. Hasilnya diumumkan Kamis.",
        origin="t",
    )
    article = clean_article(raw)
    for text in (article.title, article.text):
        assert max(len(run) for run in _mark_runs(text)) <= 3
    assert "milih di TPS" in article.text


def _mark_runs(text: str) -> list[str]:
    runs, run = [""], ""
    for ch in text:
        run = run + ch if unicodedata.combining(ch) else ""
        runs.append(run)
    return runs


def test_strip_controls_keeps_line_breaks_in_a_body() -> None:
    assert strip_controls("satu\r\ndua\tx\x1b[0m", multiline=True) == "satu\ndua\tx"


# --- Telegram ---------------------------------------------------------------------------------
class _TagChecker(HTMLParser):
    """Collects the tags of Telegram HTML and checks they nest."""

    ALLOWED = {"b", "i", "a", "blockquote", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(message: str) -> str:
    checker = _TagChecker()
    checker.feed(message)
    checker.close()
    assert checker.open == [], message
    return "".join(checker.text)


def test_telegram_messages_escape_every_field_and_drop_controls() -> None:
    title = '<b>Judul</b> & "kutip" [/] \x1b]0;PWNED\x07 \u202eterbalik'
    citation = Citation(
        n=1,
        article_id="abc",
        title=title,
        date="2017-11-10",
        source="<i>Outlet</i>\x1b[2J",
        url='https://contoh.id/a?b=1&c="2"\x1b]0;x\x07',
        quote="Kutipan <script>\x00 [caption]x[/caption]",
        chunk_id="abc:1:0",
    )
    answer = Answer(
        question="q",
        answer="Jawaban \x1b[31mmerah\x1b[0m <b>tebal</b> [1]",
        found=True,
        citations=[citation],
        notes=["Catatan <u>\x07"],
    )
    messages = render.render_answer(answer, "id")
    messages.append(render.render_quote(1, title, "2017", "<i>O</i>\x00", citation.url, "<q>x"))
    messages += render.render_passages(
        "<b>q</b>\x1b[2J",
        [{"n": 1, "title": title, "source": "\u202eS", "url": citation.url, "text": "t\x00"}],
        "en",
    )
    report = AddReport(
        [
            ItemResult("berkas<b>.txt\x1b[2J", "failed", reason="alasan <i>\x07"),
            ItemResult("x", "added", title=title),
        ]
    )
    messages += render.pack(report_blocks(report, "id"))
    messages.append(render.preview_text("sebagian \x1b]0;PWNED\x07 jawaban"))
    for message in messages:
        shown = visible(message)
        assert raw_controls(shown) == [], repr(shown)
        assert raw_controls(html.unescape(message)) == []
        assert "PWNED" not in message
    joined = " ".join(visible(m) for m in messages[:-1])
    assert '<b>Judul</b> & "kutip" [/]' in joined  # the title as written, as text
    assert "<i>Outlet</i>" in joined and "<q>x" in joined and "berkas<b>.txt" in joined
