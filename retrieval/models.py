"""The data that flows through tanya: what loaders produce, what the cleaner
keeps, and what the index stores. Plain dataclasses so every stage can be
tested without the others."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


@dataclass
class RawArticle:
    """An article as a loader read it, before cleaning.

    `origin` says where it came from (a path, a URL, `file.jsonl:12`) so a
    report can point the user at the input.
    """

    title: str
    body: str
    origin: str
    date_text: str | None = None  # as written in the input ("10 November 2017")
    url: str | None = None
    source: str | None = None  # outlet, when the input names it
    id: str | None = None  # explicit id from JSONL


@dataclass
class Removal:
    """One piece of text the cleaner dropped, kept so it can be inspected."""

    kind: str  # "repeated_title", "related_headline", "boilerplate", ...
    text: str


@dataclass
class Article:
    """A cleaned article, ready to chunk. `text` is the cleaned body; chunk
    offsets and citation quotes index into it."""

    id: str
    title: str
    text: str
    origin: str
    date: date | None = None
    source: str | None = None
    url: str | None = None
    dateline: str | None = None
    removed: list[Removal] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Fingerprint of what gets indexed: a changed hash means an update."""
        h = hashlib.sha256()
        for part in (self.title, self.text, str(self.date), self.source or "", self.url or ""):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()[:16]


@dataclass
class Chunk:
    """A passage of an article. `start`/`end` are character offsets into
    `Article.text`, so `article.text[start:end] == text`."""

    article_id: str
    position: int
    text: str
    start: int
    end: int

    def chunk_id(self, content_hash: str) -> str:
        # The content hash is part of the id so an update never collides with
        # the chunks of the version it replaces.
        return f"{self.article_id}:{content_hash[:8]}:{self.position}"


@dataclass
class LoadFailure:
    """An input that could not become an article, with a reason a user can act on."""

    origin: str
    reason: str


def article_id_for(*, explicit: str | None, url: str | None, title: str, text: str) -> str:
    """Identity of an article: its explicit id, else its URL, else its content.

    So re-adding the same article changes nothing, and a changed version of a
    URL (or id) replaces the old one.
    """
    if explicit:
        key = "id:" + explicit.strip()
    elif url:
        key = "url:" + normalise_url(url)
    else:
        key = "text:" + " ".join(title.split()) + "\n" + " ".join(text.split())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def normalise_url(url: str) -> str:
    """Drop what does not change the page (fragment, trailing slash, case of host)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
