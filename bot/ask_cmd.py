"""`tanya ask "question"`: one cited answer, printed with its sources (or
`--json`: the `Answer` in its JSON shape, `retrieval/answer/types.py`). The rendering here is shared
with `tanya chat`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.style import Style
from rich.text import Text

from bot.cli_common import (
    console,
    embedding_question_early,
    err,
    errors_as_json,
    fail,
    load_settings,
    make_filters,
    opened_index,
    print_json,
    question_settings,
    seed_if_empty,
    shown,
    shown_text,
    warn_unknown_source,
)
from retrieval.answer import Answer, Passage
from retrieval.errors import TanyaError
from retrieval.text import strip_controls, validate_question

_MARKER = re.compile(r"\[\d+\]")
_QUOTE_PREVIEW_CHARS = 400


def answer_text(answer: Answer) -> Text:
    """The answer with its `[n]` markers highlighted."""
    text = shown_text(answer.answer, multiline=True)
    text.highlight_regex(_MARKER, "bold cyan")
    if not answer.found:
        text.stylize("yellow")
    return text


def print_answer(out: Console, answer: Answer, *, full_quotes: bool = False) -> None:
    """The answer, its notes, then its numbered sources with their quotes."""
    if answer.standalone_question:
        out.print(shown_text(f"→ {answer.standalone_question}", "dim"))
    if answer.found and answer.answer_span:
        # The short answer first, in bold: article text, never read as markup.
        out.print(shown_text(answer.answer_span, "bold"), soft_wrap=False)
    if answer.found and answer.attribution:  # who said it, and when: old news is not today's
        out.print(shown_text(f"{answer.attribution}:", "bold"))
    out.print(answer_text(answer), soft_wrap=False)
    for note in answer.notes:
        out.print(f"[italic yellow]{shown(note)}[/]")
    if answer.citations:
        out.print()
        out.print("[bold]Sumber / Sources[/]")
    for c in answer.citations:
        meta = " · ".join(x for x in (c.date, c.source) if x)
        line = Text.assemble(
            (f"[{c.n}] ", "bold cyan"), shown_text(c.title or c.article_id, "bold")
        )
        if meta:
            line.append(shown_text(f"  {meta}", "dim"))
        out.print(line)
        if c.url:
            url = strip_controls(c.url)
            out.print(Text(f"    {url}", style=Style(color="blue", link=url)), highlight=False)
        if c.also_in:  # the same story from other outlets (stored once)
            others = ", ".join(o.get("source") or o.get("url") or "?" for o in c.also_in)
            out.print(shown_text(f"    also in: {others}", "dim"), highlight=False)
        quote = " ".join(strip_controls(c.quote).split())
        if not full_quotes and len(quote) > _QUOTE_PREVIEW_CHARS:
            quote = quote[:_QUOTE_PREVIEW_CHARS].rsplit(" ", 1)[0] + " …"
        out.print(Text(f"    {quote}", style="dim italic"))
    mode = "llm" if answer.mode == "llm" else "extractive"
    total = answer.timings_ms.get("total")
    took = f" · {total / 1000:.1f} s" if total is not None else ""
    out.print(f"[dim]({mode}{took})[/]")


def print_passages(out: Console, passages: list[Passage]) -> None:
    """Every retrieved passage in full (the REPL's `/sources`)."""
    for p in passages:
        meta = " · ".join(x for x in (p.date, p.source, f"score {p.score:.3f}") if x)
        out.print(
            Text.assemble((f"[{p.n}] ", "bold cyan"), shown_text(p.title or p.article_id, "bold")),
            shown_text(f"  {meta}", "dim"),
        )
        if p.url:
            out.print(shown_text(f"    {p.url}", "blue"), highlight=False)
        out.print(shown_text(p.text.strip(), multiline=True), highlight=False)
        out.print()


@contextmanager
def streaming(out: Console, enabled: bool) -> Iterator[Callable[[str], None] | None]:
    """A token sink that shows the model's text as it is written, on a live
    line that is cleared at the end (the checked answer is printed instead).
    Off when the output is not a terminal: scripts get the final answer only."""
    if not enabled or not out.is_terminal:
        yield None
        return
    written: list[str] = []
    with Live(Text(), console=out, transient=True, refresh_per_second=12) as live:

        def sink(token: str) -> None:
            # The whole text is cleaned each time: an escape sequence may
            # arrive split across tokens.
            written.append(token)
            live.update(shown_text("".join(written), multiline=True))

        yield sink


def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in Indonesian or English.")],
    k: Annotated[
        int | None,
        typer.Option("-k", min=1, max=100, help="Passages given to the answerer (TANYA_TOP_K)."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only articles from this outlet.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before this date.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """One answer from the articles, citing its sources [1], [2].

    Offline (no TANYA_LLM) the answer quotes the best sentences; with a model
    it is written from the passages. When the articles do not answer,
    it says so ("found": false). Exit code 0 on an answer, 2 on bad input.
    """
    errors_as_json.set(as_json)
    settings = question_settings(load_settings())
    try:
        cleaned = validate_question(question, settings.max_question_chars)
    except TanyaError as exc:
        fail(str(exc))
    filters = make_filters(source, since, until)
    with embedding_question_early(settings, cleaned):
        from retrieval.answer import Answerer  # the LLM stack is heavy: load it only here

        with opened_index(settings) as index:
            seed_if_empty(index, quiet=as_json)
            warn_unknown_source(index, source)
            # A period the question names ("minggu lalu") is applied by the answerer.
            answerer = Answerer(index, settings)
            with streaming(err, enabled=answerer.model is not None and not as_json) as sink:
                answer = answerer.ask(cleaned, filters=filters, k=k, on_token=sink)
    if as_json:
        print_json(answer.to_json())
        return
    print_answer(console, answer)
