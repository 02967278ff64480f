"""Admins adding articles from the chat: links, `/add` with pasted text, and
files (written to a temporary folder only while they are loaded)."""

from __future__ import annotations

import logging
import re
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from telegram import Document, Update
from telegram.constants import ChatType

from retrieval.core import LoadFailure, RawArticle
from retrieval.ingest import AddReport, add_inputs, add_raw_articles, iter_inputs, make_fetcher
from retrieval.text import Language

from . import render
from .i18n import number, t
from .incoming import addressed_text, command_rest, only_urls
from .messaging import reply, send_parts, typing
from .reports import report_blocks
from .state import BotState, TanyaContext

log = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".jsonl")


async def admin_only(update: Update, context: TanyaContext) -> BotState | None:
    """The state, when the sender is an admin; else a polite refusal and None."""
    state = context.state
    user, message = update.effective_user, update.effective_message
    if user is not None and state.is_admin(user.id):
        return state
    if message is not None:
        await reply(message, t(context.language(update), "not_admin"))
    log.info("refused an add from non-admin user %s", user.id if user else None)
    return None


async def add_command(update: Update, context: TanyaContext) -> None:
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
        await reply(message, t(context.language(update), "add_usage"))
        return
    urls = only_urls(rest)
    if urls:
        await add_urls(update, context, urls)
        return
    title, _, body = rest.partition("\n")
    if not body.strip():
        await reply(message, t(context.language(update), "add_needs_body"))
        return
    chat_id = update.effective_chat.id if update.effective_chat else 0
    article = RawArticle(
        title=title.strip(), body=body.strip(), origin=f"telegram:{chat_id}/{message.message_id}"
    )
    await run_add(update, context, partial(add_raw_articles, state.index, [article], embed=False))


async def add_urls(update: Update, context: TanyaContext, urls: list[str]) -> None:
    if (state := await admin_only(update, context)) is None:
        return
    # Chat URLs never reach loopback, private or link-local hosts: the server's
    # own network is not the user's to explore.
    await run_add(
        update, context, partial(add_inputs, state.index, urls, allow_private=False, embed=False)
    )


async def document_message(update: Update, context: TanyaContext) -> None:
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


async def add_document(update: Update, context: TanyaContext, document: Document) -> None:
    state = context.state
    message = update.effective_message
    assert message is not None
    lang = context.language(update)
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


def _size(n: int, lang: Language) -> str:
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

        return add_raw_articles(state.index, renamed(), embed=False)


async def run_add(update: Update, context: TanyaContext, add: partial[AddReport]) -> None:
    state = context.state
    message = update.effective_message
    assert message is not None
    lang = context.language(update)
    progress = await reply(message, t(lang, "adding"))
    # Stored only (found by their words at once); the reply does not wait for
    # the embedder: the vectors follow in the background.
    try:
        async with state.ingest_lock, typing(context.bot, message.chat_id):
            report = await state.off_loop(context.application, add)
    finally:
        state.embed_in_background(context.application)
    log.info("added from chat %s: %s", message.chat_id, report.summary())
    parts = render.pack(report_blocks(report, lang))
    await send_parts(context.bot, message.chat_id, message.message_id, parts, None, progress)
