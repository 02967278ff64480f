"""Texts people read, in every language tanya speaks (`LANGUAGES`).

One mechanism for every catalog of them: the search room's notes about a
question's dates (`search/time_range.py`), the bot's replies
(`bot/telegram/i18n.py`). A catalog is checked when it is made, so a text
missing in one language fails at import, not in front of a user.
"""

from __future__ import annotations

from collections.abc import Mapping

from .question import LANGUAGES, Language


class Messages:
    """Texts by key, each in every language; `{placeholders}` filled on use."""

    def __init__(self, texts: Mapping[str, Mapping[Language, str]]) -> None:
        for key, versions in texts.items():
            missing = [language for language in LANGUAGES if language not in versions]
            if missing:
                raise ValueError(f"the text {key!r} has no {', '.join(missing)} version")
        self._texts = texts

    def __call__(self, key: str, language: Language, **values: object) -> str:
        """The text `key` in `language`, with `values` in its placeholders."""
        template = self._texts[key][language]
        return template.format(**values) if values else template

    def keys(self) -> list[str]:
        return list(self._texts)
