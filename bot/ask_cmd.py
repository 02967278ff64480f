"""`tanya ask "question"`: one cited answer, printed with its sources (or
`--json`: the `Answer` as DESIGN.md fixes it). The rendering here is shared
with `tanya chat`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from bot.cli_common import (
    console,
    err,
    load_settings,
    make_filters,
    opened_index,
    print_json,
    seed_if_empty,
)
from retrieval.answer import Answer, Passage
from retrieval.question import QuestionError, validate_question

_MARKER = re.compile(r"\[\d+\]")
_QUOTE_PREVIEW_CHARS = 400


def answer_text(answer: Answer) -> Text:
    """The answer with its `[n]` markers highlighted."""
    text = Text(answer.answer)
    text.highlight_regex(_MARKER, "bold cyan")
    if not answer.found:
        text.stylize("yellow")
    return text


def print_answer(out: Console, answer: Answer, *, full_quotes: bool = False) -> None:
    """The answer, its notes, then its numbered sources with their quotes."""
    if answer.standalone_question:
        out.print(Text(f"→ {answer.standalone_question}", style="dim"))
    if answer.found and answer.answer_span:
        # The short answer first, in bold; `Text` never reads markup in it.
        out.print(Text(answer.answer_span, style="bold"), soft_wrap=False)
    out.print(answer_text(answer), soft_wrap=False)
    for note in answer.notes:
        out.print(f"[italic yellow]{escape(note)}[/]")
    if answer.citations:
        out.print()
        out.print("[bold]Sumber / Sources[/]")
    for c in answer.citations:
        meta = " · ".join(x for x in (c.date, c.source) if x)
        line = Text.assemble((f"[{c.n}] ", "bold cyan"), (c.title or c.article_id, "bold"))
        if meta:
            line.append(f"  {meta}", style="dim")
        out.print(line)
        if c.url:
            out.print(f"    [link={c.url}]{escape(c.url)}[/link]", style="blue", highlight=False)
        quote = " ".join(c.quote.split())
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
            Text.assemble((f"[{p.n}] ", "bold cyan"), (p.title or p.article_id, "bold")),
            Text(f"  {meta}", style="dim"),
        )
        if p.url:
            out.print(f"    {escape(p.url)}", style="blue", highlight=False)
        out.print(Text(p.text.strip()), highlight=False)
        out.print()


@contextmanager
def streaming(out: Console, enabled: bool) -> Iterator[Callable[[str], None] | None]:
    """A token sink that shows the model's text as it is written, on a live
    line that is cleared at the end (the checked answer is printed instead).
    Off when the output is not a terminal: scripts get the final answer only."""
    if not enabled or not out.is_terminal:
        yield None
        return
    shown = Text()
    with Live(shown, console=out, transient=True, refresh_per_second=12) as live:

        def sink(token: str) -> None:
            shown.append(token)
            live.update(shown)

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
    from retrieval.chain import Answerer  # the LLM stack is heavy: load it only here

    settings = load_settings()
    try:
        cleaned = validate_question(question, settings.max_question_chars)
    except QuestionError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    filters = make_filters(source, since, until)
    with opened_index(settings) as index:
        seed_if_empty(index, quiet=as_json)
        answerer = Answerer(index, settings)
        with streaming(err, enabled=answerer.model is not None and not as_json) as sink:
            answer = answerer.ask(cleaned, filters=filters, k=k, on_token=sink)
    if as_json:
        print_json(answer.to_json())
        return
    print_answer(console, answer)
