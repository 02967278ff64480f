"""Keep the bot token out of logs: the bot's names for the process-wide
redaction in `retrieval/core/redaction.py`, which covers every secret setting
(the token and webhook secret among them) for the CLI and the bot alike."""

from __future__ import annotations

from retrieval.core import (
    REDACTED,
    RedactSecretsFilter,
    SecretRedaction,
    redact,
    redact_everywhere,
    redact_settings,
)

# The names this module had when it redacted only Telegram's secrets.
RedactTokenFilter = RedactSecretsFilter
TokenRedaction = SecretRedaction

__all__ = [
    "REDACTED",
    "RedactSecretsFilter",
    "RedactTokenFilter",
    "SecretRedaction",
    "TokenRedaction",
    "redact",
    "redact_everywhere",
    "redact_settings",
]
