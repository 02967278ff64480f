"""Acronyms a question uses where the articles write the words out.

"Kasus DBD terbanyak di mana?" over "... 12.800 kasus demam berdarah dengue
... Kasus terbanyak terjadi di Kabupaten Bandung Barat": "DBD" is a word no
chunk holds, which the answerability model reads as the mark of a question
about something the articles never mention, and the question was refused;
so was "Target inflasi BI tahun 2024 berapa?" over "Bank Indonesia
menargetkan inflasi 2024 ...". Written out as the passages write it, the
question is read as the one it is.

Initials only, the way Indonesian news abbreviates institutions and
diseases (BI, BPS, KPK, DBD, PLN; "dan" skipped, as in BMKG's "Badan
Meteorologi, Klimatologi, dan Geofisika"); not syllable acronyms
("Kemenkes", "Pemprov"), which `lexical.written_as` knows by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.text.chat import CHAT_SHORTHAND
from retrieval.text.lexical import is_indonesian_word

# An acronym as a question writes it: two to six capitals, a word alone.
_ACRONYM = re.compile(r"(?<![\w-])[A-Z]{2,6}(?![\w-])")
_WORD = re.compile(r"[^\W\d_][\w'-]*")
_TYPED_LOWER = re.compile(r"(?<![\w-])[a-z]{3,6}(?![\w-])")
# Two capitals that are a prefix or a common noun, not an institution:
# "PT Aneka Tambang" is no "Panjang Terbaik".
_NOT_ACRONYMS = frozenset({"PT", "CV", "TV", "HP", "OK", "RT", "RW", "UU", "WC", "AC"})
# What may stand between the words of an expansion.
_JOINS = re.compile(r"[ \t,]*")
# Words an expansion may pass over without taking an initial from them.
_SKIPPED = frozenset({"dan", "&"})
# Lower-case words that start no expansion of three or more letters: "di
# bawah dari" is not "DBD". (A two-letter acronym is matched to capitalised
# words only: "Bank Indonesia", never "ada di".)
_NOT_INITIAL = frozenset(
    "di ke dari dan yang untuk pada dengan oleh atau ini itu akan dalam para bagi "
    "adalah juga sebagai serta se".split()
)


# A question names a few acronyms; one made of them is not read for more
# (each is looked for through every word of the passages).
_MOST_ACRONYMS = 8


def _expansions(acronym: str, text: str, words: Sequence[re.Match[str]]) -> set[str]:
    """The runs of `words` (of `text`) whose initials spell `acronym`."""
    found: set[str] = set()
    letters = acronym.lower()
    for i in range(len(words)):
        if words[i].group()[0].lower() != letters[0]:
            continue
        n, j = 0, i
        while j < len(words) and n < len(letters):
            if j > i and not _JOINS.fullmatch(text[words[j - 1].end() : words[j].start()]):
                break  # not across a sentence or a parenthesis
            word = words[j].group()
            if n and word.lower() in _SKIPPED:
                j += 1
                continue
            if word[0].lower() != letters[n] or not _may_spell(word, len(letters)):
                break
            n, j = n + 1, j + 1
        spelled = [w.group() for w in words[i:j] if w.group().lower() not in _SKIPPED]
        # Capitalised throughout, or lower case throughout: "Tim nasional
        # Indonesia" is a team, not TNI.
        if n == len(letters) and len({w[0].isupper() for w in spelled}) == 1:
            found.add(text[words[i].start() : words[j - 1].end()])
    return found


def _may_spell(word: str, length: int) -> bool:
    if length == 2:
        return word[0].isupper() and len(word) > 1
    return len(word) > 2 and word.lower() not in _NOT_INITIAL


def acronyms_written_out(question: str, texts: Sequence[str]) -> str:
    """`question` with each acronym that none of `texts` uses written out as
    they write it, when they write it out one way only ("BI" -> "Bank
    Indonesia"). Unchanged otherwise."""
    joined = "\n".join(texts)
    words: list[re.Match[str]] | None = None
    asked = [a for a in dict.fromkeys(_ACRONYM.findall(question)) if a not in _NOT_ACRONYMS]
    # Typed in lower case in a chat: "kasus dbd di jabar": a word of three
    # to six letters no dictionary holds, which the articles do not write,
    # with one vowel at most ("dbd", "bpbd", "ugm"; not a name or a slang
    # word, "persija", "mantul": any word can be spelled by some run of
    # lower-case words, and a name no article holds must stay missing).
    typed = [
        w
        for w in dict.fromkeys(_TYPED_LOWER.findall(question))
        if sum(ch in "aeiou" for ch in w) <= 1
        and w.upper() not in _NOT_ACRONYMS
        and w not in CHAT_SHORTHAND
        and not is_indonesian_word(w)
    ]
    for acronym in [*asked, *typed][:_MOST_ACRONYMS]:
        flags = re.IGNORECASE if acronym.islower() else 0
        if re.search(rf"(?<![\w-]){acronym}(?![\w-])", joined, flags):
            continue  # the articles use it as the question does
        words = list(_WORD.finditer(joined)) if words is None else words
        written = {e.lower(): e for e in _expansions(acronym, joined, words)}
        if len(written) == 1:
            (form,) = written.values()
            question = re.sub(rf"(?<![\w-]){acronym}(?![\w-])", form, question)
    return question
