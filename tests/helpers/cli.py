"""Running `tanya`: in-process through typer's runner, or as the installed
command in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from bot.cli import app

if TYPE_CHECKING:
    from tests.servers.web import WebServer

# The installed `tanya` script of the venv running the tests.
TANYA = str(Path(sys.executable).with_name("tanya"))

runner = CliRunner()


def tanya(*args: str) -> tuple[int, str]:
    """`tanya ARGS` in-process: exit code and what it printed."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def tanya_json(*args: str) -> object:
    """`tanya ARGS --json`, parsed (from the first `{` or `[`: a notice may come first)."""
    code, out = tanya(*args, "--json")
    assert code in (0, 1), out
    return json.loads(out[min(i for i in (out.find("{"), out.find("[")) if i >= 0) :])


def write_jsonl(path: Path, rows: list[object]) -> Path:
    """One article a line; a string row is written as it is (a broken line)."""
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def command_env(**extra: str) -> dict[str, str]:
    """The environment for a `tanya` subprocess: none of the tests' TANYA_
    settings but the embedder (`tests/conftest.py` picks it per test, and an
    index the test built is only readable with the same one)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TANYA_") or k == "TANYA_EMBEDDER"
    }
    env.update(extra)
    return env


def chat_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for `tanya chat` under pexpect."""
    env = command_env(TANYA_DATA_DIR=str(data_dir), NO_COLOR="1", TERM="xterm", **extra)
    # One embedder thread: on a loaded machine the default (every core) makes
    # each query's embedding take seconds instead of ~0.1 s (threads that wait
    # on each other), and a step of a test could then outlast its timeout.
    env.setdefault("TANYA_EMBED_THREADS", "1")
    # pexpect's pty does not answer prompt_toolkit's cursor-position request;
    # waiting for the answer could swallow what the test types next.
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    return env


def wait_for(
    condition: Callable[[], object], proc: subprocess.Popen[bytes], what: str, timeout: float = 180
) -> None:
    """Poll `condition` while the `tanya` subprocess `proc` runs: it must
    become true before the command ends (or `timeout` s pass). A catalog
    being created meanwhile reads as "not yet"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if condition():
                return
        except sqlite3.OperationalError:
            pass  # the catalog is being created
        time.sleep(0.05)
    raise AssertionError(f"the command ended (or took too long) before {what}")


def add_killed_while_fetching(
    command: list[str], inputs: list[str], data_dir: Path, web_server: WebServer
) -> None:
    """`COMMAND add INPUTS... SLOW_URL`, killed (SIGKILL) while it waits on
    the page that never answers: what a crash in the middle of a batch
    leaves (the inputs before the URL were stored, as far as they got)."""
    slow = web_server.hang("/lambat", 120)
    proc = subprocess.Popen(
        [*command, "add", *inputs, slow],
        env=command_env(TANYA_DATA_DIR=str(data_dir), TANYA_FETCH_TIMEOUT="150"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: web_server.requests_to("/lambat"), proc, "it fetched the slow page")
    finally:
        proc.kill()
        proc.wait()
