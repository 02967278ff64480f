"""Sending to Telegram: a reply, "typing…" while the bot works, an answer
shown while it streams, and rendered parts sent in order."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError

from . import render

log = logging.getLogger(__name__)

_TYPING_EVERY = 4.5  # seconds; Telegram shows "typing…" for about 5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def reply(message: Message, html: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    return await message.reply_html(
        html, reply_markup=markup, link_preview_options=NO_PREVIEW, do_quote=True
    )


@asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat for as long as the block runs."""

    async def keep_typing() -> None:
        while True:
            with suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(_TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


class StreamingReply:
    """Shows an LLM answer while it is written: the first text is sent as a
    message, later text edits it, at most once per `interval` seconds. The
    text comes from the answerer one checked sentence at a time
    (`retrieval/answer/answer_check.py`), so nothing the final answer leaves out is
    ever in the chat, not even in the first message's notification.

    `on_token` is called from the answering thread; everything that touches
    Telegram runs on the event loop. A failed preview is only logged: the
    final answer is sent (or edited in) anyway.
    """

    def __init__(self, bot: Bot, chat_id: int, reply_to: int, interval: float) -> None:
        self._bot, self._chat_id, self._reply_to = bot, chat_id, reply_to
        self._interval = interval
        self._loop = asyncio.get_running_loop()
        self._lock = threading.Lock()
        self._text = ""
        self._shown = ""
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.message: Message | None = None

    def on_token(self, token: str) -> None:
        with self._lock:
            self._text += token
        self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self._closing.is_set():
            return
        self._changed.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            if self._closing.is_set():
                return
            self._changed.clear()
            await self._show()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._interval)

    async def _show(self) -> None:
        with self._lock:
            preview = render.preview_text(self._text)
        if preview == self._shown:
            return
        try:
            if self.message is None:
                self.message = await self._bot.send_message(
                    self._chat_id,
                    preview,
                    reply_parameters=ReplyParameters(
                        self._reply_to, allow_sending_without_reply=True
                    ),
                    link_preview_options=NO_PREVIEW,
                )
            else:
                await self.message.edit_text(preview, link_preview_options=NO_PREVIEW)
            self._shown = preview
        except TelegramError as exc:
            log.warning("could not show the streamed answer in chat %s: %s", self._chat_id, exc)

    async def close(self) -> Message | None:
        """Stop editing (after a send in progress completes); the preview message, if any."""
        self._closing.set()
        self._changed.set()
        if self._task is not None:
            await self._task
        return self.message


async def send_parts(
    bot: Bot,
    chat_id: int,
    reply_to: int,
    parts: Sequence[str],
    markup: InlineKeyboardMarkup | None,
    preview: Message | None = None,
) -> list[Message]:
    """Send rendered messages in order; the first replaces the streamed preview
    when there is one, and the source buttons go under the last."""
    sent: list[Message] = []
    for i, part in enumerate(parts):
        keyboard = markup if i == len(parts) - 1 else None
        if i == 0 and preview is not None:
            try:
                edited = await preview.edit_text(
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    link_preview_options=NO_PREVIEW,
                )
                sent.append(edited if isinstance(edited, Message) else preview)
                continue
            except BadRequest as exc:
                # e.g. the preview was deleted meanwhile: send the answer afresh.
                log.warning("could not edit the streamed answer in chat %s: %s", chat_id, exc)
        sent.append(
            await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                link_preview_options=NO_PREVIEW,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if i == 0
                else None,
            )
        )
    return sent
