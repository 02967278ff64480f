"""Following from Telegram: `/follow` (admins, public addresses only), the
JobQueue poll that makes new articles answerable in the chat, `/stats`
listing the sources, and a note to the admins when a source keeps failing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from retrieval.follow.follow_store import FollowStore
from tests.helpers.news import serve_articles
from tests.helpers.telegram import ADMIN, BotHarness
from tests.servers.feeds import rss
from tests.servers.telegram_api import TelegramServer
from tests.servers.web import WebServer

MakeBot = Callable[..., BotHarness]
QUICK = {"follow_every": 0.02, "follow_host_delay": 0}  # a poll every 1.2 s


def test_follow_from_chat_refuses_private_and_non_admins(
    make_bot: MakeBot, web_server: WebServer
) -> None:
    items = serve_articles(web_server, 1)
    feed = web_server.route("/rss", rss(items), content_type="application/rss+xml")
    bot = make_bot(**QUICK)
    assert "hanya admin" in bot.ask(f"/follow {feed}", chat_id=77).text
    refused = bot.ask(f"/follow {feed}", chat_id=ADMIN).text
    assert "Gagal" in refused and "private or local address" in refused
    assert "Belum ada sumber yang diikuti" in bot.ask("/follow", chat_id=ADMIN).text
    assert "tidak diikuti" in bot.ask(f"/unfollow {feed}", chat_id=ADMIN).text


def test_bot_polls_followed_feed_and_answers_from_it(
    make_bot: MakeBot, web_server: WebServer, bot_data_dir: Path, telegram_server: TelegramServer
) -> None:
    items = serve_articles(web_server, 2)
    feed = web_server.route("/rss", rss(items), content_type="application/rss+xml")
    broken = web_server.route("/mati", "down", status=503, content_type="text/plain")
    store = FollowStore(bot_data_dir)  # followed from the terminal: local addresses allowed
    store.follow(feed, allow_private=True, added_by="cli")
    store.follow(broken, allow_private=True, added_by="cli")
    store.close()
    bot = make_bot(**QUICK)
    first = telegram_server.wait_for(
        lambda: (
            [m for m in telegram_server.sent_messages(ADMIN) if "gagal 3 kali" in m.text] or None
        ),
        timeout=90,
    )
    assert broken in first[0].text and "HTTP 503" in first[0].text
    answer = bot.ask("Kapan penanganan gempa di Cianjur akan selesai?", chat_id=5)
    assert "Cianjur" in answer.text
    assert items[1].url in [e.get("url") for e in answer.entities]
    stats = bot.ask("/stats", chat_id=5).text
    assert "Sumber yang diikuti" in stats and feed in stats and "total 2" in stats
    assert broken in stats
    # Polled again and again, each article was fetched once.
    assert len(web_server.requests_to("/rss")) >= 2
    assert len(web_server.requests_to("/berita/0")) == 1
    # One note per failing streak, not one per poll.
    assert len([m for m in telegram_server.sent_messages(ADMIN) if "gagal 3 kali" in m.text]) == 1
    assert "Berhenti mengikuti" in bot.ask(f"/unfollow {broken}", chat_id=ADMIN).text
