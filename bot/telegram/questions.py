"""Questions: in a private chat, in a group when the bot is spoken to, or
with /ask; one chat's questions answered in order, with its history, the
model's text streamed while it is written; and the source buttons."""

from __future__ import annotations

import logging
import math
from functools import partial
from typing import Any

from telegram import ReplyParameters, Update
from telegram.constants import ParseMode

from retrieval.answer import Answer, Turn
from retrieval.errors import TanyaError
from retrieval.text import Language, validate_question

from . import render
from .admin_add import add_urls
from .i18n import t
from .incoming import addressed_text, command_rest, only_urls
from .messaging import NO_PREVIEW, StreamingReply, reply, send_parts, typing
from .state import Abandoned, BotState, TanyaContext

log = logging.getLogger(__name__)


async def private_text(update: Update, context: TanyaContext) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    await question_or_urls(update, context, message.text)


async def group_text(update: Update, context: TanyaContext) -> None:
    """In a group the bot speaks only when spoken to: a mention or a reply."""
    message = update.effective_message
    if message is None:
        return
    text = addressed_text(message, context.bot)
    if text is None:
        return
    if not text:
        await reply(message, t(context.language(update), "ask_usage"))
        return
    await question_or_urls(update, context, text)


async def question_or_urls(update: Update, context: TanyaContext, text: str) -> None:
    urls = only_urls(text)
    if urls:  # a bare link is a request to add it
        await add_urls(update, context, urls)
    else:
        await answer_question(update, context, text)


async def ask_command(update: Update, context: TanyaContext) -> None:
    message = update.effective_message
    if message is None:
        return
    question = command_rest(message.text or "")
    if not question:
        await reply(message, t(context.language(update), "ask_usage"))
        return
    await answer_question(update, context, question)


async def answer_question(update: Update, context: TanyaContext, text: str) -> None:
    state = context.state
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    lang = context.language(update)
    decision = state.limiter.hit(user.id)
    if not decision.allowed:
        if decision.notify:
            seconds = max(1, math.ceil(decision.retry_after))
            await reply(
                message, t(lang, "rate_limited", limit=state.limiter.limit, seconds=seconds)
            )
        return
    try:
        question = validate_question(text, state.settings.max_question_chars)
    except TanyaError as exc:
        await reply(message, render.escape(str(exc)))
        return

    # One question at a time per chat, in the order they came: a follow-up sent
    # before the previous answer is out must still see that answer in the
    # history. Other chats are not held up.
    async with state.chat_lock(chat.id):
        await answer_in_turn(update, context, question, lang)


async def answer_in_turn(
    update: Update, context: TanyaContext, question: str, lang: Language
) -> None:
    """Answer with the chat's history, streaming the model's text if there is
    one, then send the checked answer and remember the exchange."""
    state = context.state
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    history = state.store.history(chat.id, state.settings.history_turns)
    stream = StreamingReply(context.bot, chat.id, message.message_id, state.stream_interval)
    ask = partial(state.answerer.ask, question, history=history, on_token=stream.on_token)
    answer: Answer | None = None
    try:
        async with typing(context.bot, chat.id):
            answer = await state.off_loop(context.application, ask)
    except Abandoned:
        log.warning("abandoned an answer in chat %s: the bot is shutting down", chat.id)
    finally:
        preview = await stream.close()
    if answer is None:
        sorry = render.escape(t(lang, "shutting_down"))
        await send_parts(context.bot, chat.id, message.message_id, [sorry], None, preview)
        return

    parts = render.render_answer(answer, lang)
    keyboard = render.source_keyboard(answer.citations, lang)
    # Remembered before it is sent: a "/sources" sent as soon as the answer
    # arrives may be handled while the answer's last part is still being
    # sent, and found no answer in the chat (seen in CI).
    remember(state, chat.id, question, answer)
    await send_parts(context.bot, chat.id, message.message_id, parts, keyboard, preview)


def remember(state: BotState, chat_id: int, question: str, answer: Answer) -> None:
    state.store.add_turn(chat_id, Turn(question, answer.answer), state.settings.history_turns)
    passages: list[dict[str, Any]] = [
        {
            "n": p.n,
            "article_id": p.article_id,
            "title": p.title,
            "date": p.date,
            "source": p.source,
            "url": p.url,
            "text": p.text[:1000],
        }
        for p in answer.passages
    ] or [
        {
            "n": c.n,
            "article_id": c.article_id,
            "title": c.title,
            "date": c.date,
            "source": c.source,
            "url": c.url,
            "text": c.quote[:1000],
        }
        for c in answer.citations
    ]
    state.store.set_last_answer(chat_id, question, passages)


async def quote_button(update: Update, context: TanyaContext) -> None:
    """A source button under an answer: show that source's quoted passage."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    state = context.state
    lang = context.language(update)
    parsed = render.parse_quote_callback(query.data)
    chunk = None
    if parsed is not None:
        n, chunk_id = parsed
        chunk = state.index.chunk(chunk_id)
    if parsed is None or chunk is None:
        await query.answer(t(lang, "source_gone"), show_alert=True)
        return
    await query.answer()
    text = render.render_quote(n, chunk.title, chunk.date, chunk.source, chunk.url, chunk.text)
    chat = update.effective_chat
    if chat is None:
        return
    origin = query.message.message_id if query.message else None
    await context.bot.send_message(
        chat.id,
        text,
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_parameters=ReplyParameters(origin, allow_sending_without_reply=True)
        if origin
        else None,
    )
