"""Fuzz (issue 9, "Done when"): random titles, bodies, sources, URLs and
dates, full of Rich markup, HTML, Telegram HTML, ANSI/OSC escapes, control
and bidi characters, NULs and long space-free runs, go through
add → list → search → show → ask → remove as a user runs them, and through
the renderers of `tanya ask` and the Telegram bot with the raw fields (as an
index written by an older version may hold them). Nothing may raise, exit
codes stay clean, no raw control character reaches the output, and the
title is there, as text, wherever it is printed.

Cheap on purpose: one index for the module, one article an example, a
fixed number of examples, derandomised so a failure reproduces."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st
from rich.console import Console
from typer.testing import CliRunner

from bot.ask_cmd import print_answer, print_passages
from bot.cli import app
from bot.telegram import render
from bot.telegram.handlers import report_blocks
from retrieval.answer.types import Answer, Citation, Passage
from retrieval.ingest.pipeline import AddReport, ItemResult
from retrieval.text.safe_text import strip_controls

runner = CliRunner()

NASTY = [
    "[/]",
    '[caption id="attachment_1" align="alignnone"]Foto[/caption]',
    "[red]",
    "[bold magenta]",
    "[/bold]",
    "[link=http://evil.example]",
    "\\",
    ":pizza:",
    "<b>",
    "</i>",
    '<a href="javascript:alert(1)">',
    "&amp;",
    "&#27;",
    "<script>alert(1)</script>",
    "<tg-spoiler>",
    "\x1b[2J",
    "\x1b[31m",
    "\x1b]0;PWNED\x07",
    "\x1b]8;;http://evil.example\x1b\\",
    "\x1bP",
    "\x1b",
    "\x00",
    "\x07",
    "\x08",
    "\r",
    "\t",
    "\n",
    "\n\n",
    "\x7f",
    "\x85",
    "\x9b31m",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u2028",
    "\ufeff",
    "\ud800",
    "%s{0}",
    "Jurnalislam.com",
    "A" * 600,  # wider than any terminal, no space to wrap at
    "kata" * 150,
]
fragment = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
nasty = st.lists(fragment, max_size=6).map("".join)
url = st.one_of(st.none(), nasty, nasty.map(lambda s: "https://contoh.id/" + s))
SENTENCE = "Gempa besar mengguncang kota Zorblax pada hari Jumat pagi."
QUESTION = "Apa yang mengguncang kota Zorblax?"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def raw_controls(text: str) -> list[str]:
    """What a terminal would act on: controls other than line breaks and tabs, and bidi overrides."""
    return [
        ch for ch in text if (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in BIDI
    ]


def squash(text: str) -> str:
    return "".join(text.split())


def tanya(*args: str) -> tuple[int, str]:
    # Wide enough that no table cell or line wraps: a title is on one line.
    result = runner.invoke(app, list(args), env={"COLUMNS": "100000"})
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.exception,
        result.output[-3000:],
    )
    out = result.output
    assert "Traceback" not in out
    assert raw_controls(out) == [], (args, out[-3000:])
    return result.exit_code, out


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One index for the module. Each example leaves it empty again; the
    commands that would seed an empty index run only once an article is in."""
    root = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TANYA_DATA_DIR", str(root / "data"))
        # One embedder thread: on a machine whose cores are busy, threads that
        # wait on each other cost many times the work (see settings.py).
        mp.setenv("TANYA_EMBED_THREADS", "1")
        mp.chdir(root)
        yield root


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(title=nasty, before=nasty, after=nasty, source=nasty, link=url, when=nasty)
def test_nasty_articles_through_every_command(
    index_dir: Path, title: str, before: str, after: str, source: str, link: str | None, when: str
) -> None:
    record = {
        "title": title,
        "content": f"{before} {SENTENCE} {after}",
        "source": source,
        "url": link,
        "date": when,
    }
    jsonl = index_dir / "fuzz.jsonl"
    # ensure_ascii: every character, lone surrogates included, survives as an escape.
    jsonl.write_text(json.dumps(record) + "\n", encoding="ascii")

    code, out = tanya("add", str(jsonl))
    if code == 1:  # refused with a reason (e.g. a title that is only spaces)
        assert "failed" in out
        event("refused")
        return
    assert code == 0, out
    event("added, then through every command")
    [article] = json.loads(tanya("list", "--json")[1])
    stored = json.loads(tanya("show", article["id"], "--json")[1])
    shown_title = squash(stored["title"])
    for value in (stored["title"], stored["text"], stored["source"] or "", stored["url"] or ""):
        assert raw_controls(value) == []  # sanitised when loaded

    code, out = tanya("list")
    assert code == 0 and shown_title in squash(out)
    code, out = tanya("search", "gempa besar mengguncang kota Zorblax", "-k", "2")
    assert code == 0 and shown_title in squash(out)
    code, out = tanya("show", article["id"])
    assert code == 0 and shown_title in squash(out)
    assert squash(stored["text"]) in squash(out)
    code, out = tanya("ask", QUESTION)
    assert code == 0 and shown_title in squash(out)  # the one article is the source
    code, out = tanya("remove", article["id"])
    assert code == 0
    assert json.loads(tanya("list", "--json")[1]) == []


class _TelegramHTML(HTMLParser):
    """Telegram's HTML subset: known tags, properly nested; collects the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in {"b", "i", "a", "blockquote", "code"}, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def telegram_text(message: str) -> str:
    parser = _TelegramHTML()
    parser.feed(message)
    parser.close()
    assert parser.open == [], message
    return "".join(parser.text)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(title=nasty, text=nasty, source=nasty, link=url, answer=nasty, note=nasty)
def test_renderers_given_raw_fields(
    title: str, text: str, source: str, link: str | None, answer: str, note: str
) -> None:
    """The CLI's and the bot's renderers, fed unsanitised fields (an older index)."""
    citation = Citation(1, "abc", title, "2017-11-10", source, link, text, "abc:1:0")
    passage = Passage(1, "abc:1:0", "abc", title, "2017-11-10", source, link, text, 0, 1, 0.5)
    result = Answer("q", f"{answer} [1]", True, [citation], notes=[note], passages=[passage])
    expected_title = squash(strip_controls(title))[:100]

    buffer = io.StringIO()
    out = Console(file=buffer, width=100000, emoji=False)
    print_answer(out, result)
    print_passages(out, result.passages)
    printed = buffer.getvalue()
    assert raw_controls(printed) == [], printed
    assert expected_title in squash(printed)

    messages = render.render_answer(result, "id")
    messages.append(render.render_quote(1, title, None, source, link, text))
    messages += render.render_passages(answer, [passage.__dict__], "en")
    report = AddReport(
        [ItemResult(title, "failed", reason=text), ItemResult("x", "added", title=title)]
    )
    messages += render.pack(report_blocks(report, "en"))
    for message in messages:
        assert raw_controls(telegram_text(message)) == [], message
    assert expected_title[:60] in squash(" ".join(telegram_text(m) for m in messages))
    assert raw_controls(render.preview_text(answer)) == []
