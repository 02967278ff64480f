"""The data that flows through tanya: what loaders produce, what the cleaner
keeps, and what the index stores. Plain dataclasses so every stage can be
tested without the others."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

# What an article's id is made from: see `identity_of`.
IdentityKind = Literal["id", "url", "path", "text"]


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
    id: str | None = None  # explicit id (JSONL, Markdown front matter)
    path: str | None = None  # absolute path of the local file it was read from


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
    # How the id was made (`identity_of`), and the ids older versions of tanya
    # gave this article (`former_ids`): not stored, used to find a stored copy.
    identity: IdentityKind = "text"
    former_ids: tuple[str, ...] = ()
    # The stored copy this article replaces when that copy has another id
    # (an index built by an older tanya): written in the same transaction.
    replaces: str | None = None

    @property
    def content_hash(self) -> str:
        """Fingerprint of what gets indexed: a changed hash means an update.
        The URL counts in its canonical form: the same page reached through
        another spelling of its URL is unchanged."""
        from retrieval.text.urls import canonical_url

        return self._hash(canonical_url(self.url) if self.url else "")

    @property
    def former_content_hash(self) -> str:
        """The fingerprint before URLs were canonicalised (tanya 0.1)."""
        return self._hash(self.url or "")

    def _hash(self, url: str) -> str:
        h = hashlib.sha256()
        for part in (self.title, self.text, str(self.date), self.source or "", url):
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


def identity_of(*, explicit: str | None, url: str | None, path: str | None) -> IdentityKind:
    """What names an article, strongest first: the id its input gave, its
    URL, the local file it was read from, else its content."""
    if explicit and explicit.strip():
        return "id"
    if url and url.strip():
        return "url"
    return "path" if path else "text"


def article_id_for(
    *,
    explicit: str | None,
    url: str | None,
    title: str,
    text: str,
    path: str | None = None,
) -> str:
    """Identity of an article (see `identity_of`).

    An explicit id is the article id as given ("art003"), so it works
    wherever an id is taken. The others are hashed: the canonical URL
    (`urls.canonical_url`), the file's absolute path, or the title and text.
    So re-adding the same article changes nothing, and a changed version of
    the same id, URL or file replaces the old one.
    """
    kind = identity_of(explicit=explicit, url=url, path=path)
    if kind == "id":
        return (explicit or "").strip()
    if kind == "url":
        from retrieval.text.urls import canonical_url

        return _hashed("url:" + canonical_url(url or ""))
    if kind == "path":
        return _hashed("path:" + (path or ""))
    return content_id(title, text)


def content_id(title: str, text: str) -> str:
    """The id of an article known by its content only (unchanged since tanya 0.1)."""
    return _hashed("text:" + " ".join(title.split()) + "\n" + " ".join(text.split()))


def former_ids(*, explicit: str | None, url: str | None, title: str, text: str) -> tuple[str, ...]:
    """Ids older versions of tanya gave the same article, so an index built by
    them keeps working: an explicit id was hashed, a URL normalised less, and
    a local file identified by its content."""
    kind = identity_of(explicit=explicit, url=url, path="-")
    if kind == "id":
        return (_hashed("id:" + (explicit or "").strip()),)
    if kind == "url":
        return (_hashed("url:" + _former_normalised_url(url or "")),)
    return (content_id(title, text),)


def _hashed(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _former_normalised_url(url: str) -> str:
    """URL ids before `urls.canonical_url`: fragment, trailing slash and host case only."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
