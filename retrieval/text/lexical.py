"""Indonesian-aware terms for the lexical (BM25) index.

Words are lower-cased and stemmed with Sastrawi ("mengusir" → "usir",
"pertempuran" → "tempur"), so a question and a passage that use different
affixes of the same root still match. Adjacent stems also form bigram terms
("kepala_badan"), which reward passages that share a phrase with the question.

An earlier tuning run on FacQA train (its script was not kept, and its numbers
are not in BENCHMARKS.md) found that Sastrawi's 800-word stopword
list *lowers* recall (it drops words like "akhir", "awal", "baru" that
questions hinge on), so documents keep every word but a few English function
words, and only queries drop question words ("siapa", "berapa", ...).
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from retrieval.text.word_lists import load_words

# A word: letters and digits, no underscore (bigram terms use it as a joint).
WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Question words and fillers in English: questions come in English sometimes,
# and these would otherwise match English words quoted in articles.
ENGLISH_STOPWORDS = load_words("english_stopwords.txt")

# Words that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = load_words("question_words.txt")

_stemmer = StemmerFactory().create_stemmer()
_stem_lock = threading.Lock()

# Stems the catalog keeps beside each passage (`word_stems`, made at ingest
# by `stem` itself), learnt when a search reads its passages: a cold `ask`
# or `search` then runs Sastrawi on no word of the passages it re-ranks and
# quotes (the top 20 hold ~470 words: 0.1-0.2 s of Sastrawi). Bounded like
# `stem`'s own cache, for a bot that reads passages for weeks.
_known_stems: dict[str, str] = {}
KNOWN_STEMS_MAX = 200_000


# Letters NFD does not take apart into a base letter and a mark.
_OWN_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)

# What `stem` and so every term is made of: 2 since accents are folded
# (`fold`). A catalog indexed with another version is re-indexed where it
# differs, on open (`Catalog._migrate_terms`).
TERMS_VERSION = "3"

# Roots Sastrawi's dictionary holds that are chat forms of another root it
# also holds: "memungut" was cut to "mungut", and shared no term with
# "pungutan" ("Berapa pungutan turis asing ke Bali?" over "memungut biaya
# sebesar Rp 150.000" found no count of the levy). Version 3 of the terms.
_CHAT_ROOTS = {"mungut": "pungut"}


def stems_changed_since(version: str, text: str) -> bool:
    """Whether a chunk indexed with terms of `version` holds a word whose
    stem is another now: one beyond ASCII (2: accents folded), one Sastrawi
    cut to a chat root (3)."""
    beyond_ascii = not text.isascii() and not all(w.isascii() for w in WORD.findall(text))
    return (version < "2" and beyond_ascii) or (
        version < "3" and any(root in text.lower() for root in _CHAT_ROOTS)
    )


def fold(word: str) -> str:
    """`word` (lower-case) with its Latin letters' accents folded away:
    "mbappé" → "mbappe", "erdoğan" → "erdogan", "são" → "sao". Users type
    foreign names without them, and Sastrawi, which knows a-z only, would
    cut the word at the accented letter ("erdo an")."""
    if word.isascii():
        return word
    # NFD, not NFKD: accents only ("½" is not "12"; ingest's ftfy already
    # undoes ligatures and full-width letters).
    decomposed = unicodedata.normalize("NFD", word.translate(_OWN_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)) or word


def spelled_as(question: str, texts: Sequence[str]) -> str:
    """`question` with each word `texts` spell only otherwise, accents
    aside, written as they do: "Albu Kamál" over a passage that writes
    "Albu Kamal" becomes "Albu Kamal", "Erdogan" over "Erdoğan" becomes
    "Erdoğan". For the reader, which reads the question's own letters: it
    scored "Siapa pelatih Malmo FF?" -3.6 over a passage naming "Malmö FF"'s
    coach, and 7.8 when "Malmö" was written as the passage writes it."""
    asked = WORD.findall(question)
    if all(word.isascii() for word in asked) and all(text.isascii() for text in texts):
        return question
    written: set[str] = set()
    by_fold: dict[str, str] = {}
    for text in texts:
        for word in WORD.findall(text):
            written.add(word.lower())
            by_fold.setdefault(fold(word.lower()), word)
    respelled = {
        word: by_fold[folded]
        for word in asked
        if word.lower() not in written and (folded := fold(word.lower())) in by_fold
    }
    if not respelled:
        return question
    return WORD.sub(lambda m: respelled.get(m.group(), m.group()), question)


# A figure typed without its thousands dots ("2000 rumah"), not a year.
_PLAIN_FIGURE = re.compile(
    r"(?<![\d.,])(?<!tahun )(?<!year )(?<!sejak )(?<!since )(\d{4,})(?![\d]|[.,]\d)",
    re.IGNORECASE,
)


_MOST_FIGURES = 8


def figures_written_as(question: str, texts: Sequence[str]) -> str:
    """`question` with each figure it types without separators written as
    `texts` write it, when they write it only with Indonesian thousands
    dots: "yg bilang 2000 rumah rusak siapa?" over "lebih dari 2.000 rumah
    rusak berat" becomes "... 2.000 rumah ...". Typed so, the figure was in
    no passage ("2.000" is read as "2" and "000"), and the question refused."""
    joined = "\n".join(texts)
    # A message of hundreds of figures is read for its first few: each is
    # looked for through the passages.
    figures = list(dict.fromkeys(_PLAIN_FIGURE.findall(question)))[:_MOST_FIGURES]
    written = {}
    for typed in figures:
        dotted = f"{int(typed):,}".replace(",", ".")
        if _as_figure(dotted).search(joined) and not _as_figure(typed).search(joined):
            written[typed] = dotted
    if not written:
        return question
    return _PLAIN_FIGURE.sub(lambda m: written.get(m.group(1), m.group(1)), question)


def _as_figure(figure: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.,]){re.escape(figure)}(?![\d]|[.,]\d)")


# Offices news writes both ways. The reader reads letters: "Siapa dirut
# Garuda Indonesia?" over "Direktur Utama Garuda Indonesia, Irfan
# Setiaputra" scored 0.3 and pointed at another sentence; written out, 5.1.
_WRITTEN_OUT = {
    "dirut": "direktur utama",
    "wapres": "wakil presiden",
    "wagub": "wakil gubernur",
    "wabup": "wakil bupati",
    "menlu": "menteri luar negeri",
    "mendagri": "menteri dalam negeri",
    "menkeu": "menteri keuangan",
    "mendikbud": "menteri pendidikan dan kebudayaan",
    "menhan": "menteri pertahanan",
    "menkes": "menteri kesehatan",
    "kapolri": "kepala kepolisian negara republik indonesia",
    "ketum": "ketua umum",
    "sekjen": "sekretaris jenderal",
    "jubir": "juru bicara",
    "walkot": "wali kota",
}


def written_as(question: str, texts: Sequence[str]) -> str:
    """`question` with an office it abbreviates ("dirut") written out as
    `texts` write it ("Direktur Utama"), or abbreviated where they
    abbreviate it, when they write it only the other way."""
    joined: str | None = None
    for short, full in _WRITTEN_OUT.items():
        asked_short = re.search(rf"\b{short}\b", question, re.IGNORECASE) is not None
        asked_full = re.search(rf"\b{full}\b", question, re.IGNORECASE) is not None
        if not (asked_short or asked_full):
            continue  # the texts are searched only for an office the question names
        joined = " ".join(texts).lower() if joined is None else joined
        has_short = re.search(rf"\b{short}\b", joined) is not None
        has_full = re.search(rf"\b{full}\b", joined) is not None
        if asked_short and has_full and not has_short:
            question = re.sub(rf"\b{short}\b", full, question, flags=re.IGNORECASE)
        elif asked_full and has_short and not has_full:
            question = re.sub(rf"\b{full}\b", short, question, flags=re.IGNORECASE)
    return question


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    known = _known_stems.get(word)
    if known is not None:
        return known
    folded = fold(word)
    # A word in another script (or with a letter `fold` keeps) is no
    # Indonesian word for Sastrawi to cut down: it is its own term.
    if not folded.isascii():
        return folded
    # Sastrawi keeps a dictionary cache that is not guarded for threads.
    with _stem_lock:
        cut = _stemmer.stem(folded) or folded
    return _CHAT_ROOTS.get(cut, cut)


@lru_cache(maxsize=1)
def _root_words() -> frozenset[str]:
    return frozenset(StemmerFactory().get_words())


def is_root_word(word: str) -> bool:
    """Whether lower-cased `word` is in Sastrawi's dictionary of Indonesian
    root words ("gunung", "kepala", "barat", "tim"; not "lavigne", "jakarta",
    "suharyanto")."""
    return word in _root_words()


def is_indonesian_word(word: str) -> bool:
    """Whether lower-cased `word` is a root word or an affixed form of one
    ("bendungan", "kekuatannya"; not "persija")."""
    return is_root_word(word) or is_root_word(stem(word))


@lru_cache(maxsize=1)
def sastrawi_stop_words() -> frozenset[str]:
    """Sastrawi's list of about 800 Indonesian stop words (read once). Not
    the terms' own: it drops words like "akhir" and "baru" (see above)."""
    # Imported here: most commands never need it (1 ms at every start).
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


def _lower_words(text: str) -> list[str]:
    """`text`'s words, each lower-cased: split first, since lower-casing
    can add a mark that is no word character ("İstanbul" → "i̇stanbul")."""
    return [w.lower() for w in WORD.findall(text)]


@lru_cache(maxsize=4096)
def stems_of(text: str) -> frozenset[str]:
    """The stems of `text`'s words."""
    return frozenset(stem(w) for w in _lower_words(text))


def word_stems(text: str) -> dict[str, str]:
    """Every distinct word of `text`, lower-cased as every caller of `stem`
    gives it, with its stem (numbers too: some callers stem them)."""
    return {w: stem(w) for w in dict.fromkeys(_lower_words(text))}


def encode_stems(stems: Mapping[str, str]) -> str:
    """`word_stems` as the catalog stores it: JSON, a word that is its own
    stem written as "" (most names and roots)."""
    compact = {w: "" if s == w else s for w, s in stems.items()}
    return json.dumps(compact, ensure_ascii=False, separators=(",", ":"))


def learn_stems(encoded: str) -> None:
    """Remember stems `encode_stems` wrote, for `stem` to answer without
    Sastrawi. They are `stem`'s own answers, so nothing it returns changes."""
    decoded: dict[str, str] = json.loads(encoded)
    if len(_known_stems) + len(decoded) > KNOWN_STEMS_MAX:
        _known_stems.clear()
    # Not a word beyond ASCII: its stem changed with `TERMS_VERSION` 2, and
    # a writer still running the version before would store the old one
    # ("erdoğan": "erdo an"); `stem` makes it again (rare words, cached).
    # Nor a stem version 3 made again ("memungut": "mungut").
    _known_stems.update(
        {w: s or w for w, s in decoded.items() if w.isascii() and s not in _CHAT_ROOTS}
    )


def _stems(text: str, drop: frozenset[str]) -> list[str]:
    out = []
    for word in _lower_words(text):
        if word in drop:
            continue
        # Numbers and codes ("2017", "g20") are kept as they are.
        out.append(fold(word) if any(ch.isdigit() for ch in word) else stem(word))
    return out


def _with_bigrams(stems: list[str]) -> list[str]:
    return stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:], strict=False)]


def terms(text: str) -> list[str]:
    """The terms a passage is indexed under: stems, then stem bigrams."""
    return _with_bigrams(_stems(text, ENGLISH_STOPWORDS))


def query_terms(text: str) -> list[str]:
    """The terms a question is searched with (question words dropped)."""
    return _with_bigrams(_stems(text, ENGLISH_STOPWORDS | QUESTION_WORDS))


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression that ORs the query's terms (BM25 ranks them).

    Each term is quoted so FTS5 syntax in a question ("AND", "*", quotes)
    is matched as text, never interpreted.
    """
    unique = dict.fromkeys(query_terms(text))
    if not unique:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in unique)
