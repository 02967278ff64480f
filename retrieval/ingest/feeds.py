"""Feeds and sitemaps: the list of articles a news site publishes.

`tanya add URL` and `tanya follow` read RSS 1.0/2.0 and Atom feeds, sitemaps,
Google news sitemaps and sitemap indexes (also gzipped), then fetch each
article they list with tanya's own `fetch_url` (time and size caps, the
public-address rule for chat): no parser here ever touches the network.

Measured before writing (BENCHMARKS.md, "Feed and sitemap parsers"):
feedparser reads every feed variant, resolves relative links and keeps
titles, ids and dates (and leaves a date it cannot read empty instead of
guessing); trafilatura's feed reader keeps only links, and drops them for
hosts it finds implausible (127.0.0.1). For sitemaps, trafilatura drops
`<lastmod>` and news publication dates and takes an index's children for
pages unless they end in `.xml`, so sitemaps are read here with lxml (a few
lines: `<loc>`, `<lastmod>`, `<news:title>`, `<news:publication_date>`).
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from retrieval.core.models import LoadFailure, RawArticle
from retrieval.ingest.fetch import FetchedPage, FetchError
from retrieval.text.urls import canonical_url

log = logging.getLogger(__name__)

# A sitemap index may point to indexes; deeper than this is a loop or a trap.
MAX_SITEMAP_DEPTH = 3
# Sitemaps read for one listing, whatever the depth (an "endless" index).
MAX_SITEMAPS = 50

ListingKind = Literal["rss", "atom", "rdf", "sitemap", "sitemapindex"]
_ROOTS: dict[str, ListingKind] = {
    "rss": "rss",
    "feed": "atom",
    "rdf": "rdf",
    "urlset": "sitemap",
    "sitemapindex": "sitemapindex",
}
_ROOT_TAG = re.compile(rb"<\s*([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")

Fetcher = Callable[[str], FetchedPage]


class FeedError(ValueError):
    """A feed or sitemap that cannot be read; the message is for the user."""


@dataclass
class FeedEntry:
    url: str
    key: str  # what identifies the item across polls: its guid, else its URL
    title: str | None = None
    published: datetime | None = None
    date_problem: str | None = None  # "unreadable date 'kemarin sore'"


@dataclass
class Listing:
    """The articles a feed or sitemap (with its children) lists, newest first
    where dates are known, and the sitemaps that could not be read."""

    kind: ListingKind
    entries: list[FeedEntry] = field(default_factory=list)
    problems: list[LoadFailure] = field(default_factory=list)


def body_of(page: FetchedPage, max_bytes: int) -> bytes:
    """The page's bytes, gunzipped when it is a `.gz` sitemap (at most `max_bytes`
    once unpacked: a small gzip can unpack to gigabytes)."""
    data = page.body
    if data[:2] != b"\x1f\x8b":
        return data
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = unpacker.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise FeedError(f"a damaged gzip file: {exc}") from None
    if len(out) > max_bytes:
        raise FeedError(f"unpacks to more than {max_bytes / 1e6:.1f} MB (TANYA_FETCH_MAX_BYTES)")
    return out


def listing_kind(data: bytes) -> ListingKind | None:
    """What the document is by its root element, or None for anything else
    (an HTML page, plain text, other XML)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    # Skip the XML declaration, comments, processing instructions and a doctype.
    while head.startswith((b"<?", b"<!")):
        end = head.find(b"-->" if head.startswith(b"<!--") else b">")
        if end < 0:
            return None
        head = head[end + 1 :].lstrip()
    match = _ROOT_TAG.match(head)
    return _ROOTS.get(match.group(2).decode().lower()) if match else None


def is_listing(page: FetchedPage, max_bytes: int) -> bool:
    try:
        return listing_kind(body_of(page, max_bytes)) is not None
    except FeedError:
        return page.content_type.endswith("gzip")


def parse_listing(data: bytes, base_url: str) -> tuple[ListingKind, list[FeedEntry], list[str]]:
    """Entries and (for a sitemap index) child sitemap URLs of one document."""
    kind = listing_kind(data)
    if kind is None:
        raise FeedError("not a feed or sitemap")
    if kind in ("sitemap", "sitemapindex"):
        return (kind, *_parse_sitemap(data, base_url))
    return kind, _parse_feed(data, base_url), []


def _parse_feed(data: bytes, base_url: str) -> list[FeedEntry]:
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": base_url})
    entries = []
    for number, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or ""
        guid = entry.get("id") or ""
        if not link and guid.startswith(("http://", "https://")):
            link = guid
        if not link:
            entries.append(FeedEntry(url="", key=guid or f"#{number}", title=entry.get("title")))
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        raw_date = entry.get("published") or entry.get("updated")
        published = datetime(*stamp[:6]).replace(tzinfo=UTC) if stamp else None
        problem = f"unreadable date {raw_date!r}" if raw_date and not stamp else None
        entries.append(
            FeedEntry(
                url=link.strip(),
                key=(guid or link).strip(),
                title=entry.get("title"),
                published=published,
                date_problem=problem,
            )
        )
    return entries


def _parse_sitemap(data: bytes, base_url: str) -> tuple[list[FeedEntry], list[str]]:
    from urllib.parse import urljoin

    from lxml import etree

    # No entities, no network: a sitemap is data from a stranger.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not valid XML: {exc}") from None
    if root is None:
        raise FeedError("not valid XML")
    entries: list[FeedEntry] = []
    children: list[str] = []
    is_index = etree.QName(root).localname.lower() == "sitemapindex"
    for node in root:
        if not isinstance(node.tag, str):
            continue
        values: dict[str, str] = {}
        for child in node.iter():
            if isinstance(child.tag, str) and child.text and child.text.strip():
                values.setdefault(etree.QName(child).localname.lower(), child.text.strip())
        loc = values.get("loc")
        if not loc:
            continue
        loc = urljoin(base_url, loc)
        if is_index:
            children.append(loc)
            continue
        raw_date = values.get("publication_date") or values.get("lastmod")
        published, problem = _iso_date(raw_date)
        entries.append(
            FeedEntry(
                url=loc,
                key=loc,
                title=values.get("title"),
                published=published,
                date_problem=problem,
            )
        )
    return entries, children


def _iso_date(raw: str | None) -> tuple[datetime | None, str | None]:
    """Sitemaps use W3C datetime (ISO 8601); anything else is reported, not guessed."""
    if not raw:
        return None, None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None, f"unreadable date {raw!r}"
    return (value if value.tzinfo else value.replace(tzinfo=UTC)), None


def read_listing(page: FetchedPage, fetch: Fetcher, *, max_bytes: int) -> Listing:
    """The articles `page` lists; a sitemap index's children are fetched (up to
    `MAX_SITEMAP_DEPTH` deep and `MAX_SITEMAPS` in all, each once). Raises
    `FeedError` when `page` itself cannot be read; a child that cannot is a
    problem in the listing and the others are still read."""
    kind, entries, children = parse_listing(body_of(page, max_bytes), page.final_url)
    listing = Listing(kind, entries)
    seen = {canonical_url(page.final_url)}
    queue = [(child, 1) for child in children]
    read = 1
    while queue:
        url, depth = queue.pop(0)
        if canonical_url(url) in seen:
            continue  # a loop: already read
        seen.add(canonical_url(url))
        if depth > MAX_SITEMAP_DEPTH:
            listing.problems.append(
                LoadFailure(url, f"not read: sitemap indexes nested over {MAX_SITEMAP_DEPTH} deep")
            )
            continue
        if read >= MAX_SITEMAPS:
            left = 1 + sum(1 for u, _ in queue if canonical_url(u) not in seen)
            listing.problems.append(
                LoadFailure(
                    url, f"{left} more sitemap(s) not read: over {MAX_SITEMAPS} in one index"
                )
            )
            break
        read += 1
        try:
            child_page = fetch(url)
            _, child_entries, grandchildren = parse_listing(
                body_of(child_page, max_bytes), child_page.final_url
            )
        except (FetchError, FeedError) as exc:
            listing.problems.append(LoadFailure(url, f"sitemap not read: {exc}"))
            continue
        listing.entries += child_entries
        queue += [(g, depth + 1) for g in grandchildren]
    listing.entries = _newest_first(_unique(listing.entries))
    return listing


def _unique(entries: list[FeedEntry]) -> list[FeedEntry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        key = canonical_url(entry.url) if entry.url else entry.key
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


def _newest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Dated entries newest first, undated ones after in the listing's order:
    a cap on articles keeps the newest."""
    dated = sorted((e for e in entries if e.published), key=lambda e: e.published, reverse=True)  # type: ignore[arg-type, return-value]
    return dated + [e for e in entries if not e.published]


def load_entry(entry: FeedEntry, fetch: Fetcher) -> RawArticle | LoadFailure:
    """One listed article, fetched and read like any URL. The listing's date
    and title fill in what the page lacks."""
    from retrieval.ingest.loaders import read_page

    if not entry.url:
        return LoadFailure(entry.key, f"the entry {entry.title or entry.key!r} has no link")
    try:
        page = fetch(entry.url)
    except FetchError as exc:
        return LoadFailure(entry.url, str(exc))
    if page.content_type not in (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
    ):
        return LoadFailure(entry.url, f"links to a {page.content_type} document, not an article")
    loaded = read_page(page, entry.url)
    if isinstance(loaded, RawArticle):
        if not loaded.date_text and entry.published:
            loaded.date_text = entry.published.date().isoformat()
        if not loaded.title and entry.title:
            loaded.title = entry.title
    return loaded


def load_listing(
    page: FetchedPage, fetch: Fetcher, *, max_bytes: int, max_articles: int
) -> Iterator[RawArticle | LoadFailure]:
    """`tanya add FEED`: every article the feed lists (at most `max_articles`,
    the newest), each one a result of its own."""
    try:
        listing = read_listing(page, fetch, max_bytes=max_bytes)
    except FeedError as exc:
        yield LoadFailure(page.url, f"cannot read the {_what(page)}: {exc}")
        return
    yield from listing.problems
    if not listing.entries:
        yield LoadFailure(page.url, f"the {listing.kind} lists no articles")
        return
    for entry in listing.entries[:max_articles]:
        yield load_entry(entry, fetch)
    skipped = len(listing.entries) - max_articles
    if skipped > 0:
        yield LoadFailure(
            page.url,
            f"lists {len(listing.entries)} articles; the newest {max_articles} were read and "
            f"{skipped} skipped (TANYA_FEED_MAX_ARTICLES caps one add)",
        )


def _what(page: FetchedPage) -> str:
    return "sitemap" if "sitemap" in page.final_url.lower() else "feed"


def feed_link_in_html(html: bytes, url: str) -> str | None:
    """The feed an HTML page announces (`<link rel="alternate" type=...rss>`),
    found by trafilatura without fetching anything: `tanya follow PAGE` can
    name it."""
    from trafilatura.feeds import FeedParameters, determine_feed

    host = url.split("/")[2] if "//" in url else url
    try:
        found = determine_feed(html.decode("utf-8", "replace"), FeedParameters(url, host, url))
    except Exception:  # a hint only; a parser hiccup must not fail the command
        return None
    return found[0] if found else None
