"""Pytest fixtures that run each protocol server for one test (``tests/conftest.py`` star-imports these).

Each fixture starts its server on a free 127.0.0.1 port in a daemon thread and
stops it at teardown, whatever the test did: waiting handlers are woken,
keep-alive connections closed and handler threads joined. A crash inside a
server's own handler code fails the test at teardown, since it means the
stand-in, not the code under test, misbehaved.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import LoopbackServer
from tests.servers.openai_api import OpenAIServer
from tests.servers.telegram_api import TelegramServer
from tests.servers.web import WebServer

# Only the fixtures: conftest star-imports this module.
__all__ = ["openai_server", "telegram_server", "web_server"]


def _run(server: LoopbackServer) -> Iterator[LoopbackServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
    server.raise_errors()


@pytest.fixture
def telegram_server() -> Iterator[TelegramServer]:
    """A Telegram Bot API server; point PTB at ``.base_url`` / ``.base_file_url``."""
    yield from _run(TelegramServer())  # type: ignore[misc]


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """An OpenAI chat-completions server; point clients at ``.base_url``."""
    yield from _run(OpenAIServer())  # type: ignore[misc]


@pytest.fixture
def web_server() -> Iterator[WebServer]:
    """A web server for article pages; ``.route(path, html)`` then fetch ``.url(path)``."""
    yield from _run(WebServer())  # type: ignore[misc]
