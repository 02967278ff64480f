"""Do the retrieved passages answer the question? A small learned decision.

A question the articles do not answer usually still retrieves passages about
its topic: "Apa bahasa *minoritas* di Belgia?" finds the paragraph on the
*majority* language, a question about a governor no article mentions finds
the start-up that shares its province. What tells them apart is whether the
question's *distinctive* content is there: its rare words (weighted by how
few chunks of the whole corpus hold them, so a word no article uses weighs
most), its names and numbers, its negation, the kind of answer it asks for.

`answerability_features` measures that for the best-ranked sentence, its
passage and the retrieval, as a few numbers; `AnswerabilityModel` is a
logistic regression over them (coefficients in `answerability.json`, fitted
by `python -m benchmarks.fit_answerability` on IDK-MRC train and FacQA train,
cross-validated there; numpy only at run time, no scikit-learn import).
Its probability is also the *support* of a sentence by a passage, which
checks a model's claims (`retrieval.answer.claims`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval.answer.boosted_trees import BoostedTrees
from retrieval.answer.span import find_answer_span, focus_stems, focus_word
from retrieval.text.antonyms import contradicted_words
from retrieval.text.lexical import QUESTION_WORDS, WORD, fold, query_terms, stems_of, terms

# The corpus's document frequencies: terms → (number of chunks, {term: df}).
Frequencies = Callable[[Sequence[str]], tuple[int, Mapping[str, int]]]

MODEL_PATH = Path(__file__).with_name("answerability.json")

_NEGATION = frozenset("tidak bukan belum tanpa tak not never no without".split())
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Capitalised words inside a question are names ("Yudie Chaniago", "Belgia").
_CAPITAL = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'-]*")
# Words that refer back to something said before; a question made of these
# (and question words) alone has nothing of its own to look up.
REFERRING = frozenset(
    "itu ini tersebut sana sini dia ia beliau mereka nya -nya tadi hal begitu demikian "
    "terjadi kejadian peristiwa it that this they them he she there then happen happened "
    "yang dan di ke dari pada untuk dengan oleh adalah apa apakah the a an of to in on "
    "was is are did do does when who whom what where which why how".split()
)


@dataclass(frozen=True)
class Evidence:
    """What the answerer knows about one candidate sentence (a view of
    `extractive.ScoredSentence` and its passage)."""

    sentence: str
    passage: str  # the passage with its title
    dense: float  # e5 cosine question ↔ sentence, rescaled to [0, 1]
    context: float
    lexical: float
    kind_asked: bool
    kind_match: bool
    retrieval: float  # the passage's fused score, absolute
    margin: float  # best sentence's ranking score minus the runner-up's
    kind: str | None = None  # the kind of answer asked for (`extractive.answer_kind`)


# The model's inputs: what the text of the question, the best sentence and
# its passage say, and the corpus's word frequencies. Not the e5 cosine nor
# the retrieval scores: those depend on the retrieval mode and index, and
# the model is fitted on lexical retrieval (2 shared cores could not embed
# the training sets in time); see `benchmarks/fit_answerability.py`.
FEATURES = (
    "context",
    "lexical",
    "idf_cov_sentence",
    "idf_cov_passage",
    "missing_idf_max",
    "missing_count",
    "absent_corpus",
    "names_covered",
    "numbers_covered",
    "negation_mismatch",
    "fuzzy_missing",
    "kind_asked",
    "kind_match",
    "bigram_cov_passage",
    "n_terms",
    # The best sentence itself, not only its passage: an edited question
    # ("... mulai *ditinggalkan*?") keeps most of its words in the passage
    # but loses its focus (the verb or noun it asks about) in the sentence.
    "names_in_sentence",
    "focus_in_sentence",
    "focus_in_passage",
    "missing_idf_max_sentence",
    "span_in_sentence",
    "focus_word_in_sentence",
    "focus_word_in_passage",
    "missing_count_sentence",
    "bigram_cov_sentence",
    "kind_date",
    "kind_number",
    "kind_person",
    "kind_place",
    "question_words",
    # An edited question's one changed word, contradicted: the passage holds
    # its opposite and not the word ("meninggal" over "lahir").
    "contradicted",
    # The corpus's size (log of its chunks): how rare a word is, and so every
    # feature weighing words by rarity, depends on it. Fitted on corpora of
    # about 430 and 4,300 chunks, the model keeps its threshold's meaning at
    # both (without it, fitted on the larger, it answered 0.94 of answerable
    # questions there and 0.89 in the smaller); and on tiny ones, a few to
    # some dozens of chunks, where every question retrieves the same few
    # (`benchmarks/answer_rows.py: collect_tiny`).
    "corpus_size",
)


def _unigrams(question: str) -> list[str]:
    return [t for t in dict.fromkeys(query_terms(question)) if "_" not in t]


def _bigrams(question: str) -> list[str]:
    return [t for t in dict.fromkeys(query_terms(question)) if "_" in t]


def question_terms(question: str) -> list[str]:
    """Every term (stem and stem bigram) whose frequency the features need."""
    return list(dict.fromkeys(query_terms(without_marker(question))))


# Chunks of "general text" added to every corpus, holding none of the
# question's words: in a corpus of a few chunks every word is in most of
# them, and plain IDF would weigh "Albu Kamal" (in every chunk of the one
# article) as nothing and a word no chunk holds as everything. In a corpus of
# thousands of chunks this changes next to nothing.
_BACKGROUND_CHUNKS = 100


def _norm_idf(df: int, n: int) -> float:
    """IDF scaled to [0, 1] whatever the corpus size: 1 for a term no chunk holds."""
    n = max(n, 0) + _BACKGROUND_CHUNKS
    return math.log((n + 1) / (df + 1)) / math.log(n + 1)


@lru_cache(maxsize=4096)
def _terms_of(text: str) -> frozenset[str]:
    return frozenset(terms(text))


def _words_lower(text: str) -> frozenset[str]:
    return frozenset(fold(w.lower()) for w in WORD.findall(text))


def is_referring_only(question: str) -> bool:
    """'Kapan itu terjadi?': nothing to look up without a conversation."""
    words = [w.lower() for w in WORD.findall(question)]
    content = [w for w in words if w not in QUESTION_WORDS and w not in REFERRING]
    content = [w for w in content if not (w.endswith("nya") and w[:-3] in QUESTION_WORDS)]
    return bool(words) and not content


# A number in parentheses after the question ("... dari IS? (3)") numbers a
# list or a message; it is not something the question asks about. An English
# question comes with its Indonesian gloss after it ("Who led ...? (3)
# (pimpin tempur)", `Answerer._condense`): the marker is still a marker.
_TRAILING_MARKER = re.compile(r"(?<=[?!.])\s*\(\d+\)(?=\s*(?:\([^()\d]*\)\s*)?$)")


# Light verbs: "Di mana banjir *terjadi*?" asks about the flood; the verb
# says nothing an answering sentence must hold (news writes "banjir melanda
# Medan"), so it is not weighed as a missing word.
_LIGHT_VERB = re.compile(
    r"\b(?:terjadi|berlangsung|dilakukan|melakukan|ada|happen(?:ed|s)?|occur(?:red|s)?)\b",
    re.IGNORECASE,
)


# "Apakah X sudah/akan/bisa/kena ...?" asks yes or no; "Apakah nama ...?",
# "Apakah ... yang ...?" ask what (IDK-MRC's "apakah" is mostly "apa").
_YES_NO = re.compile(
    r"^\W*apakah\s+(?!.*\byang\b).*\b(?:sudah|telah|akan|bisa|dapat|boleh|masih|pernah|"
    r"harus|perlu|wajib|sedang|kena|dikenai|dikenakan|termasuk|benar)\b",
    re.IGNORECASE,
)


def asks_yes_no(question: str) -> bool:
    """Whether `question` asks yes or no (`_YES_NO`)."""
    return _YES_NO.search(question) is not None


def without_message_number(question: str) -> str:
    return _TRAILING_MARKER.sub("", question)


# "Berapa skor (akhir) ...?" names the kind of answer, as "berapa" does: news
# gives a score as "mengalahkan Vietnam 1-0", without the word.
_SCORE_WORD = re.compile(
    r"\b(?:skor(?:nya)?|score)(?:\s+(?:akhir(?:nya)?|final))?\b", re.IGNORECASE
)


def without_marker(question: str) -> str:
    return _SCORE_WORD.sub(" ", _LIGHT_VERB.sub(" ", without_message_number(question)))


def answerability_features(
    question: str,
    evidence: Evidence,
    n_chunks: int,
    frequencies: Mapping[str, int],
) -> dict[str, float]:
    question = without_marker(question)
    unigrams = _unigrams(question)
    bigrams = _bigrams(question)
    idf = {t: _norm_idf(frequencies.get(t, 0), n_chunks) for t in unigrams}
    total_idf = sum(idf.values()) or 1.0
    sentence_terms = _terms_of(evidence.sentence)
    passage_terms = _terms_of(evidence.passage)
    missing = [t for t in unigrams if t not in passage_terms]
    passage_words = _words_lower(evidence.passage)
    names = [fold(w.lower()) for w in _CAPITAL.findall(question) if w.lower() not in QUESTION_WORDS]
    numbers = _NUMBER.findall(question)
    q_neg = any(w in _NEGATION for w in _words_lower(question))
    # A yes/no question is answered as well by a sentence that denies it:
    # "Apakah wisatawan domestik kena pungutan?" by "... tidak dikenai".
    s_neg = (
        q_neg
        if asks_yes_no(question)
        else any(w in _NEGATION for w in _words_lower(evidence.sentence))
    )
    sentence_words = _words_lower(evidence.sentence)
    focus = focus_stems(question)
    kind = evidence.kind
    # The one word the question asks about ("ditinggalkan" in "Kapan
    # komputer mikro mulai ditinggalkan?"), by its stem; None matches nothing.
    focus_word_stem = focus_word(question) or "\x00"
    sentence_stems = stems_of(evidence.sentence)
    passage_stems = stems_of(evidence.passage)
    fuzzy = 0.0
    for t in missing:
        if len(t) >= 4 and any(
            abs(len(w) - len(t)) <= 3 and SequenceMatcher(None, t, w).ratio() >= 0.75
            for w in passage_terms
            if "_" not in w
        ):
            fuzzy = 1.0
            break
    return {
        "dense": evidence.dense,
        "context": evidence.context,
        "lexical": evidence.lexical,
        "idf_cov_sentence": sum(idf[t] for t in unigrams if t in sentence_terms) / total_idf,
        "idf_cov_passage": sum(idf[t] for t in unigrams if t in passage_terms) / total_idf,
        "missing_idf_max": max((idf[t] for t in missing), default=0.0),
        "missing_count": float(len(missing)),
        "absent_corpus": float(sum(1 for t in unigrams if frequencies.get(t, 0) == 0)),
        "names_covered": (
            sum(1 for w in names if w in passage_words) / len(names) if names else 1.0
        ),
        "numbers_covered": (
            sum(1 for x in numbers if x in evidence.passage) / len(numbers) if numbers else 1.0
        ),
        "negation_mismatch": 1.0 if q_neg != s_neg else 0.0,
        "fuzzy_missing": fuzzy,
        "kind_asked": 1.0 if evidence.kind_asked else 0.0,
        "kind_match": 1.0 if evidence.kind_match else 0.0,
        "retrieval": evidence.retrieval,
        "margin": evidence.margin,
        "bigram_cov_passage": (
            sum(1 for t in bigrams if t in passage_terms) / len(bigrams) if bigrams else 1.0
        ),
        "n_terms": math.log1p(len(unigrams)),
        "names_in_sentence": (
            sum(1 for w in names if w in sentence_words) / len(names) if names else 1.0
        ),
        "focus_in_sentence": (
            sum(1 for t in focus if t in sentence_terms) / len(focus) if focus else 1.0
        ),
        "focus_in_passage": (
            sum(1 for t in focus if t in passage_terms) / len(focus) if focus else 1.0
        ),
        "missing_idf_max_sentence": max(
            (idf[t] for t in unigrams if t not in sentence_terms), default=0.0
        ),
        "focus_word_in_sentence": 1.0 if focus_word_stem in sentence_stems else 0.0,
        "focus_word_in_passage": 1.0 if focus_word_stem in passage_stems else 0.0,
        "missing_count_sentence": float(sum(1 for t in unigrams if t not in sentence_terms)),
        "bigram_cov_sentence": (
            sum(1 for t in bigrams if t in sentence_terms) / len(bigrams) if bigrams else 1.0
        ),
        "kind_date": 1.0 if kind == "date" else 0.0,
        "kind_number": 1.0 if kind == "number" else 0.0,
        "kind_person": 1.0 if kind == "person" else 0.0,
        "kind_place": 1.0 if kind == "place" else 0.0,
        "question_words": math.log1p(len(WORD.findall(question))),
        "contradicted": float(len(contradicted_words(question, evidence.passage))),
        "corpus_size": math.log1p(max(n_chunks, 0)),
        "span_in_sentence": (
            1.0
            if kind is not None and find_answer_span(question, kind, evidence.sentence) is not None
            else 0.0
        ),
    }


@dataclass(frozen=True)
class AnswerabilityModel:
    """Logistic regression on standardised features, or gradient-boosted
    trees on the raw ones (whichever the fit script found better in grouped
    cross-validation); `threshold` on its probability decides "found"."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    trees: BoostedTrees | None = None

    def probability(self, values: Mapping[str, float]) -> float:
        x = np.array([values[f] for f in self.features], dtype=np.float64)
        if self.trees is not None:
            z = self.trees.log_odds(x)
        else:
            z = float(((x - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> AnswerabilityModel:
        n = len(data["features"])  # type: ignore[arg-type]
        trees = data.get("boosting")
        return cls(
            features=tuple(data["features"]),  # type: ignore[arg-type]
            mean=np.array(data.get("mean", [0.0] * n), dtype=np.float64),
            scale=np.array(data.get("scale", [1.0] * n), dtype=np.float64),
            coef=np.array(data.get("coef", [0.0] * n), dtype=np.float64),
            intercept=float(data.get("intercept", 0.0)),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
            trees=BoostedTrees.from_json(trees) if isinstance(trees, dict) else None,
        )


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> AnswerabilityModel | None:
    """The committed model, or None before one was fitted."""
    if not path.is_file():
        return None
    return AnswerabilityModel.from_json(json.loads(path.read_text(encoding="utf-8")))
