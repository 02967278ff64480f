"""Following feeds: `tanya follow`, `tanya watch --once`, a restart in the
middle, politeness (conditional requests, robots.txt, per-host delay,
backoff, a cap per poll), against the local web server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from retrieval.core.settings import Settings
from retrieval.follow.follow_store import FollowStore
from retrieval.follow.polling import Watcher
from retrieval.store.article_index import ArticleIndex
from tests.helpers.news import serve_articles
from tests.servers.feeds import FeedItem, rss
from tests.servers.web import WebServer, article_page

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
FAST = {"TANYA_FOLLOW_HOST_DELAY": "0"}


def tanya(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=FAST)
    return result.exit_code, result.output


def tanya_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`tanya` in a new process: a restart, with only what is on disk."""
    env = {**os.environ, **FAST, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )


def serve_feed(web: WebServer, items: list[FeedItem], etag: str) -> str:
    return web.route("/rss", rss(items), content_type="application/rss+xml", headers={"ETag": etag})


def test_follow_poll_restart_and_answer(data_dir: Path, web_server: WebServer) -> None:
    items = serve_articles(web_server, 3)
    web_server.route(
        "/robots.txt", "User-agent: *\nDisallow: /rahasia\n", content_type="text/plain"
    )
    feed = serve_feed(web_server, items[:2], '"v1"')

    code, out = tanya("follow", feed)
    assert code == 0 and "followed" in out
    code, out = tanya("follow", feed + "/")
    assert code == 0 and "already followed" in out
    code, out = tanya("watch", "--once", "--json")
    assert code == 0, out
    (poll,) = json.loads(out)
    assert poll["status"] == "ok" and poll["new"] == 2

    # The site publishes a third article; a new process polls.
    serve_feed(web_server, items, '"v2"')
    done = tanya_process("watch", "--once", "--json")
    assert done.returncode == 0, done.stderr
    (poll,) = json.loads(done.stdout)
    assert [i["origin"] for i in poll["items"]] == [items[2].url]
    feed_requests = web_server.requests_to("/rss")
    assert feed_requests[-1].headers.get("if-none-match") == '"v1"'
    for item in items:  # every article fetched exactly once, across the restart
        assert len(web_server.requests_to(item.url.split("/", 3)[3])) == 1

    # Nothing new: the server answers 304 and no article is fetched.
    done = tanya_process("watch", "--once", "--json")
    (poll,) = json.loads(done.stdout)
    assert poll["status"] == "not modified"
    assert web_server.requests_to("/rss")[-1].headers.get("if-none-match") == '"v2"'
    assert sum(len(web_server.requests_to(i.url.split("/", 3)[3])) for i in items) == 3

    # The new article is answerable at once.
    asked = tanya_process("ask", "Kapan penanganan harga cabai di Medan akan selesai?", "--json")
    answer = json.loads(asked.stdout)
    assert items[2].url in [c["url"] for c in answer["citations"]]

    code, out = tanya("follow", "--list", "--json")
    (listed,) = json.loads(out)
    assert listed["new_articles_total"] == 3 and listed["polls"] == 3
    code, out = tanya("stats", "--json")
    assert json.loads(out)["followed"][0]["url"] == feed


def test_follow_refuses_what_is_not_a_feed(data_dir: Path, web_server: WebServer) -> None:
    page = web_server.route(
        "/beranda",
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        "</head><body><p>Beranda</p></body></html>",
    )
    code, out = tanya("follow", page, web_server.url("/tidak-ada"))
    assert code == 1
    out = " ".join(out.split())  # rich wraps long lines
    assert "not a feed or sitemap; its feed is" in out and "/rss.xml" in out
    assert "HTTP 404" in out
    code, out = tanya("follow", "--list", "--json")
    assert json.loads(out) == []
    code, out = tanya("unfollow", page)
    assert code == 1 and "not followed" in out


def watcher(data_dir: Path, **overrides: object) -> tuple[ArticleIndex, FollowStore, Watcher]:
    settings = Settings(data_dir=data_dir, follow_host_delay=0, **overrides)  # type: ignore[arg-type]
    index = ArticleIndex(settings)
    store = FollowStore(data_dir)
    return index, store, Watcher(index, store)


def test_cap_per_poll_robots_and_seen_items(data_dir: Path, web_server: WebServer) -> None:
    items = serve_articles(web_server, 4)
    secret = web_server.route("/rahasia/1", article_page("Rahasia", ["kata " * 20]))
    web_server.route(
        "/robots.txt", "User-agent: tanya\nDisallow: /rahasia\n", content_type="text/plain"
    )
    feed = serve_feed(web_server, [*items, FeedItem(secret, "Rahasia")], '"a"')
    index, store, w = watcher(data_dir, follow_max_per_poll=3)
    try:
        store.follow(feed, allow_private=True, added_by="test")
        (first,) = w.round()
        assert first.new == 3 and "2 more new item(s)" in (first.reason or "")
        serve_feed(web_server, [*items, FeedItem(secret, "Rahasia")], '"b"')
        (second,) = w.round()
        got = {i.origin: (i.status, i.reason) for i in second.items}
        assert got[items[3].url][0] == "added"
        assert got[secret] == ("failed", "robots.txt disallows it")
        assert not web_server.requests_to("/rahasia/1")
        assert len(web_server.requests_to("/robots.txt")) == 1  # cached for the watcher
    finally:
        store.close()
        index.close()


def test_robots_disallowing_the_feed_and_backoff_and_alert(
    data_dir: Path, web_server: WebServer
) -> None:
    web_server.route("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    broken = web_server.route("/rusak", "oops", status=500, content_type="text/plain")
    index, store, w = watcher(data_dir)
    try:
        store.follow(web_server.url("/rss"), allow_private=True, added_by="test")
        (blocked,) = w.round()
        assert blocked.status == "error" and "robots.txt" in (blocked.reason or "")
        assert not web_server.requests_to("/rss")
        store.unfollow(web_server.url("/rss"))

        store.follow(broken, allow_private=True, added_by="test")
        web_server.route("/robots.txt", "", status=404, content_type="text/plain")
        w.politeness = type(w.politeness)(0)  # a fresh robots cache
        statuses = [w.round()[0] for _ in range(8)]
        assert [r.status for r in statuses] == [
            "error",  # 1st failure: the next round polls again
            "error",  # 2nd: skip one round
            "backing off",
            "error",  # 3rd: skip three; the admins are told once
            "backing off",
            "backing off",
            "backing off",
            "error",
        ]
        assert [r.alert for r in statuses].count(True) == 1 and statuses[3].alert
        assert len(web_server.requests_to("/rusak")) == 4
    finally:
        store.close()
        index.close()


def test_requests_to_one_host_are_spaced(data_dir: Path, web_server: WebServer) -> None:
    items = serve_articles(web_server, 3)
    feed = serve_feed(web_server, items, '"x"')
    index, store, w = watcher(data_dir)
    w.politeness = type(w.politeness)(0.3)
    try:
        store.follow(feed, allow_private=True, added_by="test")
        w.round()
        times = [r.time for r in web_server.requests]
        assert len(times) == 5  # robots.txt, the feed, three articles
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= 0.29, (gaps, [r.path for r in web_server.requests])
    finally:
        store.close()
        index.close()
