"""The `tanya` command. Each command is short: it parses options, calls the
`retrieval` package, and renders. Commands that read have `--json`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.cli_common import (
    console,
    err,
    make_filters,
    opened_index,
    print_json,
    seed_if_empty,
    summary_line,
)

if TYPE_CHECKING:  # imported where used: start-up stays light (see cli_common)
    from retrieval.index import ArticleIndex, SearchMode
    from retrieval.ingest import AddInterrupted, AddReport, ItemResult

app = typer.Typer(
    help="tanya: ask questions about news articles; answers cite their passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
            err.print(f"[red]failed[/] {item.origin}: {item.reason}")
        console.print(summary_line(report))
    if report.failed:
        raise typer.Exit(1)


def _add_with_progress(index: ArticleIndex, inputs: list[str]) -> AddReport:
    from retrieval.ingest import add_inputs
    from retrieval.loaders import count_articles

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
                task, advance=1, description=f"{item.status}: {(item.title or item.origin)[:50]}"
            )

        return add_inputs(index, inputs, progress=tick)


def _report_interrupted_add(stopped: AddInterrupted, inputs: list[str], as_json: bool) -> None:
    from retrieval.loaders import count_articles

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
            }
        )
        return
    stored = report.count("added") + report.count("updated")
    err.print(
        f"[yellow]interrupted:[/] {summary_line(report)} before Ctrl-C; not added: "
        f"{len(lost)} read but not stored yet, {not_read} not read yet."
    )
    for item in lost:
        err.print(f"  not stored: {escape(item.title or item.origin)}", highlight=False)
    err.print(
        f"The index is consistent: the {stored} article(s) stored are whole, and nothing "
        "else was written. Run the same `tanya add` again to add the rest (what is already "
        "in is reported unchanged)."
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
    if not query.strip():
        err.print("[red]error:[/] the query is empty")
        raise typer.Exit(2)
    if mode not in ("hybrid", "dense", "lexical"):
        err.print("[red]error:[/] --mode must be hybrid, dense or lexical")
        raise typer.Exit(2)
    filters = make_filters(source, since, until)
    with opened_index() as index:
        seed_if_empty(index, quiet=as_json)
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
            f"[bold]{i}. {c.title or '(untitled)'}[/]  [dim]{meta}  score {h.score:.4f}[/]"
        )
        console.print(f"   {c.text}", highlight=False, soft_wrap=True)
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
        table.add_row(a.id, a.date or "", a.source or "", a.title, str(a.n_chunks))
    console.print(table)


def resolve_id(index: ArticleIndex, given: str) -> str | None:
    """The article a full id or a unique prefix names; exit 2 when ambiguous."""
    matches = index.catalog.resolve_article_id(given.strip())
    if len(matches) > 1:
        err.print(f"[red]error:[/] {given!r} matches several articles: {', '.join(matches)}")
        raise typer.Exit(2)
    return matches[0] if matches else None


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="Article id (a unique prefix is enough).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One article as indexed: metadata, cleaned text, passages, what cleaning removed.

    What the cleaner dropped (a repeated title, "related article" headlines,
    boilerplate) is listed under the text, so nothing disappears unseen.
    """
    with opened_index() as index:
        found = resolve_id(index, article_id)
        record = index.catalog.get_article(found) if found else None
        chunks = index.catalog.article_chunks(found) if found else []
    if record is None:
        err.print(f"[red]error:[/] no article with id {article_id!r} (see `tanya list`)")
        raise typer.Exit(1)
    record["removed"] = [r.__dict__ for r in record["removed"]]  # type: ignore[attr-defined]
    record["chunks"] = [
        {"id": c.chunk_id, "position": c.position, "start": c.start, "end": c.end} for c in chunks
    ]
    if as_json:
        print_json(record)
        return
    meta = " · ".join(str(record[k]) for k in ("date", "source", "url") if record[k])
    console.print(f"[bold]{record['title']}[/]  [dim]{meta}[/]")
    console.print(f"[dim]id {record['id']} · {len(chunks)} passage(s) · from {record['origin']}[/]")
    console.print()
    console.print(str(record["text"]), highlight=False)
    for removal in record["removed"]:  # type: ignore[attr-defined]
        console.print(f"[dim]removed ({removal['kind']}): {removal['text']}[/]", highlight=False)


@app.command()
def remove(
    article_id: Annotated[str, typer.Argument(help="Article id (a unique prefix is enough).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Remove an article and all its passages."""
    with opened_index() as index:
        found = resolve_id(index, article_id)
        removed = found is not None and index.remove(found)
    if as_json:
        print_json({"removed": removed, "article_id": found or article_id})
    elif removed:
        console.print(f"removed {found}")
    if not removed:
        if not as_json:
            err.print(f"[red]error:[/] no article with id {article_id!r} (see `tanya list`)")
        raise typer.Exit(1)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Articles, chunks, embedder and disk size of the index."""
    with opened_index() as index:
        data = index.stats()
    if as_json:
        print_json(data)
        return
    table = Table(show_header=False)
    for key, value in data.items():
        if key == "disk_bytes":
            value = f"{int(value) / 1e6:.1f} MB"  # type: ignore[call-overload]
        elif key == "sources":
            value = ", ".join(f"{s} ({n})" for s, n in value.items()) or "-"  # type: ignore[attr-defined]
        table.add_row(key, str(value))
    console.print(table)


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
            TextColumn("re-embedding"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("reindex", total=index.catalog.counts()[0])
            count = index.reindex(
                lambda article: chunk_for_index(index, article),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        articles = index.catalog.counts()[0]
        kept = (
            f" ({articles - count} kept from the interrupted reindex)" if count < articles else ""
        )
        console.print(
            f"re-embedded {count} article(s){kept}: {before or '-'} → {index.embedder_name}"
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


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
