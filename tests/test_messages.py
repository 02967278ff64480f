"""The one catalog mechanism for texts people read (`retrieval.text.Messages`)."""

from __future__ import annotations

import pytest

from retrieval.text import LANGUAGES, Messages


def test_a_text_missing_in_one_language_fails_when_the_catalog_is_made() -> None:
    with pytest.raises(ValueError, match="'farewell' has no en version"):
        Messages({"hello": {"id": "Halo", "en": "Hello"}, "farewell": {"id": "Sampai jumpa"}})


def test_texts_come_in_the_asked_language_with_their_placeholders_filled() -> None:
    messages = Messages({"found": {"id": "{n} artikel", "en": "{n} articles"}})
    assert [messages("found", language, n=3) for language in LANGUAGES] == [
        "3 artikel",
        "3 articles",
    ]
    assert messages.keys() == ["found"]
