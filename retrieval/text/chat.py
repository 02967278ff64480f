"""Questions as chats type them, read as written: chat forms of words
("brp", "yg", "udah", "gara2", "ngalahin") written out, particles that only
set a chat's tone dropped, markup and whom a message is addressed to
("Bot, ...") taken off, a question typed in capitals put in lower case
(`plain_question`). Every front end's question passes through it before it
is searched (`retrieval.answer.chain`); the checks before that are
`question.py`'s.
"""

from __future__ import annotations

import re

from retrieval.text.lexical import is_indonesian_word, is_root_word, stem
from retrieval.text.question import question_language

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


# Question words as chats write them: "brp kasus dbd di jabar", "kpn
# bendungan bener diresmikan". Written out, they tell what kind of answer is
# asked for (a number, a date) as the full words do; unread, the answer had
# no short answer. Not "sapa" or "napa", which are words (and a name) too.
_INFORMAL_ASKING = {
    "brp": "berapa",
    "brpa": "berapa",
    "brapa": "berapa",
    "kpn": "kapan",
    "kapn": "kapan",
    "dmn": "di mana",
    "dmana": "di mana",
    "gmn": "bagaimana",
    "gmana": "bagaimana",
    "gimana": "bagaimana",
    "knp": "kenapa",
    "knapa": "kenapa",
    # What they ask of: "tgl brp", "thn brp", "jm brp".
    "tgl": "tanggal",
    "thn": "tahun",
    "jm": "jam",
    # English chat: "whos the mayor of Bandung" had been answered with a
    # footballer, "whos Persib's coach" refused.
    "whos": "who is",
    "whats": "what is",
    "wheres": "where is",
}
_INFORMAL_WORD = re.compile(
    rf"\b(?:{'|'.join(w for w in _INFORMAL_ASKING if w != 'jm')}|jm(?=\s+(?:brp|berapa)\b))\b",
    re.IGNORECASE,
)


# Other chat forms, of words a question is read by (stop words and negation,
# which the answerability model weighs as such when written out: "udah", a
# word no article holds, had weighed as a missing one and refused "kasus dbd
# di jabar udah berapa?"), and the particles that only set a chat's tone
# ("... naik ya?", "dong", "sih"), dropped. Not "dr" (dokter) or "sm".
_CHAT_FORMS = {
    "yg": "yang",
    "dgn": "dengan",
    "utk": "untuk",
    "tdk": "tidak",
    "gak": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "udah": "sudah",
    "udh": "sudah",
    "sdh": "sudah",
    "blm": "belum",
    "krn": "karena",
    "jg": "juga",
    "aja": "saja",
    "skrg": "sekarang",
    "dapet": "dapat",
    "duit": "uang",
    "apaan": "apa",
    # Chat's short forms of common words: unread, "kmrn" was a name no
    # article holds ("Kapolresta bwi pas mudik Kmrn siapa?").
    "kmrn": "kemarin",
    "kemaren": "kemarin",
    "pdhl": "padahal",
    "lbh": "lebih",
    "taun": "tahun",
    "org": "orang",
    "tsb": "tersebut",
    "bbrp": "beberapa",
    "sblm": "sebelum",
    "stlh": "setelah",
    "sampe": "sampai",
    "dlm": "dalam",
    "tp": "tapi",
    "karna": "karena",
    "tetep": "tetap",
    # Typed so, a word no dictionary holds was taken for a name, and the
    # question refused ("semalem yg menang siapa?").
    "semalem": "semalam",
    "malem": "malam",
    # "yg bilang 2000 rumah rusak siapa?": who said so.
    "bilang": "mengatakan",
    # "banjir demak gara2 apa?" asks why.
    "gara-gara": "karena",
    # "se-" and a unit is "per" it in a price: "harganya brp segram?" over
    # "Rp 1.325.000 per gram".
    "segram": "per gram",
    "sekilo": "per kilogram",
    "sekg": "per kilogram",
    "seliter": "per liter",
    "seton": "per ton",
}
# "Siapa yang kasih assist ...?": chat's "kasih" gives ("memberi"), not in
# "terima kasih" (thanks) nor "kasih sayang" (love); "ngasih", "dikasih".
_GIVE = re.compile(r"\b(?:(?<!terima )kasih(?! sayang)|ngasih|dikasih)\b", re.IGNORECASE)
_GIVEN = {"kasih": "memberi", "ngasih": "memberi", "dikasih": "diberi"}
# "Bayar pungutan Bali lewat apa?", "lewat jalur apa?" over "... melalui
# aplikasi Love Bali": "lewat" asking by what way is "melalui" (not "sudah
# lewat", passed).
_VIA = re.compile(r"\b(?:L|l)ewat(?=\s+(?:[a-z]+\s+)?(?:apa|mana)\b)")
# "dirut rsud sleman sapa?": chat's "siapa" where a question asks it, at
# its end; not the verb ("Presiden sapa warga di mana?", greets).
_WHO = re.compile(r"\b(?:S|s)apa(?=\s*(?:\?|$|(?:ya|sih|nih|dong)\b))")
# Not "kok" ("naik kok?" asks why).
_PARTICLES = "sih|dong|deh|nih|ya|yah|yaa|bgt|banget"
# Every chat form of a common word: those written out, and others no name
# is (`casing.py` takes a word no dictionary holds for a name).
CHAT_SHORTHAND = frozenset(
    [*_CHAT_FORMS, *_INFORMAL_ASKING, *_PARTICLES.split("|")]
    + "dg tp karna sm dr dlm pd kyk kayak trs lg bgt bs gmn emg emang kah".split()
)
_CHAT_WORD = re.compile(
    rf"(?<=\w)\s+(?:{_PARTICLES})\b(?=\s*[?!.,]|\s*$)|\b(?:{'|'.join(_CHAT_FORMS)})\b",
    re.IGNORECASE,
)


# Jakarta's chat verbs: a nasal for "me-" and "-in" for "-kan"/"-i"
# ("ngalahin", "nyariin", "dibeliin", "naikin"). No article writes them, so
# "Persib ngalahin siapa?" shared no word with "mengalahkan" and was refused.
# Only a word ending in "-in" that is no Indonesian word: a nasal alone
# ("makan", "nasi") is too often part of a root.
_COLLOQUIAL_VERB = re.compile(r"\b[a-z]{3,}in\b")
_VOWEL = re.compile(r"[aeiou]")
# What a chat nasal stands for: "ng" a root's k or its first vowel, "ny" s
# or c, "m" p, "n" t ("nulisin" -> "tulis").
_NASAL_ROOTS = (
    ("nge", ("",)),
    ("ng", ("k", "")),
    ("ny", ("c", "s")),  # "nyari" is "cari" more often than "sari"
    ("m", ("p",)),
    ("n", ("t",)),
)


def with_me(root: str) -> str:
    """The formal "me-" form of `root` ("kalah" -> "mengalah", "tulis" ->
    "menulis", "beli" -> "membeli")."""
    first = root[0]
    if first in "aeiouhgk":
        return "meng" + (root[1:] if first == "k" else root)
    if first in "bfv" or first == "p":
        return "mem" + (root[1:] if first == "p" else root)
    if first in "cdjzt":
        return "men" + (root[1:] if first == "t" else root)
    if first == "s":
        return "meny" + root[1:]
    return "me" + root


def verb_root(word: str) -> bool:
    """Whether `word` is a root a chat verb may stand on: one the dictionary
    holds, of two vowels or more (it holds "lat" and "tra" too, which made
    "nama latin" a verb)."""
    return is_root_word(word) and len(_VOWEL.findall(word)) > 1


def unnasalised(word: str, room: int) -> list[str]:
    """The roots a chat nasal opening `word` may stand for ("ngalah" ->
    "kalah", "alah"), when more than `room` letters follow it; else []."""
    for nasal, firsts in _NASAL_ROOTS:
        if word.startswith(nasal) and len(word) > len(nasal) + room:
            return [first + word[len(nasal) :] for first in firsts]
    return []


def _formal_verb(match: re.Match[str]) -> str:
    word = match.group(0)
    if is_root_word(word) or is_root_word(stem(word)):
        return word  # "ingin", "kemarin", "bermain"
    body, passive = word[:-2], False
    if body.startswith("di") and len(body) > 4:
        body, passive = body[2:], True
    roots = [*([] if passive else unnasalised(body, 2)), body]
    root = next((r for r in roots if verb_root(r)), None)
    if root is not None:
        return ("di" + root if passive else with_me(root)) + "kan"
    # A root that itself ends in "-in", its nasal alone: "mimpin" (pimpin).
    if root := next((r for r in unnasalised(word, 3) if is_root_word(r)), None):
        return with_me(root)
    return word


# A word written twice as "2": "gara2", "anak2", "kira2". Three letters or
# more, in lower case: not "PS2", "G2".
_DOUBLED = re.compile(r"\b([a-z]{3,})2\b")


def written_twice(text: str) -> str:
    """`text` with chat's "gara2" written out, "gara-gara"; not a word no
    dictionary holds ("revis2", a typing slip)."""

    def doubled(match: re.Match[str]) -> str:
        twice = f"{match.group(1)}-{match.group(1)}"
        return twice if is_indonesian_word(twice) else match.group(0)

    return _DOUBLED.sub(doubled, text)


def formal_verbs(text: str) -> str:
    """`text` with chat verbs written as articles write them ("ngalahin" ->
    "mengalahkan", "dibeliin" -> "dibelikan"); other words, and an English
    question ("... the fast train?"), as they are."""
    if question_language(text) == "en":
        return text
    return _COLLOQUIAL_VERB.sub(_formal_verb, text)


def formal_words(text: str) -> str:
    """`text` with chat forms of common words written out ("yg" -> "yang",
    "udah" -> "sudah", "ngalahin" -> "mengalahkan") and a particle at the
    end of a clause dropped ("naik ya?" -> "naik?"); its question words too
    (`formal_question_words`)."""

    def written_out(match: re.Match[str]) -> str:
        typed = match.group(0)
        if typed.isupper():
            return typed  # an acronym: "BLM", "YG Entertainment", "GK Group"
        written = _CHAT_FORMS.get(typed.lower(), "")
        return written[:1].upper() + written[1:] if typed[0].isupper() else written

    text = written_twice(text)
    # Particles one after another ("... sih ya dong?"): each is dropped.
    for _ in range(3):
        text, changed = _CHAT_WORD.subn(written_out, text)
        if not changed:
            break
    text = _VIA.sub(lambda m: "Melalui" if m.group()[0] == "L" else "melalui", text)
    text = _WHO.sub(lambda m: "Siapa" if m.group()[0] == "S" else "siapa", text)
    text = _GIVE.sub(lambda m: _GIVEN[m.group().lower()], text)
    return formal_question_words(formal_verbs(text))


def formal_question_words(text: str) -> str:
    """`text` with its chat forms of question words written out ("brp" ->
    "berapa", "Brp" -> "Berapa"); the rest as it is."""

    def written_out(match: re.Match[str]) -> str:
        typed = match.group(0)
        word = _INFORMAL_ASKING[typed.lower()]
        return word[:1].upper() + word[1:] if typed[0].isupper() and not typed.isupper() else word

    return _INFORMAL_WORD.sub(written_out, text)


# Markup a question may carry, typed or pasted from a page: "Siapa
# <b>pelatih</b> Madura United?" is asked of a pelatih, and the checks of
# whom it asks about read the words, not the tags (answered with Persib's
# coach, the tags hiding the office asked).
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")


# Whom a chat message is addressed to, before a comma or colon: "Bot, siapa
# rektor UGM?" had been refused ("bot", a word no article holds, weighed as
# a missing name). Not a title before a name: "Pak Harto", with no comma.
_ADDRESS = re.compile(
    r"^\W*(?:(?:halo|hallo|hai|hi|hey|permisi|bot|tanya|kak|kakak|min|mimin|admin|gan|agan|"
    r"pak|bu|mas|mbak|bang|om|sis|bro)\b\s*)+[,:!]+\s*(?=[^\W_])",
    re.IGNORECASE,
)


def typed_in_capitals(text: str) -> bool:
    """Whether every word is in capitals ("SIAPA JURU BICARA KPK?"), and
    there are two words or more with letters."""
    words = [w for w in _WORD.findall(text) if any(ch.isalpha() for ch in w)]
    return len(words) > 1 and not any(ch.islower() for word in words for ch in word)


def plain_question(text: str) -> str:
    """The question as the answer path reads it: without markup, without
    whom it is addressed to ("Bot, ..."), its chat forms of words written
    out (`formal_words`)."""
    if _TAG.search(text):
        text = " ".join(_TAG.sub(" ", text).split())
    if typed_in_capitals(text):
        # "SIAPA JURU BICARA KPK?" had been answered "Rutan KPK": every word
        # read as a name, the question's topic as the answer. In lower case,
        # `casing.cased_as` gives its names their capitals back.
        text = text.lower()
    return formal_words(_ADDRESS.sub("", text))
