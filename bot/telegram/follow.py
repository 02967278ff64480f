"""Following feeds from the bot: `/follow URL`, `/unfollow URL` (admins), the
poll every `TANYA_FOLLOW_EVERY` minutes through PTB's JobQueue, a note to
the admins when a source keeps failing, and the followed sources in `/stats`.

Sources followed from the chat are polled with the same public-address rule
as `/add` (their feed and every article they list); sources followed with
`tanya follow` from the terminal keep the terminal's rule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from telegram import Update
from telegram.error import TelegramError

from retrieval.follow import FollowedSource, FollowStore, PollResult, Watcher, check_followable
from retrieval.ingest import fetch_url
from retrieval.text import Language

from . import render
from .admin_add import admin_only
from .i18n import t
from .incoming import command_rest
from .messaging import reply
from .state import STATE_KEY, AnyApplication, BotState, TanyaContext

log = logging.getLogger(__name__)

FOLLOW_KEY = "tanya.follow"


@dataclass
class Following:
    store: FollowStore
    watcher: Watcher


def setup_following(application: AnyApplication) -> None:
    """The store and the poll job (called by `build_application`, which also
    routes /follow and /unfollow here)."""
    state: BotState = application.bot_data[STATE_KEY]
    store = FollowStore(state.settings.data_dir)
    application.bot_data[FOLLOW_KEY] = Following(store, Watcher(state.index, store, embed=False))
    every = state.settings.follow_every * 60
    assert application.job_queue is not None  # python-telegram-bot[job-queue] is a dependency
    # The first round soon after start: a restarted bot does not wait a whole period.
    first = min(every, 30.0)
    application.job_queue.run_repeating(poll_job, interval=every, first=first, name="follow")


def close_following(application: AnyApplication) -> None:
    following = application.bot_data.get(FOLLOW_KEY)
    if isinstance(following, Following):
        following.store.close()


def _following(application: AnyApplication) -> Following:
    following = application.bot_data[FOLLOW_KEY]
    assert isinstance(following, Following)
    return following


async def follow_command(update: Update, context: TanyaContext) -> None:
    """`/follow URL…` (admins): check each is a public feed or sitemap, then follow it."""
    message = update.effective_message
    if message is None or (state := await admin_only(update, context)) is None:
        return
    lang = context.language(update)
    application = context.application
    following = _following(application)
    urls = command_rest(message.text or "").split()
    if not urls:
        await reply(
            message,
            t(lang, "follow_usage") + "\n\n" + sources_text(following.store.sources(), lang),
        )
        return
    settings = state.settings
    # Chat URLs never reach the server's own network, as with /add.
    fetch = partial(
        fetch_url,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=False,
    )
    lines = []
    for url in urls[:10]:
        if following.store.get(url) is not None:
            lines.append(t(lang, "follow_already", url=render.escape(url)))
            continue
        problem = await state.off_loop(
            application, partial(check_followable, url, fetch, settings.fetch_max_bytes)
        )
        shown = render.escape(url)
        if problem:
            lines.append(t(lang, "follow_failed", url=shown, reason=render.escape(problem)))
            continue
        user = update.effective_user
        added = following.store.follow(
            url, allow_private=False, added_by=f"telegram:{user.id if user else '?'}"
        )
        lines.append(t(lang, "follow_followed" if added else "follow_already", url=shown))
    await reply(message, "\n".join(lines))


async def unfollow_command(update: Update, context: TanyaContext) -> None:
    message = update.effective_message
    if message is None or await admin_only(update, context) is None:
        return
    lang = context.language(update)
    url = command_rest(message.text or "").strip()
    if not url:
        await reply(message, t(lang, "follow_usage"))
        return
    removed = _following(context.application).store.unfollow(url)
    key = "follow_unfollowed" if removed else "follow_not_followed"
    await reply(message, t(lang, key, url=render.escape(removed or url)))


async def poll_job(context: TanyaContext) -> None:
    """One round over the followed sources, off the event loop and one
    ingestion at a time; admins hear about a source that keeps failing."""
    application = context.application
    state = context.state
    following = _following(application)
    if not following.store.sources():
        return
    try:
        async with state.ingest_lock:
            results = await state.off_loop(application, following.watcher.round)
    except Exception:  # a failed round must not stop the schedule
        log.exception("polling the followed sources failed")
        return
    finally:
        state.embed_in_background(application)  # the new articles' vectors
    for result in results:
        if result.status != "backing off":
            log.info("polled %s: %s, %d new", result.url, result.status, result.new)
        if result.alert:
            await alert_admins(application, state, result)


async def alert_admins(application: AnyApplication, state: BotState, result: PollResult) -> None:
    values = {
        "url": render.escape(result.url),
        # Counts in plain digits, as /follow has always shown them (`t` would
        # write 1.000 / 1,000).
        "n": str(result.failures_in_row),
        "reason": render.escape(result.reason or ""),
    }
    # An admin's language is not known here: both.
    text = t("id", "follow_alert", **values) + "\n" + t("en", "follow_alert", **values)
    for admin_id in state.settings.admin_ids:
        try:
            await application.bot.send_message(admin_id, text, parse_mode="HTML")
        except TelegramError as exc:  # an admin who never opened the chat
            log.warning("could not tell admin %s that %s fails: %s", admin_id, result.url, exc)


def sources_text(sources: list[FollowedSource], lang: Language) -> str:
    if not sources:
        return t(lang, "follow_none")
    lines = [t(lang, "follow_header")]
    for s in sources[:20]:
        lines.append(
            t(
                lang,
                "follow_line",
                url=render.escape(s.url),
                poll=(s.last_poll or t(lang, "follow_never"))
                .replace("T", " ")
                .replace("+00:00", " UTC"),
                result=render.escape((s.last_result or "-")[:200]),
                new_last=str(s.new_last),  # plain digits, as in the alert
                new_total=str(s.new_total),
                errors=str(s.errors),
            )
        )
    return "\n".join(lines)


def stats_addition(application: AnyApplication, lang: Language) -> str:
    """The followed sources for `/stats` (empty when none)."""
    following = application.bot_data.get(FOLLOW_KEY)
    if not isinstance(following, Following):
        return ""
    sources = following.store.sources()
    return "\n\n" + sources_text(sources, lang) if sources else ""
