"""Running the real bot against the local Bot API server, for the Telegram tests.

The fixtures (`make_bot`, `bot_data_dir`, registered in `tests/conftest.py`)
and helpers that `tests/test_telegram_*.py` share. The bot is built exactly as `tanya bot` builds it
(`build_application` with the real `Answerer` over a real index) and runs
`Application.run_polling` in a thread of its own, with its own event loop,
so a test drives it the way users do: by pushing updates to the server and
reading what the bot sent back.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.telegram.app import build_application
from bot.telegram.state import AnyApplication
from retrieval.answer.chain import Answerer
from retrieval.core.settings import Settings
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.article_index import ArticleIndex
from tests.conftest import SEED_ARTICLE
from tests.servers.telegram_api import BOT_USER, SentMessage, TelegramServer

__all__ = [
    "ADMIN",
    "BOT_USERNAME",
    "QUESTION",
    "BotHarness",
    "bot_settings",
    "seeded_copy",
]

ADMIN = 4242  # TANYA_ADMIN_IDS in these tests
BOT_USERNAME = str(BOT_USER["username"])
QUESTION = "Siapa yang memimpin pertempuran di Albu Kamal?"

_template_lock = threading.Lock()
# One seeded data dir per embedder (the test's, `tests/conftest.py`).
_templates: dict[str, Path] = {}


def seeded_copy(tmp_path_factory: pytest.TempPathFactory, dest: Path) -> Path:
    """A data dir holding the indexed seed article, at `dest`.

    The seed is embedded once per test process and copied for each test (a
    copy takes milliseconds, embedding seconds), so tests never share state.
    """
    settings = Settings(data_dir=dest)
    with _template_lock:
        template = _templates.get(settings.embedder)
        if template is None:
            template = tmp_path_factory.mktemp("telegram-template") / "data"
            index = ArticleIndex(Settings(data_dir=template))
            try:
                report = add_inputs(index, [str(SEED_ARTICLE)])
                assert report.summary()["added"] == 1, report.items
            finally:
                index.close()
            _templates[settings.embedder] = template
    shutil.copytree(template, dest)
    return dest


def bot_settings(data_dir: Path, server: TelegramServer, **overrides: Any) -> Settings:
    """Settings pointing the bot at the local server (what `.env` would hold)."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "telegram_base_url": server.base_url,
        "telegram_file_base_url": server.base_file_url,
        "TELEGRAM_BOT_TOKEN": server.token,
        "admin_ids": [ADMIN],
        "rate_limit_per_minute": 1000,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class BotHarness:
    """One bot process, in-process: start, drive, stop, start again."""

    server: TelegramServer
    settings: Settings
    build_options: dict[str, Any] = field(default_factory=dict)
    index: ArticleIndex | None = None
    answerer: Answerer | None = None
    application: AnyApplication | None = None
    error: BaseException | None = None
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _ready: threading.Event = field(default_factory=threading.Event)

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self, *, wait: bool = True) -> BotHarness:
        """Open the index, build the Application and run it until `stop()`."""
        if self.index is None:
            self.index = ArticleIndex(self.settings)
        if self.answerer is None:
            self.answerer = Answerer(self.index, self.settings)
        options = {"stream_interval": 0.3, "shutdown_grace": 5.0, **self.build_options}
        self.application = build_application(self.settings, self.index, self.answerer, **options)
        self._ready.clear()
        self.error = None
        polls_before = len(self.server.calls_of("getUpdates"))
        self._thread = threading.Thread(target=self._run, name="tanya-bot", daemon=True)
        self._thread.start()
        if wait:
            # Polling has begun once the server sees a getUpdates from this run.
            self.server.wait_for(
                lambda: (
                    self.error is not None or len(self.server.calls_of("getUpdates")) > polls_before
                ),
                timeout=60,
            )
            if self.error is not None:
                raise self.error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            assert self.application is not None
            # As `tanya bot` runs it, minus the signal handlers (only the main
            # thread may set those; `stop()` stops the loop as SIGTERM would).
            self.application.run_polling(
                allowed_updates=Update.ALL_TYPES,
                stop_signals=None,
                poll_interval=0.0,
                timeout=2,
                close_loop=True,
            )
        except BaseException as exc:  # surfaced by start()/stop()
            self.error = exc

    def stop(self) -> None:
        """Stop like SIGTERM does: handlers in flight finish (or are abandoned)."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        if thread.is_alive() and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=60)
        assert not thread.is_alive(), "the bot did not stop within 60 s"
        self._thread = self._loop = None

    def close(self) -> None:
        self.stop()
        if self.index is not None:
            self.index.close()
            self.index = None
        self.answerer = None

    def restart(self) -> BotHarness:
        """A new process on the same data dir: everything reopened from disk."""
        self.close()
        return self.start()

    # --- driving --------------------------------------------------------------------------------
    def say(self, text: str, **kwargs: Any) -> int:
        """A user's message; returns its message id."""
        return self.server.message(text, **kwargs)

    def replies(self, chat_id: int, after: int) -> list[SentMessage]:
        """The bot's messages in `chat_id` sent after message `after`, oldest first."""
        return [m for m in self.server.sent_messages(chat_id) if m.message_id > after]

    def wait_replies(
        self,
        chat_id: int,
        after: int,
        count: int = 1,
        *,
        until: Callable[[list[SentMessage]], bool] | None = None,
        timeout: float = 60,
    ) -> list[SentMessage]:
        """Wait for `count` bot messages after message `after` (and `until` to hold)."""

        def ready() -> list[SentMessage] | None:
            found = self.replies(chat_id, after)
            if len(found) >= count and (until is None or until(found)):
                return found
            return None

        return self.server.wait_for(ready, timeout)

    def ask(self, text: str, chat_id: int = 1, **kwargs: Any) -> SentMessage:
        """Send `text` and wait for the bot's (first) reply to it."""
        asked = self.say(text, chat_id=chat_id, **kwargs)
        replies = self.wait_replies(
            chat_id, asked, until=lambda found: any(m.reply_to_message_id == asked for m in found)
        )
        return next(m for m in replies if m.reply_to_message_id == asked)


@pytest.fixture
def bot_data_dir(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_copy(tmp_path_factory, tmp_path / "data")


@pytest.fixture
def make_bot(
    telegram_server: TelegramServer, bot_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., BotHarness]]:
    """`make_bot(**settings)` → a started bot over a copy of the seeded index."""
    monkeypatch.chdir(bot_data_dir.parent)  # no stray .env
    made: list[BotHarness] = []

    def make(*, build_options: dict[str, Any] | None = None, **overrides: Any) -> BotHarness:
        harness = BotHarness(
            telegram_server,
            bot_settings(bot_data_dir, telegram_server, **overrides),
            build_options=build_options or {},
        )
        made.append(harness)
        return harness.start()

    yield make
    for harness in made:
        harness.close()
