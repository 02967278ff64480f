"""The bot's handlers. Each is short: it decides what the message asks for,
calls `retrieval` off the event loop, and sends what `render` made of it."""

from __future__ import annotations

import asyncio
import logging
import math
import re
import tempfile
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    Document,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from retrieval.answer import Answer, Turn
from retrieval.core import LoadFailure, RawArticle
from retrieval.ingest import AddReport, add_inputs, add_raw_articles, iter_inputs, make_fetcher
from retrieval.text import QuestionError, validate_question

from . import render
from .i18n import LANGS, Lang, lang_from_code, number, t
from .state import Abandoned, BotState, get_state

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".jsonl")
# Any scheme, not only http(s): a `file://` or `ftp://` link is still a request
# to add something, and deserves the fetcher's refusal with its reason rather
# than being taken for a question or an article's text.
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_COMMAND_PREFIX = re.compile(r"^/\w+(?:@\w+)?[ \t]*\n?")
_TYPING_EVERY = 4.5  # seconds; Telegram shows "typing…" for about 5
_MAX_REPORT_ITEMS = 20
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# --- small helpers ----------------------------------------------------------------------------------
def user_lang(state: BotState, update: Update) -> Lang:
    """The user's `/lang` choice, else their Telegram language."""
    user = update.effective_user
    if user is None:
        return "id"
    return state.store.lang(user.id) or lang_from_code(user.language_code)


def only_urls(text: str) -> list[str] | None:
    """The URLs, when the text is nothing but URLs; else None."""
    words = text.split()
    if words and all(_URL.fullmatch(w) for w in words):
        return words
    return None


def command_rest(text: str) -> str:
    """What follows `/cmd` or `/cmd@bot`, newlines kept (for pasted articles)."""
    return _COMMAND_PREFIX.sub("", text, count=1).strip()


def addressed_text(message: Message, bot: Bot) -> str | None:
    """In a group: the text with the bot's @mention removed, when the message is
    meant for the bot (it mentions the bot or replies to it); else None."""
    text = message.text or message.caption or ""
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    entities = (
        message.parse_entities(kinds) if message.text else message.parse_caption_entities(kinds)
    )
    mention = f"@{bot.username}".lower()
    mentioned = False
    for entity, value in entities.items():
        if value.lower() == mention or (entity.user is not None and entity.user.id == bot.id):
            mentioned = True
            text = text.replace(value, " ")
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
    )
    return " ".join(text.split()) if mentioned or to_bot else None


async def reply(message: Message, html: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    return await message.reply_html(
        html, reply_markup=markup, link_preview_options=_NO_PREVIEW, do_quote=True
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
                    link_preview_options=_NO_PREVIEW,
                )
            else:
                await self.message.edit_text(preview, link_preview_options=_NO_PREVIEW)
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
                    link_preview_options=_NO_PREVIEW,
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
                link_preview_options=_NO_PREVIEW,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if i == 0
                else None,
            )
        )
    return sent


# --- the gate ---------------------------------------------------------------------------------------
async def gate(update: Update, context: Context) -> None:
    """Runs before every handler: with `TANYA_ALLOWED_CHATS` set, other chats get
    no answer (except an admin in their own private chat)."""
    state = get_state(context)
    allowed = state.settings.allowed_chats
    chat = update.effective_chat
    if not allowed or chat is None or chat.id in allowed:
        return
    user = update.effective_user
    if chat.type == ChatType.PRIVATE and user is not None and state.is_admin(user.id):
        return
    message = update.message
    if chat.type == ChatType.PRIVATE and message and (message.text or "").startswith("/start"):
        await reply(message, t(user_lang(state, update), "not_allowed"))
    log.info("ignored an update from chat %s (not in TANYA_ALLOWED_CHATS)", chat.id)
    raise ApplicationHandlerStop


# --- questions ----------------------------------------------------------------------------------------
async def private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    await question_or_urls(update, context, message.text)


async def group_text(update: Update, context: Context) -> None:
    """In a group the bot speaks only when spoken to: a mention or a reply."""
    message = update.effective_message
    if message is None:
        return
    text = addressed_text(message, context.bot)
    if text is None:
        return
    if not text:
        await reply(message, t(user_lang(get_state(context), update), "ask_usage"))
        return
    await question_or_urls(update, context, text)


async def question_or_urls(update: Update, context: Context, text: str) -> None:
    urls = only_urls(text)
    if urls:  # a bare link is a request to add it
        await add_urls(update, context, urls)
    else:
        await answer_question(update, context, text)


async def ask_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    question = command_rest(message.text or "")
    if not question:
        await reply(message, t(user_lang(get_state(context), update), "ask_usage"))
        return
    await answer_question(update, context, question)


async def answer_question(update: Update, context: Context, text: str) -> None:
    state = get_state(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    lang = user_lang(state, update)
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
    except QuestionError as exc:
        await reply(message, render.escape(str(exc)))
        return

    # One question at a time per chat, in the order they came: a follow-up sent
    # before the previous answer is out must still see that answer in the
    # history. Other chats are not held up.
    async with state.chat_lock(chat.id):
        await answer_in_turn(update, context, question, lang)


async def answer_in_turn(update: Update, context: Context, question: str, lang: Lang) -> None:
    """Answer with the chat's history, streaming the model's text if there is
    one, then send the checked answer and remember the exchange."""
    state = get_state(context)
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
    await send_parts(context.bot, chat.id, message.message_id, parts, keyboard, preview)
    remember(state, chat.id, question, answer)


def remember(state: BotState, chat_id: int, question: str, answer: Answer) -> None:
    state.answered += 1
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


async def quote_button(update: Update, context: Context) -> None:
    """A source button under an answer: show that source's quoted passage."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    state = get_state(context)
    lang = user_lang(state, update)
    parsed = render.parse_quote_callback(query.data)
    chunk = None
    if parsed is not None:
        n, chunk_id = parsed
        chunk = state.index.catalog.chunks_by_id([chunk_id]).get(chunk_id)
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
        link_preview_options=_NO_PREVIEW,
        reply_parameters=ReplyParameters(origin, allow_sending_without_reply=True)
        if origin
        else None,
    )


# --- other commands ----------------------------------------------------------------------------------
async def help_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(get_state(context), update)
    await reply(message, t(lang, "help", username=render.escape(context.bot.username or "")))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have, in a private chat (in groups it may be another bot's)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0][:64]
    lang = user_lang(get_state(context), update)
    await reply(message, t(lang, "unknown_command", command=render.escape(command)))


async def reset_command(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    state = get_state(context)
    state.store.reset(chat.id)
    await reply(message, t(user_lang(state, update), "reset_done"))


async def sources_command(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    state = get_state(context)
    lang = user_lang(state, update)
    last = state.store.last_answer(chat.id)
    if last is None or not last[1]:
        await reply(message, t(lang, "no_last_answer"))
        return
    for part in render.render_passages(last[0], last[1], lang):
        await reply(message, part)


async def stats_command(update: Update, context: Context) -> None:
    from .follow import stats_addition  # the followed sources

    message = update.effective_message
    if message is None:
        return
    state = get_state(context)
    lang = user_lang(state, update)
    data = await state.off_loop(context.application, state.index.stats)
    outlets = data.get("sources") or {}
    assert isinstance(outlets, dict)
    top = sorted(outlets.items(), key=lambda kv: kv[1], reverse=True)[:10]
    sources = ", ".join(f"{render.escape(str(s))} ({n})" for s, n in top) or "-"
    await reply(
        message,
        t(
            lang,
            "stats",
            articles=data.get("articles", 0),
            chunks=data.get("chunks", 0),
            embedder=render.escape(str(data.get("embedder", ""))),
            sources=sources,
        )
        + stats_addition(context.application, lang),
    )


async def lang_command(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    state = get_state(context)
    choice = command_rest(message.text or "").lower()
    if choice in LANGS:
        lang: Lang = "en" if choice == "en" else "id"
        state.store.set_lang(user.id, lang)
        await reply(message, t(lang, "lang_set"))
    elif choice == "auto":
        state.store.set_lang(user.id, None)
        await reply(message, t(user_lang(state, update), "lang_auto"))
    else:
        lang = user_lang(state, update)
        await reply(message, t(lang, "lang_usage", current=lang))


# --- adding articles (admins) ------------------------------------------------------------------------
async def admin_only(update: Update, context: Context) -> BotState | None:
    """The state, when the sender is an admin; else a polite refusal and None."""
    state = get_state(context)
    user, message = update.effective_user, update.effective_message
    if user is not None and state.is_admin(user.id):
        return state
    if message is not None:
        await reply(message, t(user_lang(state, update), "not_admin"))
    log.info("refused an add from non-admin user %s", user.id if user else None)
    return None


async def add_command(update: Update, context: Context) -> None:
    """`/add URL…`, `/add` + title line + text, or `/add` in reply to a message or file."""
    message = update.effective_message
    if message is None or (state := await admin_only(update, context)) is None:
        return
    rest = command_rest(message.text or "")
    replied = message.reply_to_message
    if not rest and replied is not None:
        if replied.document is not None:
            await add_document(update, context, replied.document)
            return
        rest = (replied.text or replied.caption or "").strip()
    if not rest:
        await reply(message, t(user_lang(state, update), "add_usage"))
        return
    urls = only_urls(rest)
    if urls:
        await add_urls(update, context, urls)
        return
    title, _, body = rest.partition("\n")
    if not body.strip():
        await reply(message, t(user_lang(state, update), "add_needs_body"))
        return
    chat_id = update.effective_chat.id if update.effective_chat else 0
    article = RawArticle(
        title=title.strip(), body=body.strip(), origin=f"telegram:{chat_id}/{message.message_id}"
    )
    await run_add(update, context, partial(add_raw_articles, state.index, [article]))


async def add_urls(update: Update, context: Context, urls: list[str]) -> None:
    if (state := await admin_only(update, context)) is None:
        return
    # Chat URLs never reach loopback, private or link-local hosts: the server's
    # own network is not the user's to explore.
    await run_add(update, context, partial(add_inputs, state.index, urls, allow_private=False))


async def document_message(update: Update, context: Context) -> None:
    """A file: added when an admin sends it privately, or in a group with a
    caption that mentions the bot or starts with /add."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.document is None:
        return
    if chat.type != ChatType.PRIVATE:
        caption = message.caption or ""
        if not caption.startswith("/add") and addressed_text(message, context.bot) is None:
            return
    if await admin_only(update, context) is None:
        return
    await add_document(update, context, message.document)


async def add_document(update: Update, context: Context, document: Document) -> None:
    state = get_state(context)
    message = update.effective_message
    assert message is not None
    lang = user_lang(state, update)
    name = Path(document.file_name or "document.txt").name
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        await reply(message, t(lang, "document_type", name=render.escape(name)))
        return
    limit = state.settings.fetch_max_bytes

    def too_big(size: int) -> str:
        return t(
            lang,
            "document_too_big",
            name=render.escape(name),
            size=_size(size, lang),
            limit=_size(limit, lang),
        )

    # Telegram states the size: a file over the limit is refused before it is downloaded.
    if document.file_size is not None and document.file_size > limit:
        await reply(message, too_big(document.file_size))
        return
    tg_file = await context.bot.get_file(document.file_id)
    data = bytes(await tg_file.download_as_bytearray())
    if len(data) > limit:
        await reply(message, too_big(len(data)))
        return
    await run_add(update, context, partial(_add_file_bytes, state, name, suffix, data))


def _size(n: int, lang: Lang) -> str:
    """Bytes for people: 1.2 MB, 340 kB (a limit of 5000 bytes is not "0.0 MB");
    "1,2 MB" in Indonesian."""
    if n >= 1_000_000:
        return f"{number(lang, n / 1e6, 1)} MB"
    return f"{number(lang, max(n, 1) / 1e3, 1)} kB"


def _add_file_bytes(state: BotState, name: str, suffix: str, data: bytes) -> AddReport:
    """Load a file sent in chat; its articles' origin names the file, not a temp path."""
    safe = re.sub(r"[^\w.-]+", "_", Path(name).stem)[:80].strip("._") or "upload"
    with tempfile.TemporaryDirectory(prefix="tanya-tg-") as tmp:
        path = Path(tmp) / f"{safe}{suffix}"
        path.write_bytes(data)
        settings = state.settings

        def renamed() -> Any:
            fetch = make_fetcher(settings, allow_private=False)
            for entry in iter_inputs([str(path)], fetch=fetch, max_bytes=settings.fetch_max_bytes):
                entry.origin = entry.origin.replace(str(path), f"telegram:{name}")
                if isinstance(entry, RawArticle):
                    entry.path = None  # a temp file: the article is known by its content
                if isinstance(entry, LoadFailure):
                    entry.reason = entry.reason.replace(str(path), name)
                yield entry

        return add_raw_articles(state.index, renamed())


async def run_add(update: Update, context: Context, add: partial[AddReport]) -> None:
    state = get_state(context)
    message = update.effective_message
    assert message is not None
    lang = user_lang(state, update)
    progress = await reply(message, t(lang, "adding"))
    async with state.ingest_lock, typing(context.bot, message.chat_id):
        report = await state.off_loop(context.application, add)
    log.info("added from chat %s: %s", message.chat_id, report.summary())
    parts = render.pack(report_blocks(report, lang))
    await send_parts(context.bot, message.chat_id, message.message_id, parts, None, progress)


def report_blocks(report: AddReport, lang: Lang) -> list[render.Block]:
    marks = {"added": "✅", "updated": "♻️", "unchanged": "▫️", "failed": "❌"}
    blocks = [render.plain(t(lang, "add_summary", **report.summary()))]
    for item in report.items[:_MAX_REPORT_ITEMS]:
        label = f"{marks[item.status]} {t(lang, f'status_{item.status}')}: "
        what = item.title or item.origin
        blocks.append(render.plain("\n"))
        line = [render.plain(label), render.wrapped("b", what[:200])]
        if item.status == "failed":
            line.append(render.plain(f" — {(item.reason or '')[:500]}"))
        blocks.append(render.join(*line))
    hidden = len(report.items) - _MAX_REPORT_ITEMS
    if hidden > 0:
        blocks.append(render.plain("\n" + t(lang, "more_items", n=hidden)))
    return blocks


# --- errors ---------------------------------------------------------------------------------------------
async def on_error(update: object, context: Context) -> None:
    """Log what failed, with where; tell the user briefly. Never raises."""
    chat_id = user_id = update_id = None
    if isinstance(update, Update):
        update_id = update.update_id
        chat_id = update.effective_chat.id if update.effective_chat else None
        user_id = update.effective_user.id if update.effective_user else None
    key = "error"
    if isinstance(context.error, Abandoned):
        # Not a fault: the bot is stopping and an add (or /stats) did not finish in time.
        log.warning("abandoned update %s (chat %s): the bot is shutting down", update_id, chat_id)
        key = "shutting_down"
    else:
        log.error(
            "error handling update %s (chat %s, user %s)",
            update_id,
            chat_id,
            user_id,
            exc_info=context.error,
        )
    if isinstance(update, Update) and update.effective_message is not None:
        with suppress(Exception):
            lang = user_lang(get_state(context), update)
            await reply(update.effective_message, t(lang, key))
