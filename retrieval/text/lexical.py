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

import re
import threading
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


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    # Sastrawi keeps a dictionary cache that is not guarded for threads.
    with _stem_lock:
        return _stemmer.stem(word) or word


def _stems(text: str, drop: frozenset[str]) -> list[str]:
    out = []
    for word in WORD.findall(text.lower()):
        if word in drop:
            continue
        # Numbers and codes ("2017", "g20") are kept as they are.
        out.append(word if any(ch.isdigit() for ch in word) else stem(word))
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
