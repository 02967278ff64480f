"""What every update passes: the allowed-chats gate before any handler, and
the error handler after a failed one."""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from .i18n import t
from .messaging import reply
from .state import Abandoned, TanyaContext

log = logging.getLogger(__name__)


async def gate(update: Update, context: TanyaContext) -> None:
    """Runs before every handler: with `TANYA_ALLOWED_CHATS` set, other chats get
    no answer (except an admin in their own private chat)."""
    state = context.state
    allowed = state.settings.allowed_chats
    chat = update.effective_chat
    if not allowed or chat is None or chat.id in allowed:
        return
    user = update.effective_user
    if chat.type == ChatType.PRIVATE and user is not None and state.is_admin(user.id):
        return
    message = update.message
    if chat.type == ChatType.PRIVATE and message and (message.text or "").startswith("/start"):
        await reply(message, t(context.language(update), "not_allowed"))
    log.info("ignored an update from chat %s (not in TANYA_ALLOWED_CHATS)", chat.id)
    raise ApplicationHandlerStop


async def on_error(update: object, context: TanyaContext) -> None:
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
            lang = context.language(update)
            await reply(update.effective_message, t(lang, key))
