"""A question's words written as the passages write them, when a thesaurus
gives the passages' word as a synonym (`data/thesaurus_id.txt.gz`).

A paraphrase asks with other words than the article's: "hibah dipotong jadi
berapa?" over "meminta hibah dipangkas menjadi Rp 95 miliar", "kenapa
pupuk telat?" over "keterlambatan terjadi karena ...". The answerability
features and the reader weigh the question's words against the passage;
both were fitted on IDK-MRC, whose unanswerable questions are answerable
ones with a word swapped, so a synonym reads as a swap, and the question
was refused. Written as the passage writes it, it is read as asked.

Only a lower-case word no passage holds, by its stem, is written otherwise;
never a name, a question word, a stop word, a word whose opposite the
refusal checks look for (`data/antonyms_id.txt`), a category
(`data/categories_id.txt`), an office or the word after one ("wali kota",
"kepala daerah"): those are what tells a near miss apart.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

from retrieval.text.lexical import (
    QUESTION_WORDS,
    WORD,
    sastrawi_stop_words,
    stem,
)
from retrieval.text.referents import office_words
from retrieval.text.word_lists import load_words

# Shorter words are mostly particles and chat forms ("sih", "aja"), and
# their synonyms' roots are substrings of too many words.
_SHORTEST = 4
# A message is read for its first words: each is looked for in the passages.
_MOST_WORDS = 24


@cache
def _lines() -> dict[str, str]:
    """Each word's line of the thesaurus, unsplit: split only for a word a
    question asks with (the whole file split was 0.13 s of every `tanya ask`)."""
    raw = resources.files("retrieval.text").joinpath("data", "thesaurus_id.txt.gz").read_bytes()
    lines: dict[str, str] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, others = line.partition("|")
            lines[word] = others
    return lines


@lru_cache(maxsize=20_000)
def synonyms_of(word: str) -> frozenset[str]:
    """The thesaurus's synonyms of `word`, both ways: a word listed under
    another entry has that entry as a synonym too (`build_thesaurus.py`)."""
    others = _lines().get(word)
    return frozenset(others.split("|")) if others else frozenset()


@cache
def _never_written() -> frozenset[str]:
    """Words no question word is written as: categories (a question about
    "anak" is not about "putri", its synonym), offices ("wali" is no
    "pelatih"), question and stop words."""
    categories = {w.lower() for w in load_words("categories_id.txt")}
    return frozenset(categories | office_words() | QUESTION_WORDS | sastrawi_stop_words())


@cache
def _kept_as_asked() -> frozenset[str]:
    """Words a question keeps whatever the passages say: those above, and
    opposites ("meninggal" of "lahir"), which the refusal checks read."""
    opposites = {w for w in load_words("antonyms_id.txt") if w != "="}
    return frozenset(opposites | _never_written())


def synonyms_written_as(question: str, texts: Sequence[str]) -> str:
    """`question` with each lower-case word that no text of `texts` holds
    (by its stem) written as the first text holding one of its synonyms
    writes that synonym: "Berapa hibah dipotong?" over "... hibah dipangkas
    menjadi ..." becomes "Berapa hibah dipangkas?"."""
    kept = _kept_as_asked()
    never = _never_written()
    offices = office_words()
    words = WORD.findall(question)
    # Nor the word after an office, which says whose it is: "kepala *daerah*"
    # is no "kepala provinsi", "Menteri *Pertanian*" no other ministry.
    of_an_office = {w for before, w in pairwise(words) if before.lower() in offices}
    asked = [
        w
        for w in dict.fromkeys(words)
        if w.islower()
        and w.isalpha()
        and len(w) >= _SHORTEST
        and w not in kept
        and w not in of_an_office
    ][:_MOST_WORDS]
    if not asked:
        return question
    written = [list(dict.fromkeys(w.lower() for w in WORD.findall(text))) for text in texts]
    held = {w for text_words in written for w in text_words}
    # A synonym of a word the question has already ("pencak" of "silat" in
    # "pencak silat") would say it twice, and lose the word it replaced.
    asked_roots = {stem(w.lower()) for w in words}
    rewritten: dict[str, str] = {}
    for word in asked:
        root = stem(word)
        if word in held or _holds(held, root):
            continue
        # The thesaurus's own words, not their stems: "bangunan" (of
        # "gudang") is no "membangun".
        listed = synonyms_of(word) | synonyms_of(root)
        others = {
            o for o in listed if len(o) >= _SHORTEST and o not in never and o not in asked_roots
        }
        found = _first_written(written, others, asked_roots)
        if found is not None:
            rewritten[word] = found
    if not rewritten:
        return question
    return WORD.sub(lambda m: rewritten.get(m.group(), m.group()), question)


def holds_every(roots: frozenset[str], text: str) -> bool:
    """Whether `text` holds a word of each stem of `roots` (a question's
    names: a synonym is read in a passage about what the question names)."""
    held = {w.lower() for w in WORD.findall(text)}
    return all(_holds(held, root) for root in roots)


def _holds(held: set[str], root: str) -> bool:
    """Whether some word of `held` has the stem `root` (only the words that
    contain it are stemmed: a passage's few hundred words are not)."""
    return any(root in w and (w == root or stem(w) == root) for w in held)


def _first_written(
    written: Sequence[Sequence[str]], roots: set[str], asked_roots: set[str]
) -> str | None:
    """The first word, text by text in order, that is one of `roots`, has
    one as its stem, or holds one whole with its stem, and whose stem the
    question has not."""
    for words in written:
        for w in words:
            inside = [r for r in roots if r in w]
            if len(w) < _SHORTEST or not inside:
                continue
            root = stem(w)
            if root in asked_roots:
                continue
            # The synonym, its root, or the synonym with more affixes on the
            # same root ("terlambat" in "keterlambatan").
            if w in roots or root in roots or any(stem(r) == root for r in inside):
                return w
    return None
