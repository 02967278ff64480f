"""Prompt templates, one file each, loaded by name (`load_prompt("answer_system")`).

They are package data, so an installed tanya finds them too. In the files,
`{name}` is a template variable; write `{{` and `}}` for a literal brace.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

_SUFFIXES = (".md", ".txt")


@cache
def load_prompt(name: str) -> str:
    """The text of `prompts/NAME.md` (or `.txt`), without its final newline."""
    folder = resources.files(__package__)
    for suffix in _SUFFIXES:
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8").rstrip("\n")
    raise FileNotFoundError(f"no prompt named {name!r} in {folder} (looked for .md and .txt)")
