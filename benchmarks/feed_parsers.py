"""Which library reads news feeds and sitemaps best (issue 11): feedparser vs
trafilatura's feed and sitemap readers, on the formats `tests/servers/feeds.py`
builds. Offline: the documents are given to the parsers, nothing is fetched.

    python -m benchmarks.feed_parsers
"""

from __future__ import annotations

import feedparser
import trafilatura.feeds as tfeeds
import trafilatura.sitemaps as tsitemaps

from retrieval.ingest import parse_listing
from tests.servers.feeds import FeedItem, atom, news_sitemap, rdf, rss, sitemap, sitemap_index


def main() -> None:
    for base, host in (
        ("https://www.kompas.com", "kompas.com"),
        ("http://127.0.0.1:8080", "127.0.0.1"),
    ):
        items = [
            FeedItem(
                f"{base}/berita/{i}",
                f"Judul {i}",
                "Tue, 05 Mar 2024 09:30:00 +0700" if i % 4 else "kemarin sore",
            )
            for i in range(20)
        ]
        iso = [FeedItem(i.url, i.title, "2024-03-05T09:30:00+07:00") for i in items]
        feeds = {
            "rss2 (5 unreadable dates)": rss(items),
            "rss2 relative links": rss([FeedItem(f"/berita/r{i}", f"R {i}") for i in range(20)]),
            "rss1 rdf": rdf(iso),
            "atom": atom(iso),
            "rss2 bare &": rss(items).replace("<title>Judul 1</title>", "<title>A & B</title>"),
        }
        print(f"\n{base}: links found / dated (of 20)")
        print("| document | feedparser | trafilatura.feeds | tanya (feeds.py) |\n|---|---|---|---|")
        for name, doc in feeds.items():
            fp = feedparser.parse(
                doc.encode(), response_headers={"content-location": base + "/feed"}
            )
            fp_links = sum(1 for e in fp.entries if e.get("link"))
            fp_dated = sum(
                1 for e in fp.entries if e.get("published_parsed") or e.get("updated_parsed")
            )
            tr = tfeeds.extract_links(doc, tfeeds.FeedParameters(base, host, base + "/feed"))
            _, ours, _ = parse_listing(doc.encode(), base + "/feed")
            print(
                f"| {name} | {fp_links} / {fp_dated} | {len(tr)} / 0 | {len(ours)} / {sum(1 for e in ours if e.published)} |"
            )
        sitemaps = {
            "urlset with lastmod": sitemap([i.url for i in items]),
            "news sitemap": news_sitemap(iso),
            "index, children *.xml (20)": sitemap_index([f"{base}/s-{i}.xml" for i in range(20)]),
            "index, children ?page=N (20)": sitemap_index(
                [f"{base}/sitemap?page={i}" for i in range(20)]
            ),
        }
        print(
            "\n| sitemap | trafilatura pages / child sitemaps / dated | tanya pages / child sitemaps / dated |\n|---|---|---|"
        )
        for name, doc in sitemaps.items():
            obj = tsitemaps.SitemapObject(base, host, [])
            obj.current_url, obj.content = base + "/sitemap.xml", doc
            obj.process()
            _, ours, children = parse_listing(doc.encode(), base + "/sitemap.xml")
            print(
                f"| {name} | {len(obj.urls)} / {len(obj.sitemap_urls)} / 0 | {len(ours)} / {len(children)} / {sum(1 for e in ours if e.published)} |"
            )


if __name__ == "__main__":
    main()
