"""Two kinds of rate limit.

- `SlidingWindowLimiter`: how many questions one *user* may ask a minute
  (`TANYA_RATE_LIMIT_PER_MINUTE`), so one person cannot keep the answerer
  busy for everyone else.
- `FloodWaitRetry`: Telegram's own limits on what the *bot* sends. When
  Telegram answers 429 "retry after N s", the request is retried after N
  seconds instead of failing the handler. PTB's `AIORateLimiter` would also
  throttle ahead of time, but needs the `aiolimiter` extra; a bot that
  answers questions sends about one message per message received, well
  inside Telegram's limits, so reacting to the rare 429 is enough.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the next question would be allowed
    notify: bool = False  # refused, and the user has not been told yet


class SlidingWindowLimiter:
    """At most `limit` events per `window` seconds per key (a user id).

    A refused event is not counted, so someone who keeps writing is let in
    again as soon as their oldest question leaves the window. `notify` is
    true once per refusal spell, so a flood of messages gets one friendly
    reply, not one per message. Used from the event loop only: no locking.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._quiet_until: dict[int, float] = {}
        self._max_keys = max_keys

    def hit(self, key: int) -> RateDecision:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._quiet_until.pop(key, None)
            if len(self._hits) > self._max_keys:
                self._sweep(now)
            return RateDecision(True)
        retry_after = max(0.0, hits[0] + self.window - now)
        notify = now >= self._quiet_until.get(key, -math.inf)
        if notify:
            self._quiet_until[key] = now + retry_after
        return RateDecision(False, retry_after, notify)

    def _sweep(self, now: float) -> None:
        """Forget users with nothing in the window, so memory stays bounded."""
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]
            self._quiet_until.pop(key, None)

    def __len__(self) -> int:
        return len(self._hits)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class FloodWaitRetry(BaseRateLimiter[int]):
    """Retry a request Telegram refused with 429, after the wait it asked for.

    Gives up (re-raises) after `max_retries`, or when the wait is longer than
    `max_wait` seconds: a reply that late is worth less than an error log.
    """

    def __init__(self, max_retries: int = 3, max_wait: float = 60.0) -> None:
        self.max_retries = max_retries
        self.max_wait = max_wait

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                if attempt >= self.max_retries or wait > self.max_wait:
                    raise
                attempt += 1
                log.warning(
                    "Telegram flood control on %s (chat %s): retrying in %.1f s (attempt %d)",
                    endpoint,
                    data.get("chat_id"),
                    wait,
                    attempt,
                )
                await asyncio.sleep(wait)
