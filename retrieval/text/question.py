"""Checking a question before anything expensive runs, and telling which
language it is in, whether it is put as a question at all, and whether it
is only a courtesy.

Every front end (CLI, REPL, Telegram) shows `QuestionError`'s text as is, so
it is short and bilingual.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

from retrieval.errors import TanyaError
from retrieval.text.lexical import QUESTION_WORDS, is_indonesian_word, is_root_word, stem


class QuestionError(TanyaError, ValueError):
    """A question tanya will not try to answer; `str()` is for the user."""


_SPACE = re.compile(r"\s+")

# Layout characters people do type or paste; every other control character
# (NUL, ESC, backspace, ...) means binary data or a broken terminal paste.
_LAYOUT = frozenset("\t\n\r\x0b\x0c")


def _is_garbage(ch: str) -> bool:
    if ch in _LAYOUT:
        return False
    category = unicodedata.category(ch)
    # Cc: control characters; Cs: lone surrogates (undecodable bytes that
    # Python smuggled in); Co/Cn: private-use and unassigned code points;
    # U+FFFD: the replacement character left where bytes could not be decoded.
    return category in ("Cc", "Cs", "Co", "Cn") or ch == "\ufffd"


def validate_question(text: str, max_chars: int) -> str:
    """The question, cleaned (Unicode-normalised, spaces collapsed), or
    `QuestionError` saying why it cannot be asked."""
    if text is None or not text.strip():
        raise QuestionError(
            "Pertanyaannya kosong. Tulis pertanyaan tentang artikel. / "
            "The question is empty: write a question about the articles."
        )
    if any(_is_garbage(ch) for ch in text):
        raise QuestionError(
            "Pertanyaan berisi karakter kontrol atau data biner. Kirim teks biasa. / "
            "The question contains control characters or binary data: send plain text."
        )
    cleaned = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    # Zero-width and format characters alone (U+200B, U+FEFF) are still empty.
    visible = "".join(ch for ch in cleaned if unicodedata.category(ch) != "Cf").strip()
    if not visible:
        raise QuestionError(
            "Pertanyaannya kosong. Tulis pertanyaan tentang artikel. / "
            "The question is empty: write a question about the articles."
        )
    if len(cleaned) > max_chars:
        from babel.numbers import format_decimal  # "10.259" in Indonesian, "10,259" in English

        n_id, max_id = (format_decimal(n, locale="id") for n in (len(cleaned), max_chars))
        raise QuestionError(
            f"Pertanyaan terlalu panjang ({n_id} karakter, maksimal {max_id}). "
            f"Persingkat. / The question is too long ({len(cleaned):,} characters, "
            f"at most {max_chars:,}): shorten it."
        )
    # A word, not only digits: "1", "(3)" or "2024" alone asks nothing, and
    # searched they drew an unrelated passage, answered and cited.
    if not any(ch.isalpha() for ch in visible):
        raise QuestionError("Pertanyaan tidak berisi kata. / The question has no words in it.")
    return cleaned


# Words that only one of the two languages uses in questions; a question
# is English when it has more English markers than Indonesian ones.
_ENGLISH = frozenset(
    "what who whom whose which when where why how is are was were did does do the of "
    "and in on at to from by with about according said say says "
    "hello thanks thank morning afternoon evening".split()
)
_INDONESIAN = frozenset(QUESTION_WORDS) | frozenset(
    "dari dan ke pada untuk dengan dalam oleh adalah itu ini tersebut tahun kota menurut".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# The languages tanya speaks: what a question is read as, what answers and
# notes are written in, and what the bot's replies come in.
Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)


# An Indonesian question word ("kapankah", "di mana", "siapa") makes the
# question Indonesian, however many English words the title or name it asks
# about holds: "Kapan film The Anthem of the Heart dirilis?" counted "of",
# "the", "the" against "kapan", was read as English, answered in English, and
# weighed as its "paraphrase" "Kapan film The Anthem Heart?".
_ASKING_WORDS = r"apa|siapa|kapan|di ?mana|ke ?mana|dari ?mana|mana|berapa|bagaimana|mengapa|kenapa"
_INDONESIAN_ASKING = re.compile(rf"^(?:{_ASKING_WORDS})(?:kah)?$")


def question_language(text: str) -> Language:
    """'en' for an English question, else 'id' (most users write Indonesian)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if any(_INDONESIAN_ASKING.match(w) for w in words):
        return "id"
    english = sum(w in _ENGLISH for w in words)
    indonesian = sum(w in _INDONESIAN or w.endswith("nya") for w in words)
    return "en" if english > indonesian else "id"


# Chat courtesies, which a bot is sent all day: "terima kasih" after an
# answer, "selamat pagi" before a question. Searched, they drew a passage
# ("selamat" is also "survived": a shipwreck's survivors) that was answered
# and cited. Greetings first, then thanks and acknowledgements; words that
# only soften them ("ya", "kak", "banyak") may come along.
_SMALL_TALK = {
    "greeting": (
        "selamat pagi|selamat siang|selamat sore|selamat malam|selamat datang|good morning|"
        "good afternoon|good evening|assalamualaikum|halo|hallo|helo|hai|hi|hello|hey|pagi|"
        "siang|sore|malam|permisi|apa kabar|how are you"
    ),
    "thanks": (
        "terima kasih|terimakasih|makasih|trims|thanks|thank you|thx|tq|ok|oke|okay|okey|sip|"
        "mantap|baik|siap|noted"
    ),
}
_SOFTENERS = (
    r"ya|yah|yaa|deh|dong|kak|kakak|bot|tanya|min|mas|mbak|pak|bu|banyak|sekali|very|much|so|all"
)
_SMALL_TALK_MESSAGE = re.compile(
    rf"^(?:(?:{_SMALL_TALK['greeting']}|{_SMALL_TALK['thanks']}|{_SOFTENERS})\b[\s\W]*)+$",
    re.IGNORECASE,
)
_THANKS = re.compile(rf"\b(?:{_SMALL_TALK['thanks']})\b", re.IGNORECASE)
_GREETING = re.compile(rf"\b(?:{_SMALL_TALK['greeting']})\b", re.IGNORECASE)


def small_talk(text: str) -> Literal["greeting", "thanks"] | None:
    """What a message made only of courtesies is ("Halo": "greeting";
    "Terima kasih ya kak", "Thanks!": "thanks"); None for anything else, which
    may ask something to look up."""
    text = text.strip()
    if not _SMALL_TALK_MESSAGE.match(text):
        return None
    if _THANKS.search(text):
        return "thanks"
    if _GREETING.search(text):
        return "greeting"
    return None  # softeners alone ("ya", "kak"): a word like any other


# A question word, Indonesian or English, anywhere in the message.
_ASKING_ANYWHERE = re.compile(
    rf"\b(?:{_ASKING_WORDS}|keberapa)(?:kah|pun)?\b|"
    r"\b(?:what|who|whom|whose|which|when|where|why|how)\b",
    re.IGNORECASE,
)


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
    # "yg bilang 2000 rumah rusak siapa?": who said so.
    "bilang": "mengatakan",
    # "banjir demak gara2 apa?" asks why.
    "gara-gara": "karena",
}
# Not "kok" ("naik kok?" asks why).
_PARTICLES = "sih|dong|deh|nih|ya|yah|yaa"
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


def _with_me(root: str) -> str:
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


def _formal_verb(match: re.Match[str]) -> str:
    word = match.group(0)
    if is_root_word(word) or is_root_word(stem(word)):
        return word  # "ingin", "kemarin", "bermain"
    body, passive = word[:-2], False
    if body.startswith("di") and len(body) > 4:
        body, passive = body[2:], True
    roots = [body]
    if not passive:
        for nasal, firsts in _NASAL_ROOTS:
            if body.startswith(nasal) and len(body) > len(nasal) + 2:
                roots = [first + body[len(nasal) :] for first in firsts] + roots
                break
    # A root of two vowels or more: the dictionary holds "lat" and "tra"
    # too, which made "nama latin" a verb.
    root = next((r for r in roots if is_root_word(r) and len(_VOWEL.findall(r)) > 1), None)
    if root is not None:
        return ("di" + root if passive else _with_me(root)) + "kan"
    # A root that itself ends in "-in", its nasal alone: "mimpin" (pimpin).
    for nasal, firsts in _NASAL_ROOTS:
        if word.startswith(nasal) and len(word) > len(nasal) + 3:
            whole = [first + word[len(nasal) :] for first in firsts]
            if root := next((r for r in whole if is_root_word(r)), None):
                return _with_me(root)
            break
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


_BRACKETS_AFTER = re.compile(r"(.*?)((?:\s*\([^()]*\))*\s*)$", re.DOTALL)
_MESSAGE_NUMBER = re.compile(r"\s*\(\d+\)\s*")


def with_question_mark(text: str) -> str:
    """A question put without its mark ("Siapa pelatih Persib"), with it.
    The reader was fitted on questions mostly written with one, and read
    without it, it scored differently: 2 of the news fixture's 15 questions
    about absent entities were answered so, none with it."""
    if "?" in text or not asks_something(text):
        return text
    question, after = without_what_follows(text)
    return question.rstrip(" .!") + "?" + after


def without_what_follows(text: str) -> tuple[str, str]:
    """(the question, what follows it in brackets): a message number ("...
    (3)"), or an English question's Indonesian gloss ("who led it
    (pimpin)"). Brackets of an Indonesian question are its own ("Kapan gempa
    terjadi (di Cianjur)")."""
    question, after = _BRACKETS_AFTER.match(text).groups()  # type: ignore[union-attr]
    if not after or _MESSAGE_NUMBER.fullmatch(after) or question_language(question) == "en":
        return question, after
    return text, ""


def asks_something(text: str) -> bool:
    """Whether a message is put as a question: a question word or a question
    mark ("Dimankah ...?", misspelt, still is). "Bali", "buat puisi tentang
    banjir Demak" are not: a search for them finds a passage, but no phrase
    of it is *the* answer."""
    return "?" in text or _ASKING_ANYWHERE.search(text) is not None


# A question to the bot about itself ("Siapa yang membuatmu?", "Apa yang
# bisa kamu lakukan?", "Who is your coach?") or a sum ("Berapa 2 tambah
# 2?"): the articles hold neither, and a search for them found a passage
# anyway (a BPBD head was cited as tanya's maker, Indonesia's coach as its
# coach). "You" in a way of asking is not what is asked: "Menurut Anda,
# ...", "Kamu tahu ...?", "Do you know ...?", "Bisakah kamu jelaskan ...?".
_YOU = frozenset("kamu kau engkau anda dikau you your yours yourself".split())
_YOU_WORDS = r"(?:anda|kamu|kau|engkau)"
_ASKING_VERBS = (
    r"(?:tahu|ketahui|ingat|kenal|pikir|kira|rasa|jelaskan|sebutkan|ceritakan|carikan|cari|"
    r"tunjukkan|berikan|beri|bantu|know|think|remember|recall|tell|explain|say|find|show|give|"
    r"list|help|search|look)"
)
_YOU_FRAME = re.compile(
    rf"\bmenurut\s+{_YOU_WORDS}\b|\b{_YOU_WORDS}\s+(?:bisa\s+|dapat\s+|mau\s+)?{_ASKING_VERBS}\b|"
    rf"\b(?:tahukah|ingatkah|kenalkah|bisakah|dapatkah|maukah|tolong)\s+{_YOU_WORDS}\b|"
    rf"\b(?:do|did|can|could|would|will)\s+you\s+(?:please\s+)?{_ASKING_VERBS}\b|"
    r"\bthank\s+you\b|\bif\s+you\b",
    re.IGNORECASE,
)
_NUMBER = r"\d+(?:[.,]\d+)*"
_SUM = re.compile(
    r"^\s*(?:tolong\s+)?(?:(?:berapa(?:kah)?|hitung(?:lah)?|what\s+is|what's|how\s+much\s+is|"
    r"calculate)\s+)?(?:hasil(?:nya)?\s+)?"
    rf"{_NUMBER}(?:\s*(?:\+|-|\*|/|x|:|tambah|ditambah|kurang|dikurangi|kali|dikali|"
    rf"dikalikan|bagi|dibagi|plus|minus|times|divided\s+by)\s*{_NUMBER})+"
    r"\s*(?:=|sama\s+dengan|equals)?\s*[?!.]*\s*$",
    re.IGNORECASE,
)


def _addresses_you(word: str, first: bool) -> bool:
    """ "kamu", "Anda", "you", "your"; or a word with the "-mu" of "your"/"you"
    on a verb or noun ("membuatmu", "namamu"), not a word ending so
    ("ilmu"). A capitalised "You" or "Kamu" inside the message is a title's
    ("I Will Always Love You"), not the bot."""
    low = word.lower()
    if low in _YOU:
        return low == "anda" or first or word == low
    return word == low and len(low) > 4 and low.endswith("mu") and is_root_word(stem(low[:-2]))


def off_topic(text: str) -> bool:
    """Whether a message asks the bot about itself, or asks for a sum: what
    no article holds."""
    if _SUM.match(text):
        return True
    words = re.findall(r"[^\W\d_]+", _YOU_FRAME.sub(" ", text))
    return any(_addresses_you(word, i == 0) for i, word in enumerate(words))
