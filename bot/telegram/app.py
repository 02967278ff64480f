"""Build the bot's `Application`: its handlers, its state (`state.py`), the
command menu, and what happens at start and shutdown."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from retrieval.core import Settings
from retrieval.errors import TanyaError
from retrieval.store import ArticleIndex

from . import admin_add, commands, guards, questions
from .follow import close_following, follow_command, setup_following, unfollow_command
from .i18n import ADMIN_COMMANDS, COMMANDS
from .ratelimit import FloodWaitRetry, SlidingWindowLimiter
from .redaction import redact_settings
from .state import CONTEXT_TYPES, STATE_KEY, AnswererLike, AnyApplication, BotState
from .store import ChatStore

log = logging.getLogger(__name__)


class MissingTokenError(TanyaError, ValueError):
    """No `TELEGRAM_BOT_TOKEN` configured."""


def bot_token(settings: Settings) -> str:
    token = (
        settings.telegram_bot_token.get_secret_value().strip()
        if settings.telegram_bot_token
        else ""
    )
    if not token:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set")
    return token


def build_application(
    settings: Settings,
    index: ArticleIndex,
    answerer: AnswererLike,
    *,
    concurrent_updates: int = 64,
    answer_workers: int = 8,
    stream_interval: float = 1.0,
    shutdown_grace: float = 10.0,
) -> AnyApplication:
    """The bot, ready for `run_polling`/`run_webhook` (or start/stop in tests).

    `concurrent_updates` bounds how many messages are handled at once;
    `answer_workers` how many answers are computed at once (threads: the
    answerer is thread-safe, and an LLM answer mostly waits on the network).
    """
    token = bot_token(settings)
    # Before the bot exists: PTB logs its API URL, token included, on creation.
    redact_settings(settings)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .context_types(CONTEXT_TYPES)  # handlers get a `TanyaContext`
        .concurrent_updates(concurrent_updates)
        .rate_limiter(FloodWaitRetry())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[STATE_KEY] = BotState(
        settings=settings,
        index=index,
        answerer=answerer,
        store=ChatStore(settings.data_dir / "telegram.sqlite3"),
        limiter=SlidingWindowLimiter(settings.rate_limit_per_minute, window=60.0),
        executor=ThreadPoolExecutor(answer_workers, thread_name_prefix="tanya-answer"),
        stream_interval=stream_interval,
        shutdown_grace=shutdown_grace,
    )
    add_handlers(application)
    setup_following(application)  # /follow, /unfollow and the poll job
    return application


def add_handlers(application: AnyApplication) -> None:
    new = filters.UpdateType.MESSAGE  # edits of old messages are not new questions
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    text = filters.TEXT & ~filters.COMMAND

    # Group -1 runs first: chats outside TANYA_ALLOWED_CHATS stop here.
    application.add_handler(TypeHandler(Update, guards.gate), group=-1)
    application.add_handlers(
        [
            CommandHandler(("start", "help"), commands.help_command, filters=new),
            CommandHandler("ask", questions.ask_command, filters=new),
            CommandHandler("sources", commands.sources_command, filters=new),
            CommandHandler("reset", commands.reset_command, filters=new),
            CommandHandler("stats", commands.stats_command, filters=new),
            CommandHandler("add", admin_add.add_command, filters=new),
            CommandHandler("lang", commands.lang_command, filters=new),
            CommandHandler("follow", follow_command, filters=new),
            CommandHandler("unfollow", unfollow_command, filters=new),
            MessageHandler(new & private & text, questions.private_text),
            MessageHandler(new & private & filters.COMMAND, commands.unknown_command),
            MessageHandler(new & groups & text, questions.group_text),
            MessageHandler(new & filters.Document.ALL, admin_add.document_message),
            CallbackQueryHandler(questions.quote_button, pattern=r"^q:"),
        ]
    )
    application.add_error_handler(guards.on_error)


async def _post_init(application: AnyApplication) -> None:
    await set_menu_commands(application)
    log.info("tanya bot @%s is running", application.bot.username)


async def set_menu_commands(application: AnyApplication) -> None:
    """The command menu, in Indonesian and English; `/add` only in admins' chats.

    A menu that could not be set is logged, not fatal: the bot answers anyway.
    """
    bot = application.bot
    state: BotState = application.bot_data[STATE_KEY]

    def menu(entries: Sequence[tuple[str, str, str]], lang: int) -> list[BotCommand]:
        return [BotCommand(entry[0], entry[lang]) for entry in entries]

    everyone = COMMANDS
    admins = COMMANDS[:-1] + ADMIN_COMMANDS + COMMANDS[-1:]
    try:
        await bot.set_my_commands(menu(everyone, 1))
        await bot.set_my_commands(menu(everyone, 2), language_code="en")
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    for admin_id in state.settings.admin_ids:
        try:
            scope = BotCommandScopeChat(admin_id)
            await bot.set_my_commands(menu(admins, 1), scope=scope)
            await bot.set_my_commands(menu(admins, 2), scope=scope, language_code="en")
        except TelegramError as exc:
            # Usually: that admin has not opened a chat with the bot yet.
            log.warning("could not show /add in the menu of admin %s: %s", admin_id, exc)


async def _post_shutdown(application: AnyApplication) -> None:
    state: BotState = application.bot_data[STATE_KEY]
    # Abandoned answers keep their threads until they finish; nobody waits for them.
    state.executor.shutdown(wait=False, cancel_futures=True)
    state.store.close()
    close_following(application)
    log.info("tanya bot stopped")
