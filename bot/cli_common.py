"""Helpers shared by the `tanya` commands: settings and index opening with
clear errors, filters, JSON output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from retrieval.catalog import SearchFilters
from retrieval.redaction import redact_settings
from retrieval.settings import Settings

# The index, Chroma, LangChain and the embedder are imported when a command
# opens the index, not at start-up: `tanya --help` should not wait for them.
if TYPE_CHECKING:
    from retrieval.index import ArticleIndex
    from retrieval.ingest import AddReport

console = Console()
err = Console(stderr=True)


def load_settings() -> Settings:
    """The settings; every secret among them is redacted from all logging from now on."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'setting'}: {e['msg']}" for e in exc.errors()
        )
        err.print(f"[red]error:[/] invalid setting ({problems}). See .env.example.")
        raise typer.Exit(2) from None
    redact_settings(settings)
    return settings


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


def _bad_data_dir(path: Path, problem: str) -> typer.Exit:
    err.print(
        f"[red]error:[/] TANYA_DATA_DIR={escape(str(path))} cannot hold tanya's data: "
        f"{escape(problem)}. Set TANYA_DATA_DIR (in .env or the environment) to a folder "
        "you can write to, or unset it to use ~/.local/share/tanya."
    )
    return typer.Exit(2)


@contextmanager
def opened_index(settings: Settings | None = None) -> Iterator[ArticleIndex]:
    """Open the index, turning setup problems into one clear line and exit 2."""
    settings = settings or load_settings()
    problem = data_dir_problem(settings.data_dir)
    if problem:
        raise _bad_data_dir(settings.data_dir, problem)

    from retrieval.dense import DenseStoreError
    from retrieval.embeddings import EmbedderError
    from retrieval.index import ArticleIndex, IndexMismatchError
    from retrieval.locking import IndexBusyError

    try:
        index = ArticleIndex(settings)
    except (DenseStoreError, EmbedderError, IndexMismatchError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    except OSError as exc:  # e.g. a file in the data dir that cannot be opened
        where = f"{exc.filename}: " if exc.filename else ""
        raise _bad_data_dir(settings.data_dir, f"{where}{exc.strerror or exc}") from None
    if index.last_repair.changed:
        err.print(f"[yellow]repaired the index:[/] {'; '.join(index.last_repair.notes)}")
    try:
        yield index
    except (EmbedderError, IndexMismatchError, DenseStoreError, IndexBusyError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    finally:
        index.close()


def seed_if_empty(index: ArticleIndex, quiet: bool = False) -> None:
    """First use: index `seeds/` so `tanya search`/`ask` work out of the box."""
    from retrieval.ingest import ensure_seeded

    if index.catalog.counts()[0] > 0:
        return
    if not quiet:
        err.print(
            f"[cyan]The index is empty: indexing the seed articles in {index.settings.seeds_dir}…[/]"
        )
    report = ensure_seeded(index)
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
