"""`python -m benchmarks.run`: every benchmark, one table each, and BENCHMARKS.md.

    python -m benchmarks.run                      # all of them (< 15 min on 2 cores)
    python -m benchmarks.run --quick              # smaller samples, for a quick look
    python -m benchmarks.run --only retrieval,ingest
    python -m benchmarks.run --fresh              # clear benchmarks/.cache first

Benchmarks: retrieval, answers (FacQA), answers_idk (IDK-MRC), answers_news (the
news fixture), ingest, latency, fresh (an added article to search, on latency's
100k store), ask_latency (`tanya ask` warm at 10k chunks), coldstart, botload.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cache import CACHE_DIR, Cache, CachingEmbedder, VectorCache, code_fingerprint, fingerprint
from .facqa import (
    DEFAULT_FACQA_DIR,
    Question,
    benchmark_settings,
    load_embedder_for,
    load_split,
    one_chunk_per_passage,
    open_facqa_index,
)
from .report import (
    ORDER,
    command_line,
    has_section,
    key_values,
    load_average,
    machine,
    now,
    write_markdown,
)

# Every benchmark, in the order their sections stand in BENCHMARKS.md.
ALL = tuple(name for name in ORDER if name != "machine")
REPO = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Context:
    """What the benchmarks share: options, the cache, the embedder, and the
    FacQA index (built at most once per run, and reused across runs)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick: bool = args.quick
        self.facqa_dir: Path = args.facqa_dir
        self.cache = Cache(args.cache_dir)
        if args.fresh:
            log(f"--fresh: clearing {self.cache.root}")
            self.cache.clear()
        settings = benchmark_settings(self.cache.root)
        self.embedder = load_embedder_for(settings)
        slug = self.embedder.name.replace(":", "_").replace("/", "_").replace("@", "_")
        self.vectors = VectorCache(
            self.cache.artefact(f"vectors-{slug}.npz"), self.embedder.dimension
        )
        self._facqa: tuple[Any, dict[str, Any]] | None = None

    def facqa_index(self) -> tuple[Any, dict[str, Any]]:
        if self._facqa is None:
            caching = CachingEmbedder(self.embedder, self.vectors)
            self._facqa = open_facqa_index(self.cache, self.facqa_dir, caching, log)
        return self._facqa


def run_retrieval(ctx: Context) -> str:
    from . import retrieval

    index, record = ctx.facqa_index()
    valid = load_split(ctx.facqa_dir, "valid")
    train: list[Question] | None = load_split(ctx.facqa_dir, "train")
    if ctx.quick:
        valid, train = valid[:100], None
    result = retrieval.run(index, valid, train, log)
    result["build"] = record
    return retrieval.render(result)


def run_answers(ctx: Context) -> str:
    """The offline answerer on FacQA, by `benchmarks/answers_facqa.py` (written
    separately); skipped with a note until it has a `run()`."""
    try:
        module = importlib.import_module("benchmarks.answers_facqa")
    except ImportError as exc:
        return _answers_missing(f"`benchmarks/answers_facqa.py` cannot be imported ({exc})")
    runner = getattr(module, "run", None)
    if not callable(runner):
        return _answers_missing("`benchmarks/answers_facqa.py` has no `run()` yet")
    data_dir = answers_data_dir(ctx, Path(module.__file__ or ""))
    kwargs: dict[str, Any] = {}
    accepts = inspect.signature(runner).parameters
    if "facqa_dir" in accepts:
        kwargs["facqa_dir"] = ctx.facqa_dir
    if "limit" in accepts and ctx.quick:
        kwargs["limit"] = 60
    log(f"  answers: answers_facqa.run({data_dir.name}, split='valid', {kwargs}) …")
    started = time.perf_counter()
    result = runner(data_dir, split="valid", **kwargs)
    wall = time.perf_counter() - started
    return render_answers(result, wall, kwargs)


def answers_data_dir(ctx: Context, module_file: Path) -> Path:
    """Where `answers_facqa.run` keeps its index: cached per code and data.

    Its index (one untitled chunk per passage) is, chunk for chunk, the one
    the retrieval benchmark builds when the chunker leaves every FacQA
    passage whole; checked, it is copied in, so the passages are not
    embedded a second time. Otherwise `answers_facqa` builds its own."""
    key = fingerprint(
        code_fingerprint(),
        module_file,
        ctx.facqa_dir / "train.jsonl",
        ctx.facqa_dir / "valid.jsonl",
    )
    path = ctx.cache.artefact(f"answers-facqa-{key}")
    if path.exists():
        return path
    ctx.cache.prune("answers-facqa-", keep=path)
    index, _ = ctx.facqa_index()
    if one_chunk_per_passage(index):
        shutil.copytree(index.settings.data_dir, path, ignore=shutil.ignore_patterns("done.json"))
    return path


def run_answers_idk(ctx: Context) -> str:
    from . import answers_idk
    from .report import table

    caching = CachingEmbedder(ctx.embedder, ctx.vectors)
    result = answers_idk.run(ctx.cache, caching, limit=100 if ctx.quick else None, log=log)
    rest = {k: v for k, v in result.items() if k != "rows"}
    return "\n".join(
        [
            "## Answer quality on IDK-MRC (offline answerer; unanswerable questions)",
            "",
            table(result["rows"]),
            "",
            key_values(rest),
            "",
            "Measured by `benchmarks/answers_idk.py` (see its docstring): the valid split's "
            "paragraphs indexed, every question asked as `tanya ask` does. The answerability "
            "model was fitted on train only (`python -m benchmarks.fit_answerability`). "
            "Short answer: the `answer_span` given for who/when/how-many/where questions, "
            "exact match and token F1 against the best gold.",
        ]
    )


def run_answers_news(ctx: Context) -> str:
    from . import answers_news
    from .report import table

    caching = CachingEmbedder(ctx.embedder, ctx.vectors)
    result = answers_news.run(ctx.cache, caching)
    return "\n".join(
        [
            "## Answer quality on the news fixture (absent entities, unstated facts)",
            "",
            table(result["rows"]),
            "",
            "`tests/fixtures/news/`: 20 short Indonesian news articles written for this test "
            "and questions about them: answerable ones, ones about entities no article "
            "mentions (`absent`), ones about facts the articles do not state (`unstated`); "
            "the 60 with ids f01-f40 and n01-n20 were written at once, before any of them was "
            "asked. The English rows: `questions_en.jsonl`, questions in English about the "
            "same articles. The rows typed in a chat: the Indonesian questions again, in "
            "lower case and without their question mark, as people type into Telegram. "
            "The follow-up rows: `followups.jsonl`, conversations of two turns whose last "
            'leans on the first ("berapa skornya?"); the trivial baseline searches the '
            "turns joined. The blind-probe rows: `questions_probe.jsonl`, 138 questions a "
            "helper session wrote before any was asked: 70 answerable, worded as chats word "
            "them, and 68 near misses (another team, year, city, quantity or role than the "
            "article's), all unstated. The chat slang rows: `questions_chat.jsonl`, 30 "
            'answerable questions in chat slang ("gara2", "dikerahin", "jam brp") written '
            "on 2026-11-28, the chat rules of that day made from their misses: no blind set. "
            "The blind probe 2 rows: `questions_probe2.jsonl`, 110 questions (60 answerable, "
            "50 near misses, a third in chat shorthand) a helper session wrote on 2026-11-28 "
            "seeing no code and no other question; asked once before that day's changes "
            "(answerable 0.783 against the trivial 0.867, near misses refused 0.660), its "
            "misses then read: the shorthand rules of 2026-11-28 came after. "
            "The new-articles rows (blind 3): `tests/fixtures/news_blind3/`, 12 other "
            "articles (three with scraping noise) and 104 questions about them (57 "
            "answerable, 47 near misses, 3 of them about absent entities) a helper session "
            "wrote on 2026-11-28 seeing no code and no other file, indexed alone; asked "
            "once before any change (07:50 UTC: answerable 0.649 against the trivial 0.719, "
            "found 0.754; near misses refused 0.727, absent 0.667). "
            "Blind 4 and blind 5: `tests/fixtures/news_blind4/`, `news_blind5/`, 12 more "
            "articles each and 110 questions (60 answerable, 40 near misses, 10 absent "
            "entities; a quarter paraphrases that avoid the article's words) written so on "
            "2026-11-28 at 12:30 and 13:15 UTC. Blind 4 was asked once before any change "
            "(answerable 0.500 against the trivial 0.650, found 0.600; near misses refused "
            "0.625, absent 0.900), then its misses read: the chat and glossary rules of "
            "13:25 UTC came after. Blind 5 was asked so too (answerable 0.433 against the "
            "trivial 0.517), then read from 14:50 UTC, once blind 6 and 7 were written: the "
            "thesaurus step and the English and chat words of that afternoon came after. "
            "Blind 6 and blind 7: `news_blind6/`, `news_blind7/`, 12 more articles each and "
            "110 questions, as blind 4 and 5, written so at 14:45 UTC; asked once before "
            "that afternoon's changes (answerable 0.517 each, against the trivial 0.483 and "
            "0.517); read from 18:05 UTC, once blind 8 existed: the why-question threshold "
            "of that evening came after. Blind 8: `news_blind8/`, as blind 6 and 7, written "
            "so at 18:00 UTC and first asked at 18:05 UTC on the code of that hour "
            "(answerable 0.550 against the trivial 0.550). Blind 9: `news_blind9/`, as "
            "blind 8 but on topics no earlier set had, written so at 19:50 UTC and first "
            "asked at 20:10 UTC on the code of that hour (answerable 0.750 against the "
            "trivial 0.583; near misses and absent refused 32 of 50). Blind 8 was read "
            "from 20:40 UTC, once blind 9 existed: the role, year and district checks of "
            "that evening came after; the questions of blind 9 no session has read. "
            "`benchmarks/answers_news.py`.",
        ]
    )


def _answers_missing(why: str) -> str:
    log(f"  answers: skipped: {why}")
    return f"## Answer quality on FacQA\n\nNot measured in this run: {why}."


def render_answers(result: Any, wall_s: float, kwargs: dict[str, Any]) -> str:
    from .report import table

    parts = ["## Answer quality on FacQA (offline answerer)", ""]
    if isinstance(result, dict) and isinstance(result.get("markdown"), str):
        parts.append(result["markdown"])
    elif isinstance(result, dict) and isinstance(result.get("rows"), list):
        parts.append(table(result["rows"]))
        rest = {k: v for k, v in result.items() if k != "rows"}
        if rest:
            parts += ["", key_values(_flat(rest))]
    elif isinstance(result, dict):
        parts.append(key_values(_flat(result)))
    else:
        parts.append(f"`answers_facqa.run` returned {result!r}")
    call = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if k != "facqa_dir")
    parts += [
        "",
        f"Measured by `benchmarks/answers_facqa.py` (`run(data_dir, split='valid'"
        f"{', ' + call if call else ''})`, see its docstring for the procedure) "
        f"in {wall_s:.0f} s. The trivial baseline (BM25's top passage, its two sentences "
        'with the most question stems, never "not found") is measured in the same run.',
    ]
    return "\n".join(parts)


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            out[f"{prefix}{key}"] = f"({len(value)} items)"
        else:
            out[f"{prefix}{key}"] = value
    return out


def run_ingest(ctx: Context) -> str:
    from . import ingest

    return ingest.render(ingest.run(ctx.cache, ctx.facqa_dir, ctx.embedder, ctx.quick, log))


def run_latency(ctx: Context) -> str:
    from . import latency

    index, _ = ctx.facqa_index()
    return latency.render(latency.run(ctx, index, log))


def run_fresh(ctx: Context) -> str:
    from . import fresh

    return fresh.render(fresh.run(ctx.cache, ctx.facqa_dir, ctx.embedder, ctx.quick, log))


def run_ask_latency(ctx: Context) -> str:
    from . import ask_latency

    return ask_latency.render(ask_latency.run(ctx, log))


def run_coldstart(ctx: Context) -> str:
    from . import coldstart

    index, _ = ctx.facqa_index()
    return coldstart.render(coldstart.run(ctx.cache, index.settings.data_dir, ctx.quick, log))


def run_botload(ctx: Context) -> str:
    from . import botload

    index, _ = ctx.facqa_index()
    result = botload.run(ctx.cache, index.settings.data_dir, ctx.facqa_dir, ctx.quick, log)
    return botload.render(result)


RUNNERS: dict[str, Callable[[Context], str]] = {
    "retrieval": run_retrieval,
    "answers": run_answers,
    "answers_idk": run_answers_idk,
    "answers_news": run_answers_news,
    "ingest": run_ingest,
    "latency": run_latency,
    "fresh": run_fresh,
    "ask_latency": run_ask_latency,
    "coldstart": run_coldstart,
    "botload": run_botload,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller samples (minutes, rough)")
    parser.add_argument(
        "--only", default=",".join(ALL), help=f"comma-separated subset of: {', '.join(ALL)}"
    )
    parser.add_argument("--fresh", action="store_true", help="clear benchmarks/.cache first")
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO / "BENCHMARKS.md",
        help="Markdown file to write (its other sections are kept); '-' to write none",
    )
    parser.add_argument("--facqa-dir", type=Path, default=DEFAULT_FACQA_DIR)
    parser.add_argument(
        "--latency-sizes",
        default="",
        help="comma-separated store sizes for the latency section (default: 1k,10k,100k,1M)"
        " and the ask_latency section (default: 10k)",
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=CACHE_DIR, help="where artefacts are cached"
    )
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [n for n in args.only if n not in RUNNERS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ALL)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Chroma and the index log at INFO/WARNING; the tables are what matters.
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    stamp, command, host = now(), command_line(), machine()
    ctx = Context(args)
    sections: dict[str, str] = {}
    failed: list[str] = []
    for name in args.only:
        log(f"== {name}")
        t0, load = time.perf_counter(), load_average()
        try:
            body = RUNNERS[name](ctx)
        except Exception:
            # One broken benchmark must not cost the others' numbers.
            failed.append(name)
            log(traceback.format_exc())
            continue
        took = time.perf_counter() - t0
        body += (
            f"\n\n<sub>Measured {stamp} by `{command}`; this section took {took:.0f} s; "
            f"load average {load}.</sub>"
        )
        sections[name] = body
        print("\n" + body + "\n", flush=True)
    ctx.vectors.save()
    total = time.perf_counter() - started
    machine_section = render_machine(host, stamp, command, total, args, failed)
    print(machine_section)
    # The machine section describes a whole run: a subset (--only) leaves the
    # last full run's in place (each section names its own run anyway).
    if set(args.only) == set(ALL) or not has_section(args.output, "machine"):
        sections["machine"] = machine_section
    if str(args.output) != "-":
        write_markdown(args.output, sections)
        log(f"wrote {args.output}")
    log(f"total wall time: {total:.0f} s")
    return 1 if failed else 0


def render_machine(
    host: dict[str, str],
    stamp: str,
    command: str,
    total: float,
    args: argparse.Namespace,
    failed: list[str],
) -> str:
    lines = [
        "## Machine and run",
        "",
        key_values(
            host
            | {
                "date": stamp,
                "command": f"`{command}`",
                "benchmarks run": ", ".join(args.only),
                "load average at end (1/5/15 min)": load_average(),
                "total wall time": f"{total:.0f} s",
                "mode": "quick (small samples)" if args.quick else "full",
            }
        ),
    ]
    if failed:
        lines += ["", f"**Failed in this run** (see its log): {', '.join(failed)}."]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
