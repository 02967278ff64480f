"""The bot's state, kept in the Application (`bot_data["tanya"]`) rather than
in module globals, so several bots (or tests) can run in one process; every
handler reaches it as `context.state` (`TanyaContext`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from retrieval.answer import Answer, Turn
from retrieval.core import Settings
from retrieval.store import ArticleIndex
from retrieval.text import Language

from .i18n import lang_from_code
from .ratelimit import SlidingWindowLimiter
from .store import ChatStore

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

STATE_KEY = "tanya"
T = TypeVar("T")

log = logging.getLogger(__name__)


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

    def embed_in_background(self, application: AnyApplication) -> None:
        """Give the passages an add or a poll stored their vectors, in a worker
        thread: replies never wait for the embedder, and questions find the new
        articles by their words meanwhile (then by meaning too). Stops between
        batches when the bot stops; what is left waits for the next start."""

        def run() -> None:
            try:
                done = self.index.embed_waiting(stop=lambda: not application.running)
            except Exception:
                log.exception("embedding new passages failed; they wait for the next start")
                return
            if done:
                log.info("embedded %d new passage(s)", done)

        with contextlib.suppress(RuntimeError):  # the pool is shut down: the bot is stopping
            self.executor.submit(run)

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


class TanyaContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The `context` every handler, job and error handler gets (PTB's
    `ContextTypes`, registered in `app.build_application`): the bot's state
    as a typed property rather than a lookup in `bot_data`."""

    @property
    def state(self) -> BotState:
        state = self.bot_data[STATE_KEY]
        assert isinstance(state, BotState)
        return state

    def language(self, update: Update) -> Language:
        """The user's `/lang` choice, else their Telegram language."""
        user = update.effective_user
        if user is None:
            return "id"
        return self.state.store.lang(user.id) or lang_from_code(user.language_code)


CONTEXT_TYPES = ContextTypes(context=TanyaContext)
