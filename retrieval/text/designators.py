"""Which one of a series a question asks about: "pendanaan seri *A*", "leg
*pertama*", "tahap *2*". A quote about another of the same series ("seri
*B* senilai Rp 150 miliar", "leg *kedua* final") does not answer it, though
every other word matches; asked so, the series B round was the series A
one. So too for a category (`data/categories_id.txt`): "tunggal *putri*"
over "tunggal *putra*", "PPDB *SMA*" over "PPDB *SMP*".

Checked only for a designator that is a letter, a number, a roman numeral
or an ordinal, after a word that numbers a series: of FacQA's and IDK-MRC's
train questions naming one (16), no gold sentence names another of its
series.
"""

from __future__ import annotations

import re
from functools import cache

from retrieval.text.word_lists import load_word_file

_SERIES = (
    r"seri|tahap|fase|gelombang|babak|jilid|putaran|leg|edisi|angkatan|periode|kuartal|"
    r"triwulan|semester|kloter|liga|pekan|gol|"
    # Numbered units and places of a network: "Daop 1" is not "Daop 8", "KM
    # 102" of a toll road not "KM 120", "Koridor 2" not "Koridor 5".
    r"daop|divre|koridor|zona|rayon|sektor|klaster|dapil|km|"
    # English: "phase 2", "week six", "round 3", "corridor 5", "zone 2".
    r"phase|stage|round|series|batch|week|corridor|zone|sector|cluster"
)
_ORDINALS = r"pertama|kedua|ketiga|keempat|kelima|keenam|ketujuh|kedelapan|kesembilan|terakhir"
_DESIGNATOR = (
    # "Daerah Operasi (Daop) 1": the short form in brackets, then its number.
    rf"\b((?i:{_SERIES}))\)?\s+(?:(?i:ke)-?\s*)?(LETTER|\d+|[IVX]+|(?i:{_ORDINALS}))\b(?![.,]\d)"
)
_DESIGNATED = re.compile(_DESIGNATOR.replace("LETTER", "[A-Z]"))
# A question typed in lower case names a series' letter so too: "pendanaan
# seri a". Only after "seri": "angkatan i" is the first (a roman numeral),
# "gol d babak kedua" chat for "di".
_ASKED = re.compile(_DESIGNATOR.replace("LETTER", r"[A-Z]|(?<=(?i:seri)\s)[a-z]"))


_ORDINAL_NUMBERS = {word: str(n) for n, word in enumerate(_ORDINALS.split("|")[:-1], start=1)}
_ROMAN = {"i": 1, "v": 5, "x": 10}


def _number(designator: str) -> str:
    """One designator as one number when it is one: "ketiga", "3" and "III"
    name the same "tahap"; a letter ("seri A") is itself."""
    word = designator.lower()
    if word in _ORDINAL_NUMBERS:
        return _ORDINAL_NUMBERS[word]
    if designator.isupper() and len(designator) > 1 or designator in ("I", "V", "X"):
        values = [_ROMAN[c] for c in word]
        total = sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))
        return str(total)
    return word.lstrip("0") or word


def _designators(text: str, pattern: re.Pattern[str] = _DESIGNATED) -> dict[str, set[str]]:
    """Each series word of `text` with the designators it is given."""
    found: dict[str, set[str]] = {}
    for match in pattern.finditer(text):
        found.setdefault(match.group(1).lower(), set()).add(_number(match.group(2)))
    return found


def other_designator(
    question: str, quote: str, passages: list[str]
) -> tuple[str, str, set[str]] | None:
    """(series, asked, quoted) when the question asks about one of a series
    ("seri A") that no passage names, and the quote names others of it
    ("seri B"); else None."""
    quoted = _designators(quote)
    if not quoted:
        return None
    held = _designators(" ".join(passages))
    for series, asked in _designators(question, _ASKED).items():
        others = quoted.get(series, set()) - asked
        if others and not asked & quoted.get(series, set()) and not asked & held.get(series, set()):
            return series, min(asked), others
    return None


@cache
def _categories() -> list[list[re.Pattern[str]]]:
    """Each set of `data/categories_id.txt`: one pattern an alternative,
    matching any of its spellings as whole words."""
    out = []
    for line in load_word_file("categories_id.txt"):
        alternatives = []
        for alternative in line.split(" | "):
            spellings = [
                re.escape(s.strip()).replace(r"\ ", r"\s+") for s in alternative.split(" / ")
            ]
            alternatives.append(re.compile(rf"(?<![\w-])(?:{'|'.join(spellings)})(?![\w-])", re.I))
        out.append(alternatives)
    return out


def other_category(question: str, quote: str, passages: list[str]) -> tuple[str, str] | None:
    """(asked, quoted) when the question names a category ("tunggal putri",
    "SMA") that no passage names, and the quote names another of its set
    ("tunggal putra", "SMP"); else None. Of FacQA's and IDK-MRC's train
    questions, no gold passage names another category of the one asked."""
    text = " ".join(passages)
    for alternatives in _categories():
        asked = {a: m.group(0) for a in alternatives if (m := a.search(question))}
        if not asked or any(a.search(quote) or a.search(text) for a in asked):
            continue
        for other in alternatives:
            if other not in asked and (found := other.search(quote)):
                return next(iter(asked.values())), found.group(0)
    return None


def names_one_asked(question: str, text: str) -> bool:
    """Whether `text` names a category ("tunggal putri") or one of a series
    ("seri A") that the question asks about."""
    for alternatives in _categories():
        if any(a.search(question) and a.search(text) for a in alternatives):
            return True
    held = _designators(text)
    return any(
        held.get(series, set()) & asked for series, asked in _designators(question, _ASKED).items()
    )


def sets_named(question: str, text: str) -> frozenset[str]:
    """Of the sets of categories and the series the question names one of,
    those `text` names any one of ("tunggal putra" names the set of
    "tunggal putri"; "seri B" the series of "seri A")."""
    named = {
        f"category {i}"
        for i, alternatives in enumerate(_categories())
        if any(a.search(question) for a in alternatives)
        and any(a.search(text) for a in alternatives)
    }
    held = _designators(text)
    named |= {f"series {series}" for series in _designators(question, _ASKED) if series in held}
    return frozenset(named)
