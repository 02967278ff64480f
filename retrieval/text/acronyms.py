"""Indonesian acronyms and their words (`data/acronyms_id.txt`): news writes
"Polda Sumatera Utara" and "Kepolisian Daerah Sumatera Utara" alike, so a
word of a question is not missing from an article that writes it the other
way."""

from __future__ import annotations

from functools import cache

from retrieval.text.word_lists import load_word_file


@cache
def acronyms() -> dict[str, tuple[str, ...]]:
    """Short form → its words, lower case."""
    out: dict[str, tuple[str, ...]] = {}
    for line in load_word_file("acronyms_id.txt"):
        short, _, words = line.partition("=")
        out[short.strip().lower()] = tuple(words.lower().split())
    return out


def other_forms(word: str) -> list[tuple[str, ...]]:
    """The other ways of writing what `word` belongs to: the words of an
    acronym ("polda" → kepolisian daerah), or the acronyms whose words
    include it ("kepolisian" → polda, polres, ...), each as a tuple of words
    that must all be there."""
    low = word.lower()
    table = acronyms()
    if low in table:
        return [table[low]]
    return [(short,) for short, words in table.items() if low in words]
