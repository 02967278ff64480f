"""A loopback Telegram Bot API server for testing the bot through python-telegram-bot.

The bot under test is built exactly as in production, only pointed here with
``ApplicationBuilder().base_url(server.base_url).base_file_url(server.base_file_url)``.
PTB then long-polls ``getUpdates`` and calls ``sendMessage`` & co. over real
HTTP. The server keeps the chat state Telegram would keep (message ids per
chat, who sent what, what was edited or deleted, pending updates and their
offsets) and rejects what Telegram rejects (bad HTML, over-long text,
no-op edits, oversized callback data, ...) with Telegram's own error texts, so
a test fails where production would.

Tests drive it by pushing updates (:meth:`TelegramServer.message`,
:meth:`TelegramServer.callback`, :meth:`TelegramServer.push_update`) and
inspect the bot's behaviour through :attr:`TelegramServer.calls` and
:meth:`TelegramServer.sent_messages`.

Wire format, as PTB 22 sends it: parameters are form fields (multipart when a
file is uploaded), with ``str`` values sent raw and everything else
JSON-encoded (``chat_id=42``, ``reply_markup={"inline_keyboard": ...}``,
``disable_notification=true``). A JSON body and query-string parameters are
accepted too, as Telegram does.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import hashlib
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.servers import Exchange, LoopbackServer

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "Call",
    "EntityParseError",
    "SentMessage",
    "TelegramServer",
    "UploadedFile",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

DEFAULT_TOKEN = "123456:TEST-token-abcdefghijklmnop"

BOT_USER: dict[str, Any] = {
    "id": 999000,
    "is_bot": True,
    "first_name": "tanya",
    "username": "tanya_test_bot",
}

# Bot API limits (https://core.telegram.org/bots/api), counted the way Telegram counts.
MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_CHARS = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{1,}$")

_CHAT_ACTIONS = frozenset(
    (
        "typing upload_photo record_video upload_video record_voice upload_voice "
        "upload_document choose_sticker find_location record_video_note upload_video_note"
    ).split()
)

_SCOPE_TYPES = frozenset(
    (
        "default all_private_chats all_group_chats all_chat_administrators chat "
        "chat_administrators chat_member"
    ).split()
)

_BUTTON_ACTIONS = tuple(
    (
        "url callback_data web_app login_url switch_inline_query "
        "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
        "callback_game pay"
    ).split()
)

# Update kinds Telegram leaves out when allowed_updates is empty or never set.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_MESSAGE_KEYS = tuple(
    (
        "message edited_message channel_post edited_channel_post business_message "
        "edited_business_message"
    ).split()
)

# Parameters whose values PTB sends as raw strings; everything else is JSON.
# Without this list a text of "123" or "true" would be decoded to a number/bool.
_STRING_PARAMS = frozenset(
    (
        "text caption parse_mode callback_query_id file_id url secret_token language_code "
        "action inline_message_id ip_address description short_description name title query "
        "emoji business_connection_id message_effect_id custom_emoji_id document photo audio "
        "video animation voice video_note sticker thumbnail first_name last_name phone_number "
        "vcard question explanation address payload currency start_parameter next_offset"
    ).split()
)

# Method names are case-insensitive in the Bot API; calls are recorded under these.
_CANONICAL = {
    name.lower(): name
    for name in (
        "getMe getUpdates deleteWebhook setWebhook getWebhookInfo setMyCommands "
        "getMyCommands deleteMyCommands sendMessage sendDocument editMessageText "
        "editMessageReplyMarkup deleteMessage sendChatAction answerCallbackQuery getFile "
        "close logOut"
    ).split()
}


def _canonical(method: str) -> str:
    return _CANONICAL.get(method.lower(), method)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram offset and limit."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# -- errors -----------------------------------------------------------------------


class TelegramAPIError(Exception):
    """An error response: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


def _bad(description: str) -> TelegramAPIError:
    return TelegramAPIError(400, f"Bad Request: {description}")


class EntityParseError(ValueError):
    """Text could not be parsed in its parse_mode; the message is Telegram's wording."""


# -- formatted text -------------------------------------------------------------------

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_REF = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z][A-Za-z0-9]{0,31}));")
_HTML_TAGS = frozenset(
    "a b strong i em u ins s strike del span tg-spoiler tg-emoji code pre blockquote".split()
)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    match = _ENTITY_REF.match(text, pos)
    if not match:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, match.end()) if char else None
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    tag: str
    argument: str | None
    offset: int  # UTF-16 offset in the parsed text
    piece_index: int  # where the tag's content starts in the output pieces
    byte_offset: int
    language: str | None = None


def _link_entity(url: str, offset: int, length: int) -> dict[str, Any] | None:
    url = url.strip()
    if not url:
        return None
    user = re.fullmatch(r"tg://user\?id=(\d+)", url)
    if user:
        return {
            "type": "text_mention",
            "offset": offset,
            "length": length,
            "user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""},
        }
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
        url = "http://" + url  # Telegram completes scheme-less links the same way
    return {"type": "text_link", "offset": offset, "length": length, "url": url}


def parse_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Bot API HTML into (plain text, entities), or raise :class:`EntityParseError`.

    Follows Telegram's parser (tdlib's ``parse_html``): only the documented
    tags, attribute rules and error messages; ``&lt; &gt; &amp; &quot;`` and
    numeric references. Real Telegram keeps an ``&`` that starts no known
    entity as a literal character; with ``strict_entities`` (the default)
    such an ``&`` is an error instead, because the Bot API documentation says
    every ``&`` must be escaped and a stray ``&nbsp;`` reaches users verbatim.
    """

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    pieces: list[str] = []
    u16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(text)
    i = 0
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i)
            if decoded:
                pieces.append(decoded[0])
                u16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_entities:
                bad = re.match(r"&[^\s&;<]{0,32};?", text[i:])
                shown = bad.group(0) if bad else "&"
                raise EntityParseError(
                    f'Unsupported HTML entity "{shown}" at byte offset {byte_offset(i)}; '
                    'write "&" as "&amp;"'
                )
        if char != "<":
            pieces.append(char)
            u16 += utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            close = text.find(">", i)
            if close < 0:
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            name = text[i + 1 : close].strip().lower()
            i = close + 1
            top = stack[-1]
            if name and name != top.tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{top.tag}>", found "</{name}>"'
                )
            stack.pop()
            entity = _close_tag(top, u16, "".join(pieces[top.piece_index :]), stack)
            if entity:
                entities.append(entity)
            continue

        j = i
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag = text[i:j].lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
            )
        i = j
        argument: str | None = None
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            if text[i] == ">":
                break
            name_start = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attribute = text[name_start:i].lower()
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            if text[i] != "=":
                if tag == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                continue
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            if text[i] in "\"'":
                quote_char = text[i]
                i += 1
                value_chars: list[str] = []
                while i < n and text[i] != quote_char:
                    if text[i] == "&":
                        decoded = _decode_entity(text, i)
                        if decoded:
                            value_chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    value_chars.append(text[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {byte_offset(begin)}"
                    )
                i += 1
                value = "".join(value_chars)
            else:
                token_start = i
                while i < n and (text[i].isascii() and text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value = text[token_start:i].lower()
                if i >= n or (not text[i].isspace() and text[i] != ">"):
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {byte_offset(token_start)}"
                    )
            if tag == "a" and attribute == "href":
                argument = value
            elif tag == "code" and attribute == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and attribute == "emoji-id":
                argument = value
            elif tag == "blockquote" and attribute == "expandable":
                argument = "expandable"
        i += 1  # the '>'
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        stack.append(_OpenTag(tag, argument, u16, len(pieces), byte_offset(begin)))

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(pieces), entities


def _close_tag(top: _OpenTag, end: int, inner: str, stack: list[_OpenTag]) -> dict[str, Any] | None:
    length = end - top.offset
    if top.tag == "tg-emoji" and not (top.argument or "").isdigit():
        raise EntityParseError("Invalid custom emoji identifier specified")
    if length <= 0:
        return None
    if top.tag in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[top.tag], "offset": top.offset, "length": length}
    if top.tag == "a":
        return _link_entity(top.argument if top.argument is not None else inner, top.offset, length)
    if top.tag == "code":
        # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
        if stack and stack[-1].tag == "pre" and stack[-1].offset == top.offset:
            stack[-1].language = top.argument or stack[-1].language
            return None
        return {"type": "code", "offset": top.offset, "length": length}
    if top.tag == "pre":
        entity: dict[str, Any] = {"type": "pre", "offset": top.offset, "length": length}
        if top.language:
            entity["language"] = top.language
        return entity
    if top.tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        return {"type": kind, "offset": top.offset, "length": length}
    if top.tag == "tg-emoji":
        return {
            "type": "custom_emoji",
            "offset": top.offset,
            "length": length,
            "custom_emoji_id": top.argument,
        }
    raise AssertionError(top.tag)


_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "link": "TextUrl",
    "blockquote": "BlockQuote",
}


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2 into (plain text, entities), or raise :class:`EntityParseError`.

    Covers the documented syntax and, most importantly, the rule that trips
    real bots: every reserved character outside code must be escaped with a
    backslash.
    """

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    pieces: list[str] = []
    u16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(text)
    i = 0
    quote_open: _OpenTag | None = None

    def emit(char: str) -> None:
        nonlocal u16
        pieces.append(char)
        u16 += utf16_len(char)

    def toggle(kind: str, width: int) -> None:
        nonlocal i
        if stack and stack[-1].tag == kind:
            top = stack.pop()
            if u16 > top.offset:
                entities.append({"type": kind, "offset": top.offset, "length": u16 - top.offset})
        else:
            stack.append(_OpenTag(kind, None, u16, len(pieces), byte_offset(i)))
        i += width

    while i < n:
        char = text[i]
        top = stack[-1].tag if stack else None
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            if top == "pre" and text.startswith("```", i):
                opened = stack.pop()
                if u16 > opened.offset:
                    entity: dict[str, Any] = {
                        "type": "pre",
                        "offset": opened.offset,
                        "length": u16 - opened.offset,
                    }
                    if opened.language:
                        entity["language"] = opened.language
                    entities.append(entity)
                i += 3
            elif top == "code" and char == "`":
                toggle("code", 1)
            else:
                emit(char)
                i += 1
            continue
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start and (char == ">" or text.startswith("**>", i)):
            if quote_open is None:
                expandable = char != ">"
                quote_open = _OpenTag(
                    "expandable_blockquote" if expandable else "blockquote",
                    None,
                    u16,
                    len(pieces),
                    byte_offset(i),
                )
            i += 1 if char == ">" else 3
            continue
        if char == "\n" and quote_open is not None:
            nxt = text[i + 1 : i + 2]
            if nxt != ">" and not text.startswith("**>", i + 1):
                if u16 > quote_open.offset:
                    entities.append(
                        {
                            "type": quote_open.tag,
                            "offset": quote_open.offset,
                            "length": u16 - quote_open.offset,
                        }
                    )
                quote_open = None
            emit(char)
            i += 1
            continue
        if (
            quote_open is not None
            and quote_open.tag == "expandable_blockquote"
            and text.startswith("||", i)
            and text[i + 2 : i + 3] in ("", "\n")
        ):
            # "||" at the end of a line closes an expandable blockquote.
            if u16 > quote_open.offset:
                entities.append(
                    {
                        "type": quote_open.tag,
                        "offset": quote_open.offset,
                        "length": u16 - quote_open.offset,
                    }
                )
            quote_open = None
            i += 2
            continue
        if text.startswith("```", i):
            newline = text.find("\n", i + 3)
            language = None
            start = i + 3
            if newline >= 0:
                first_line = text[i + 3 : newline]
                if first_line and not any(c.isspace() for c in first_line):
                    language = first_line
                    start = newline + 1
                elif not first_line:
                    start = newline + 1
            stack.append(_OpenTag("pre", None, u16, len(pieces), byte_offset(i), language))
            i = start
            continue
        if char == "`":
            toggle("code", 1)
        elif char == "*":
            toggle("bold", 1)
        elif char == "_":
            if text.startswith("__", i):
                toggle("underline", 2)
            else:
                toggle("italic", 1)
        elif char == "~":
            toggle("strikethrough", 1)
        elif text.startswith("||", i):
            toggle("spoiler", 2)
        elif char == "[" or text.startswith("![", i):
            width = 1 if char == "[" else 2
            stack.append(_OpenTag("link", "emoji" if width == 2 else None, u16, len(pieces), 0))
            stack[-1].byte_offset = byte_offset(i)
            i += width
        elif char == "]" and top == "link":
            opened = stack.pop()
            i += 1
            url = "".join(pieces[opened.piece_index :])
            if i < n and text[i] == "(":
                close = i + 1
                url_chars: list[str] = []
                while close < n and text[close] != ")":
                    if text[close] == "\\" and close + 1 < n:
                        close += 1
                    url_chars.append(text[close])
                    close += 1
                if close >= n:
                    raise EntityParseError(
                        f"Can't find end of a url at byte offset {byte_offset(i)}"
                    )
                url = "".join(url_chars)
                i = close + 1
            length = u16 - opened.offset
            if length > 0 and opened.argument == "emoji":
                emoji_id = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if not emoji_id:
                    raise EntityParseError("Custom emoji URL must have an emoji identifier")
                entities.append(
                    {
                        "type": "custom_emoji",
                        "offset": opened.offset,
                        "length": length,
                        "custom_emoji_id": emoji_id.group(1),
                    }
                )
            elif length > 0:
                link = _link_entity(url, opened.offset, length)
                if link:
                    entities.append(link)
        elif char in _MD2_RESERVED:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            emit(char)
            i += 1

    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD2_NAMES.get(opened.tag, opened.tag)} entity "
            f"at byte offset {opened.byte_offset}"
        )
    if quote_open is not None and u16 > quote_open.offset:
        entities.append(
            {"type": quote_open.tag, "offset": quote_open.offset, "length": u16 - quote_open.offset}
        )
    return "".join(pieces), entities


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse legacy Markdown (``*bold* _italic_ `code` ```pre``` [text](url)``)."""

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    pieces: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []
    n = len(text)
    i = 0
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            pieces.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        marker = "```" if text.startswith("```", i) else char
        if marker in ("```", "*", "_", "`"):
            close = text.find(marker, i + len(marker))
            if close < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {byte_offset(i)}"
                )
            inner = text[i + len(marker) : close]
            kind = "pre" if marker == "```" else kinds[marker]
            language = None
            if kind == "pre" and "\n" in inner:
                first, rest = inner.split("\n", 1)
                if first and not any(c.isspace() for c in first):
                    language, inner = first, rest
            if inner:
                entity: dict[str, Any] = {"type": kind, "offset": u16, "length": utf16_len(inner)}
                if language:
                    entity["language"] = language
                entities.append(entity)
            pieces.append(inner)
            u16 += utf16_len(inner)
            i = close + len(marker)
            continue
        if char == "[":
            close = text.find("]", i + 1)
            if close < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {byte_offset(i)}"
                )
            label = text[i + 1 : close]
            if close + 1 < n and text[close + 1] == "(":
                end = text.find(")", close + 2)
                if end < 0:
                    raise EntityParseError(
                        f"Can't find end of a url at byte offset {byte_offset(close + 1)}"
                    )
                link = _link_entity(text[close + 2 : end], u16, utf16_len(label))
                if link and label:
                    entities.append(link)
                pieces.append(label)
                u16 += utf16_len(label)
                i = end + 1
                continue
        pieces.append(char)
        u16 += utf16_len(char)
        i += 1
    return "".join(pieces), entities


_TRIM = " \t\r\n\x0b\x0c"


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Drop leading/trailing whitespace as Telegram does, keeping entity offsets right."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(size, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def format_text(
    raw: Any,
    parse_mode: str | None,
    entities: Any = None,
    *,
    strict_entities: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """What Telegram makes of a text parameter: (visible text, entities).

    Raises :class:`TelegramAPIError` with Telegram's description on parse errors.
    """
    text = raw if isinstance(raw, str) else ("" if raw is None else json.dumps(raw))
    mode = (parse_mode or "").strip().lower()
    try:
        if mode == "html":
            plain, found = parse_html(text, strict_entities=strict_entities)
        elif mode == "markdownv2":
            plain, found = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = parse_markdown(text)
        elif mode == "":
            plain, found = text, list(entities) if isinstance(entities, list) else []
        else:
            raise _bad(f"unsupported parse_mode {parse_mode!r}")
    except EntityParseError as exc:
        raise _bad(f"can't parse entities: {exc}") from None
    plain, found = _trim(plain, found)
    found.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, found


def _auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram clients attach to a typed message: mentions, commands, links."""
    found: list[tuple[int, int, str]] = []
    for match in re.finditer(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b", text):
        found.append((match.start(), match.end(), "mention"))
    for match in re.finditer(
        r"(?:^|(?<=\s))/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])", text
    ):
        found.append((match.start(), match.end(), "bot_command"))
    for match in re.finditer(r"\bhttps?://[^\s<>\"]+", text):
        end = match.end()
        while end > match.start() and text[end - 1] in ".,;:!?)]'":
            end -= 1
        found.append((match.start(), end, "url"))
    found.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in found
    ]


# -- records --------------------------------------------------------------------------


@dataclass
class UploadedFile:
    """A file part of a multipart request, as a parameter value in :class:`Call`."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str  # canonical spelling, e.g. "sendMessage"
    params: dict[str, Any]
    time: float
    status: int = 200  # HTTP status the server answered with
    description: str | None = None  # the error description, for failed calls


@dataclass
class SentMessage:
    """A message the bot sent, in its current state."""

    message_id: int
    chat_id: int
    html: str  # the text (or caption) parameter as last sent or edited, markup included
    text: str  # what the user sees: entities parsed, tags stripped, trimmed
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    reply_to_message_id: int | None
    edits: int = 0
    deleted: bool = False
    entities: list[dict[str, Any]] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # earlier ``html`` values, oldest first
    document: dict[str, Any] | None = None
    date: int = 0


@dataclass
class _Fault:
    status: int
    description: str
    parameters: dict[str, Any] | None


_FAULT_TEXT = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

T = TypeVar("T")


class TelegramServer(LoopbackServer):
    """The Bot API on 127.0.0.1 for one bot (:data:`BOT_USER`, :attr:`token`)."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, strict_html_entities: bool = True) -> None:
        super().__init__()
        self.token = token
        self.strict_html_entities = strict_html_entities
        self.bot_user: dict[str, Any] = dict(BOT_USER)
        self.calls: list[Call] = []
        #: file paths the bot downloaded through the file URL, in order
        self.downloads: list[str] = []
        #: callback query id -> the answerCallbackQuery params
        self.answered_callbacks: dict[str, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._updates_changed = threading.Condition(self._lock)
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_001
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._last_message_id: dict[int, int] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._sent: dict[tuple[int, int], SentMessage] = {}
        self._files: dict[str, tuple[bytes, dict[str, Any], str]] = {}
        self._file_counter = itertools.count(1)
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._callback_counter = itertools.count(4_000_000_000_000_001)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}

    # -- addresses --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()`` / ``Bot(base_url=...)``; PTB appends the token."""
        return f"{self.origin}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url()``; PTB appends the token."""
        return f"{self.origin}/file/bot"

    def _wake(self) -> None:
        with self._updates_changed:
            self._updates_changed.notify_all()

    # -- driving the bot ------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its assigned ``update_id``.

        Like Telegram, an update whose kind the bot's last ``allowed_updates``
        excludes is not queued at all (the id is still consumed).
        """
        update = copy.deepcopy(update)
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            update["update_id"] = update_id
            for key in _MESSAGE_KEYS:
                if isinstance(update.get(key), dict):
                    self._remember_message(update[key])
            callback = update.get("callback_query")
            if isinstance(callback, dict):
                self._callbacks[str(callback.get("id"))] = callback
            if self._update_allowed(update):
                self._updates.append(update)
                self._updates_changed.notify_all()
        return update_id

    def _update_allowed(self, update: dict[str, Any]) -> bool:
        kinds = [key for key in update if key != "update_id"]
        if not kinds:
            return True
        if self._allowed_updates:
            return kinds[0] in self._allowed_updates
        return kinds[0] not in _OPT_IN_UPDATES

    def _remember_message(self, message: dict[str, Any]) -> None:
        chat = message.get("chat") or {}
        chat_id, message_id = chat.get("id"), message.get("message_id")
        if isinstance(chat_id, int) and isinstance(message_id, int):
            self._messages[(chat_id, message_id)] = copy.deepcopy(message)
            self._chats.setdefault(chat_id, dict(chat))
            self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def message(
        self,
        text: str | None = None,
        *,
        chat_id: int = 1,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "id",
        reply_to_message: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        document: dict[str, Any] | None = None,
        caption: str | None = None,
        first_name: str = "Budi",
        last_name: str | None = None,
        username: str | None = None,
        chat_title: str = "Grup Uji",
        date: int | None = None,
    ) -> int:
        """Push a user's message (text, or a document with an optional caption).

        ``entities=None`` adds what a Telegram client would: ``mention`` for each
        ``@username``, ``bot_command`` for each ``/command``, ``url`` for links.
        ``chat_type`` is private/group/supergroup/channel (a channel gets a
        ``channel_post`` without a sender; give groups a negative ``chat_id``).
        ``user_id`` defaults to ``chat_id`` in a private chat, else to 1.
        Returns the new ``message_id``.
        """
        if text is None and document is None:
            raise ValueError("a message needs text or a document")
        if user_id is None:
            user_id = chat_id if chat_type == "private" else 1
        if chat_type == "private":
            chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
            if last_name:
                chat["last_name"] = last_name
            if username:
                chat["username"] = username
        else:
            chat = {"id": chat_id, "type": chat_type, "title": chat_title}
        with self._lock:
            message_id = self._new_message_id(chat_id)
            msg: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()) if date is None else date,
                "chat": chat,
            }
            if chat_type != "channel":
                msg["from"] = self._user(user_id, first_name, language_code, last_name, username)
            if text is not None:
                msg["text"] = text
                found = _auto_entities(text) if entities is None else entities
                if found:
                    msg["entities"] = found
            if document is not None:
                msg["document"] = dict(document)
                if caption is not None:
                    msg["caption"] = caption
                    found = _auto_entities(caption) if entities is None else entities
                    if found:
                        msg["caption_entities"] = found
            if reply_to_message is not None:
                replied = copy.deepcopy(reply_to_message)
                replied.pop("reply_to_message", None)  # Telegram nests one level only
                msg["reply_to_message"] = replied
            self.push_update({"channel_post" if chat_type == "channel" else "message": msg})
        return message_id

    def callback(
        self,
        data: str,
        *,
        chat_id: int = 1,
        user_id: int | None = None,
        message_id: int,
        first_name: str = "Budi",
        language_code: str | None = "id",
    ) -> str:
        """Push a press of an inline button on message ``message_id``; returns the query id.

        ``user_id`` defaults to ``chat_id`` in a private chat, else to 1.
        """
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
            if stored is None:
                raise KeyError(f"no message {message_id} in chat {chat_id} to press a button on")
            if user_id is None:
                user_id = chat_id if stored["chat"].get("type") == "private" else 1
            if stored.get("_deleted"):
                message = {"chat": stored["chat"], "message_id": message_id, "date": 0}
            else:
                message = self._public(stored)
            query_id = str(next(self._callback_counter))
            instance = hashlib.sha1(f"{chat_id}".encode()).hexdigest()[:16]
            self.push_update(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": self._user(user_id, first_name, language_code),
                        "message": message,
                        "chat_instance": str(int(instance, 16)),
                        "data": data,
                    }
                }
            )
        return query_id

    def add_file(
        self, content: bytes, file_name: str, mime_type: str = "text/plain"
    ) -> dict[str, Any]:
        """Store a file the bot can fetch with getFile; returns its ``Document`` dict."""
        with self._lock:
            number = next(self._file_counter)
            file_id = f"BQACAgUAAxkBAAIB{number:06d}" + hashlib.sha1(content).hexdigest()[:20]
            suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
            file_path = f"documents/file_{number}.{suffix}"
            document = {
                "file_id": file_id,
                "file_unique_id": f"AgAD{number:08d}",
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(content),
            }
            self._files[file_id] = (bytes(content), document, file_path)
        return dict(document)

    # -- fault injection ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 400,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this error.

        429 responses carry ``parameters.retry_after`` (default 1 s) as
        Telegram's flood control does, so PTB raises ``RetryAfter``.
        """
        params = dict(parameters or {})
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        if retry_after is not None:
            params["retry_after"] = retry_after
        text = description or _FAULT_TEXT.get(status, f"Error {status}")
        with self._lock:
            queue = self._faults.setdefault(_canonical(method).lower(), deque())
            queue.extend(_Fault(status, text, params or None) for _ in range(count))

    def delay(self, method: str, seconds: float) -> None:
        """Answer every later call of ``method`` after ``seconds`` (0 removes the delay)."""
        with self._lock:
            if seconds > 0:
                self._delays[_canonical(method).lower()] = seconds
            else:
                self._delays.pop(_canonical(method).lower(), None)

    # -- inspection -----------------------------------------------------------------------

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """The decoded params of every call of ``method`` (failed ones included), in order."""
        name = _canonical(method)
        return [call.params for call in list(self.calls) if call.method == name]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Snapshots of the bot's messages in send order, deleted ones included (flagged)."""
        with self._lock:
            return [
                copy.deepcopy(sent)
                for sent in self._sent.values()
                if chat_id is None or sent.chat_id == chat_id
            ]

    def last_sent(self, chat_id: int | None = None) -> SentMessage:
        sent = self.sent_messages(chat_id)
        if not sent:
            raise AssertionError(f"the bot sent no message{f' to {chat_id}' if chat_id else ''}")
        return sent[-1]

    def message_dict(self, sent: SentMessage | int, chat_id: int | None = None) -> dict[str, Any]:
        """The Telegram ``Message`` dict of a message (as the bot's reply target, say)."""
        if isinstance(sent, SentMessage):
            key = (sent.chat_id, sent.message_id)
        else:
            key = (1 if chat_id is None else chat_id, sent)
        with self._lock:
            if key not in self._messages:
                raise KeyError(f"no message {key[1]} in chat {key[0]}")
            return self._public(self._messages[key])

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]] | None:
        """The command list set for this scope and language, or None if never set."""
        with self._lock:
            found = self._commands.get((_scope_key(scope), language_code))
            return copy.deepcopy(found) if found is not None else None

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 30.0) -> T:
        """Poll ``predicate`` until it returns something truthy; return that.

        Raises AssertionError with the recent Bot API calls when it times out.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout}s; last Bot API calls:\n{self.dump_calls()}"
                )
            time.sleep(0.02)

    def wait_for_sent(
        self, count: int = 1, *, chat_id: int | None = None, timeout: float = 30.0
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages (to ``chat_id``)."""
        return self.wait_for(
            lambda: sent if len(sent := self.sent_messages(chat_id)) >= count else None,
            timeout,
        )

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 30.0) -> list[dict]:
        """Wait until ``method`` was called at least ``count`` times; return their params."""
        return self.wait_for(
            lambda: calls if len(calls := self.calls_of(method)) >= count else None, timeout
        )

    def dump_calls(self, last: int = 25) -> str:
        lines = []
        for call in list(self.calls)[-last:]:
            params = {
                key: (value if len(repr(value)) < 160 else repr(value)[:157] + "...")
                for key, value in call.params.items()
            }
            outcome = "" if call.status == 200 else f" -> {call.status} {call.description}"
            lines.append(f"  {call.method} {params}{outcome}")
        return "\n".join(lines) or "  (none)"

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, exchange: Exchange) -> None:
        path = exchange.url_path
        if path.startswith("/file/bot"):
            self._serve_file(exchange, path[len("/file/bot") :])
            return
        if not path.startswith("/bot"):
            self._send(exchange, TelegramAPIError(404, "Not Found").body(), 404)
            return
        token, _, method = path[len("/bot") :].partition("/")
        token = unquote(token)
        if not _TOKEN_SHAPE.match(token):
            self._send(exchange, TelegramAPIError(404, "Not Found").body(), 404)
            return
        if token != self.token:
            self._send(exchange, TelegramAPIError(401, "Unauthorized").body(), 401)
            return
        if not method or "/" in method:
            self._send(exchange, TelegramAPIError(404, "Not Found").body(), 404)
            return
        name = _canonical(method)
        try:
            params = self._decode_params(exchange)
        except TelegramAPIError as exc:
            self._send(exchange, exc.body(), exc.status)
            return
        call = Call(name, params, time.time())
        self.calls.append(call)

        with self._lock:
            seconds = self._delays.get(name.lower(), 0.0)
        if seconds and not self.pause(seconds):
            exchange.abort()
            return
        try:
            with self._lock:
                faults = self._faults.get(name.lower())
                fault = faults.popleft() if faults else None
            if fault is not None:
                raise TelegramAPIError(fault.status, fault.description, fault.parameters)
            handler = getattr(self, f"_api_{name}", None) if name in _CANONICAL.values() else None
            if handler is None:
                raise TelegramAPIError(404, "Not Found: method not found")
            result = handler(params)
        except TelegramAPIError as exc:
            call.status, call.description = exc.status, exc.description
            self._send(exchange, exc.body(), exc.status)
            return
        self._send(exchange, {"ok": True, "result": result}, 200)

    @staticmethod
    def _send(
        exchange: Exchange, payload: Any, status: int, headers: dict[str, str] | None = None
    ) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        exchange.reply(status, body, "application/json", headers)

    def _decode_params(self, exchange: Exchange) -> dict[str, Any]:
        raw: dict[str, Any] = {key: values[-1] for key, values in exchange.query.items()}
        body = exchange.body()
        content_type = exchange.headers.get("Content-Type", "")
        kind = content_type.split(";")[0].strip().lower()
        if body and kind == "application/json":
            try:
                decoded = json.loads(body)
            except ValueError:
                raise _bad("can't parse JSON object") from None
            if not isinstance(decoded, dict):
                raise _bad("can't parse JSON object")
            return {**{k: _decode_value(k, v) for k, v in raw.items()}, **decoded}
        if body and kind == "multipart/form-data":
            raw.update(_parse_multipart(content_type, body))
        elif body:
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            raw.update({key: values[-1] for key, values in form.items()})
        return {key: _decode_value(key, value) for key, value in raw.items()}

    def _serve_file(self, exchange: Exchange, rest: str) -> None:
        token, _, file_path = rest.partition("/")
        if unquote(token) != self.token:
            self._send(exchange, TelegramAPIError(404, "Not Found").body(), 404)
            return
        file_path = unquote(file_path)
        with self._lock:
            found = next((c for c, _, p in self._files.values() if p == file_path), None)
        if found is None:
            self._send(exchange, TelegramAPIError(404, "Not Found").body(), 404)
            return
        self.downloads.append(file_path)
        exchange.reply(200, found, "application/octet-stream")

    # -- API methods ----------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = max(_int_param(params, "timeout", 0), 0)
        deadline = time.monotonic() + timeout
        with self._updates_changed:
            if self.webhook.get("url"):
                raise TelegramAPIError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(kind) for kind in allowed]
            # A newer getUpdates ends any older one, as on Telegram (two bots, one token).
            self._poll_generation += 1
            generation = self._poll_generation
            self._updates_changed.notify_all()
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            while True:
                if generation != self._poll_generation:
                    raise TelegramAPIError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                batch = self._updates[:limit]
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self.stopping:
                    return copy.deepcopy(batch)
                self._updates_changed.wait(min(remaining, 1.0))

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self.webhook = {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if url:
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.hostname:
                raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
            if (parts.port or 443) not in (80, 88, 443, 8443):
                raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        with self._lock:
            self.webhook = {k: v for k, v in params.items() if k != "certificate"} if url else {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
            if isinstance(params.get("allowed_updates"), list):
                self._allowed_updates = list(params["allowed_updates"])
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            info: dict[str, Any] = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self.webhook.get("url"):
                info["max_connections"] = int(self.webhook.get("max_connections") or 40)
                if self.webhook.get("ip_address"):
                    info["ip_address"] = self.webhook["ip_address"]
                if self._allowed_updates:
                    info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(_check_scope(params.get("scope"))), _language(params))
        with self._lock:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = (_scope_key(_check_scope(params.get("scope"))), _language(params))
        with self._lock:
            return copy.deepcopy(self._commands.get(key, []))

    def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        key = (_scope_key(_check_scope(params.get("scope"))), _language(params))
        with self._lock:
            self._commands.pop(key, None)
        return True

    def _message_text(
        self, params: dict[str, Any], *, too_long: str
    ) -> tuple[str, list[dict[str, Any]]]:
        """A message's text as Telegram parses it, refused as Telegram would."""
        raw = params.get("text")
        if raw is None or raw == "":
            raise _bad("message text is empty")
        text, entities = format_text(
            raw,
            params.get("parse_mode"),
            params.get("entities"),
            strict_entities=self.strict_html_entities,
        )
        if not text:
            raise _bad("message text is empty")
        if utf16_len(text) > MAX_TEXT_UTF16:
            raise _bad(too_long)
        return text, entities

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        raw = params.get("text")
        text, entities = self._message_text(params, too_long="message is too long")
        markup = _check_markup(params.get("reply_markup"), inline_only=False)
        with self._lock:
            replied = self._reply_target(chat_id, params)
            message = self._new_bot_message(chat_id, replied)
            message["text"] = text
            if entities:
                message["entities"] = entities
            if markup and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            self._record_sent(message, raw, text, entities, params, markup, replied)
            return self._public(message)

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        upload = params.get("document")
        if isinstance(upload, str) and upload.startswith("attach://"):
            upload = params.get(upload[len("attach://") :])
        if isinstance(upload, UploadedFile):
            document = self.add_file(upload.data, upload.filename, upload.content_type)
        elif isinstance(upload, str) and upload in self._files:
            document = dict(self._files[upload][1])
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        raw = params.get("caption") or ""
        caption, entities = format_text(
            raw,
            params.get("parse_mode"),
            params.get("caption_entities"),
            strict_entities=self.strict_html_entities,
        )
        if utf16_len(caption) > MAX_CAPTION_UTF16:
            raise _bad("message caption is too long")
        markup = _check_markup(params.get("reply_markup"), inline_only=False)
        with self._lock:
            replied = self._reply_target(chat_id, params)
            message = self._new_bot_message(chat_id, replied)
            message["document"] = document
            if caption:
                message["caption"] = caption
                if entities:
                    message["caption_entities"] = entities
            if markup and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            sent = self._record_sent(message, raw, caption, entities, params, markup, replied)
            sent.document = dict(document)
            return self._public(message)

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = self._edit_target(params)
        raw = params.get("text")
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        with self._lock:
            message = self._editable(chat_id, message_id)
            if "text" not in message:
                raise _bad("there is no text in the message to edit")
            # Telegram words the over-long error differently for edits.
            text, entities = self._message_text(params, too_long="MESSAGE_TOO_LONG")
            if (
                text == message.get("text")
                and entities == message.get("entities", [])
                and markup == message.get("reply_markup")
            ):
                raise _bad(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            message["text"] = text
            _set_or_drop(message, "entities", entities or None)
            _set_or_drop(message, "reply_markup", markup)
            message["edit_date"] = int(time.time())
            sent = self._sent[(chat_id, message_id)]
            sent.history.append(sent.html)
            sent.html, sent.text, sent.entities = raw, text, entities
            sent.parse_mode = params.get("parse_mode")
            sent.reply_markup = copy.deepcopy(markup)
            sent.edits += 1
            return self._public(message)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = self._edit_target(params)
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        with self._lock:
            message = self._editable(chat_id, message_id)
            if markup == message.get("reply_markup"):
                raise _bad(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            _set_or_drop(message, "reply_markup", markup)
            message["edit_date"] = int(time.time())
            sent = self._sent[(chat_id, message_id)]
            sent.reply_markup = copy.deepcopy(markup)
            sent.edits += 1
            return self._public(message)

    def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id = _chat_id(params)
        message_id = _int_param(params, "message_id", 0)
        if not message_id:
            raise _bad("message identifier is not specified")
        with self._lock:
            message = self._messages.get((chat_id, message_id))
            if message is None or message.get("_deleted"):
                raise _bad("message to delete not found")
            message["_deleted"] = True
            if (chat_id, message_id) in self._sent:
                self._sent[(chat_id, message_id)].deleted = True
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        _chat_id(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text") or ""
        with self._lock:
            if query_id not in self._callbacks:
                raise _bad("query is too old and response timeout expired or query ID is invalid")
            if len(text) > MAX_CALLBACK_ANSWER_CHARS:
                raise _bad("MESSAGE_TOO_LONG")
            self.answered_callbacks[query_id] = dict(params)
        return True

    def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        with self._lock:
            found = self._files.get(str(file_id))
        if found is None:
            raise _bad("invalid file_id")
        content, document, file_path = found
        if len(content) > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": document["file_id"],
            "file_unique_id": document["file_unique_id"],
            "file_size": len(content),
            "file_path": quote(file_path),
        }

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    # -- message bookkeeping ----------------------------------------------------------------

    def _chat(self, chat_id: int) -> dict[str, Any]:
        known = self._chats.get(chat_id)
        if known:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            target_chat = reply.get("chat_id", chat_id)
            target_id = reply.get("message_id")
            lenient = bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            target_chat = chat_id
            target_id = params.get("reply_to_message_id")
            lenient = bool(params.get("allow_sending_without_reply"))
        else:
            return None
        try:
            key = (int(target_chat), int(target_id))
        except (TypeError, ValueError):
            raise _bad("message to be replied not found") from None
        message = self._messages.get(key)
        if message is None or message.get("_deleted"):
            if lenient:
                return None
            raise _bad("message to be replied not found")
        return message

    def _new_bot_message(self, chat_id: int, replied: dict[str, Any] | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        if replied is not None:
            message["reply_to_message"] = self._public(replied, nested=False)
        return message

    def _record_sent(
        self,
        message: dict[str, Any],
        raw: Any,
        text: str,
        entities: list[dict[str, Any]],
        params: dict[str, Any],
        markup: dict[str, Any] | None,
        replied: dict[str, Any] | None,
    ) -> SentMessage:
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        self._messages[(chat_id, message_id)] = message
        sent = SentMessage(
            message_id=message_id,
            chat_id=chat_id,
            html=raw if isinstance(raw, str) else str(raw),
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=copy.deepcopy(markup),
            reply_to_message_id=replied["message_id"] if replied else None,
            entities=entities,
            date=message["date"],
        )
        self._sent[(chat_id, message_id)] = sent
        return sent

    def _edit_target(self, params: dict[str, Any]) -> tuple[int, int]:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")  # the bot sends no inline-mode messages
        chat_id = _chat_id(params)
        message_id = _int_param(params, "message_id", 0)
        if not message_id:
            raise _bad("message identifier is not specified")
        return chat_id, message_id

    def _editable(self, chat_id: int, message_id: int) -> dict[str, Any]:
        message = self._messages.get((chat_id, message_id))
        if message is None or message.get("_deleted"):
            raise _bad("message to edit not found")
        if (chat_id, message_id) not in self._sent:
            raise _bad("message can't be edited")
        return message

    @staticmethod
    def _public(message: dict[str, Any], nested: bool = True) -> dict[str, Any]:
        result = {k: copy.deepcopy(v) for k, v in message.items() if not k.startswith("_")}
        if not nested:
            result.pop("reply_to_message", None)
        return result


# -- parameter helpers ---------------------------------------------------------------------


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # a bare string where JSON was allowed, e.g. chat_id="@channel"


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        raise _bad("can't parse multipart/form-data body")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            fields[str(name)] = UploadedFile(str(filename), part.get_content_type(), bytes(payload))
        else:
            charset = part.get_content_charset() or "utf-8"
            fields[str(name)] = bytes(payload).decode(charset, "replace")
    return fields


def _int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad(f"invalid {key} specified") from None


def _chat_id(params: dict[str, Any]) -> int:
    value = params.get("chat_id")
    if value is None or value == "":
        raise _bad("chat_id is empty")
    if isinstance(value, bool):
        raise _bad("chat not found")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad("chat not found") from None  # @usernames of unknown chats


def _language(params: dict[str, Any]) -> str:
    code = params.get("language_code") or ""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise _bad("invalid language code specified")
    return code


def _check_scope(scope: Any) -> dict[str, Any] | None:
    if scope is None:
        return None
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise _bad("can't parse BotCommandScope JSON object")
    if scope["type"].startswith("chat") and "chat_id" not in scope:
        raise _bad("chat_id is empty")
    return scope


def _scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _check_markup(markup: Any, *, inline_only: bool) -> dict[str, Any] | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if inline_only or not any(
            key in markup for key in ("keyboard", "remove_keyboard", "force_reply")
        ):
            raise _bad("can't parse inline keyboard markup JSON object")
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not any(key in button for key in _BUTTON_ACTIONS):
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button:
                parts = urlsplit(str(button["url"]))
                if parts.scheme not in ("http", "https", "tg") or not (
                    parts.netloc or parts.scheme == "tg"
                ):
                    raise _bad(
                        f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
                    )
    return {"inline_keyboard": rows}


def _set_or_drop(message: dict[str, Any], key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)
