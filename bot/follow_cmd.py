"""`tanya follow`, `tanya unfollow` and `tanya watch`: feeds and sitemaps
polled on a schedule, their new articles added as they appear."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bot.cli_common import console, err, load_settings, opened_index, print_json

if TYPE_CHECKING:
    from retrieval.follow import FollowedSource, PollResult


def follow_command(
    urls: Annotated[
        list[str] | None, typer.Argument(help="Feeds or sitemaps (RSS, Atom, sitemap.xml).")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the followed sources.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Follow feeds or sitemaps: `tanya watch` (or the bot) adds their new articles.

    Each URL is read once to check it is a feed or sitemap. Exit code 1 when
    any URL could not be followed.
    """
    from retrieval.follow import FollowStore, check_followable
    from retrieval.ingest import fetch_url

    settings = load_settings()
    store = FollowStore(settings.data_dir)
    try:
        if list_ or not urls:
            show_sources(store.sources(), as_json)
            return
        results = []
        for url in urls:
            if store.get(url) is not None:
                results.append({"url": url, "status": "already followed"})
                continue
            problem = check_followable(
                url.strip(),
                lambda u: fetch_url(
                    u, timeout=settings.fetch_timeout, max_bytes=settings.fetch_max_bytes
                ),
                settings.fetch_max_bytes,
            )
            if problem:
                results.append({"url": url, "status": "failed", "reason": problem})
                continue
            new = store.follow(url, allow_private=True, added_by="cli")
            results.append({"url": url, "status": "followed" if new else "already followed"})
    finally:
        store.close()
    if as_json:
        print_json(results)
    else:
        for r in results:
            if r["status"] == "failed":
                err.print(f"[red]failed[/] {r['url']}: {r['reason']}")
            else:
                console.print(f"{r['status']}: {r['url']}")
    if any(r["status"] == "failed" for r in results):
        raise typer.Exit(1)


def unfollow_command(
    url: Annotated[str, typer.Argument(help="A followed feed or sitemap.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Stop following a source (its articles stay in the index)."""
    from retrieval.follow import FollowStore

    store = FollowStore(load_settings().data_dir)
    try:
        removed = store.unfollow(url)
    finally:
        store.close()
    if as_json:
        print_json({"unfollowed": removed is not None, "url": removed or url})
    elif removed:
        console.print(f"unfollowed {removed}")
    else:
        err.print(f"[red]error:[/] {url} is not followed (see `tanya follow --list`)")
    if removed is None:
        raise typer.Exit(1)


def watch_command(
    once: Annotated[
        bool, typer.Option("--once", help="Poll every source once, then stop.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print each poll as JSON.")] = False,
) -> None:
    """Poll the followed sources every TANYA_FOLLOW_EVERY minutes and add new articles.

    Politely: conditional requests, robots.txt, a pause between requests to
    one host, backoff after errors. Ctrl-C stops it between two requests.
    """
    from retrieval.follow import FollowStore, Watcher

    settings = load_settings()
    store = FollowStore(settings.data_dir)
    try:
        if not store.sources():
            err.print("nothing is followed yet: `tanya follow URL` first")
            raise typer.Exit(1)
        with opened_index(settings) as index:
            watcher = Watcher(index, store)
            while True:
                results = watcher.round(progress=None if as_json else show_poll)
                if as_json:
                    print_json([r.as_json() for r in results])
                if once:
                    break
                time.sleep(settings.follow_every * 60)
    except KeyboardInterrupt:
        err.print("stopped")
    finally:
        store.close()


def followed_sources(data_dir: Path) -> list[FollowedSource]:
    """The followed sources, without creating the store where nothing is followed."""
    from retrieval.follow import FollowStore

    if not (data_dir / "follow.sqlite3").exists():
        return []
    store = FollowStore(data_dir)
    try:
        return store.sources()
    finally:
        store.close()


def show_poll(result: PollResult) -> None:
    if result.status == "ok":
        counts: dict[str, int] = {}
        for item in result.items:
            counts[item.status] = counts.get(item.status, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "nothing new"
        console.print(f"{result.url}: {summary}" + (f" ({result.reason})" if result.reason else ""))
        for item in result.items:
            if item.status == "failed":
                err.print(f"  [red]failed[/] {item.origin}: {item.reason}")
    elif result.status == "error":
        err.print(f"[red]{result.url}: error[/] {result.reason}")
    else:
        console.print(
            f"{result.url}: {result.status}" + (f" ({result.reason})" if result.reason else "")
        )


def show_sources(sources: list[FollowedSource], as_json: bool) -> None:
    if as_json:
        print_json([s.as_json() for s in sources])
        return
    if not sources:
        console.print("Nothing is followed. `tanya follow URL` adds a feed or sitemap.")
        return
    console.print(sources_table(sources))


def sources_table(sources: list[FollowedSource]) -> Table:
    table = Table("source", "last poll", "result", "new (last/total)", "errors")
    for s in sources:
        table.add_row(
            s.url,
            s.last_poll or "never",
            s.last_result or "-",
            f"{s.new_last}/{s.new_total}",
            f"{s.errors} ({s.failures_in_row} in a row)" if s.failures_in_row else str(s.errors),
        )
    return table
