"""The `tanya` command. Each command is short: it parses options, calls the
`retrieval` package, and renders. Commands that read have `--json`."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

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
    summary_line,
    warn_unknown_source,
)

if TYPE_CHECKING:  # imported where used: start-up stays light (see cli_common)
    from retrieval.ingest import AddInterrupted, AddReport, ItemResult
    from retrieval.store import ArticleIndex, SearchMode


class _Group(TyperGroup):
    """typer prints a type after every option in help, flags included
    (`--json <bool>`), as if they took a value; flags show none here."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _untyped_flags(command, ctx)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _untyped_flags(self, ctx)
        super().format_help(ctx, formatter)


def _untyped_flags(command: Any, ctx: Any) -> None:
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # what help shows in the type column


app = typer.Typer(
    cls=_Group,
    help="tanya: ask questions about news articles; answers cite their passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("tanya")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "(not installed)"
        console.print(f"tanya {number}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    errors_as_json.set(False)  # each command run decides (one process may run several: tests)


# --- add ------------------------------------------------------------------------------------
@app.command()
def add(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, .jsonl files or URLs.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add articles: .txt, .md, .html, .jsonl (one article a line), folders, URLs.

    Re-adding an article changes nothing; a changed version replaces the old one.
    Exit code 1 when any input failed (the others are still added); 130 on
    Ctrl-C, after saying what was stored (whole) and what was not.
    """
    from retrieval.ingest import AddInterrupted, add_inputs

    try:
        with opened_index(note_waiting=False) as index:
            if as_json:
                report = add_inputs(index, inputs)
            else:
                report = _add_with_progress(index, inputs)
    except AddInterrupted as stopped:
        _report_interrupted_add(stopped, inputs, as_json)
        raise typer.Exit(130) from None
    if as_json:
        print_json({"summary": report.summary(), "items": [i.__dict__ for i in report.items]})
    else:
        for item in report.failed:
            err.print(f"[red]failed[/] {shown(item.origin)}: {shown(item.reason)}", highlight=False)
        console.print(summary_line(report))
    if report.failed:
        raise typer.Exit(1)


def _add_with_progress(index: ArticleIndex, inputs: list[str]) -> AddReport:
    from retrieval.ingest import add_inputs, count_articles

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        # Counted first (files, JSONL lines; nothing is parsed), for a total.
        task = bar.add_task("adding", total=count_articles(inputs))

        def tick(item: ItemResult) -> None:
            bar.update(
                task,
                advance=1,
                description=f"{item.status}: {shown((item.title or item.origin)[:50])}",
            )

        return add_inputs(index, inputs, progress=tick, sentence_progress=sentence_bar(bar))


def sentence_bar(bar: Progress) -> Callable[[int, int], None]:
    """The last step of `add` and `reindex`, the sentence vectors the answers
    read (about as long as embedding the passages), as a bar of its own: the
    articles' bar is full by then, and alone it would look stuck."""
    task: TaskID | None = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task("sentence vectors", total=total)
        bar.update(task, completed=done, total=total)

    return update


def _report_interrupted_add(stopped: AddInterrupted, inputs: list[str], as_json: bool) -> None:
    from retrieval.ingest import count_articles

    report, lost = stopped.report, stopped.not_stored
    not_read = max(0, count_articles(inputs) - len(report.items) - len(lost))
    if as_json:
        print_json(
            {
                "interrupted": True,
                "summary": report.summary(),
                "items": [i.__dict__ for i in report.items],
                "not_stored": [i.__dict__ for i in lost],
                "not_read": not_read,
                "waiting_for_vectors": stopped.waiting_articles,
            }
        )
        return
    stored = report.count("added") + report.count("updated")
    err.print(
        f"[yellow]interrupted:[/] {summary_line(report)} before Ctrl-C; not added: "
        f"{len(lost)} read but not stored yet, {not_read} not read yet."
    )
    for item in lost:
        err.print(f"  not stored: {shown(item.title or item.origin)}", highlight=False)
    err.print(
        f"The index is consistent: the {stored} article(s) stored are whole, and nothing "
        "else was written. Run the same `tanya add` again to add the rest (what is already "
        "in is reported unchanged)."
    )
    if stopped.waiting_articles:
        err.print(
            f"{stopped.waiting_articles} stored article(s) wait for their vectors (search finds "
            "them by keywords meanwhile): the next `tanya add` or `tanya reindex` embeds them."
        )


# --- search ---------------------------------------------------------------------------------
@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in Indonesian or English.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many passages.")] = 5,
    source: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before this date.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ranked passages for a query, with scores (hybrid BM25 + embeddings)."""
    errors_as_json.set(as_json)
    if not query.strip():
        fail("the query is empty")
    if mode not in ("hybrid", "dense", "lexical"):
        fail("--mode must be hybrid, dense or lexical")
    filters = make_filters(source, since, until)
    settings = question_settings(load_settings())
    # A lexical search embeds nothing.
    with (
        embedding_question_early(settings, None if mode == "lexical" else query, answers=False),
        opened_index(settings) as index,
    ):
        seed_if_empty(index, quiet=as_json)
        warn_unknown_source(index, source)
        search_mode: SearchMode = mode  # type: ignore[assignment]
        hits = index.search(query, k=k, filters=filters, mode=search_mode)
    if as_json:
        print_json(
            [
                {
                    "rank": i,
                    "score": round(h.score, 6),
                    "chunk_id": h.chunk.chunk_id,
                    "article_id": h.chunk.article_id,
                    "title": h.chunk.title,
                    "date": h.chunk.date,
                    "source": h.chunk.source,
                    "url": h.chunk.url,
                    "position": h.chunk.position,
                    "start": h.chunk.start,
                    "end": h.chunk.end,
                    "text": h.chunk.text,
                    "dense_rank": h.dense_rank,
                    "lexical_rank": h.lexical_rank,
                }
                for i, h in enumerate(hits, start=1)
            ]
        )
        return
    if not hits:
        console.print("No passage matches.")
        return
    for i, h in enumerate(hits, start=1):
        c = h.chunk
        meta = " · ".join(x for x in (c.date, c.source, c.article_id[:8]) if x)
        console.print(
            Text.assemble(
                shown_text(f"{i}. {c.title or '(untitled)'}", "bold"),
                shown_text(f"  {meta}  score {h.score:.4f}", "dim"),
            )
        )
        console.print(shown_text(f"   {c.text}", multiline=True), highlight=False, soft_wrap=True)
        console.print()


# --- managing the index -------------------------------------------------------------------
@app.command("list")
def list_articles(
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The articles in the index, newest first."""
    with opened_index() as index:
        articles = index.list_articles(limit=limit)
    if as_json:
        print_json([a.__dict__ for a in articles])
        return
    table = Table("id", "date", "source", "title", "chunks")
    for a in articles:
        table.add_row(
            *(shown_text(x) for x in (a.id, a.date or "", a.source or "", a.title)),
            str(a.n_chunks),
        )
    console.print(table)


def resolve_id(index: ArticleIndex, given: str) -> str | None:
    """The article a full id or a unique prefix names; exit 2 when the id is
    empty, too short to be a prefix, or names several articles (nothing is
    then shown or removed)."""

    from retrieval.store import MIN_ID_PREFIX

    given = given.strip()
    if not given:
        err.print("[red]error:[/] give an article id (see `tanya list`)")
        raise typer.Exit(2)
    resolved = index.resolve_id(given)
    if resolved.too_short:
        err.print(
            f"[red]error:[/] no article has the id {shown(repr(given))}, and a shorter id "
            f"than {MIN_ID_PREFIX} characters is not taken as a prefix (see `tanya list`)"
        )
        raise typer.Exit(2)
    if resolved.ambiguous:
        more = " (and more)" if resolved.more else ""
        err.print(
            f"[red]error:[/] {shown(repr(given))} is the start of several article ids{more}; "
            "give more of the id:"
        )
        for article_id in resolved.matches:
            record = index.article(article_id)
            title = record.title if record else ""
            err.print(f"  {shown(article_id)}  {shown(title)}", highlight=False)
        raise typer.Exit(2)
    return resolved.found


@app.command()
def show(
    article_id: Annotated[
        str, typer.Argument(help="Article id, its URL, or a unique prefix of 4+ characters.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One article as indexed: metadata, cleaned text, passages, what cleaning removed.

    What the cleaner dropped (a repeated title, "related article" headlines,
    boilerplate) is listed under the text, so nothing disappears unseen.
    """
    with opened_index() as index:
        found = resolve_id(index, article_id)
        record = index.article(found) if found else None
        chunks = index.chunks_of(found) if found else []
    if record is None:
        fail(f"no article with id {article_id!r} (see `tanya list`)", 1)
    if as_json:
        print_json(
            asdict(record)
            | {
                "removed": [asdict(r) for r in record.removed],
                "chunks": [
                    {"id": c.chunk_id, "position": c.position, "start": c.start, "end": c.end}
                    for c in chunks
                ],
            }
        )
        return
    meta = " · ".join(str(v) for v in (record.date, record.source, record.url) if v)
    console.print(shown_text(record.title, "bold") + shown_text(f"  {meta}", "dim"))
    console.print(
        shown_text(f"id {record.id} · {len(chunks)} passage(s) · from {record.origin}", "dim")
    )
    console.print()
    console.print(shown_text(record.text, multiline=True), highlight=False)
    for removal in record.removed:
        line = f"removed ({removal.kind}): {removal.text}"
        console.print(shown_text(line, "dim"), highlight=False)


@app.command()
def remove(
    article_id: Annotated[
        str, typer.Argument(help="Article id, its URL, or a unique prefix of 4+ characters.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Remove an article and all its passages."""
    with opened_index() as index:
        found = resolve_id(index, article_id)
        removed = found is not None and index.remove(found)
    if as_json:
        print_json({"removed": removed, "article_id": found or article_id})
    elif removed:
        console.print(f"removed {shown(found)}")
    if not removed:
        if not as_json:
            err.print(
                f"[red]error:[/] {shown(f'no article with id {article_id!r}')} (see `tanya list`)"
            )
        raise typer.Exit(1)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Articles, chunks, embedder and disk size of the index; followed sources."""
    from bot.follow_cmd import followed_sources, sources_table

    with opened_index() as index:
        data = index.stats()
        followed = followed_sources(index.settings.data_dir)
    data["followed"] = [s.as_json() for s in followed]
    if as_json:
        print_json(data)
        return
    table = Table(show_header=False)
    for key, value in data.items():
        if key == "disk_bytes":
            value = f"{int(value) / 1e6:.1f} MB"  # type: ignore[call-overload]
        elif key == "sources":
            value = ", ".join(f"{s} ({n})" for s, n in value.items()) or "-"  # type: ignore[attr-defined]
        elif key == "followed":
            continue
        table.add_row(key, shown_text(value))
    console.print(table)
    if followed:
        console.print(sources_table(followed))


@app.command()
def reindex() -> None:
    """Re-embed every article with the configured embedder (after changing TANYA_EMBEDDER).

    An interrupted reindex is finished by the next one: the articles it
    already re-embedded are kept.
    """
    from retrieval.ingest import chunk_for_index

    with opened_index(note_waiting=False) as index:
        before = index.reindex_target or index.embedder_name
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("re-embedding", total=index.counts().articles)
            count = index.reindex(
                lambda article: chunk_for_index(index, article),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                sentence_progress=sentence_bar(bar),
            )
        articles = index.counts().articles
        kept = (
            f" ({articles - count} kept from the interrupted reindex)" if count < articles else ""
        )
        console.print(
            f"re-embedded {count} article(s){kept}: {shown(before or '-')} → {shown(index.embedder_name)}"
        )


# --- commands defined in their own modules (one import + one registration each) ---
from bot.eval_cmd import eval_command  # noqa: E402

app.command("eval")(eval_command)
from bot.telegram.run import bot  # noqa: E402

app.command()(bot)
from bot.ask_cmd import ask_command  # noqa: E402

app.command("ask")(ask_command)
from bot.repl import chat_command  # noqa: E402

app.command("chat")(chat_command)
from bot.follow_cmd import follow_command, unfollow_command, watch_command  # noqa: E402

app.command("follow")(follow_command)
app.command("unfollow")(unfollow_command)
app.command("watch")(watch_command)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    finally:
        # The command is done (its stores closed, its output written) and the
        # process ends. Freed at exit anyway, the ~80,000 objects of the
        # modules it loaded (Chroma's ~900) are left out of the collections
        # the interpreter runs while it shuts down: they took 0.3-0.4 s of a
        # cold `tanya ask` (and of `python -c 'import chromadb'`), more
        # than its search and answer together.
        gc.freeze()


if __name__ == "__main__":
    main()
