"""The names a question asks about, and whether an article names any of them.

"Kepala dinas apakah Gatot Moeryanto?" over an article on another official,
which never says "Gatot" nor "Moeryanto", is not answered by it, however well
its sentences match "Kepala Dinas". A name here is a capitalised word inside
the question that is no Indonesian word (Sastrawi's dictionary, so "Dinas",
"Kabupaten", "Damai" are not): "Moeryanto", "Jiangsu", "NASA".

An article names one when it holds any such word of the question, or a word
it starts with or is spelled a little otherwise ("Roem" for "Roemwerdiniadi",
"Perancis" for "Prancis"), or an acronym's words ("Agreement on Textiles and
Clothing" for "ATC"). Any one is enough: a question naming a person and a
country is answered by an article naming the person only.

But not for whom the question says a fact is from ("... menurut Gatot
Moeryanto?", "According to Apindo, ...", `attributed_names`): an article
that never names its source does not say that source said it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from retrieval.text.concepts import ENGLISH_FILLER, GLOSSARY_WORDS
from retrieval.text.lexical import QUESTION_WORDS, WORD, fold, is_indonesian_word
from retrieval.text.question import question_language
from retrieval.text.regions import ENGLISH_ISLANDS, with_province_names

# Capitalised, but naming no one in particular: titles, company forms and
# offices every province has ("PT", "Dr", "Polda"), units and currencies.
_GENERIC = frozenset(
    "pt tbk cv ud dr drs drh dra ir h hj kh st sh se mm ms msi mt phd spa sppd sppa spog "
    "jl jln rp usd wib wita wit km kg ri dpr dprd dpd mpr polda polres polsek polri tni "
    "kodam korem kodim uu pp perda perpres kepres mr mrs ms jr sr".split()
)
# Capitalised in English questions, and no name: fillers, calendar words,
# title words the glossary has no entry for (found in the news fixture's
# English questions: "Central Java", "the Mobile Legends series").
_ENGLISH_NO_NAMES = ENGLISH_FILLER | frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday central international "
    "indonesian new old great grand lake street mount feature food series mobile hi".split()
)
# Roman numerals count ("Kodam IV", "Piala Presiden III"); they name nothing.
_NUMERAL = re.compile(r"[ivxl]+")
# English names of Indonesian islands, as articles write them.
_EXONYMS = {english: name.lower() for english, name in ENGLISH_ISLANDS.items()}
_TOKEN = re.compile(r"[\w'’.-]+|[?!]")
# A token ending in a dot that is no sentence's end: an initial ("R.L.",
# "M.") or a short title ("Dr.", "Prof.", "Jl.").
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.")
_PARTS = re.compile(r"[-'’.]")
_ACRONYM_SKIPS = frozenset("dan and of on the de di untuk for &".split())


def question_names(question: str) -> list[str]:
    """The name words of `question`, folded to lower case: capitalised words
    not opening a sentence that are no Indonesian word, question word,
    generic title (`_GENERIC`), Roman numeral or, in English, word of the
    glossary, filler or calendar (an island by its Indonesian name)."""
    english = question_language(question) == "en"
    tokens = _TOKEN.findall(question)
    names: list[str] = []
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        opens = (
            not previous
            or previous in "?!"
            or (previous.endswith(".") and not _ABBREVIATION.fullmatch(previous))
        )
        if opens or not token[:1].isupper():
            continue
        for part in _PARTS.split(token):
            low = fold(part.lower())
            if english:
                low = _EXONYMS.get(low, low)
            if (
                len(low) < 2
                or low.isdigit()
                or _NUMERAL.fullmatch(low)
                or low in QUESTION_WORDS
                or low in _GENERIC
                or is_indonesian_word(low)
                or (english and (low in GLOSSARY_WORDS or low in _ENGLISH_NO_NAMES))
            ):
                continue
            names.append(low)
    return list(dict.fromkeys(names))


# Where a question says whose word it asks: "menurut X", "kata X", "according
# to X", X the capitalised words right after it (after a record's noun:
# "menurut catatan Lanal Pontianak"). "kata pengantar" is no attribution.
_ATTRIBUTION = re.compile(
    r"(?i:\b(?:menurut|kata|ujar|ucap|according\s+to)\s+"
    r"(?:(?:data|catatan|laporan|keterangan|penjelasan|perkiraan|pernyataan|the)\s+)?)"
    r"((?:[A-Z][\w'’.-]*\s*)+)"
)


def attributed_names(question: str) -> list[str]:
    """The names (`question_names`) of the source a fact is asked from:
    "Gatot" and "Moeryanto" in "Berapa luas hutan yang rusak menurut
    Gatot Moeryanto?"; none in "Menurut data BPBD, ...": an office is no name."""
    sources = " ".join(m.group(1) for m in _ATTRIBUTION.finditer(question))
    if not sources:
        return []
    words = {fold(w.lower()) for w in WORD.findall(sources)}
    return [name for name in question_names(question) if name in words]


def _spelled_out(acronym: str, text: str) -> bool:
    """Whether a run of capitalised words of `text` (connectives between
    them skipped) has `acronym`'s letters as its initials."""
    initials = ""
    for word in WORD.findall(text):
        if word[:1].isupper():
            initials += word[0].lower()
            if initials.endswith(acronym):
                return True
        elif word.lower() not in _ACRONYM_SKIPS:
            initials = ""
    return False


def _held_words(texts: Sequence[str]) -> set[str]:
    """Every word of `texts`, folded, and of each province in them by its
    name ("Sumut" holds "sumatera" too)."""
    held = {fold(w) for text in texts for w in WORD.findall(with_province_names(text))}
    return held | {fold(w.lower()) for text in texts for w in WORD.findall(text)}


def _named(name: str, held: set[str], texts: Sequence[str]) -> bool:
    """Whether `texts` (their words `held`) name `name` (`names_any`)."""
    province = {w for w in with_province_names(name).split() if not is_indonesian_word(w)}
    if name in held or province & held:
        return True
    for word in held:
        if len(word) >= 4 and len(name) >= 4 and (name.startswith(word) or word.startswith(name)):
            return True
        if len(name) >= 5 and abs(len(word) - len(name)) <= 2:
            alike = SequenceMatcher(None, name, word)
            # The quick upper bounds first: most words are far off.
            if (
                alike.real_quick_ratio() >= 0.8
                and alike.quick_ratio() >= 0.8
                and alike.ratio() >= 0.8
            ):
                return True
    return 3 <= len(name) <= 6 and name.isalpha() and any(_spelled_out(name, t) for t in texts)


def names_any(names: Sequence[str], texts: Sequence[str]) -> bool:
    """Whether `texts` name any of `names` (`question_names`): the word
    itself (a province in any of its forms), a word of 4+ letters it starts
    with (or that starts with it), one spelled nearly alike (5+ letters,
    similarity 0.8: "Perancis", "Disdikbud" for chat's "kadisdikbud"), or,
    for a name of 3 to 6 letters, capitalised words whose initials spell it."""
    if not names:
        return True
    held = _held_words(texts)
    return any(_named(name, held, texts) for name in names)


def names_every(names: Sequence[str], texts: Sequence[str]) -> bool:
    """Whether `texts` name every one of `names`, each as `names_any` reads it."""
    held = _held_words(texts)
    return all(_named(name, held, texts) for name in names)
