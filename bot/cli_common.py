"""Helpers shared by the `tanya` commands: settings and index opening with
clear errors, filters, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from retrieval.catalog import SearchFilters
from retrieval.settings import Settings

# The index, Chroma, LangChain and the embedder are imported when a command
# opens the index, not at start-up: `tanya --help` should not wait for them.
if TYPE_CHECKING:
    from retrieval.index import ArticleIndex
    from retrieval.ingest import AddReport

console = Console()
err = Console(stderr=True)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'setting'}: {e['msg']}" for e in exc.errors()
        )
        err.print(f"[red]error:[/] invalid setting ({problems}). See .env.example.")
        raise typer.Exit(2) from None


@contextmanager
def opened_index(
    settings: Settings | None = None, *, note_waiting: bool = True
) -> Iterator[ArticleIndex]:
    """Open the index, turning setup problems into one clear line and exit 2.

    Opening never embeds (a command that reads must not stall re-embedding
    passages whose vectors are missing: writers do it when they take the
    lock); `note_waiting` says when some are waiting, and what to run."""
    from retrieval.dense import DenseStoreError
    from retrieval.embeddings import EmbedderError
    from retrieval.index import ArticleIndex, IndexMismatchError
    from retrieval.locking import IndexBusyError

    settings = settings or load_settings()
    try:
        index = ArticleIndex(settings, reembed_missing=False)
    except (DenseStoreError, EmbedderError, IndexMismatchError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if index.last_repair.changed:
        err.print(f"[yellow]repaired the index:[/] {'; '.join(index.last_repair.notes)}")
    waiting = index.last_repair.waiting_message()
    if waiting and note_waiting:
        err.print(f"[yellow]note:[/] {escape(waiting)}")
    try:
        yield index
    except (EmbedderError, IndexMismatchError, DenseStoreError, IndexBusyError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    finally:
        index.close()


def seed_if_empty(index: ArticleIndex, quiet: bool = False) -> None:
    """First use: index `seeds/` so `tanya search`/`ask` work out of the box.

    Not while another process writes (the user's first `tanya add`): waiting
    for it would stall the question, and its articles make seeds unneeded.
    The question is answered from what it has stored so far."""
    from retrieval.ingest import ensure_seeded
    from retrieval.locking import IndexBusyError

    if index.catalog.counts()[0] > 0:
        return
    try:
        with index.writing(timeout=0):
            if index.catalog.counts()[0] > 0:
                return
            if not quiet:
                err.print(
                    f"[cyan]The index is empty: indexing the seed articles in {index.settings.seeds_dir}…[/]"
                )
            report = ensure_seeded(index)
    except IndexBusyError:
        if index.catalog.counts()[0] == 0:
            err.print(
                "[yellow]The index is being built by another tanya process "
                f"({escape(index.write_lock_holder())}): nothing is stored yet. "
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
    from retrieval.dates import parse_date

    parsed = parse_date(value)
    if parsed is None:
        err.print(
            f"[red]error:[/] {option} {value!r} is not a date (try 2017-11-10 or '10 November 2017')"
        )
        raise typer.Exit(2)
    return parsed


def make_filters(source: str | None, since: str | None, until: str | None) -> SearchFilters:
    return SearchFilters(
        source=source, since=parse_day(since, "--since"), until=parse_day(until, "--until")
    )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
