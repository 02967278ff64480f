"""`tanya eval FILE.jsonl`: retrieval and answer metrics on your own questions.

It asks every question exactly as `tanya ask` does, with the current
settings, so two runs with another `TANYA_EMBEDDER`, fusion or `TANYA_LLM`
compare them on your data. `--corpus` indexes a corpus into a throwaway
data dir first, so the run never touches your index.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bot.cli_common import (
    console,
    err,
    load_settings,
    opened_index,
    print_json,
    seed_if_empty,
    shown,
    summary_line,
)
from retrieval.core import Settings

if TYPE_CHECKING:  # imported where used: start-up stays light (see cli_common)
    from retrieval.evaluation import EvalReport
    from retrieval.ingest import ItemResult
    from retrieval.store import ArticleIndex


def _columns() -> tuple[Any, ...]:
    return (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )


@contextmanager
def _throwaway_settings(settings: Settings) -> Iterator[Settings]:
    """The user's settings with a fresh data dir, deleted afterwards. The
    embedded Chroma store is used even when TANYA_CHROMA_URL is set, so the
    user's server is never written to."""
    with tempfile.TemporaryDirectory(prefix="tanya-eval-", ignore_cleanup_errors=True) as tmp:
        yield settings.model_copy(update={"data_dir": Path(tmp) / "data", "chroma_url": None})


def _ingest_corpus(index: ArticleIndex, corpus: list[str], quiet: bool) -> None:
    from retrieval.ingest import add_inputs

    if quiet:
        report = add_inputs(index, corpus)
    else:
        with Progress(*_columns()[:4], console=err, transient=True) as bar:
            task = bar.add_task("indexing the corpus", total=None)

            def tick(item: ItemResult) -> None:
                bar.update(task, advance=1)

            report = add_inputs(index, corpus, progress=tick)
    for item in report.failed[:10]:
        err.print(f"[yellow]corpus: failed[/] {shown(item.origin)}: {shown(item.reason)}")
    if len(report.failed) > 10:
        err.print(f"[yellow]corpus:[/] … and {len(report.failed) - 10} more failures")
    if not quiet:
        err.print(f"[cyan]corpus:[/] {summary_line(report)}")
    if index.counts().articles == 0:
        err.print("[red]error:[/] the corpus added no article; nothing to evaluate against")
        raise typer.Exit(2)


def _evaluate(
    index: ArticleIndex,
    questions_file: Path,
    *,
    k: int,
    limit: int | None,
    quiet: bool,
    corpus: list[str] | None = None,
) -> EvalReport:
    from retrieval.answer import Answerer
    from retrieval.errors import TanyaError
    from retrieval.evaluation import corpus_ids, load_questions, run_eval

    try:
        questions, problems = load_questions(questions_file)
    except TanyaError as exc:
        err.print(f"[red]error:[/] {shown(exc)}")
        raise typer.Exit(2) from None
    for problem in problems:
        where = f"{questions_file}:{problem.line}"
        err.print(f"[yellow]skipped[/] {shown(where)}: {shown(problem.reason)}")
    if limit is not None:
        questions = questions[:limit]
    answerer = Answerer(index, index.settings)
    names = corpus_ids(corpus or [])
    if quiet or not err.is_terminal:
        # `--json` (stdout is for the JSON) or stderr not a terminal: plain
        # progress lines on stderr, about every tenth of the way.
        step = max(1, len(questions) // 10)

        def report(done: int, total: int) -> None:
            if done % step == 0 or done == total:
                err.print(f"evaluating: {done}/{total}", highlight=False)

        return run_eval(
            index, answerer, questions, k=k, problems=problems, progress=report, names=names
        )
    with Progress(*_columns(), console=err, transient=True) as bar:
        task = bar.add_task("evaluating", total=len(questions))
        return run_eval(
            index,
            answerer,
            questions,
            k=k,
            problems=problems,
            progress=lambda done, total: bar.update(task, completed=done),
            names=names,
        )


def eval_command(
    questions_file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.jsonl",
            help='Questions, one JSON object a line: "question", "answer", and where known '
            '"passage" (gold text) or "article_id"; "unanswerable": true for questions '
            "the articles cannot answer.",
        ),
    ],
    corpus: Annotated[
        list[str] | None,
        typer.Option(
            "--corpus",
            help="Index these files/folders/JSONL into a throwaway data dir and evaluate "
            "against them; your own index is not touched. Repeatable.",
        ),
    ] = None,
    k: Annotated[
        int, typer.Option("-k", min=1, max=100, help="Articles ranked for recall@k and MRR.")
    ] = 10,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N questions.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the metrics and every question as JSON.")
    ] = False,
) -> None:
    """Retrieval and answer metrics (recall@k, MRR, gold span, citations, latency).

    Retrieval: recall@k and MRR of the gold article. Answers: gold span
    contained, first citation correct, `found` false on unanswerable questions.

    Runs the same code as `tanya ask` with the current settings, so changing
    TANYA_EMBEDDER, TANYA_FUSION or TANYA_LLM between runs compares them.
    A malformed line is reported with its number and skipped; the rest is
    still evaluated, and the exit code is then 1.
    """
    settings = load_settings()
    if corpus:
        with _throwaway_settings(settings) as scratch, opened_index(scratch) as index:
            _ingest_corpus(index, corpus, quiet=as_json)
            report = _evaluate(
                index, questions_file, k=k, limit=limit, quiet=as_json, corpus=corpus
            )
    else:
        with opened_index(settings) as index:
            seed_if_empty(index, quiet=as_json)
            report = _evaluate(index, questions_file, k=k, limit=limit, quiet=as_json)
    if as_json:
        data = report.to_json()
        if corpus:
            data["corpus"] = corpus
        print_json(data)
    else:
        render(report)
    if report.problems:
        raise typer.Exit(1)


def _pct(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.3f}"


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def render(report: EvalReport) -> None:
    retrieval = report.retrieval()
    answers = report.answers()
    s = report.settings
    about = (
        f"embedder {s.get('embedder')} · "
        f"fusion {s.get('fusion')} ({s.get('dense_weight')}/{s.get('lexical_weight')}) · "
        f"llm {s.get('llm')} · {report.wall_s:.1f} s"
    )
    console.print(f"[bold]{len(report.results)} question(s)[/]  [dim]{shown(about)}[/]")

    table = Table(title="Retrieval (gold article among the ranked articles)", title_justify="left")
    table.add_column("questions", justify="right")
    for key in [f"recall@{k}" for k in report.recall_ks] + ["mrr"]:
        table.add_column(key.replace("mrr", "MRR").replace("recall", "R"), justify="right")
    table.add_row(
        str(retrieval["questions"]),
        *[_pct(retrieval[f"recall@{k}"]) for k in report.recall_ks],
        _pct(retrieval["mrr"]),
    )
    console.print(table)

    table = Table(title="Answers", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("of", justify="right")
    table.add_row(
        "gold span in the answer",
        _pct(answers["containment"]),
        str(answers["containment_questions"]),
    )
    table.add_row(
        "first citation is the gold article",
        _pct(answers["citation_correct"]),
        str(answers["citation_questions"]),
    )
    table.add_row(
        "unanswerable → found = false",
        _pct(answers["unanswerable_not_found"]),
        str(answers["unanswerable_questions"]),
    )
    table.add_row(
        "answerable → found = true",
        _pct(answers["answerable_found"]),
        str(answers["answerable_questions"]),
    )
    words = answers["mean_answer_words"]
    table.add_row("mean answer length (words)", "–" if math.isnan(words) else f"{words:.1f}", "")
    if answers["span_questions"]:
        table.add_row(
            "short answer: exact match", _pct(answers["span_exact"]), str(answers["span_questions"])
        )
        table.add_row(
            "short answer: token F1", _pct(answers["span_f1"]), str(answers["span_questions"])
        )
    console.print(table)

    table = Table(title="Refusals by kind of question", title_justify="left")
    for column in ("kind", "answerable → found", "of", "unanswerable → not found", "of"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, row in answers["by_kind"].items():
        table.add_row(
            kind,
            _pct(row["answerable_found"]),
            str(row["answerable_questions"]),
            _pct(row["unanswerable_not_found"]),
            str(row["unanswerable_questions"]),
        )
    console.print(table)

    table = Table(title="Latency (ms)", title_justify="left")
    table.add_column("stage")
    table.add_column("p50", justify="right")
    table.add_column("p95", justify="right")
    for stage, values in report.latency().items():
        table.add_row(stage, _ms(values["p50"]), _ms(values["p95"]))
    console.print(table)

    for warning in report.warnings():
        err.print(f"[yellow]warning:[/] {shown(warning)}")
    if report.problems:
        err.print(f"[yellow]{len(report.problems)} line(s) skipped[/] (listed above)")
