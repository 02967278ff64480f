"""Text from outside the program (articles, file names, server replies) made
safe to show: no terminal escape sequences, control characters, bidi
overrides or towers of stacked accents.

An article may carry `ESC]0;…BEL` (sets the terminal's title), `ESC[2J`
(clears the screen), a NUL, or U+202E (shows the rest of a line reversed).
Cleaning runs every field through `strip_controls` when an article is
loaded; the front ends run what they print through it again, because an
index written by an older version may still hold such characters.

Kept light (no third-party imports): `tanya --help` imports it.
"""

from __future__ import annotations

import re

# Whole 7-bit escape sequences, so no payload is left behind as text: OSC
# (ESC ] … BEL or ST), DCS/SOS/PM/APC strings (ESC P/X/^/_ … ST), CSI
# (ESC [ params final) and two-character escapes. A string sequence that
# never ends swallows up to the line's end, as a terminal would. The 8-bit
# C1 forms (U+009B, U+009D, ...) are treated as single characters: they turn
# up in mojibake ("â€\x9d" is a misread ”), which ftfy repairs at load time.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -/]*[0-~]?"
)
# Bidi embeddings, overrides, isolates and marks: invisible, they reorder
# what is shown around them (a title can make the next column read backwards).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def _replace_char(ch: str, keep: str) -> str:
    if ch in keep:
        return ch
    if ch in BIDI_CONTROLS:
        return ""
    if "\ud800" <= ch <= "\udfff":  # a lone surrogate cannot even be written out
        return "\ufffd"
    return " "  # NUL, BEL, backspace, CR, DEL, C1 controls, U+2028/U+2029


_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]"
)


# Combining diacritics stacked on one letter ("zalgo" text): Latin, Greek and
# Vietnamese need at most two or three; a hundred make a line unreadable
# and spill over the lines above and below it. Only the general-purpose
# blocks: Devanagari's or Thai's marks are their own scripts' letters' parts.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
MAX_STACKED_MARKS = 3
_STACKED = re.compile(f"([{_MARKS}]{{{MAX_STACKED_MARKS}}})[{_MARKS}]+")


def cut_stacked_marks(text: str) -> str:
    """`text` with at most `MAX_STACKED_MARKS` combining diacritics on a letter."""
    return _STACKED.sub(r"\1", text)


def strip_escape_sequences(text: str) -> str:
    """`text` without its 7-bit terminal escape sequences (payload included)."""
    return _ESCAPE_SEQUENCE.sub("", text) if "\x1b" in text else text


def strip_controls(text: str, *, multiline: bool = False) -> str:
    """`text` with escape sequences removed whole, bidi controls removed,
    combining marks stacked on one letter cut to `MAX_STACKED_MARKS`, and
    every other control character turned into a space. `multiline` keeps
    line breaks and tabs (an article's body); otherwise they become spaces
    too (a title, a source, a URL)."""
    text = cut_stacked_marks(text)
    if not _UNSAFE.search(text):
        return text  # the common case: nothing to do, no copy
    keep = "\n\t" if multiline else ""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_escape_sequences(text)
    return _UNSAFE.sub(lambda m: _replace_char(m.group(0), keep), text)
