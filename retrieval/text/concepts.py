"""What a question asks about, as stems: shared by the store's proximity
re-ranking, the extractive answerer and query expansion.

An Indonesian question's concepts are its content stems and stem bigrams; an
English question's are its content words glossed into Indonesian stems
(`data/glossary_en_id.txt`), since offline there is no translation model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence, Set as AbstractSet
from dataclasses import dataclass
from functools import cache

from retrieval.text.lexical import QUESTION_WORDS, WORD, query_terms, stem, terms
from retrieval.text.question import question_language
from retrieval.text.word_lists import load_word_file, load_words

ENGLISH_FILLER = QUESTION_WORDS | load_words("english_fillers.txt")


@dataclass(frozen=True)
class Concept:
    """One thing a question asks about: alternative stems (any one matches)
    and its weight (a stem bigram counts half)."""

    stems: frozenset[str]
    weight: float = 1.0


def question_concepts(question: str) -> list[Concept]:
    """What a passage must mention to answer `question`, as stems.

    Indonesian: the question's stems and stem bigrams (question words
    dropped). English, against Indonesian articles, shares almost no words
    with them: each English content word becomes its Indonesian stems from
    the glossary (`glossary_stems`; plus itself, for names and English
    quoted in articles).
    """
    if question_language(question) == "en":
        concepts = []
        for word in dict.fromkeys(WORD.findall(question.lower())):
            if word in ENGLISH_FILLER:
                continue
            stems = set(terms(word)) | glossary_stems().get(word, frozenset())
            if stems:
                concepts.append(Concept(frozenset(stems)))
        return concepts
    return [
        Concept(frozenset([t]), 0.5 if "_" in t else 1.0)
        for t in dict.fromkeys(query_terms(question))
    ]


def distinctive_concepts(
    concepts: Sequence[Concept], texts: Sequence[AbstractSet[str]]
) -> list[Concept]:
    """The concepts reweighted by inverse sentence frequency among `texts`
    (log(1 + n / df)), so the words most candidates share count least."""
    n = len(texts)
    out = []
    for c in concepts:
        df = sum(1 for t in texts if c.stems & t) or 1
        out.append(Concept(c.stems, c.weight * math.log(1 + n / df)))
    return out


def lexical_overlap(concepts: Sequence[Concept], text_terms: AbstractSet[str]) -> float:
    """Weighted share of the question's concepts a text's terms mention."""
    total = sum(c.weight for c in concepts)
    if not total:
        return 0.0
    return sum(c.weight for c in concepts if c.stems & text_terms) / total


_VOWELS = frozenset("aeiou")


def english_inflections(word: str) -> list[str]:
    """The regular inflections of an English base word: "coach" ->
    "coaches", "coached", "coaching"; "score" -> "scored", "scoring";
    "plan" -> "planned"; "carry" -> "carried". Over-generated forms are
    harmless: a form no one writes is never looked up."""
    if len(word) < 3 or not word.isalpha():
        return []
    forms = []
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.append(word + "es")
    elif word[-1] == "y" and word[-2] not in _VOWELS:
        forms += [word[:-1] + "ies", word[:-1] + "ied"]
    else:
        forms.append(word + "s")
    if word.endswith("e"):
        forms += [word + "d", word[:-1] + "ing"]
    elif not (word[-1] == "y" and word[-2] not in _VOWELS):
        forms += [word + "ed", word + "ing"]
    else:
        forms.append(word + "ing")
    # One vowel between consonants at the end of a short word doubles the
    # consonant: "planned", "stopping".
    if (
        len(word) <= 4
        and word[-1] not in _VOWELS | {"w", "x", "y"}
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        forms += [word + word[-1] + "ed", word + word[-1] + "ing"]
    return forms


def _load_glossary(lines: list[str]) -> dict[str, tuple[str, ...]]:
    glossary: dict[str, tuple[str, ...]] = {}
    for line in lines:
        english, _, indonesian = line.partition(":")
        for word in english.split():
            glossary[word] = tuple(
                dict.fromkeys(glossary.get(word, ()) + tuple(indonesian.split()))
            )
    # A line lists the forms its writer thought of; the regular others are
    # added (never over a form a line gives): "Who coached Indonesia?" had
    # been read without "pelatih", for the line giving "coach coaches".
    for word, glosses in list(glossary.items()):
        for form in english_inflections(word):
            glossary.setdefault(form, glosses)
    return glossary


GLOSSARY_WORDS = _load_glossary(load_word_file("glossary_en_id.txt"))


@cache
def glossary_stems() -> dict[str, frozenset[str]]:
    """`GLOSSARY_WORDS` as stems, made for the first English question: at
    import, stemming its ~700 words cost every command that reads (an
    Indonesian question too) about 0.02 s."""
    return {en: frozenset(stem(w) for w in ids) for en, ids in GLOSSARY_WORDS.items()}


def indonesian_gloss(question: str) -> list[str]:
    """The Indonesian words for an English question's content words (none
    for an Indonesian question): added to its search, so BM25 can match
    "who *led* the battle" with "*memimpin* pertempuran"."""
    if question_language(question) != "en":
        return []
    words = dict.fromkeys(WORD.findall(question.lower()))
    return list(dict.fromkeys(w for word in words for w in GLOSSARY_WORDS.get(word, ())))


# English question words as an Indonesian question would say them.
_QUESTION_WORDS_ID = {
    "who": "siapa",
    "whom": "siapa",
    "whose": "siapa",
    "what": "apa",
    "which": "apa",
    "when": "kapan",
    "where": "di mana",
    "why": "mengapa",
    "how": "bagaimana",
}


# "How many", "how long", "how tall" ...: how much of what, as Indonesian asks it.
_HOW_MUCH = {
    "many": "berapa",
    "much": "berapa",
    "long": "berapa lama",
    "old": "berapa usia",
    "tall": "berapa tinggi",
    "high": "berapa tinggi",
    "deep": "berapa kedalaman",
    "far": "berapa jarak",
    "big": "berapa luas",
    "large": "berapa luas",
}


# "What is the value / number / price of ...": an amount asked for.
_WHAT_AMOUNT = re.compile(
    r"what(?:'s|\s+(?:is|was|are|were|will\s+be))\s+the\s+(?:total\s+)?"
    r"(?:value|amount|number|price|cost|fare|rate|percentage|share|(?:death\s+)?toll|size|budget|fee)s?\b",
    re.IGNORECASE,
)


_NEWS_AGENCY = frozenset({("news", "agency"), ("news", "agencies"), ("press", "agency")})


def indonesian_paraphrase(question: str) -> str:
    """An English question word by word in Indonesian, as far as the glossary
    goes: question words mapped, fillers dropped, a glossed word replaced by
    its first Indonesian word, names and numbers kept, other words left out
    ("Where did the flood recede in Bekasi?" → "di mana banjir Bekasi"). The
    answerability evidence is measured on Indonesian questions against
    Indonesian articles. An Indonesian question is returned as it is."""
    if question_language(question) != "en":
        return question
    out: list[str] = []
    words = WORD.findall(question)
    skip = False
    for word, after in zip(words, [*words[1:], ""], strict=True):
        low = word.lower()
        if skip:
            skip = False
            continue
        if (low, after.lower()) in _NEWS_AGENCY:
            # An outlet ("Which news agency reported ...?"), not a government
            # agency ("dinas", the glossary's "agency").
            out.append("media")
            skip = True
        elif low == "how" and after.lower() in _HOW_MUCH:
            # "How many ...?" asks "Berapa ...?", not "Bagaimana ...?".
            out.append(_HOW_MUCH[after.lower()])
            skip = True
        elif low == "what" and _WHAT_AMOUNT.match(question, question.lower().find("what")):
            # "What was the value of ...?" asks "Berapa nilai ...?": "apa"
            # had the reader read it as a name ("olahan" for the value of
            # processed nickel exports).
            out.append("berapa")
        elif low in _QUESTION_WORDS_ID:
            out.append(_QUESTION_WORDS_ID[low])
        elif low in GLOSSARY_WORDS:
            out.append(GLOSSARY_WORDS[low][0])
        elif word[0].isupper() or any(ch.isdigit() for ch in word):
            out.append(word)  # names and numbers: checked as they are
        # Other English words are left out: the glossary cannot say whether
        # an Indonesian article holds them, and "missing" would be a guess.
    return " ".join(out) + "?"
