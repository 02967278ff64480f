"""Polling followed feeds and sitemaps (`tanya watch`, the bot's job).

Politely: a conditional request (ETag / Last-Modified from the last answer),
robots.txt respected (read through tanya's own fetch, with its caps and, for
sources followed from chat, its public-address rule), a delay between two
requests to one host (robots.txt's Crawl-delay when longer), backoff after
errors, at most `TANYA_FOLLOW_MAX_PER_POLL` new articles a poll, and an item
seen once is never fetched again (also after a restart: `follow_store.py`).
"""

from __future__ import annotations

import logging
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from retrieval.core.models import LoadFailure, RawArticle
from retrieval.follow.follow_store import FollowedSource, FollowStore
from retrieval.ingest.feeds import (
    FeedEntry,
    FeedError,
    feed_link_in_html,
    is_listing,
    load_entry,
    read_listing,
)
from retrieval.ingest.fetch import FetchedPage, FetchError, fetch_url
from retrieval.ingest.pipeline import AddReport, ItemResult, add_raw_articles
from retrieval.store.article_index import ArticleIndex

log = logging.getLogger(__name__)

ROBOTS_AGENT = "tanya"
# A source failing this many polls in a row is reported to the admins (once).
ALERT_AFTER_FAILURES = 3


@dataclass
class PollResult:
    url: str
    status: str  # "ok", "not modified", "backing off", "error"
    reason: str | None = None
    items: list[ItemResult] = field(default_factory=list)
    failures_in_row: int = 0

    @property
    def new(self) -> int:
        return sum(1 for i in self.items if i.status in ("added", "updated"))

    @property
    def alert(self) -> bool:
        """This poll made the source fail `ALERT_AFTER_FAILURES` times in a row."""
        return self.status == "error" and self.failures_in_row == ALERT_AFTER_FAILURES

    def as_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "status": self.status,
            "reason": self.reason,
            "new": self.new,
            "failures_in_row": self.failures_in_row,
            "items": [i.__dict__ for i in self.items],
        }


class Politeness:
    """robots.txt per host and the pause between requests to one host, for
    one watcher (kept across rounds; robots.txt re-read after an hour)."""

    ROBOTS_TTL = 3600.0

    def __init__(self, host_delay: float) -> None:
        self.host_delay = host_delay
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser]] = {}
        self._last_request: dict[str, float] = {}

    def allowed(self, url: str, fetch: Callable[[str], FetchedPage]) -> bool:
        return self._rules(url, fetch).can_fetch(ROBOTS_AGENT, url)

    def _rules(
        self, url: str, fetch: Callable[[str], FetchedPage]
    ) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(origin)
        if cached and time.monotonic() - cached[0] < self.ROBOTS_TTL:
            return cached[1]
        rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            page = self.paced(fetch, origin + "/robots.txt")
            lines = page.body.decode("utf-8", "replace").splitlines()
        except FetchError:
            # No robots.txt (404), or none readable: nothing is disallowed,
            # as for crawlers generally (RFC 9309 §2.3.1.3 for 4xx).
            lines = []
        rules.parse(lines)
        self._robots[origin] = (time.monotonic(), rules)
        return rules

    def paced(self, fetch: Callable[..., FetchedPage], url: str, *args: object) -> FetchedPage:
        """`fetch(url)` once the host's delay has passed since its last answer."""
        host = urlsplit(url).netloc.lower()
        delay = max(self.host_delay, self.crawl_delay(url))
        last = self._last_request.get(host)
        if last is not None:
            pause = last + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        try:
            return fetch(url, *args)
        finally:
            self._last_request[host] = time.monotonic()

    def crawl_delay(self, url: str) -> float:
        parts = urlsplit(url)
        cached = self._robots.get(f"{parts.scheme}://{parts.netloc}")
        delay = cached[1].crawl_delay(ROBOTS_AGENT) if cached else None
        return float(delay or 0.0)


def check_followable(url: str, fetch: Callable[[str], FetchedPage], max_bytes: int) -> str | None:
    """Why `url` cannot be followed (not reachable, not a feed or sitemap), or
    None. An HTML page that announces its feed gets the feed's URL as a hint."""
    try:
        page = fetch(url)
    except FetchError as exc:
        return str(exc)
    if is_listing(page, max_bytes):
        return None
    if page.content_type in ("text/html", "application/xhtml+xml"):
        hint = feed_link_in_html(page.body, page.final_url)
        return "this is a web page, not a feed or sitemap" + (
            f"; its feed is {hint}" if hint else ""
        )
    return f"not a feed or sitemap ({page.content_type})"


class Watcher:
    """Polls every followed source once per `round()`."""

    def __init__(self, index: ArticleIndex, store: FollowStore, *, embed: bool = True) -> None:
        """`embed=False`: new articles are stored (found by their words at
        once) and their passages left waiting for `index.embed_waiting()`,
        which the bot runs in the background after each round."""
        self.index, self.store = index, store
        self.embed = embed
        settings = index.settings
        self.politeness = Politeness(settings.follow_host_delay)
        self.max_per_poll = settings.follow_max_per_poll

    def _fetcher(self, source: FollowedSource) -> Callable[..., FetchedPage]:
        settings = self.index.settings

        def fetch(url: str, conditional: dict[str, str] | None = None) -> FetchedPage:
            return fetch_url(
                url,
                timeout=settings.fetch_timeout,
                max_bytes=settings.fetch_max_bytes,
                allow_private=source.allow_private,
                conditional=conditional,
            )

        return fetch

    def round(self, progress: Callable[[PollResult], None] | None = None) -> list[PollResult]:
        results = []
        for source in self.store.sources():
            if self.store.take_backoff_round(source.url):
                result = PollResult(
                    source.url,
                    "backing off",
                    f"after {source.failures_in_row} failed polls in a row",
                    failures_in_row=source.failures_in_row,
                )
            else:
                result = self.poll(source)
            results.append(result)
            if progress:
                progress(result)
        return results

    def poll(self, source: FollowedSource) -> PollResult:
        try:
            return self._poll(source)
        except (FetchError, FeedError) as exc:
            failures = self.store.record_poll(source.url, result=str(exc), ok=False)
            log.warning("polling %s failed: %s", source.url, exc)
            return PollResult(source.url, "error", str(exc), failures_in_row=failures)

    def _poll(self, source: FollowedSource) -> PollResult:
        fetch = self._fetcher(source)
        settings = self.index.settings
        if not self.politeness.allowed(source.url, fetch):
            raise FetchError("robots.txt of the site disallows reading this feed")
        conditional = {}
        if source.etag:
            conditional["If-None-Match"] = source.etag
        if source.last_modified:
            conditional["If-Modified-Since"] = source.last_modified
        page = self.politeness.paced(fetch, source.url, conditional)
        if page.status == 304:
            self.store.record_poll(source.url, result="not modified", ok=True)
            return PollResult(source.url, "not modified")
        if not is_listing(page, settings.fetch_max_bytes):
            raise FeedError("not a feed or sitemap any more")

        def paced_fetch(url: str) -> FetchedPage:
            return self.politeness.paced(fetch, url)

        listing = read_listing(page, paced_fetch, max_bytes=settings.fetch_max_bytes)
        fresh = [e for e in listing.entries if not self.store.is_done(source.url, e.key)]
        loaded: list[tuple[FeedEntry, RawArticle | LoadFailure]] = []
        for entry in fresh[: self.max_per_poll]:
            if entry.url and not self.politeness.allowed(entry.url, fetch):
                loaded.append((entry, LoadFailure(entry.url, "robots.txt disallows it")))
                continue
            loaded.append((entry, load_entry(entry, paced_fetch)))
        # Fetched first, stored after: the index's write lock is held only while writing.
        report = add_raw_articles(self.index, [item for _, item in loaded], embed=self.embed)
        self._mark_seen(source, loaded, report)
        result = PollResult(source.url, "ok", items=list(report.items))
        for problem in listing.problems:
            result.items.append(ItemResult(problem.origin, "failed", reason=problem.reason))
        left = len(fresh) - len(loaded)
        if left > 0:
            result.reason = (
                f"{left} more new item(s) wait for the next poll (TANYA_FOLLOW_MAX_PER_POLL)"
            )
        self.store.record_poll(
            source.url,
            result="ok",
            ok=True,
            new=result.new,
            etag=page.etag,
            last_modified=page.last_modified,
        )
        return result

    def _mark_seen(
        self,
        source: FollowedSource,
        loaded: list[tuple[FeedEntry, RawArticle | LoadFailure]],
        report: AddReport,
    ) -> None:
        by_origin = {item.origin: item.status for item in report.items}
        for entry, item in loaded:
            status = by_origin.get(item.origin, "failed")
            self.store.mark(source.url, entry.key, entry.url, status)
