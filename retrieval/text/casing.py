"""A question typed without capitals, read as if typed with them.

People type into a chat the way they text: "siapa pelatih persija jakarta
musim ini". Much of what tells an answerable question from one the
articles do not answer reads capitals: the names a question asks about
(the answerability model's `names_covered`; a name no passage holds weighs
most), the body whose office is asked (`referents`), the reader, which
reads letters. Typed in lower case, 7 of the news fixture's 15 questions
about entities no article mentions were answered (none as written).

`cased_as` gives such a question its capitals back: a word gets the form
the passages write it in, when they write it capitalised inside a sentence
("madura united" -> "Madura United", "mrt" -> "MRT"; not in titles, which
capitalise every word). In a question typed all in lower case, a word of
four letters or more that the passages do not hold is a name when it is no
Indonesian word (not in Sastrawi's dictionary nor its stop words, nor an
affixed form of a root) and no chat word ("persija", "ruangguru"; not
"udah", "online", "ngomong"). A question with capitals after its first word is left as
written: its writer chose them. In an English question only the passages'
capitals count: most of its words are no Indonesian word. Every question
opens with a capital, unless its first word has capitals of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from retrieval.text.chat import CHAT_SHORTHAND, unnasalised, verb_root
from retrieval.text.lexical import QUESTION_WORDS, WORD, is_indonesian_word, sastrawi_stop_words
from retrieval.text.question import question_language, without_what_follows

# Where a sentence starts, every word is capitalised: no evidence of a name.
# So does the story after a dateline's dash ("BANDUNG (ANTARA) - Banjir ...").
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n\"“”]\s*|\s[-–—]\s+)$")


def typed_without_capitals(question: str) -> bool:
    """Whether no word after the first has a capital letter ("Siapa bupati
    cianjur?", "siapa bupati cianjur"), and there is a word after it."""
    words = WORD.findall(question)
    return len(words) > 1 and not any(ch.isupper() for word in words[1:] for ch in word)


def _forms(texts: Sequence[str]) -> dict[str, Counter[str]]:
    """How `texts` write each word (lower-cased key) inside a sentence."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for match in WORD.finditer(text):
            if _SENTENCE_START.search(text, max(0, match.start() - 3), match.start()):
                continue
            word = match.group()
            forms.setdefault(word.lower(), Counter())[word] += 1
    return forms


# English words chat in Indonesian uses, and its slang: not names ("penerbangan
# direct ke osaka", "kereta cepat, guys?", "sampe ribuan rumah rusak").
_CHAT_WORDS = frozenset(
    "online offline app apps direct update upload download link website web email chat "
    "startup meeting event trending viral live streaming video vlog booking promo cashback "
    "voucher gadget smartphone laptop wifi internet guys gaes gais sampe skrang kalo banget "
    "anyway please thanks sorry okay".split()
)


# A chat verb is its root behind a nasal alone ("ngomong" for "omong",
# "nunggu", "nulis"): no name. Roots of five letters or more: a town may
# stand on a shorter one ("ngawi": "kawi"; "ngada": "ada").
_CHAT_VERB_ROOT = 5


def _is_known_word(word: str) -> bool:
    """An Indonesian word (a root, a stop word, an affixed form of a root),
    chat shorthand for one, a chat verb, or an English word chats use: no
    name."""
    return (
        word in CHAT_SHORTHAND
        or word in _CHAT_WORDS
        or word in sastrawi_stop_words()
        or is_indonesian_word(word)
        or any(len(r) >= _CHAT_VERB_ROOT and verb_root(r) for r in unnasalised(word, 2))
    )


def cased_as(question: str, texts: Sequence[str]) -> str:
    """`question` as a writer would case it: typed without capitals
    (`typed_without_capitals`; or in capitals, which `chat.plain_question`
    puts in lower case), with those of its names; and opening with a capital
    ("siapa Gubernur Bali yang baru?": the first word's case alone had
    changed the answer)."""
    if typed_without_capitals(question):
        # Not an English question's Indonesian gloss: "investasi" is no name
        # because an article writes "Kemaritiman dan Investasi".
        asked, gloss = without_what_follows(question)
        question = _names_capitalised(asked, texts) + gloss
    first = WORD.match(question)
    if first is None or not first.group().islower():
        return question  # "iPhone", "eFishery", "mRNA": as written
    return question[:1].upper() + question[1:]


def _names_capitalised(question: str, texts: Sequence[str]) -> str:
    forms = _forms(texts)
    # Most words of an English question are no Indonesian word: only the
    # passages' capitals are evidence of a name there.
    english = question_language(question) == "en"
    # A word no dictionary holds is taken for a name only in a question typed
    # all in lower case: "Pungutan ... dibayar secara online lewat apa?", its
    # first letter written, has no names, and "online" had been one.
    all_lower = not any(ch.isupper() for ch in question)

    def cased(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if lower in QUESTION_WORDS or len(lower) < 3 or not lower.isalpha():
            return word
        seen = forms.get(lower)
        if seen:
            form, _count = seen.most_common(1)[0]
            # Mostly capitalised inside sentences: a name ("Persib"), an
            # acronym ("MRT") or a title before one ("Gubernur Bali").
            capitalised = sum(n for f, n in seen.items() if f[0].isupper())
            if form[0].isupper() and 2 * capitalised > sum(seen.values()):
                return form
            return word
        if english or not all_lower or len(lower) < 4 or _is_known_word(lower):
            return word
        return word[0].upper() + word[1:]

    return WORD.sub(cased, question)
