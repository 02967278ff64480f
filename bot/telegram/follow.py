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

from . import render
from .handlers import admin_only, command_rest, reply, user_lang
from .i18n import Lang
from .state import STATE_KEY, AnyApplication, BotState, get_state

log = logging.getLogger(__name__)

FOLLOW_KEY = "tanya.follow"

_TEXTS: dict[str, dict[Lang, str]] = {
    "usage": {
        "id": "Cara mengikuti sumber berita: <code>/follow URL-feed-atau-sitemap</code>.",
        "en": "To follow a news source: <code>/follow FEED-OR-SITEMAP-URL</code>.",
    },
    "followed": {"id": "✅ Diikuti: {url}", "en": "✅ Following: {url}"},
    "already": {"id": "▫️ Sudah diikuti: {url}", "en": "▫️ Already followed: {url}"},
    "failed": {"id": "❌ Gagal: {url} — {reason}", "en": "❌ Failed: {url} — {reason}"},
    "unfollowed": {"id": "Berhenti mengikuti {url}.", "en": "No longer following {url}."},
    "not_followed": {"id": "{url} tidak diikuti.", "en": "{url} is not followed."},
    "none": {"id": "Belum ada sumber yang diikuti.", "en": "No source is followed yet."},
    "header": {"id": "<b>Sumber yang diikuti</b>", "en": "<b>Followed sources</b>"},
    "line": {
        "id": "• {url}\n  terakhir: {poll} · {result} · baru: {new_last} (total {new_total}) · galat: {errors}",
        "en": "• {url}\n  last poll: {poll} · {result} · new: {new_last} (total {new_total}) · errors: {errors}",
    },
    "never": {"id": "belum pernah", "en": "never"},
    "alert": {
        "id": "⚠️ Sumber {url} gagal {n} kali berturut-turut: {reason}",
        "en": "⚠️ Source {url} failed {n} polls in a row: {reason}",
    },
}


def _t(lang: Lang, key: str, **values: object) -> str:
    return _TEXTS[key][lang].format(**values)


@dataclass
class Following:
    store: FollowStore
    watcher: Watcher


def setup_following(application: AnyApplication) -> None:
    """The store and the poll job (called by `build_application`, which also
    routes /follow and /unfollow here)."""
    state: BotState = application.bot_data[STATE_KEY]
    store = FollowStore(state.settings.data_dir)
    application.bot_data[FOLLOW_KEY] = Following(store, Watcher(state.index, store))
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


async def follow_command(update: Update, context: object) -> None:
    """`/follow URL…` (admins): check each is a public feed or sitemap, then follow it."""
    message = update.effective_message
    if message is None or (state := await admin_only(update, context)) is None:  # type: ignore[arg-type]
        return
    lang = user_lang(state, update)
    application = context.application  # type: ignore[attr-defined]
    following = _following(application)
    urls = command_rest(message.text or "").split()
    if not urls:
        await reply(
            message, _t(lang, "usage") + "\n\n" + sources_text(following.store.sources(), lang)
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
            lines.append(_t(lang, "already", url=render.escape(url)))
            continue
        problem = await state.off_loop(
            application, partial(check_followable, url, fetch, settings.fetch_max_bytes)
        )
        shown = render.escape(url)
        if problem:
            lines.append(_t(lang, "failed", url=shown, reason=render.escape(problem)))
            continue
        user = update.effective_user
        added = following.store.follow(
            url, allow_private=False, added_by=f"telegram:{user.id if user else '?'}"
        )
        lines.append(_t(lang, "followed" if added else "already", url=shown))
    await reply(message, "\n".join(lines))


async def unfollow_command(update: Update, context: object) -> None:
    message = update.effective_message
    if message is None or (state := await admin_only(update, context)) is None:  # type: ignore[arg-type]
        return
    lang = user_lang(state, update)
    url = command_rest(message.text or "").strip()
    if not url:
        await reply(message, _t(lang, "usage"))
        return
    removed = _following(context.application).store.unfollow(url)  # type: ignore[attr-defined]
    key = "unfollowed" if removed else "not_followed"
    await reply(message, _t(lang, key, url=render.escape(removed or url)))


async def poll_job(context: object) -> None:
    """One round over the followed sources, off the event loop and one
    ingestion at a time; admins hear about a source that keeps failing."""
    application = context.application  # type: ignore[attr-defined]
    state = get_state(context)  # type: ignore[arg-type]
    following = _following(application)
    if not following.store.sources():
        return
    try:
        async with state.ingest_lock:
            results = await state.off_loop(application, following.watcher.round)
    except Exception:  # a failed round must not stop the schedule
        log.exception("polling the followed sources failed")
        return
    for result in results:
        if result.status != "backing off":
            log.info("polled %s: %s, %d new", result.url, result.status, result.new)
        if result.alert:
            await alert_admins(application, state, result)


async def alert_admins(application: AnyApplication, state: BotState, result: PollResult) -> None:
    values = {
        "url": render.escape(result.url),
        "n": result.failures_in_row,
        "reason": render.escape(result.reason or ""),
    }
    # An admin's language is not known here: both.
    text = _t("id", "alert", **values) + "\n" + _t("en", "alert", **values)
    for admin_id in state.settings.admin_ids:
        try:
            await application.bot.send_message(admin_id, text, parse_mode="HTML")
        except TelegramError as exc:  # an admin who never opened the chat
            log.warning("could not tell admin %s that %s fails: %s", admin_id, result.url, exc)


def sources_text(sources: list[FollowedSource], lang: Lang) -> str:
    if not sources:
        return _t(lang, "none")
    lines = [_t(lang, "header")]
    for s in sources[:20]:
        lines.append(
            _t(
                lang,
                "line",
                url=render.escape(s.url),
                poll=(s.last_poll or _t(lang, "never")).replace("T", " ").replace("+00:00", " UTC"),
                result=render.escape((s.last_result or "-")[:200]),
                new_last=s.new_last,
                new_total=s.new_total,
                errors=s.errors,
            )
        )
    return "\n".join(lines)


def stats_addition(application: AnyApplication, lang: Lang) -> str:
    """The followed sources for `/stats` (empty when none)."""
    following = application.bot_data.get(FOLLOW_KEY)
    if not isinstance(following, Following):
        return ""
    sources = following.store.sources()
    return "\n\n" + sources_text(sources, lang) if sources else ""
