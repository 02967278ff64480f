"""Feeds and sitemaps as news sites publish them, to serve from :class:`WebServer`.

Plain builders (RSS 2.0, RSS 1.0/RDF, Atom, sitemap, Google news sitemap,
sitemap index, gzip): tests and ``benchmarks/feeds.py`` put their output on
the loopback web server, so ``tanya add`` / ``tanya follow`` read them over
real HTTP.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from html import escape

__all__ = [
    "FeedItem",
    "atom",
    "gzipped",
    "news_sitemap",
    "rdf",
    "rss",
    "sitemap",
    "sitemap_index",
]


@dataclass
class FeedItem:
    url: str
    title: str
    published: str | None = "Tue, 05 Mar 2024 09:30:00 +0700"  # as written in the feed
    guid: str | None = None
    summary: str = ""


def rss(
    items: list[FeedItem], *, title: str = "Kabar Uji", link: str = "http://example.test/"
) -> str:
    entries = []
    for item in items:
        parts = [
            f"<title>{escape(item.title)}</title>",
            f"<link>{escape(item.url)}</link>",
            f"<guid>{escape(item.guid or item.url)}</guid>",
        ]
        if item.published is not None:
            parts.append(f"<pubDate>{escape(item.published)}</pubDate>")
        if item.summary:
            parts.append(f"<description><![CDATA[{item.summary}]]></description>")
        entries.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        "<description>Berita</description>" + "\n".join(entries) + "</channel></rss>"
    )


def rdf(items: list[FeedItem]) -> str:
    """RSS 1.0 (RDF), still served by some older Indonesian portals."""
    entries = "".join(
        f'<item rdf:about="{escape(i.url)}"><title>{escape(i.title)}</title>'
        f"<link>{escape(i.url)}</link>"
        + (f"<dc:date>{escape(i.published)}</dc:date>" if i.published else "")
        + "</item>"
        for i in items
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="http://example.test/"><title>Kabar</title></channel>'
        f"{entries}</rdf:RDF>"
    )


def atom(items: list[FeedItem], *, title: str = "Kabar Uji") -> str:
    entries = "".join(
        f"<entry><title>{escape(i.title)}</title>"
        f'<link rel="alternate" href="{escape(i.url)}"/>'
        f"<id>{escape(i.guid or i.url)}</id>"
        + (f"<updated>{escape(i.published)}</updated>" if i.published else "")
        + "</entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title>{entries}</feed>'
    )


def sitemap(urls: list[str], *, lastmod: str | None = "2024-03-05") -> str:
    rows = "".join(
        f"<url><loc>{escape(u)}</loc>"
        + (f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else "")
        + "</url>"
        for u in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    )


def news_sitemap(items: list[FeedItem]) -> str:
    """A Google news sitemap: `<news:news>` with title and publication date."""
    rows = "".join(
        f"<url><loc>{escape(i.url)}</loc><news:news><news:publication>"
        "<news:name>Kabar Uji</news:name><news:language>id</news:language>"
        "</news:publication>"
        + (
            f"<news:publication_date>{escape(i.published)}</news:publication_date>"
            if i.published
            else ""
        )
        + f"<news:title>{escape(i.title)}</news:title></news:news></url>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{rows}</urlset>"
    )


def sitemap_index(children: list[str]) -> str:
    rows = "".join(f"<sitemap><loc>{escape(c)}</loc></sitemap>" for c in children)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    )


def gzipped(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"))
