"""Chat shorthand written out as the retrieved passages write it: "kadis"
as "Kepala Dinas", "maba" as "mahasiswa baru" (`data/shorthand_id.txt`),
and a chat verb with a nasal alone as its "me-" form ("nahan" ->
"menahan", "ngangkut" -> "mengangkut", "dipake" -> "dipakai").

Only against the passages, which `chat.py`'s rules never see: a short form
is written out when no passage uses it and one writes it out, and a verb
when a passage holds its root. Typed as it was, each was a word no article
holds, which the answerability model weighs as a missing name ("kpk nahan
kadis pupr sorong, namanya siapa" was refused), and a lower-case town
("ngawi") is left alone unless the passages say "kawi".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from retrieval.text.chat import CHAT_SHORTHAND, unnasalised, verb_root, with_me
from retrieval.text.lexical import is_indonesian_word, stems_of
from retrieval.text.question import question_language
from retrieval.text.word_lists import load_word_file

# A lower-case word a chat nasal may open ("nahan", "nyetak"), or one
# ending in chat's "-e" for "-ai" ("dipake", "sampe"); a question's first
# `_MOST_VERBS` of them are read.
_CHAT_VERB = re.compile(r"\b(?:(?:ng|ny|m|n)[a-z]{3,}|[a-z]{3,}e)\b")
_MOST_VERBS = 8


@cache
def _table() -> tuple[tuple[re.Pattern[str], tuple[re.Pattern[str], ...]], ...]:
    """(short form, its written-out forms) of every line, as patterns of
    whole words in any case."""
    rows = []
    for line in load_word_file("shorthand_id.txt"):
        short, *forms = (f.strip() for f in line.split("|"))
        rows.append((_whole(short), tuple(_whole(f) for f in forms)))
    return tuple(rows)


def _whole(words: str) -> re.Pattern[str]:
    spaced = r"\s+".join(map(re.escape, words.split()))
    # Between hyphens too: "jkt-bdg" is "Jakarta-Bandung".
    return re.compile(rf"(?<!\w){spaced}(?!\w)", re.IGNORECASE)


def _written_verb(word: str, stems_there: frozenset[str]) -> str | None:
    """The verb chat's `word` stands for, when a passage holds its root."""
    if is_indonesian_word(word) or word in CHAT_SHORTHAND:
        return None
    passive = word.startswith("di") and len(word) > 5
    body = word[2:] if passive else word
    nasal = [] if passive else unnasalised(body, 2)
    for typed in [body, *nasal]:
        root = typed[:-1] + "ai" if typed.endswith("e") else typed
        if not (verb_root(root) and root in stems_there):
            continue
        if passive:
            return "di" + root
        return root if typed == body else with_me(root)
    return None


def shorthand_written_out(question: str, texts: Sequence[str]) -> str:
    """`question` with its chat shorthand written as `texts` write it; an
    English question, and a word the texts use as typed, as they are."""
    if question_language(question) == "en":
        return question
    joined = "\n".join(texts)
    for short, forms in _table():
        if not short.search(question) or short.search(joined):
            continue
        written = next((found.group() for form in forms if (found := form.search(joined))), None)
        if written is not None:
            question = short.sub(written, question)
    stems_there: frozenset[str] | None = None
    looked_up = 0

    def verb(match: re.Match[str]) -> str:
        nonlocal stems_there, looked_up
        word = match.group()
        # Each word is looked for in the passages: only a question's first
        # few (a message of 400 chat verbs took 0.1 s).
        looked_up += 1
        if looked_up > _MOST_VERBS or re.search(
            rf"(?<![\w-]){word}(?![\w-])", joined, re.IGNORECASE
        ):
            return word
        stems_there = stems_of(joined) if stems_there is None else stems_there
        return _written_verb(word, stems_there) or word

    return _CHAT_VERB.sub(verb, question)
