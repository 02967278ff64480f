"""Words whose opposite a passage says instead (`data/antonyms_id.txt`).

A question edited by one word, "Kapan X *meninggal*?" for "Kapan X *lahir*?",
keeps nearly all its words in the passage that answered the original; what
gives it away is that the passage holds the opposite of the word it changed
and not the word itself. A family ("lahir dilahirkan kelahiran") counts as
present when any of its words is, so a paraphrase is not a contradiction.
"""

from __future__ import annotations

from functools import cache

from retrieval.text.lexical import WORD
from retrieval.text.word_lists import load_word_file

# "tidak jauh" means "dekat": a negated word is not contradicted by its opposite.
_NEGATORS = frozenset({"tidak", "bukan", "belum", "tak"})


@cache
def _table() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """word → its family, word → the opposite family's words (lower case)."""
    family: dict[str, set[str]] = {}
    opposite: dict[str, set[str]] = {}
    for line in load_word_file("antonyms_id.txt"):
        left, _, right = line.partition("=")
        a, b = left.lower().split(), right.lower().split()
        for words, others in ((a, b), (b, a)):
            for w in words:
                family.setdefault(w, set()).update(words)
                opposite.setdefault(w, set()).update(others)
    return (
        {w: frozenset(f) for w, f in family.items()},
        {w: frozenset(o) for w, o in opposite.items()},
    )


def contradicted_words(question: str, passage: str) -> list[str]:
    """The question's words that `passage` does not hold in any form while
    it holds their opposite ("meninggal" over a passage saying "lahir")."""
    family, opposite = _table()
    asked = [w.lower() for w in WORD.findall(question)]
    said = {w.lower() for w in WORD.findall(passage)}
    out = []
    for i, word in enumerate(asked):
        if word not in family or family[word] & said:
            continue
        if i and asked[i - 1] in _NEGATORS:
            continue
        if opposite[word] & said:
            out.append(word)
    return out
