"""`tanya bot` as people run it: a subprocess of the installed command, its
settings from the environment and `.env`, talking to the local Bot API."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.helpers.telegram import QUESTION, seeded_copy
from tests.servers.openai_api import OpenAIServer, Reply
from tests.servers.telegram_api import TelegramServer

TANYA = Path(sys.executable).with_name("tanya")


class BotProcess:
    """`tanya bot` running in the background; its output collected in files."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str) -> None:
        self.out_path, self.err_path = cwd / "bot.out", cwd / "bot.err"
        self._out: IO[bytes] = self.out_path.open("wb")
        self._err: IO[bytes] = self.err_path.open("wb")
        self.process = subprocess.Popen(
            [str(TANYA), "bot", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
        )

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    @property
    def output(self) -> str:
        return self.out_path.read_text(errors="replace") + self.stderr

    def wait(self, timeout: float = 120) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self._out.close()
            self._err.close()

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.wait()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.wait()


def base_env(data_dir: Path) -> dict[str, str]:
    """The environment without anyone's own settings, plus a data dir."""
    env = {
        k: v
        for k, v in os.environ.items()
        # ...but the tests' embedder, which built the index (tests/conftest.py).
        if not k.startswith(("TANYA_", "TELEGRAM_", "OPENAI_")) or k == "TANYA_EMBEDDER"
    }
    env["TANYA_DATA_DIR"] = str(data_dir)
    return env


def server_env(data_dir: Path, server: TelegramServer, **extra: str) -> dict[str, str]:
    return {
        **base_env(data_dir),
        "TANYA_TELEGRAM_BASE_URL": server.base_url,
        "TANYA_TELEGRAM_FILE_BASE_URL": server.base_file_url,
        "TELEGRAM_BOT_TOKEN": server.token,
        **extra,
    }


@pytest.fixture
def workdir(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory (for `.env`) and, inside, a data dir with the seed indexed."""
    seeded_copy(tmp_path_factory, tmp_path / "data")
    return tmp_path


@pytest.fixture
def running() -> Iterator[list[BotProcess]]:
    """Processes a test started; killed at teardown if the test left them running."""
    started: list[BotProcess] = []
    yield started
    for bot in started:
        bot.kill()


def run_bot(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TANYA), "bot", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_token_exits_2_with_the_botfather_hint(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=\n")
    result = run_bot(tmp_path, base_env(tmp_path / "data"))
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "TELEGRAM_BOT_TOKEN is not set" in message
    assert "@BotFather" in message and "/newbot" in message and ".env" in message


def test_a_token_telegram_rejects_exits_2_and_is_never_printed(
    workdir: Path, telegram_server: TelegramServer
) -> None:
    wrong = "123456:WRONG-token-zyxwvutsrqponmlk"
    env = server_env(workdir / "data", telegram_server)
    del env["TELEGRAM_BOT_TOKEN"]
    (workdir / ".env").write_text(f"TELEGRAM_BOT_TOKEN={wrong}\n")  # read from .env
    result = run_bot(workdir, env, "--log-level", "DEBUG")
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in message and "@BotFather" in message
    for text in (result.stdout, result.stderr):
        assert wrong not in text and wrong.split(":")[1] not in text


def test_webhook_mode_without_a_url_is_a_clear_error(
    workdir: Path, telegram_server: TelegramServer
) -> None:
    result = run_bot(workdir, server_env(workdir / "data", telegram_server), "--webhook")
    assert result.returncode == 2
    assert "--webhook needs TANYA_WEBHOOK_URL" in " ".join(result.stderr.split())
    assert telegram_server.calls == []  # refused before contacting Telegram


def test_a_run_answers_and_stops_cleanly_on_sigterm(
    workdir: Path, telegram_server: TelegramServer, running: list[BotProcess]
) -> None:
    bot = BotProcess(workdir, server_env(workdir / "data", telegram_server), "--log-level", "DEBUG")
    running.append(bot)
    telegram_server.wait_for_call("getUpdates", timeout=120)
    asked = telegram_server.message(QUESTION, chat_id=7)
    [answer] = telegram_server.wait_for_sent(1, chat_id=7, timeout=60)
    assert answer.reply_to_message_id == asked
    assert "Hizbullah" in answer.text and "[1]" in answer.text and "Sumber" in answer.text
    assert telegram_server.commands_for() is not None  # the menu was set

    assert bot.terminate() == 0, bot.stderr
    log = bot.output
    assert "tanya bot @tanya_test_bot is running" in log
    assert "receiving updates by long polling" in log
    assert "tanya bot stopped" in log
    assert telegram_server.token not in log and telegram_server.token.split(":")[1] not in log
    assert "Traceback" not in log


def test_sigterm_lets_an_answer_in_flight_finish(
    workdir: Path,
    telegram_server: TelegramServer,
    openai_server: OpenAIServer,
    running: list[BotProcess],
) -> None:
    openai_server.reply_with(Reply("Pertempuran dipimpin Hizbullah [1].", delay=2))
    env = server_env(
        workdir / "data",
        telegram_server,
        TANYA_LLM="openai:gpt-test",
        TANYA_LLM_BASE_URL=openai_server.base_url,
        OPENAI_API_KEY="sk-test",
        TANYA_LLM_MAX_RETRIES="0",
    )
    bot = BotProcess(workdir, env)
    running.append(bot)
    telegram_server.wait_for_call("getUpdates", timeout=120)
    asked = telegram_server.message(QUESTION, chat_id=8)
    openai_server.wait_for_requests(1, timeout=60)  # the answer is being written
    assert bot.terminate() == 0, bot.stderr
    answers = [m for m in telegram_server.sent_messages(8) if m.reply_to_message_id == asked]
    assert len(answers) == 1
    # The outlet and date of the quoted article lead the finished answer.
    assert answers[0].text.startswith(
        "Menurut Jurnalislamcom, 10 November 2017:\nPertempuran dipimpin Hizbullah [1]."
    )
    assert "Sumber" in answers[0].text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_mode_behind_a_proxy(
    workdir: Path, telegram_server: TelegramServer, running: list[BotProcess]
) -> None:
    port = _free_port()
    public = "https://bot.example.org/tanya/hook"
    secret = "webhook-secret-0123456789"
    env = server_env(
        workdir / "data",
        telegram_server,
        TANYA_WEBHOOK_URL=public,
        TANYA_WEBHOOK_LISTEN="127.0.0.1",
        TANYA_WEBHOOK_PORT=str(port),
        TANYA_WEBHOOK_SECRET=secret,
    )
    bot = BotProcess(workdir, env, "--log-level", "DEBUG")
    running.append(bot)
    if importlib.util.find_spec("tornado") is None:
        assert bot.wait() == 2
        assert "pip install 'tanya[webhooks]'" in " ".join(bot.stderr.split())
        return

    telegram_server.wait_for(lambda: telegram_server.webhook.get("url") == public, timeout=120)
    assert telegram_server.webhook["secret_token"] == secret
    # Telegram (here: the test, in its place) delivers an update to the local
    # address the reverse proxy forwards the public URL to.
    asked = telegram_server.message(QUESTION, chat_id=9)
    [update] = telegram_server.pending_updates()
    hook = f"http://127.0.0.1:{port}/tanya/hook"
    forged = httpx.post(hook, json=update, timeout=10)
    assert forged.status_code == 403  # without the secret: refused
    delivered = httpx.post(
        hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}, timeout=10
    )
    assert delivered.status_code == 200
    [answer] = telegram_server.wait_for_sent(1, chat_id=9, timeout=60)
    assert answer.reply_to_message_id == asked and "Hizbullah" in answer.text

    assert bot.terminate() == 0, bot.stderr
    log = bot.output
    assert "receiving updates by webhook at https://bot.example.org/tanya/hook" in log
    for leaked in (telegram_server.token, secret):
        assert leaked not in log
    assert json.dumps(update)  # the update was a real one, not an empty dict


def test_an_unreachable_telegram_is_one_clear_error_not_a_traceback(workdir: Path) -> None:
    closed = _free_port()  # nothing listens there
    env = {
        **base_env(workdir / "data"),
        "TELEGRAM_BOT_TOKEN": "123456:unreachable-token-abcdefgh",
        "TANYA_TELEGRAM_BASE_URL": f"http://127.0.0.1:{closed}/bot",
        "TANYA_TELEGRAM_FILE_BASE_URL": f"http://127.0.0.1:{closed}/file/bot",
    }
    result = run_bot(workdir, env)
    assert result.returncode == 1, result.stderr
    message = " ".join(result.stderr.split())
    assert f"could not reach Telegram at http://127.0.0.1:{closed}/bot" in message
    assert "Check the network" in message
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
    assert len(result.stderr.strip().splitlines()) < 12, result.stderr


@pytest.mark.parametrize("level", ["QUIET", "verbose", ""])
def test_an_unknown_log_level_lists_the_levels_and_exits_2(
    tmp_path: Path, telegram_server: TelegramServer, level: str
) -> None:
    result = run_bot(tmp_path, server_env(tmp_path / "data", telegram_server), "--log-level", level)
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert "--log-level" in message
    for name in ("debug", "info", "warning", "error"):
        assert f"'{name}'" in message.lower()
    assert "Traceback" not in result.stderr
    assert telegram_server.calls == []  # refused before anything started


def test_log_levels_are_case_insensitive(workdir: Path, telegram_server: TelegramServer) -> None:
    # Accepted (lower case): the run reaches Telegram, which rejects the token.
    env = server_env(workdir / "data", telegram_server)
    env["TELEGRAM_BOT_TOKEN"] = "123456:WRONG-token-zyxwvutsrqponmlk"
    result = run_bot(workdir, env, "--log-level", "warning")
    assert result.returncode == 2, result.stderr
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in " ".join(result.stderr.split())
    assert "receiving updates" not in result.stderr  # INFO is below the chosen level
