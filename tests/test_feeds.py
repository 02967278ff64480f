"""`tanya add FEED|SITEMAP`: the articles a feed or sitemap lists, each fetched
from the local web server and reported on its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.core.settings import Settings
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.article_index import ArticleIndex
from tests.helpers.news import serve_articles
from tests.servers.feeds import (
    FeedItem,
    atom,
    gzipped,
    news_sitemap,
    rdf,
    rss,
    sitemap,
    sitemap_index,
)
from tests.servers.web import WebServer


@pytest.fixture
def small_cap_index(data_dir: Path) -> Iterator[ArticleIndex]:
    idx = ArticleIndex(Settings(data_dir=data_dir, feed_max_articles=2))
    yield idx
    idx.close()


def statuses(report) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(i.origin, i.status) for i in report.items]


def test_rss_feed_adds_each_article_and_readding_is_unchanged(
    index: ArticleIndex, web_server: WebServer
) -> None:
    items = serve_articles(web_server)
    feed = web_server.route("/rss", rss(items), content_type="application/rss+xml")
    report = add_inputs(index, [feed])
    assert statuses(report) == [(i.url, "added") for i in items]
    titles = {a.title for a in index.list_articles()}
    assert {i.title for i in items} <= titles
    again = add_inputs(index, [feed])
    assert [s for _, s in statuses(again)] == ["unchanged"] * 3
    hits = index.search("gempa Cianjur", k=1)
    assert hits and hits[0].chunk.url == items[1].url


@pytest.mark.parametrize("kind", ["atom", "rdf", "news_sitemap", "sitemap_gz"])
def test_other_listing_formats(index: ArticleIndex, web_server: WebServer, kind: str) -> None:
    items = serve_articles(web_server, 2)
    iso = [FeedItem(i.url, i.title, "2024-03-05T09:30:00+07:00") for i in items]
    if kind == "atom":
        url = web_server.route("/atom", atom(iso), content_type="application/atom+xml")
    elif kind == "rdf":
        url = web_server.route("/rdf", rdf(iso), content_type="application/rdf+xml")
    elif kind == "news_sitemap":
        url = web_server.route("/news.xml", news_sitemap(iso), content_type="application/xml")
    else:
        body = gzipped(sitemap([i.url for i in items]))
        url = web_server.route("/sitemap.xml.gz", body, content_type="application/gzip")
    report = add_inputs(index, [url])
    assert sorted(statuses(report)) == sorted((i.url, "added") for i in items)


def test_sitemap_index_loop_and_depth_are_capped(
    index: ArticleIndex, web_server: WebServer
) -> None:
    items = serve_articles(web_server, 2)
    # index → a (articles) and b; b → index again (a loop) and c → d → e → f (too deep)
    web_server.route("/a.xml", sitemap([items[0].url]), content_type="application/xml")
    for name, child in [("b", ["/index.xml", "/c.xml"]), ("c", ["/d.xml"]), ("d", ["/e.xml"])]:
        web_server.route(
            f"/{name}.xml",
            sitemap_index([web_server.url(c) for c in child]),
            content_type="application/xml",
        )
    web_server.route("/e.xml", sitemap([items[1].url]), content_type="application/xml")
    url = web_server.route(
        "/index.xml",
        sitemap_index([web_server.url("/a.xml"), web_server.url("/b.xml")]),
        content_type="application/xml",
    )
    report = add_inputs(index, [url])
    assert (items[0].url, "added") in statuses(report)
    (too_deep,) = report.failed
    assert too_deep.origin.endswith("/e.xml") and "nested over 3 deep" in (too_deep.reason or "")
    assert len(web_server.requests_to("/index.xml")) == 1  # the loop was not followed


def test_endless_sitemap_index_stops_at_the_cap(index: ArticleIndex, web_server: WebServer) -> None:
    (item,) = serve_articles(web_server, 1)
    # An index of 200 sitemaps (a generated, never-ending archive).
    for n in range(200):
        web_server.route(f"/s{n}.xml", sitemap([item.url]), content_type="application/xml")
    url = web_server.route(
        "/idx.xml",
        sitemap_index([web_server.url(f"/s{n}.xml") for n in range(200)]),
        content_type="application/xml",
    )
    report = add_inputs(index, [url])
    assert (item.url, "added") in statuses(report)  # listed 49 times, fetched once
    assert len(web_server.requests_to(item.url.split(":", 2)[2].split("/", 1)[1])) == 1
    (cap,) = report.failed
    assert "151 more sitemap(s) not read: over 50" in (cap.reason or "")
    assert len([r for r in web_server.requests if r.path.startswith("/s")]) == 49


def test_ten_thousand_entries_are_capped_with_a_message(
    small_cap_index: ArticleIndex, web_server: WebServer
) -> None:
    items = serve_articles(web_server, 2)
    many = [FeedItem(web_server.url(f"/lama/{n}"), f"lama {n}", None) for n in range(10_000)]
    dated = [FeedItem(i.url, i.title, "Wed, 06 Mar 2024 10:00:00 +0700") for i in items]
    feed = web_server.route("/big", rss(many + dated), content_type="application/rss+xml")
    report = add_inputs(small_cap_index, [feed])
    # The newest two (the dated ones) are read; nothing of the undated 10,000.
    assert sorted(i.origin for i in report.items if i.status == "added") == sorted(
        i.url for i in items
    )
    (cap,) = report.failed
    assert "10002 articles" in (cap.reason or "") and "TANYA_FEED_MAX_ARTICLES" in (
        cap.reason or ""
    )
    assert not web_server.requests_to("/lama/0")


def test_bad_entries_fail_alone(index: ArticleIndex, web_server: WebServer) -> None:
    items = serve_articles(web_server, 2)
    bad_date = FeedItem(items[0].url, items[0].title, "kemarin sore, entah kapan")
    missing = FeedItem(web_server.url("/hilang"), "Halaman yang hilang")
    nested = FeedItem(web_server.route("/feed2", rss([]), content_type="application/rss+xml"), "x")
    feed = web_server.route(
        "/rss",
        rss([bad_date, missing, nested, items[1]]).replace(
            "<item><title>x</title>",
            "<item><title>tanpa tautan</title></item><item><title>x</title>",
        ),
        content_type="application/rss+xml",
    )
    report = add_inputs(index, [feed])
    got = {i.origin: (i.status, i.reason) for i in report.items}
    assert got[items[0].url][0] == "added"  # an unreadable feed date does not stop it
    assert got[items[1].url][0] == "added"
    assert got[missing.url] == ("failed", "the server answered HTTP 404")
    assert "not an article" in (got[nested.url][1] or "")
    assert any("has no link" in (i.reason or "") for i in report.failed)


def test_html_page_is_still_an_article_and_other_xml_is_refused(
    index: ArticleIndex, web_server: WebServer
) -> None:
    (item,) = serve_articles(web_server, 1)
    xml = web_server.route("/data.xml", "<?xml version='1.0'?><catalog/>", content_type="text/xml")
    report = add_inputs(index, [item.url, xml])
    assert sorted(statuses(report)) == sorted([(item.url, "added"), (xml, "failed")])
    assert "not a web page, feed or sitemap" in (report.failed[0].reason or "")
