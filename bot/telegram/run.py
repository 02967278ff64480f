"""`tanya bot`: run the Telegram bot until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from bot.cli_common import err, load_settings, opened_index, seed_if_empty, shown
from retrieval.core import Settings

from .redaction import redact

# python-telegram-bot and the answer chain load when the bot starts, not
# with every `tanya` command (see cli_common).
if TYPE_CHECKING:
    from .state import AnyApplication

log = logging.getLogger(__name__)

_NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather in Telegram (/newbot), "
    "then put its token in .env as TELEGRAM_BOT_TOKEN=123456:ABC... (see .env.example)."
)
_BAD_TOKEN = (
    "Telegram rejected TELEGRAM_BOT_TOKEN ({base}). Copy the token again from @BotFather "
    "(/mybots → your bot → API Token); if it was revoked, generate a new one there."
)


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class ConciseNetworkErrors(logging.Filter):
    """python-telegram-bot logs every failed network call with its whole
    traceback: ~90 lines when Telegram is unreachable at start, before the
    bot's own one-line error, and again on every failed poll. A network
    error needs no traceback to be understood, so the record keeps its
    message plus the error's one line. Installed on the root handlers, except
    at DEBUG, where the whole traceback is what the user asked for."""

    def filter(self, record: logging.LogRecord) -> bool:
        from telegram.error import NetworkError

        error = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("telegram") and isinstance(error, NetworkError):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def bot(
    webhook: Annotated[
        bool | None,
        typer.Option(
            "--webhook/--polling",
            help="Receive updates by webhook (needs TANYA_WEBHOOK_URL) or long polling. "
            "Default: webhook when TANYA_WEBHOOK_URL is set, else polling.",
        ),
    ] = None,
    log_level: Annotated[
        LogLevel, typer.Option(case_sensitive=False, help="How much the bot logs.")
    ] = LogLevel.INFO,
) -> None:
    """Run the Telegram bot: answers questions with cited sources; admins add articles.

    Needs TELEGRAM_BOT_TOKEN (from @BotFather) in .env or the environment.
    Stops cleanly on Ctrl-C or SIGTERM. Exit code 2 when the token is missing
    or rejected, 1 when Telegram cannot be reached.
    """
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from .app import bot_token, build_application

    settings = load_settings()
    try:
        bot_token(settings)  # only to say early that it is missing
    except ValueError:
        err.print(f"[red]error:[/] {_NO_TOKEN}")
        raise typer.Exit(2) from None
    use_webhook = bool(settings.webhook_url) if webhook is None else webhook
    if use_webhook:
        check_webhook_setup(settings)

    # load_settings() has made every secret setting (the token, the webhook
    # secret, provider keys) redacted from everything logged from here on.
    root = logging.getLogger()
    root.setLevel(log_level.value)
    if log_level is not LogLevel.DEBUG:
        for handler in root.handlers:
            handler.addFilter(ConciseNetworkErrors())

    from retrieval.store import concurrent_embedder

    # Answers are computed in parallel: one single-threaded model per core.
    embedder = concurrent_embedder(settings.embedder, settings.embed_threads)
    with opened_index(settings, embedder) as index:
        # The bot is the index's writer while it runs: another process writing
        # to the embedded store meanwhile would corrupt it (retrieval/store/locking.py).
        index.hold_write_lock()
        seed_if_empty(index)
        from retrieval.answer import Answerer  # the LLM stack is heavy: load it only here

        application = build_application(settings, index, Answerer(index, settings))
        # A fresh loop: PTB closes the one it runs on, and the bot may be run twice
        # in one process (tests).
        asyncio.set_event_loop(asyncio.new_event_loop())
        try:
            if use_webhook:
                run_webhook(application, settings)
            else:
                log.info("receiving updates by long polling from %s", settings.telegram_base_url)
                application.run_polling(allowed_updates=Update.ALL_TYPES)
        except InvalidToken:
            err.print(f"[red]error:[/] {shown(_BAD_TOKEN.format(base=settings.telegram_base_url))}")
            raise typer.Exit(2) from None
        except NetworkError as exc:
            err.print(
                f"[red]error:[/] could not reach Telegram at "
                f"{shown(settings.telegram_base_url)}: {shown(redact(str(exc)))}. "
                "Check the network (or TANYA_TELEGRAM_BASE_URL)."
            )
            raise typer.Exit(1) from None
        except TelegramError as exc:
            err.print(
                f"[red]error:[/] Telegram refused to start the bot: {shown(redact(str(exc)))}"
            )
            raise typer.Exit(1) from None


def check_webhook_setup(settings: Settings) -> None:
    if not settings.webhook_url:
        err.print(
            "[red]error:[/] --webhook needs TANYA_WEBHOOK_URL, the public https URL that "
            "your reverse proxy forwards to this bot."
        )
        raise typer.Exit(2)
    if importlib.util.find_spec("tornado") is None:
        err.print(
            "[red]error:[/] webhook mode needs python-telegram-bot's webhook server: "
            # Escaped: rich would take "[webhooks]" for a style and print `pip install 'tanya'`.
            + shown("pip install 'tanya[webhooks]'")
        )
        raise typer.Exit(2)


def webhook_path(url: str) -> str:
    """The path the local server listens on: the public URL's path, so a proxy
    can forward `https://example.org/tanya/hook` to `http://127.0.0.1:8443/tanya/hook`."""
    return urlsplit(url).path.strip("/")


def run_webhook(application: AnyApplication, settings: Settings) -> None:
    from telegram import Update

    url = settings.webhook_url or ""
    log.info(
        "receiving updates by webhook at %s (listening on %s:%s)",
        url,
        settings.webhook_listen,
        settings.webhook_port,
    )
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=webhook_path(url),
        webhook_url=url,
        secret_token=settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else None,
        allowed_updates=Update.ALL_TYPES,
    )
