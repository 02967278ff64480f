"""Word lists and the glossary are data files in `retrieval/text/data/`,
loaded like `prompts/`: one place to read and extend them, no code to edit."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_word_file(name: str) -> list[str]:
    """The non-empty, non-comment lines of `data/NAME`."""
    text = resources.files("retrieval.text").joinpath("data", name).read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


def load_words(name: str) -> frozenset[str]:
    """Every whitespace-separated word of `data/NAME`."""
    return frozenset(word for line in load_word_file(name) for word in line.split())
