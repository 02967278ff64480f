"""What is wrong with a line of JSON, in words a user can act on.

Python's messages are written to be followed by a position ("Unterminated
string starting at: line 1 column 14 (char 13)"); cut from it they read
badly ("Unterminated string starting at at column 14"). Used for the JSONL
inputs of `tanya add` and `tanya eval`.
"""

from __future__ import annotations

import json

# The json module's messages (their fixed start) → what they mean.
_PLAIN = {
    "Unterminated string starting at": 'a string starts there and is never closed (a missing ")',
    "Expecting property name enclosed in double quotes": (
        'expected a key in double quotes (keys need "…", and no comma may come before })'
    ),
    "Expecting ':' delimiter": "expected a ':' between a key and its value",
    "Expecting ',' delimiter": "expected a ',' between two items",
    "Expecting value": (
        "expected a value (text needs double quotes; no comma may come before ] or })"
    ),
    "Extra data": "more text follows the JSON object (one object a line)",
    "Invalid control character at": (
        r"a raw line break or tab inside a string (write it as \n or \t)"
    ),
    "Invalid \\uXXXX escape": r"a \u escape that is not four hex digits",
    "Invalid \\escape": r"an unknown backslash escape (write a backslash as \\)",
    "Illegal trailing comma": "a comma before the closing bracket",
}


def describe_json_error(exc: json.JSONDecodeError, line: int) -> str:
    """`not valid JSON at line 3, column 14: a string starts there and is never closed …`"""
    what = next((plain for start, plain in _PLAIN.items() if exc.msg.startswith(start)), exc.msg)
    return f"not valid JSON at line {line}, column {exc.colno}: {what}"
