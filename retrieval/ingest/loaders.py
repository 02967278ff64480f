"""Loaders: inputs (paths, folders, URLs) → `RawArticle`s, or a `LoadFailure`
saying why an input could not be read.

| input     | how it is read                                                         |
|-----------|------------------------------------------------------------------------|
| `.txt`    | first line the title, then optionally a date line, then the body      |
| `.md`     | YAML front matter, then Markdown as plain text, read like `.txt`       |
| `.html`   | main text, title, date and site name by trafilatura                   |
| `.jsonl`  | one article a line: title, content/text, date, url, source, id        |
| folder    | every file above in it, recursively, in name order                    |
| URL       | fetched (`fetch.py`), then read like `.html` (or `.txt` if plain text) |

Bytes become text here: UTF-8 (with or without BOM) first, else the encoding
charset-normalizer finds; NUL bytes or mostly unprintable text mark a binary
file, which is refused rather than indexed as garbage. Loaders never raise
for a bad input: each problem is a `LoadFailure` and the next input goes on.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from retrieval.core.json_errors import describe_json_error
from retrieval.core.models import LoadFailure, RawArticle
from retrieval.errors import TanyaError
from retrieval.ingest.fetch import FetchedPage, FetchError
from retrieval.ingest.markdown import front_matter_fields, markdown_blocks, split_front_matter
from retrieval.text.dates import is_date_line

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")
# Longest accepted JSONL line; a line is one article, so this is generous.
MAX_JSONL_LINE_BYTES = 20_000_000
# Fewer words than this extracted from a page: it has no article.
MIN_PAGE_WORDS = 8
# A title longer than this is really a paragraph: the file has no title line.
_MAX_TITLE_CHARS = 300
# Longest explicit article id ("id" in JSONL or front matter).
MAX_ID_CHARS = 200

Loaded = RawArticle | LoadFailure
Fetcher = Callable[[str], FetchedPage]


def is_url(text: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text.strip()))


def iter_inputs(
    inputs: Iterable[str], *, fetch: Fetcher, max_bytes: int, max_feed_articles: int = 100
) -> Iterator[Loaded]:
    """Every article in `inputs`, in order; failures in place of what failed.
    A URL that is a feed or sitemap stands for the articles it lists."""
    for given in inputs:
        if is_url(given):
            yield from load_url(
                given.strip(), fetch, max_bytes=max_bytes, max_feed_articles=max_feed_articles
            )
            continue
        path = Path(given).expanduser()
        if path.is_dir():
            files = _folder_files(path)
            if not files:
                yield LoadFailure(given, f"no {', '.join(SUFFIXES)} files in this folder")
            for file in files:
                yield from load_file(file, max_bytes=max_bytes)
        else:
            yield from load_file(path, max_bytes=max_bytes)


def _folder_files(path: Path) -> list[Path]:
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def count_articles(inputs: Iterable[str]) -> int:
    """How many entries `iter_inputs` will yield (articles and failures),
    without reading any article: for a progress bar's total. A JSONL file is
    scanned for its non-blank lines; everything else is one entry."""
    total = 0
    for given in inputs:
        if is_url(given):
            total += 1
            continue
        path = Path(given).expanduser()
        files = _folder_files(path) if path.is_dir() else [path]
        total += sum(_entries_in(file) for file in files) or 1
    return total


def _entries_in(path: Path) -> int:
    if path.suffix.lower() != ".jsonl" or not path.is_file():
        return 1
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip()) or 1
    except OSError:
        return 1


# --- bytes → text ------------------------------------------------------------------------------
class UndecodableError(TanyaError, ValueError):
    pass


def decode(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: UTF-8, the declared charset, or charset-normalizer's guess.

    Raises `UndecodableError` for binary data.
    """
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UndecodableError("binary data, not text")
    candidates = ["utf-8-sig"] + ([declared] if declared else [])
    for encoding in candidates:
        try:
            return _printable(data.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableError("binary data or an unknown text encoding")
    return _printable(str(best))


def _printable(text: str) -> str:
    """`text`, unless too much of it is control characters (a binary file that
    happened to decode)."""
    sample = text[:20_000]
    if sample:
        bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
        bad += sample.count("\ufffd")
        if bad / len(sample) > 0.05:
            raise UndecodableError("binary data, not text")
    return text


# --- files -------------------------------------------------------------------------------------------
def load_file(path: Path, *, max_bytes: int) -> Iterator[Loaded]:
    origin = str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        yield LoadFailure(origin, "no such file or folder")
        return
    if suffix not in SUFFIXES:
        yield LoadFailure(
            origin, f"unsupported file type {suffix or '(none)'}; use {', '.join(SUFFIXES)}"
        )
        return
    if suffix == ".jsonl":
        yield from load_jsonl(path)
        return
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield LoadFailure(
                origin, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit"
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield LoadFailure(origin, f"cannot read it: {exc.strerror or exc}")
        return
    loaded = _from_bytes(data, suffix, origin, default_title=path.stem)
    if isinstance(loaded, RawArticle):
        # The file is the article's identity: edited and added again, it
        # updates the article instead of adding a second one.
        loaded.path = _absolute(path)
    yield loaded


def _absolute(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return str(path.absolute())


def _from_bytes(
    data: bytes,
    suffix: str,
    origin: str,
    *,
    default_title: str,
    url: str | None = None,
    charset: str | None = None,
) -> Loaded:
    """One input's bytes as an article, or a failure that says why. Never
    raises: one unreadable input must not stop the rest of a batch."""
    try:
        return _parse_bytes(data, suffix, origin, default_title, url, charset)
    except Exception as exc:
        log.exception("reading %s failed", origin)
        return LoadFailure(origin, f"cannot read it: unexpected {type(exc).__name__}: {exc}")


def _parse_bytes(
    data: bytes,
    suffix: str,
    origin: str,
    default_title: str,
    url: str | None,
    charset: str | None,
) -> Loaded:
    if not data.strip():
        return LoadFailure(origin, "the file is empty")
    try:
        text = decode(data, charset)
    except UndecodableError as exc:
        return LoadFailure(origin, str(exc))
    if not text.strip():
        return LoadFailure(origin, "the file is empty")
    if suffix in (".html", ".htm"):
        return parse_html(text, origin, url=url)
    if suffix in (".md", ".markdown"):
        return parse_markdown(text, origin, default_title=default_title)
    return parse_text(text, origin, default_title=default_title, url=url)


def parse_text(
    text: str, origin: str, *, default_title: str = "", url: str | None = None
) -> Loaded:
    """The seed form: title line, optional date line, body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    title = lines[0].strip() if lines else ""
    if len(title) > _MAX_TITLE_CHARS:
        # No title line: the whole file is the body.
        title, rest = default_title, lines
    else:
        rest = lines[1:]
    date_text, body = _date_and_body(rest)
    if not body:
        return LoadFailure(origin, "no article text after the title line")
    return RawArticle(title=title, body=body, origin=origin, date_text=date_text, url=url)


def _date_and_body(lines: list[str]) -> tuple[str | None, str]:
    """What follows a title: a first line that is only a date is the date."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if is_date_line(line):
            return line.strip(), "\n".join(lines[i + 1 :]).strip()
        break
    return None, "\n".join(lines).strip()


def parse_markdown(text: str, origin: str, *, default_title: str = "") -> Loaded:
    """Front matter for metadata, then the Markdown rendered to plain text and
    read like a `.txt` (see `markdown.py`): the title is the front matter's,
    else the heading the document starts with, else its first h1, else its
    first line; a date line right after the title gives the date."""
    try:
        front, source = split_front_matter(text)
        meta = front_matter_fields(front or {})
        meta["id"] = explicit_id(meta["id"])
    except ValueError as exc:  # FrontMatterError, or an unusable id
        return LoadFailure(origin, str(exc))
    blocks = markdown_blocks(source)
    if not blocks:
        where = "after the front matter" if front is not None else "in the file"
        return LoadFailure(origin, f"no article text {where}")
    title = meta["title"]
    if not title:
        heading = (
            blocks[0] if blocks[0].heading else next((b for b in blocks if b.heading == 1), None)
        )
        if heading is not None:
            title = " ".join(heading.text.split())
            blocks.remove(heading)
    plain = [block.text for block in blocks]
    if title:
        date_text, body = _date_and_body("\n\n".join(plain).split("\n"))
        if not body:
            return LoadFailure(origin, "no article text after the title")
        raw = RawArticle(title=title, body=body, origin=origin, date_text=date_text)
    else:
        loaded = parse_text("\n\n".join(plain), origin, default_title=default_title)
        if isinstance(loaded, LoadFailure):
            return loaded
        raw = loaded
    raw.date_text = meta["date"] or raw.date_text
    raw.source, raw.url, raw.id = meta["source"], meta["url"], meta["id"]
    return raw


def parse_html(html: str, origin: str, *, url: str | None = None) -> Loaded:
    """Main text and metadata of a page, by trafilatura."""
    try:
        import trafilatura
    except ImportError as exc:
        # A broken install (a dependency of trafilatura missing) fails the
        # HTML inputs with the fix, not the whole batch with a traceback.
        return LoadFailure(
            origin,
            f"cannot read HTML: the extractor failed to load ({exc}). "
            "Reinstall tanya (pip install -e .) to get its dependencies.",
        )
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=False,
        )
    except Exception as exc:  # trafilatura/lxml can raise on pathological markup
        log.debug("trafilatura failed on %s", origin, exc_info=True)
        return LoadFailure(origin, f"cannot extract text from the HTML: {exc}")
    data: dict[str, Any] = {}
    if doc is not None:
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    if len(text.split()) < MIN_PAGE_WORDS:
        # What trafilatura falls back to on a page with no article (a menu,
        # a cookie notice) is not worth indexing.
        return LoadFailure(origin, "no article text found in the page")
    title = (data.get("title") or "").strip()
    return RawArticle(
        title=title,
        body=text,
        origin=origin,
        date_text=data.get("date") or None,
        url=url or data.get("url") or None,
        source=(data.get("sitename") or "").strip() or None,
    )


# A tag the web writes, in text that should have none: a scraper's HTML body
# stored as a JSONL article's content. ("a < b" is no tag.)
_MARKUP = re.compile(
    r"<(?:!--|/?(?:p|div|br|hr|span|a|script|style|noscript|iframe|template|html|body|head|"
    r"article|section|header|footer|nav|aside|main|h[1-6]|ul|ol|li|table|thead|tbody|tr|td|th|"
    r"strong|em|b|i|u|img|figure|figcaption|blockquote|pre|code)(?=[\s/>])[^<>]*>)",
    re.IGNORECASE,
)


def text_of_markup(body: str) -> str:
    """`body` as text when it holds HTML markup (tags, scripts, entities
    gone; a paragraph a line, by trafilatura, favouring recall: an article
    body is no page, and little of it is boilerplate); else as it is. When
    trafilatura keeps nothing, all its text is kept ("" for markup with no
    text, or markup lxml cannot read)."""
    if _MARKUP.search(body) is None:
        return body
    import trafilatura

    document = f"<html><body>{body}</body></html>"
    try:
        # All its text first: markup with none is not given to `extract`,
        # which logs a warning the CLI printed ("discarding data: None").
        text = trafilatura.html2txt(document).strip()
        if not text:
            return ""
        extracted = trafilatura.extract(document, favor_recall=True, include_comments=False)
        return (extracted or text).strip()
    except Exception:  # lxml can raise on pathological markup
        log.debug("markup in a JSONL article could not be read", exc_info=True)
        return ""


# --- JSONL -------------------------------------------------------------------------------------------
_TEXT_KEYS = ("content", "text", "body")


def load_jsonl(path: Path) -> Iterator[Loaded]:
    """One article a line. A bad line is a failure named `file.jsonl:N`; the
    other lines are still read. Streamed, so a file of any size works."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield LoadFailure(str(path), f"cannot read it: {exc.strerror or exc}")
        return
    with handle:
        any_line = False
        for number, raw in enumerate(handle, start=1):
            origin = f"{path}:{number}"
            if not raw.strip():
                continue
            any_line = True
            if len(raw) > MAX_JSONL_LINE_BYTES:
                yield LoadFailure(
                    origin, f"line is over {MAX_JSONL_LINE_BYTES / 1e6:.0f} MB; skipped"
                )
                continue
            try:
                # Without its line break: a string left open runs into it, and
                # "unterminated string" is what the user needs to hear.
                record = json.loads(decode(raw).rstrip("\r\n"))
            except UndecodableError as exc:
                yield LoadFailure(origin, str(exc))
                continue
            except json.JSONDecodeError as exc:
                yield LoadFailure(origin, describe_json_error(exc, number))
                continue
            yield parse_record(record, origin)
        if not any_line:
            yield LoadFailure(str(path), "the file is empty")


def _field(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f'"{key}" must be a string, not {type(value).__name__}')
    return str(value).strip() or None


def explicit_id(value: str | None) -> str | None:
    """An id given by the input, checked: it becomes the article id as is,
    typed in `tanya show`/`remove` and shown in every report."""
    if value is None:
        return None
    if len(value) > MAX_ID_CHARS:
        raise ValueError(f'"id" is {len(value)} characters long; at most {MAX_ID_CHARS}')
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise ValueError('"id" holds control characters')
    return value


def parse_record(record: object, origin: str) -> Loaded:
    """A decoded JSONL line → an article: `title` and `content`/`text` required."""
    if not isinstance(record, dict):
        return LoadFailure(origin, f"expected a JSON object, got {type(record).__name__}")
    try:
        title = _field(record, "title")
        body = next((b for k in _TEXT_KEYS if (b := _field(record, k))), None)
        fields = {k: _field(record, k) for k in ("date", "url", "source", "id")}
        fields["id"] = explicit_id(fields["id"])
    except ValueError as exc:
        return LoadFailure(origin, str(exc))
    if not body:
        return LoadFailure(origin, 'missing "content" (or "text"): the article has no text')
    # HTML scraped into the content: its text, not its tags, is the article.
    body = text_of_markup(body)
    if not body:
        return LoadFailure(origin, '"content" is HTML markup with no readable text in it')
    if not title:
        return LoadFailure(origin, 'missing "title"')
    return RawArticle(
        title=title,
        body=body,
        origin=origin,
        date_text=fields["date"],
        url=fields["url"],
        source=fields["source"],
        id=fields["id"],
    )


# --- URLs ---------------------------------------------------------------------------------------------
def load_url(
    url: str, fetch: Fetcher, *, max_bytes: int = 5_000_000, max_feed_articles: int = 100
) -> Iterator[Loaded]:
    try:
        page = fetch(url)
    except FetchError as exc:
        yield LoadFailure(url, str(exc))
        return
    from retrieval.ingest.feeds import is_listing, load_listing  # feeds imports this module

    if is_listing(page, max_bytes):
        yield from load_listing(page, fetch, max_bytes=max_bytes, max_articles=max_feed_articles)
        return
    if page.content_type not in (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
    ):
        yield LoadFailure(url, f"not a web page, feed or sitemap ({page.content_type})")
        return
    yield read_page(page, url)


def read_page(page: FetchedPage, origin: str) -> Loaded:
    """A fetched page as an article (HTML through trafilatura, or plain text)."""
    suffix = ".txt" if page.content_type in ("text/plain", "text/markdown") else ".html"
    name = page.final_url.rstrip("/").rsplit("/", 1)[-1] or page.final_url
    return _from_bytes(
        page.body, suffix, origin, default_title=name, url=page.final_url, charset=page.charset
    )
