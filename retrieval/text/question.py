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
from retrieval.text.lexical import QUESTION_WORDS, is_root_word, stem


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
