"""Markdown articles: YAML front matter → metadata, Markdown → plain text
blocks, so a `.md` article is then read like a `.txt` one (title, date line,
dateline, body) and gives the same date and outlet.

* Front matter is the YAML between a first line `---` and the next `---` (or
  `...`) line, read by PyYAML with every scalar kept as the text written:
  `id: 010` stays "010", `title: yes` stays "yes", `date: 2023-03-01` is
  read by the date parser like any date. Quoted values with colons, block
  scalars (`title: >`), lists (`tags: [a, b]`, ignored) all work. Front
  matter that is not valid YAML is an error naming the line; a block that is
  not a mapping at all was not front matter (a `---` rule) and stays text.
* The body is parsed by markdown-it-py (CommonMark, plus tables and
  strikethrough): emphasis, links, code spans and HTML tags become their
  text; images (not text) and rules are dropped; each block (paragraph,
  heading, list item, quote, table, code) becomes one paragraph.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

# Front matter longer than this is not an article's metadata (and PyYAML's
# time on it would stall a batch).
MAX_FRONT_MATTER_CHARS = 64_000

_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<yaml>(?:.*?\r?\n)??)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL
)
# "key:" at the start of a line: a block meant as front matter.
_YAML_KEY_LINE = re.compile(r"^[\w\"'][\w \"'.-]*:", re.MULTILINE)

# Front matter keys read, with the names other tools give them (lower case).
FRONT_MATTER_KEYS = {
    "title": ("title",),
    "date": ("date", "published", "pubdate", "published_at", "date_published"),
    "source": ("source", "outlet", "publisher"),
    "url": ("url", "link", "canonical_url"),
    "id": ("id",),
}


class FrontMatterError(ValueError):
    """The front matter cannot be read; the message says where and how to fix it."""


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """The front matter as a mapping (None when the text has none) and the
    text after it. Raises `FrontMatterError` for front matter that is too
    long or not valid YAML."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, text
    block = match.group("yaml")
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterError(
            f"the front matter (between the first two '---' lines) is {len(block):,} "
            f"characters long, over the limit of {MAX_FRONT_MATTER_CHARS:,}"
        )
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when present
    try:
        data = yaml.load(block, Loader=loader)  # noqa: S506 (BaseLoader builds no objects)
    except (yaml.YAMLError, RecursionError) as exc:
        if not _YAML_KEY_LINE.search(block):
            return None, text  # prose between two rules, not front matter
        raise FrontMatterError(_describe_yaml_error(exc)) from None
    if data is None:
        return {}, text[match.end() :]
    if not isinstance(data, dict):
        return None, text
    return data, text[match.end() :]


def _describe_yaml_error(exc: BaseException) -> str:
    where = ""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f" at line {mark.line + 2}"  # + the opening "---", and 1-based
    problem = getattr(exc, "problem", None) or "nested too deeply"
    message = f"the front matter is not valid YAML ({problem}{where})"
    if "mapping values" in problem:  # the usual cause: an unquoted ": " in a value
        message += '; quote a value that holds ": ", e.g. title: "Kemenkeu: anggaran naik"'
    return message


def front_matter_fields(front: dict[str, Any]) -> dict[str, str | None]:
    """title, date, source, url and id from front matter, as single-line text.
    Raises `FrontMatterError` when one of them is not text (a list, a mapping)."""
    lowered = {str(k).strip().lower(): v for k, v in front.items()}
    fields: dict[str, str | None] = {}
    for field, names in FRONT_MATTER_KEYS.items():
        value = next((lowered[n] for n in names if lowered.get(n) not in (None, "")), None)
        if value is not None and not isinstance(value, str):
            kind = "a list" if isinstance(value, list) else "a mapping"
            raise FrontMatterError(f'"{field}" in the front matter must be text, not {kind}')
        fields[field] = " ".join(value.split()) if value else None
        fields[field] = fields[field] or None
    date = fields["date"]
    if date and (iso := re.match(r"\d{4}-\d{2}-\d{2}(?=$|[T ])", date)):
        # A YAML timestamp: its calendar date as written, whatever the zone.
        fields["date"] = iso.group(0)
    return fields


@dataclass(frozen=True)
class Block:
    """One block of the document as plain text; `heading` is its level (1–6), 0 if none."""

    text: str
    heading: int = 0


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markdown_blocks(source: str) -> list[Block]:
    """The blocks of a Markdown document as plain text, in order; empty ones dropped."""
    blocks: list[Block] = []
    heading = 0
    row: list[str] | None = None
    rows: list[str] = []
    for token in _parser().parse(source):
        kind = token.type
        if kind == "heading_open":
            heading = int(token.tag[1:])
        elif kind == "heading_close":
            heading = 0
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            rows.append(" | ".join(cell for cell in row if cell))
            row = None
        elif kind == "table_close":
            blocks.append(Block("\n".join(r for r in rows if r)))
            rows = []
        elif kind == "inline":
            text = _inline_text(token.children or [])
            if row is not None:
                row.append(" ".join(text.split()))
            else:
                blocks.append(Block(text, heading))
        elif kind in ("fence", "code_block"):
            blocks.append(Block(token.content.rstrip("\n")))
        elif kind == "html_block":
            blocks.append(Block(_html_text(token.content)))
    return [b for b in blocks if b.text.strip()]


def _inline_text(children: list[Any]) -> str:
    parts: list[str] = []
    for child in children:
        kind = child.type
        line_break = kind in ("softbreak", "hardbreak") or (
            kind == "html_inline" and re.match(r"<br\b", child.content, re.IGNORECASE)
        )
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif line_break:
            parts.append("\n")
        # Emphasis and link markers carry no text; an image is not text.
    return "".join(parts).strip()


def _html_text(html: str) -> str:
    """The text of an HTML block (`<div>…</div>` in Markdown), scripts and styles left out."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises on empty or odd fragments: no text then
        log.debug("unparsable HTML block in Markdown", exc_info=True)
        return ""
    for element in root.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
