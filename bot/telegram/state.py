"""The bot's state, kept in the Application (`bot_data["tanya"]`) rather than
in module globals, so several bots (or tests) can run in one process."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from telegram.ext import Application, ContextTypes

from retrieval.answer import Answer, Turn
from retrieval.core import Settings
from retrieval.store import ArticleIndex

from .ratelimit import SlidingWindowLimiter
from .store import ChatStore

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

STATE_KEY = "tanya"
T = TypeVar("T")


class AnswererLike(Protocol):
    """What the bot needs from `retrieval.answer.chain.Answerer` (thread-safe)."""

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: Any = None,
        k: int | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer: ...


class Abandoned(Exception):
    """The bot is shutting down and an answer did not finish within the grace period."""


@dataclass
class BotState:
    settings: Settings
    index: ArticleIndex
    answerer: AnswererLike
    store: ChatStore
    limiter: SlidingWindowLimiter
    executor: ThreadPoolExecutor
    # Seconds between edits of a streamed answer (Telegram allows about one a second).
    stream_interval: float = 1.0
    # On shutdown, how long in-flight answers may still take before they are abandoned.
    shutdown_grace: float = 10.0
    # One ingestion at a time: adds are rare, and embedding them all at once
    # would only make each slower.
    ingest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    answered: int = 0
    # Per-chat locks, alive only while a handler holds or waits for one, so
    # the map never grows with the number of chats ever seen.
    _chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary
    )

    def chat_lock(self, chat_id: int) -> asyncio.Lock:
        """The lock that keeps one chat's questions in order (FIFO)."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[chat_id] = lock
        return lock

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    async def off_loop(self, application: AnyApplication, fn: Callable[[], T]) -> T:
        """Run `fn` in the worker pool, so a slow answer never blocks other chats.

        When the application stops, the call gets `shutdown_grace` more
        seconds; after that it is abandoned (`Abandoned`): its thread finishes
        on its own, but nobody waits for it.
        """
        future = asyncio.get_running_loop().run_in_executor(self.executor, fn)
        while True:
            done, _ = await asyncio.wait({future}, timeout=0.25)
            if done:
                return future.result()
            if not application.running:  # Application.stop() has begun
                break
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.shutdown_grace)
        except TimeoutError:
            raise Abandoned from None


def get_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state = context.bot_data[STATE_KEY]
    assert isinstance(state, BotState)
    return state
