"""The commands that are neither questions nor adds: /help (and /start),
/reset, /sources, /stats, /lang, and a command the bot does not have."""

from __future__ import annotations

from telegram import Update

from retrieval.text import Language

from . import render
from .i18n import LANGS, t
from .incoming import command_rest
from .messaging import reply
from .state import TanyaContext


async def help_command(update: Update, context: TanyaContext) -> None:
    message = update.effective_message
    if message is None:
        return
    lang = context.language(update)
    await reply(message, t(lang, "help", username=render.escape(context.bot.username or "")))


async def unknown_command(update: Update, context: TanyaContext) -> None:
    """A command the bot does not have, in a private chat (in groups it may be another bot's)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0][:64]
    lang = context.language(update)
    await reply(message, t(lang, "unknown_command", command=render.escape(command)))


async def reset_command(update: Update, context: TanyaContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    state = context.state
    state.store.reset(chat.id)
    await reply(message, t(context.language(update), "reset_done"))


async def sources_command(update: Update, context: TanyaContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    state = context.state
    lang = context.language(update)
    last = state.store.last_answer(chat.id)
    if last is None or not last[1]:
        await reply(message, t(lang, "no_last_answer"))
        return
    for part in render.render_passages(last[0], last[1], lang):
        await reply(message, part)


async def stats_command(update: Update, context: TanyaContext) -> None:
    from .follow import stats_addition  # the followed sources

    message = update.effective_message
    if message is None:
        return
    state = context.state
    lang = context.language(update)
    data = await state.off_loop(context.application, state.index.stats)
    outlets = data.get("sources") or {}
    assert isinstance(outlets, dict)
    top = sorted(outlets.items(), key=lambda kv: kv[1], reverse=True)[:10]
    sources = ", ".join(f"{render.escape(str(s))} ({n})" for s, n in top) or "-"
    # Articles just added, found by their words while their vectors are made.
    waiting_articles = int(str(data.get("articles_waiting_for_vectors") or 0))
    waiting = (
        t(
            lang,
            "stats_waiting",
            articles=waiting_articles,
            chunks=int(str(data.get("chunks_waiting_for_vectors") or 0)),
        )
        if waiting_articles
        else ""
    )
    # Passages whose sentences have no stored vectors yet (`tanya add` makes
    # them last): answers over them embed those sentences, a little slower.
    sentences_waiting = int(str(data.get("chunks_waiting_for_sentence_vectors") or 0))
    if sentences_waiting:
        waiting += t(lang, "stats_sentences_waiting", chunks=sentences_waiting)
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
        + waiting
        + stats_addition(context.application, lang),
    )


async def lang_command(update: Update, context: TanyaContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    state = context.state
    choice = command_rest(message.text or "").lower()
    if choice in LANGS:
        lang: Language = "en" if choice == "en" else "id"
        state.store.set_lang(user.id, lang)
        await reply(message, t(lang, "lang_set"))
    elif choice == "auto":
        state.store.set_lang(user.id, None)
        await reply(message, t(context.language(update), "lang_auto"))
    else:
        lang = context.language(update)
        await reply(message, t(lang, "lang_usage", current=lang))
