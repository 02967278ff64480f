"""Keep the bot token out of logs.

The token is part of every Bot API URL (`.../bot<TOKEN>/sendMessage`), and
httpx logs each request URL at INFO; an exception can carry a URL too. So:
httpx and httpcore log at WARNING only, and a filter rewrites every record
(message, arguments and traceback) before any handler sees it. The filter is
installed as a log-record factory hook, not on one handler, so it also covers
handlers added later (a file handler, pytest's log capture).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any

REDACTED = "[REDACTED]"
_NOISY_LOGGERS = ("httpx", "httpcore")


class RedactTokenFilter(logging.Filter):
    """Replaces each secret (and the secret half of a bot token) in a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        found = set(self._secrets)
        for secret in secrets:
            secret = secret.strip()
            if len(secret) < 8:
                continue  # too short to be a credential; redacting it would garble logs
            found.add(secret)
            _, _, tail = secret.partition(":")  # "<bot id>:<secret>"
            if len(tail) >= 8:
                found.add(tail)
        # Longest first, so the whole token is replaced before its tail. A new
        # list, swapped in whole: records are filtered from many threads.
        self._secrets = sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _leaks(self, text: str) -> bool:
        return any(secret in text for secret in self._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            message = str(record.msg)
        if self._leaks(message):
            record.msg, record.args = self.redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if self._leaks(text):
                # Handlers print `exc_text` when it is set instead of re-formatting.
                record.exc_text = self.redact(text)
                record.exc_info = None
        if record.stack_info and self._leaks(record.stack_info):
            record.stack_info = self.redact(record.stack_info)
        return True


_process_filter: RedactTokenFilter | None = None
_process_lock = threading.Lock()


def redact_everywhere(*secrets: str) -> None:
    """Keep `secrets` out of every log record of this process, from now on.

    Called wherever a bot is built (`build_application`), before the first
    record that could carry its token (PTB logs the API URL when it creates
    the bot). Idempotent: one record factory hook is installed per process,
    and each call only adds secrets to it.
    """
    global _process_filter
    with _process_lock:
        if _process_filter is None:
            _process_filter = RedactTokenFilter()
            _hook(_process_filter)
        _process_filter.add(*secrets)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _hook(redactor: RedactTokenFilter) -> Any:
    """Install a record factory that passes every new record through `redactor`."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    return previous, factory


class TokenRedaction:
    """Install a filter for every log record until `uninstall()`; a context
    manager for tests. The bot itself uses `redact_everywhere`."""

    def __init__(self, *secrets: str) -> None:
        self.filter = RedactTokenFilter(secrets)
        self._previous: Any = None

    def install(self) -> TokenRedaction:
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        self._previous, self._factory = _hook(self.filter)
        return self

    def uninstall(self) -> None:
        if self._previous is not None and logging.getLogRecordFactory() is self._factory:
            logging.setLogRecordFactory(self._previous)
        self._previous = None

    def __enter__(self) -> TokenRedaction:
        return self.install()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uninstall()
