"""Reading a message: is it only links, what follows a command, and in a
group, the text meant for the bot."""

from __future__ import annotations

import re

from telegram import Bot, Message, MessageEntity

# Any scheme, not only http(s): a `file://` or `ftp://` link is still a request
# to add something, and deserves the fetcher's refusal with its reason rather
# than being taken for a question or an article's text.
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_COMMAND_PREFIX = re.compile(r"^/\w+(?:@\w+)?[ \t]*\n?")


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
