"""Keep secrets (API keys, the bot token, the webhook secret) out of every log
line and every message a user sees.

Secrets leak in text nobody wrote on purpose: httpx logs each request URL
(the Telegram token is part of every Bot API URL), and a provider's error
body may echo the API key it was sent, which then sits in an exception's
message and in its `repr`. So one mechanism covers the whole process, CLI
and bot alike: a filter rewrites every log record (message, arguments and
traceback) as it is created, before any handler sees it. It is installed as
a log-record factory hook, not on one handler, so it also covers handlers
added later (a file handler, pytest's log capture). Text shown to users that
comes from an exception (an answer's notes, an error line) goes through
`redact()`.

Which values are secret: every `SecretStr` setting (`OPENAI_API_KEY`,
`TELEGRAM_BOT_TOKEN`, `TANYA_WEBHOOK_SECRET`, ...) and every environment
variable named like a credential (`ANTHROPIC_API_KEY`, `GOOGLE_API_KEY`,
`*_TOKEN`, `*_SECRET`, ...), which provider clients read on their own.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from pydantic import BaseModel, SecretStr

REDACTED = "[REDACTED]"
_NOISY_LOGGERS = ("httpx", "httpcore")
# Environment variables that hold credentials, by name: OPENAI_API_KEY,
# ANTHROPIC_API_KEY, GOOGLE_API_KEY, AWS_SECRET_ACCESS_KEY, HF_TOKEN, ...
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:API_?KEY|ACCESS_KEY|SECRET|SECRET_KEY|TOKEN|PASSWORD|PASSWD)$", re.IGNORECASE
)
# Shorter values are not credentials, and replacing them would garble logs.
MIN_SECRET_CHARS = 8


class RedactSecretsFilter(logging.Filter):
    """Replaces each secret (and the secret half of a bot token) in a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        found = set(self._secrets)
        for secret in secrets:
            secret = secret.strip()
            if len(secret) < MIN_SECRET_CHARS:
                continue
            found.add(secret)
            _, _, tail = secret.partition(":")  # a bot token: "<bot id>:<secret>"
            if len(tail) >= MIN_SECRET_CHARS:
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


def secret_values(settings: BaseModel, environ: Mapping[str, str] | None = None) -> list[str]:
    """The secrets of this process: every `SecretStr` setting, and every
    environment variable whose name says it holds a credential."""
    values = [
        value.get_secret_value()
        for name in type(settings).model_fields
        if isinstance(value := getattr(settings, name, None), SecretStr)
    ]
    env = os.environ if environ is None else environ
    values += [value for name, value in env.items() if _SECRET_NAME.search(name)]
    return values


_process_filter: RedactSecretsFilter | None = None
_process_lock = threading.Lock()


def redact_everywhere(*secrets: str) -> None:
    """Keep `secrets` out of every log record of this process, from now on.

    Idempotent: one record factory hook is installed per process, and each
    call only adds secrets to it.
    """
    global _process_filter
    with _process_lock:
        if _process_filter is None:
            _process_filter = RedactSecretsFilter()
            _hook(_process_filter)
        _process_filter.add(*secrets)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def redact_settings(settings: BaseModel) -> None:
    """`redact_everywhere` for every secret of `settings` and the environment.
    Called where settings are loaded (`tanya`'s commands) and where a model
    or bot is set up with them (`Answerer`, `build_application`)."""
    redact_everywhere(*secret_values(settings))


def redact(text: str) -> str:
    """`text` with every secret registered so far replaced, for messages shown
    to users that quote an exception."""
    redactor = _process_filter
    return redactor.redact(text) if redactor is not None else text


def _hook(redactor: RedactSecretsFilter) -> Any:
    """Install a record factory that passes every new record through `redactor`."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    return previous, factory


class SecretRedaction:
    """Install a filter for every log record until `uninstall()`; a context
    manager for tests. The program itself uses `redact_everywhere`."""

    def __init__(self, *secrets: str) -> None:
        self.filter = RedactSecretsFilter(secrets)
        self._previous: Any = None

    def install(self) -> SecretRedaction:
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        self._previous, self._factory = _hook(self.filter)
        return self

    def uninstall(self) -> None:
        if self._previous is not None and logging.getLogRecordFactory() is self._factory:
            logging.setLogRecordFactory(self._previous)
        self._previous = None

    def __enter__(self) -> SecretRedaction:
        return self.install()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uninstall()
