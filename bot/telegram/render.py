"""`Answer` → Telegram messages (HTML parse mode).

Everything shown comes from the `Answer`, like the CLI's output. Every piece
of text from an article or a model is escaped, so a title such as
"A <b> & C" is shown as written and never breaks the message, and has its
control characters and bidi overrides stripped (`safe_text.py`): an index
written by an older version may still hold them.

Telegram refuses a message longer than 4,096 characters *after* its HTML is
parsed, so lengths are counted on the visible text (in UTF-16 code units, the
way Telegram counts, which is never less than Python's `len`). A long answer
is cut at sentence boundaries into several messages; no tag ever spans two.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from retrieval.answer import Answer, Citation
from retrieval.text import Language, strip_controls

from .i18n import t

MAX_MESSAGE_CHARS: int = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_CALLBACK_BYTES: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64
QUOTE_CALLBACK_PREFIX = "q"
_MAX_TITLE_CHARS = 200
_MAX_QUOTE_CHARS = 3000
_BUTTONS_PER_ROW = 4

# A sentence ends at . ! ? or … (with closing quotes/brackets), optionally
# followed by its citation markers ("… Albu Kamal. [1][2]"), then whitespace.
_SENTENCE_END = re.compile(
    r"[.!?…]+[\"'”’)\]]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*\s+|\n\s*",
)


@dataclass(frozen=True)
class Block:
    """A piece of a message: its HTML and the text Telegram will count."""

    html: str
    visible: str


def escape(text: str) -> str:
    return html.escape(strip_controls(text, multiline=True), quote=False)


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def plain(text: str) -> Block:
    text = strip_controls(text, multiline=True)
    return Block(escape(text), text)


def wrapped(tag: str, text: str) -> Block:
    text = strip_controls(text, multiline=True)
    return Block(f"<{tag}>{escape(text)}</{tag}>", text)


def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def link(text: str, url: str | None) -> Block:
    if not is_web_url(url):
        return wrapped("b", text)
    text, href = strip_controls(text, multiline=True), strip_controls(url or "")
    return Block(f'<a href="{html.escape(href, quote=True)}">{escape(text)}</a>', text)


def join(*blocks: Block) -> Block:
    return Block("".join(b.html for b in blocks), "".join(b.visible for b in blocks))


# --- splitting ---------------------------------------------------------------------------------
def split_sentences(text: str) -> list[str]:
    """`text` cut after each sentence; the pieces concatenate back to `text`."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _hard_split(text: str, limit: int) -> list[str]:
    """A sentence longer than a whole message: cut at spaces (or anywhere, last resort)."""
    parts: list[str] = []
    while visible_length(text) > limit:
        cut = limit
        # Shrink until the piece fits in UTF-16 units (only differs with astral chars).
        while visible_length(text[:cut]) > limit:
            cut -= 1
        space = text.rfind(" ", 0, cut)
        if space > limit // 2:
            cut = space + 1
        parts.append(text[:cut])
        text = text[cut:]
    if text:
        parts.append(text)
    return parts


def text_blocks(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[Block]:
    """Plain text as sentence blocks, none longer than `limit`."""
    # Cleaned before it is measured: a lone surrogate (from a JSON "\ud800"
    # escape) cannot even be counted in UTF-16.
    text = strip_controls(text, multiline=True)
    blocks: list[Block] = []
    for sentence in split_sentences(text):
        for piece in _hard_split(sentence, limit):
            blocks.append(plain(piece))
    return blocks


def pack(blocks: Iterable[Block], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Greedily fill messages with whole blocks; each message ≤ `limit` visible chars.

    Whitespace at the edges of a message is dropped (Telegram strips it too),
    and a block longer than `limit` must have been split before.
    """
    messages: list[str] = []
    current: list[Block] = []
    size = 0

    def flush() -> None:
        nonlocal current, size
        body = "".join(b.html for b in current).strip()
        if body:
            messages.append(body)
        current, size = [], 0

    for block in blocks:
        n = visible_length(block.visible)
        if n > limit:
            raise ValueError(f"a block of {n} characters cannot fit a message of {limit}")
        if current and size + n > limit:
            flush()
        if not current and not block.visible.strip():
            continue  # a message never starts with blank lines
        current.append(block)
        size += n
    flush()
    return messages


# --- answers -------------------------------------------------------------------------------------
def source_line(c: Citation) -> Block:
    """`[1] Title · 2017-11-10 · Outlet`, the title linked to the article."""
    title = (c.title or c.url or c.article_id).strip()
    if len(title) > _MAX_TITLE_CHARS:
        title = title[: _MAX_TITLE_CHARS - 1] + "…"
    meta = " · ".join(x for x in (c.date, c.source) if x)
    parts = [plain(f"[{c.n}] "), link(title, c.url)]
    if meta:
        parts.append(plain(f" · {meta}"))
    others = [o.get("source") or o.get("url") or "" for o in c.also_in][:5]
    if any(others):  # the same story from other outlets, stored once
        parts.append(plain(f" (+ {', '.join(o for o in others if o)})"))
    return join(*parts)


def answer_blocks(answer: Answer, lang: Language, limit: int = MAX_MESSAGE_CHARS) -> list[Block]:
    blocks: list[Block] = []
    span = getattr(answer, "answer_span", None)
    if answer.found and span:
        # The short answer first, in bold (escaped: it is article text).
        blocks += [wrapped("b", span[: limit // 2]), plain("\n")]
    if answer.found and answer.attribution:  # who said it, and when: old news is not today's
        blocks.append(wrapped("i", f"{answer.attribution}:"))
        blocks.append(plain("\n"))
    blocks.extend(text_blocks(answer.answer.strip(), limit))
    for note in answer.notes:
        blocks.append(plain("\n\n"))
        blocks.extend(Block(f"<i>{b.html}</i>", b.visible) for b in text_blocks(note, limit))
    if answer.citations:
        blocks.append(plain("\n\n"))
        blocks.append(wrapped("b", t(lang, "sources_header")))
        for citation in answer.citations:
            blocks.append(plain("\n"))
            blocks.append(source_line(citation))
    return blocks


def render_answer(answer: Answer, lang: Language, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """The answer with its markers, then its sources: one or more HTML messages."""
    return pack(answer_blocks(answer, lang, limit), limit) or [escape("…")]


def quote_callback_data(citation: Citation) -> str | None:
    """`q:<n>:<chunk id>`: the button finds the passage again in the index, so it
    keeps working after a restart; `None` when it would not fit Telegram's 64 bytes."""
    if not citation.chunk_id:
        return None
    data = f"{QUOTE_CALLBACK_PREFIX}:{citation.n}:{citation.chunk_id}"
    return data if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES else None


def parse_quote_callback(data: str) -> tuple[int, str] | None:
    prefix, _, rest = data.partition(":")
    n, _, chunk_id = rest.partition(":")
    if prefix != QUOTE_CALLBACK_PREFIX or not n.isdigit() or not chunk_id:
        return None
    return int(n), chunk_id


def source_keyboard(citations: Sequence[Citation], lang: Language) -> InlineKeyboardMarkup | None:
    """One button per cited source; pressing it shows the quoted passage."""
    buttons = [
        InlineKeyboardButton(t(lang, "quote_button", n=c.n), callback_data=data)
        for c in citations
        if (data := quote_callback_data(c))
    ]
    if not buttons:
        return None
    rows = [buttons[i : i + _BUTTONS_PER_ROW] for i in range(0, len(buttons), _BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


def render_quote(
    n: int, title: str, date: str | None, source: str | None, url: str | None, text: str
) -> str:
    """A cited passage, as shown when its button is pressed."""
    if len(text) > _MAX_QUOTE_CHARS:
        text = text[: _MAX_QUOTE_CHARS - 1] + "…"
    citation = Citation(
        n=n, article_id="", title=title, date=date, source=source, url=url, quote=""
    )
    return join(source_line(citation), plain("\n"), wrapped("blockquote", text.strip())).html


def render_passages(
    question: str, passages: Sequence[dict[str, object]], lang: Language, snippet_chars: int = 400
) -> list[str]:
    """`/sources`: every passage retrieved for the last question, with a snippet."""
    header = t(lang, "passages_header", question=escape(question[:300]))
    blocks = [Block(header, re.sub(r"<[^>]+>", "", html.unescape(header)))]
    for p in passages:
        text = " ".join(str(p.get("text") or "").split())
        if len(text) > snippet_chars:
            text = text[: snippet_chars - 1] + "…"
        citation = Citation(
            n=int(p.get("n") or 0),  # type: ignore[call-overload]
            article_id=str(p.get("article_id") or ""),
            title=str(p.get("title") or ""),
            date=_opt(p.get("date")),
            source=_opt(p.get("source")),
            url=_opt(p.get("url")),
            quote="",
        )
        blocks.append(plain("\n\n"))
        blocks.append(join(source_line(citation), plain("\n"), wrapped("blockquote", text)))
    return pack(blocks)


def _opt(value: object) -> str | None:
    return str(value) if value else None


# --- streaming -------------------------------------------------------------------------------------
def preview_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A partial answer while it streams (plain text, no parse mode)."""
    text = strip_controls(text, multiline=True).strip() or "…"
    if visible_length(text) + 2 <= limit:
        return text + " …"
    return _hard_split(text, limit - 2)[0].rstrip() + " …"
