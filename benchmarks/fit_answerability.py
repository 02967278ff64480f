"""Fit the answerability model (`retrieval/answer/answerability.json`) on train splits.

    python -m benchmarks.fit_answerability            # collect features, CV, fit, write
    python -m benchmarks.fit_answerability --no-write # CV report only

Data (train splits only; valid is never read here):

* IDK-MRC train (`benchmarks/idk_mrc.py`), indexed whole and in `--shards`
  (10) interleaved shards of its paragraphs, each shard indexed alone (a
  corpus of valid's size; see `collect_idk`): each question is asked in both
  (folds group them by paragraph); each answerable question is a positive,
  each unanswerable one (an edit the paragraph no longer answers) a negative,
  retrieved as `tanya ask` retrieves with BM25;
* FacQA train, every second question: asked against the full FacQA corpus
  (positive) and against it without the gold passage (negative, kept only
  when no retrieved passage still holds the gold span).

For each, the answerer's best sentence gives `answerability_features`.
A logistic regression (standardised features) and gradient-boosted trees
(`--boosting`) are cross-validated with folds grouped by paragraph (5
folds); the one refusing more unanswerable IDK-MRC train questions out of
fold is fitted on all rows and written as data (`retrieval/answer/boosted_trees.py`
reads the trees). The threshold is chosen by a rule in this file
(`choose_threshold`, on out-of-fold probabilities), never by hand: a refit
writes the rule's threshold and the rule itself into the JSON.
Features are cached (`benchmarks/.cache/answer-features-*.json`) with the
code that computes them, so a refit with other model settings is instant.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from retrieval.answer import (
    CALIBRATION,
    ExtractiveAnswerer,
    Passage,
    answer_kind,
    asks_for_source,
    best_answer_span,
    unless_led_elsewhere,
)
from retrieval.answer.answerability import FEATURES, MODEL_PATH
from retrieval.core import Article
from retrieval.evaluation import contains_answer, span_scores
from retrieval.ingest import chunk_article
from retrieval.store import TanyaEmbeddings, fuse
from retrieval.store.catalog import Catalog

from .cache import CACHE_DIR, Cache, CachingEmbedder, VectorCache, fingerprint
from .facqa import (
    DEFAULT_FACQA_DIR,
    benchmark_settings,
    corpus_passages,
    load_embedder_for,
    load_split,
    passage_article,
    passage_id,
)
from .idk_mrc import DEFAULT_IDK_DIR, corpus_article, load_corpus, load_questions

REPO = Path(__file__).resolve().parent.parent
FEATURE_SOURCES = (
    "retrieval/answer/answerability.py",
    "retrieval/answer/span.py",
    "retrieval/answer/extractive.py",
    "retrieval/store/catalog.py",
    "retrieval/text/lexical.py",
    "retrieval/text/antonyms.py",
    "retrieval/text/data/antonyms_id.txt",
    "benchmarks/fit_answerability.py",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def caching_embedder(cache: Cache) -> CachingEmbedder:
    embedder = load_embedder_for(benchmark_settings(cache.root))
    slug = embedder.name.replace(":", "_").replace("/", "_").replace("@", "_")
    return CachingEmbedder(
        embedder, VectorCache(cache.artefact(f"vectors-{slug}.npz"), embedder.dimension)
    )


# Collecting: every question gets the answer it would get if found.
ALWAYS = replace(CALIBRATION, threshold=-1.0)


class NoVectors(TanyaEmbeddings):
    """Zero vectors: the sentence ranking's e5 signal is 0 for every
    sentence, so training needs no embedding at all (the model does not use
    it, see `retrieval.answer.answerability.FEATURES`). Token counts are the real
    embedder's, so chunks are the ones `tanya add` makes."""

    def __init__(self, real: TanyaEmbeddings) -> None:
        self.real = real
        self.name, self.dimension, self.max_tokens = real.name, real.dimension, real.max_tokens

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), self.dimension), dtype=np.float32)

    embed_queries = embed_passages

    def count_tokens(self, text: str) -> int:
        return self.real.count_tokens(text)


class LexicalCorpus:
    """A catalog (SQLite + FTS5, the real one) of a corpus, searched with
    BM25 as `ArticleIndex.search(mode="lexical")` does; no dense store."""

    def __init__(self, path: Path, articles: list[Article], embedder: TanyaEmbeddings) -> None:
        self.catalog = Catalog(path / "catalog.sqlite3")
        settings = benchmark_settings(path)
        if self.catalog.counts()[0] != len(articles):
            items = [
                (
                    a,
                    chunk_article(
                        a,
                        max_tokens=settings.chunk_tokens,
                        overlap_sentences=settings.chunk_overlap_sentences,
                        count_tokens=embedder.count_tokens,
                    ),
                )
                for a in articles
            ]
            with self.catalog.transaction() as conn:
                self.catalog.write_articles(conn, items)

    def passages(self, question: str, k: int = 5, exclude: frozenset[str] = frozenset()) -> list:
        found = [
            h
            for h in self.catalog.lexical_search(question, k + len(exclude))
            if h[0] not in exclude
        ][:k]
        fused = fuse([], found, lexical_weight=1.0)
        chunks = self.catalog.chunks_by_id([cid for cid, _ in fused])
        out = []
        for n, (cid, score) in enumerate(fused, 1):
            c = chunks[cid]
            out.append(
                Passage(
                    n,
                    cid,
                    c.article_id,
                    c.title,
                    c.date,
                    c.source,
                    c.url,
                    c.text,
                    c.start,
                    c.end,
                    score,
                )
            )
        return out


def _row(
    extractive: ExtractiveAnswerer,
    question: str,
    passages: list[Passage],
    label: int,
    group: str,
    origin: str,
    golds: list[str],
    with_reader: bool = False,
) -> dict[str, Any] | None:
    scored = extractive.score(question, passages)
    features = extractive.features(question, scored)
    if features is None:
        return None
    if with_reader:
        read_at = extractive.read(question, scored)
        features["reader"] = read_at.reading.score if read_at is not None else READER_NONE
        spans = reader_spans(extractive, scored, read_at, golds, question)
    else:
        spans = {}
    best = scored[0].sentence.text
    two = " ".join(s.sentence.text for s in scored[:2])
    # The answer the answerer would give if it answered (the collecting
    # answerer's threshold is below every score): its length and gold.
    extract = extractive.choose(scored, question)
    span_f1 = span_scores(extract.answer_span, golds)[1] if extract.answer_span and golds else None
    return {
        **spans,
        "answer_words": len(extract.text.split()),
        "answer_contains": any(contains_answer(extract.text, g) for g in golds),
        "span": extract.answer_span,
        "span_f1": span_f1,
        "features": features,
        "label": label,
        "group": group,
        "origin": origin,
        "question": question,
        "kind": answer_kind(question) or "other",
        "best_words": len(best.split()),
        "two_words": len(two.split()),
        "best_contains": any(contains_answer(best, g) for g in golds),
        "two_contain": any(contains_answer(two, g) for g in golds),
        "passages_contain": any(contains_answer(p.text, g) for p in passages for g in golds),
    }


# Where the short answer may come from, as `reader_spans` reports it: the best
# sentence alone ("best"), or the sentences the ranking quotes unless a span
# elsewhere scores more than a margin higher (`Read.short_answer`): "near"
# never, "any" always, "m1.0" by 1.0. Each also with "_led": a pattern span
# right after the question's lead word before the reader's elsewhere
# (`unless_led_elsewhere`).
SPAN_MARGINS = {"near": math.inf, "m0.5": 0.5, "m1.0": 1.0, "m2.0": 2.0, "any": -math.inf}


def reader_spans(
    extractive: ExtractiveAnswerer, scored: list, read_at: Any, golds: list[str], question: str
) -> dict[str, Any]:
    """What the answer would quote with the reader's span taken from the
    best sentence, or by each of `SPAN_MARGINS`: whether that quote holds
    the gold, its words, the span's F1."""
    out: dict[str, Any] = {}
    near = extractive.near(scored)
    not_sources = not asks_for_source(question)
    found_span = best_answer_span(question, answer_kind(question), [s.sentence.text for s in near])
    for name in ("best", *SPAN_MARGINS, *(f"{m}_led" for m in SPAN_MARGINS)):
        margin = name.removesuffix("_led")
        if read_at is None:
            answered = None
        elif name == "best":
            answered = read_at.answer(scored[:1], not_sources=not_sources)
        else:
            answered = read_at.short_answer(
                near, scored, not_sources=not_sources, margin=SPAN_MARGINS[margin]
            )
            if (
                name.endswith("_led")
                and found_span is not None
                and unless_led_elsewhere(answered, near, found_span, question, scored)
                is not answered
            ):
                # The pattern's span and its sentence are the answer.
                sentence = near[found_span.sentence].sentence.text
                out[f"{name}_contains"] = any(contains_answer(sentence, g) for g in golds if g)
                out[f"{name}_words"] = len(sentence.split())
                span = sentence[found_span.at[0] : found_span.at[1]]
                out[f"{name}_f1"] = span_scores(span, golds)[1] if golds else 0.0
                continue
        if answered is None:
            out[f"{name}_contains"], out[f"{name}_words"], out[f"{name}_f1"] = False, 0, 0.0
            continue
        reading, passage = answered
        quote = " ".join(s.sentence.text for s in read_at.holding(scored, answered))
        out[f"{name}_contains"] = any(contains_answer(quote, g) for g in golds if g)
        out[f"{name}_words"] = len(quote.split())
        out[f"{name}_f1"] = span_scores(reading.text(passage.text), golds)[1] if golds else 0.0
    return out


def collect_idk(
    cache: Cache,
    split: str,
    shards: int,
    keep: Callable[[str], bool] = lambda group: True,
    with_reader: bool = False,
) -> list[dict]:
    """Each question asked twice: in an index of the whole corpus, and in
    one of its shard alone (every `shards`th paragraph: a corpus the size of
    valid's, 358 paragraphs, for 10 shards of train's 3,659). How rare a word
    is depends on the corpus's size, and so do the features weighing it:
    fitted on the whole of train alone, the model answered 0.94 of train's
    answerable questions at its threshold but 0.89 in a shard, 0.88 in
    valid. With both sizes and `corpus_size`, it learns the difference."""
    real = load_embedder_for(benchmark_settings(cache.root))
    embedder = NoVectors(real)
    rows = []
    for count, offset in [(1, 0), *((shards, shard) for shard in range(shards))]:
        paragraphs = load_corpus(DEFAULT_IDK_DIR, split, count, offset)
        corpus = LexicalCorpus(
            cache.scratch(f"idk-{split}-shard-{offset}-of-{count}"),
            [corpus_article(r) for r in paragraphs],
            embedder,
        )
        extractive = ExtractiveAnswerer(
            embedder, ALWAYS, frequencies=corpus.catalog.document_frequencies, model=None
        )
        for q in load_questions(DEFAULT_IDK_DIR, split, count, offset):
            if not keep(q.passage_id):
                continue
            row = _row(
                extractive,
                q.question,
                corpus.passages(q.question),
                0 if q.unanswerable else 1,
                q.passage_id,
                f"idk-{q.source or 'answerable'}",
                q.answers,
                with_reader,
            )
            if row:
                rows.append(row)
        corpus.catalog.close()
        log(f"  idk {split}: {len(paragraphs)} paragraphs indexed, {len(rows)} rows")
    return rows


def collect_facqa(
    cache: Cache,
    split: str,
    sample: int,
    keep: Callable[[str], bool] = lambda group: True,
    with_reader: bool = False,
) -> list[dict]:
    real = load_embedder_for(benchmark_settings(cache.root))
    embedder = NoVectors(real)
    texts = corpus_passages(DEFAULT_FACQA_DIR)
    corpus = LexicalCorpus(
        cache.scratch("facqa-lexical"), [passage_article(p) for p in texts], embedder
    )
    extractive = ExtractiveAnswerer(
        embedder, ALWAYS, frequencies=corpus.catalog.document_frequencies, model=None
    )
    rows = []
    questions = load_split(DEFAULT_FACQA_DIR, split)[::sample]
    for i, q in enumerate(questions, 1):
        gold = passage_id(q.passage)
        if not keep(gold):
            continue
        passages = corpus.passages(q.question)
        row = _row(extractive, q.question, passages, 1, gold, "facqa", [q.answer], with_reader)
        if row:
            rows.append(row)
        removed = frozenset(corpus.catalog.chunk_ids(gold))
        without = corpus.passages(q.question, exclude=removed)
        row = _row(
            extractive, q.question, without, 0, gold, "facqa-removed", [q.answer], with_reader
        )
        if row and not row["passages_contain"]:
            rows.append(row)
        if i % 500 == 0:
            log(f"  facqa {split}: {i}/{len(questions)}")
    return rows


# Ten shards of IDK-MRC train: indexes of 365-366 paragraphs, like valid's 358
# (beside the whole of train: 3,659).
IDK_SHARDS = 10


def features_key(*parts: object) -> str:
    return fingerprint(*(REPO / p for p in FEATURE_SOURCES), FEATURES, *parts)


def cached_rows(cache: Cache, name: str, build: Any, *parts: object) -> list[dict]:
    path = cache.artefact(f"answer-features-{name}-{features_key(name, *parts)}.json")
    if path.is_file():
        return json.loads(path.read_text())
    rows = build()
    # Only this name's older rows: "idk-train-*" also matches the
    # "idk-train-reader-*" rows, which building the base rows deleted.
    for stale in cache.root.glob(f"answer-features-{name}-*.json"):
        if re.fullmatch(rf"answer-features-{re.escape(name)}-[0-9a-f]+\.json", stale.name):
            stale.unlink()
    path.write_text(json.dumps(rows))
    return rows


def matrix(rows: list[dict], features: tuple[str, ...] = FEATURES) -> np.ndarray:
    return np.array([[r["features"][f] for f in features] for r in rows], dtype=np.float64)


def threshold_for(
    probabilities: np.ndarray, target: float, method: Literal["linear", "lower"] = "linear"
) -> float:
    """The highest threshold that keeps `target` of these (answerable) found
    (`method`: numpy's quantile method; "lower" keeps it one of them)."""
    return float(np.quantile(probabilities, 1 - target, method=method))


# The threshold choice rule, applied to out-of-fold probabilities (never
# chosen by hand, never on valid): the highest threshold at which at least
# IDK_TARGET of IDK-MRC train's answerable questions and FACQA_TARGET of
# FacQA train's are still answered. IDK-MRC's bar is 0.90 found (0.92
# leaves a margin for valid). FacQA's answerable questions are news
# questions like users ask: 0.94 of them, a little under the 0.955 main's
# evidence threshold answered on valid. Asking 0.98 there (tried) leaves the
# threshold so low that 9% of unanswerable IDK-MRC train questions are
# refused, against 36% at 0.94 (out of fold, boosting).
IDK_TARGET = 0.92
FACQA_TARGET = 0.94


def choose_threshold(oof: np.ndarray, origin: np.ndarray, y: np.ndarray) -> float:
    idk = oof[(origin == "idk-answerable") & (y == 1)]
    facqa = oof[(origin == "facqa") & (y == 1)]
    return min(threshold_for(idk, IDK_TARGET), threshold_for(facqa, FACQA_TARGET))


# Small enough to read as data (a few hundred KB of JSON), and in grouped CV
# as good as bigger ones.
BOOSTING = {"max_iter": 150, "learning_rate": 0.08, "max_leaf_nodes": 15, "random_state": 0}
# The direction each feature may move the probability: more of the question
# found can never make an answer less likely, more of it missing never more.
# Without these, trees fitted on IDK-MRC (whose unanswerable questions keep
# nearly all their words) learnt that full coverage is suspicious, and
# refused "Ke mana IS mundur?" on the seed article, which answers it.
MONOTONIC = {
    "context": 1,
    "lexical": 1,
    "idf_cov_sentence": 1,
    "idf_cov_passage": 1,
    "missing_idf_max": -1,
    "missing_count": -1,
    "absent_corpus": -1,
    "names_covered": 1,
    "numbers_covered": 1,
    "negation_mismatch": -1,
    "kind_match": 1,
    "bigram_cov_passage": 1,
    "names_in_sentence": 1,
    "focus_in_sentence": 1,
    "focus_in_passage": 1,
    "missing_idf_max_sentence": -1,
    "span_in_sentence": 1,
    "focus_word_in_sentence": 1,
    "focus_word_in_passage": 1,
    "missing_count_sentence": -1,
    "bigram_cov_sentence": 1,
    "contradicted": -1,
}


def make_model(name: str, c: float) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "boosting":
        return HistGradientBoostingClassifier(
            **BOOSTING, monotonic_cst=[MONOTONIC.get(f, 0) for f in FEATURES]
        )
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))


def cross_validate(rows: list[dict], c: float, names: Sequence[str]) -> dict[str, Any]:
    """Out-of-fold probabilities (5 folds grouped by paragraph) and what
    they give at the threshold the rule chooses, per model."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    x, y = matrix(rows), np.array([r["label"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    origin = np.array([r["origin"] for r in rows])
    out: dict[str, Any] = {}
    for name in names:
        oof = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=5).split(x, y, groups):
            model = make_model(name, c).fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        idk = np.char.startswith(origin.astype(str), "idk")
        t = choose_threshold(oof, origin, y)
        out[name] = {
            "auc_idk": roc_auc_score(y[idk], oof[idk]),
            "auc_facqa": roc_auc_score(y[~idk], oof[~idk]),
            "threshold": t,
            "idk_answerable_found": float(np.mean(oof[idk & (y == 1)] >= t)),
            "idk_unanswerable_not_found": float(np.mean(oof[idk & (y == 0)] < t)),
            "idk_unanswerable_not_found_human": float(np.mean(oof[origin == "idk-human"] < t)),
            "idk_unanswerable_not_found_model": float(np.mean(oof[origin == "idk-model"] < t)),
            "facqa_found": float(np.mean(oof[origin == "facqa"] >= t)),
            "facqa_removed_not_found": float(np.mean(oof[origin == "facqa-removed"] < t)),
        }
    return out


def fit(rows: list[dict], name: str, threshold: float, c: float) -> dict[str, Any]:
    """The model fitted on every row, as data; `threshold` is the rule's,
    from the cross-validation (out-of-fold, not in-sample, probabilities)."""
    from retrieval.answer.boosted_trees import trees_to_json

    x, y = matrix(rows), np.array([r["label"] for r in rows])
    model = make_model(name, c).fit(x, y)
    data: dict[str, Any] = {"model": name, "features": list(FEATURES)}
    if name == "boosting":
        data["boosting"] = trees_to_json(model)
        data["boosting_params"] = {**BOOSTING, "monotonic": MONOTONIC}
    else:
        scaler, logistic = model[0], model[1]
        data.update(
            mean=scaler.mean_.tolist(),
            scale=scaler.scale_.tolist(),
            coef=logistic.coef_[0].tolist(),
            intercept=float(logistic.intercept_[0]),
            C=c,
        )
    data.update(
        threshold=threshold,
        threshold_rule=(
            f"highest out-of-fold threshold keeping >= {IDK_TARGET} of IDK-MRC train answerable "
            f"and >= {FACQA_TARGET} of FacQA train answerable questions found "
            "(benchmarks/fit_answerability.py: choose_threshold)"
        ),
        fitted_on="IDK-MRC train + FacQA train (answerable, and gold-removed as unanswerable)",
        rows=len(rows),
    )
    # The JSON must give the probabilities the fitted model gives.
    from retrieval.answer.answerability import AnswerabilityModel

    loaded = AnswerabilityModel.from_json(data)
    for i in range(0, len(rows), max(1, len(rows) // 50)):
        mine = loaded.probability(rows[i]["features"])
        theirs = float(model.predict_proba(x[i : i + 1])[0, 1])
        assert abs(mine - theirs) < 1e-4, (i, mine, theirs)
    return data


def choose_floor(
    score: np.ndarray, model_p: np.ndarray, origin: np.ndarray, y: np.ndarray
) -> tuple[float, float]:
    """The answerability model's floor, and the decision's threshold with
    it: of the floors at which both found targets of `choose_threshold` can
    still be met, the one whose highest such threshold refuses the largest
    share of unanswerable questions, IDK-MRC's edited ones and FacQA's whose
    article is not in the index weighed alike (out of fold). With the reader
    and no floor, the threshold IDK-MRC's target allows answered more of
    the second kind than the model alone did (0.44 refused against 0.56)."""
    found_idk = (origin == "idk-answerable") & (y == 1)
    found_facqa = (origin == "facqa") & (y == 1)
    unanswerable = [np.char.startswith(origin.astype(str), "idk") & (y == 0)]
    unanswerable.append(origin == "facqa-removed")
    best = (-1.0, 0.0, choose_threshold(score, origin, y))
    for floor in np.quantile(model_p, np.linspace(0.0, 0.3, 61)):
        s = np.where(model_p >= floor, score, -1.0)  # vetoed: below every probability
        t = min(
            threshold_for(s[found_idk], IDK_TARGET, "lower"),
            threshold_for(s[found_facqa], FACQA_TARGET, "lower"),
        )
        if t < 0:  # the floor alone refuses more than a target allows
            continue
        refused = float(np.mean([np.mean(s[m] < t) for m in unanswerable]))
        if refused > best[0]:
            best = (refused, float(floor), t)
    return best[1], best[2]


# A passage the reader cannot read (no text): as if it said "no answer".
READER_NONE = -20.0


def fit_decision(cache: Cache, rows: list[dict], shards: int, sample: int) -> dict[str, Any]:
    """The reader decision (`retrieval/answer/reader/decision.py`): a
    logistic regression over the answerability model's log-odds and the
    reader's score, on the questions about the fifth of train's passages the
    reader was not fitted on (`benchmarks.fit_reader.held_out`). Their
    log-odds come from the answerability model refitted without them, so
    neither input has seen them; the threshold follows the same rule as the
    model's, on 5-fold out-of-fold probabilities."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    from retrieval.answer.reader.weights import WEIGHTS

    from .fit_reader import held_out

    weights = fingerprint(WEIGHTS)
    held = cached_rows(
        cache,
        "idk-train-reader",
        lambda: collect_idk(cache, "train", shards, held_out, with_reader=True),
        shards,
        weights,
    )
    held += cached_rows(
        cache,
        "facqa-train-reader",
        lambda: collect_facqa(cache, "train", sample, held_out, with_reader=True),
        sample,
        weights,
    )
    fitting = [r for r in rows if not held_out(r["group"])]
    model = make_model("boosting", 1.0).fit(
        matrix(fitting), np.array([r["label"] for r in fitting])
    )
    p = np.clip(model.predict_proba(matrix(held))[:, 1], 1e-6, 1 - 1e-6)
    x = np.column_stack([np.log(p / (1 - p)), [r["features"]["reader"] for r in held]])
    y = np.array([r["label"] for r in held])
    origin = np.array([r["origin"] for r in held])
    groups = np.array([r["group"] for r in held])
    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(x, y, groups):
        fold = LogisticRegression().fit(x[train], y[train])
        oof[test] = fold.predict_proba(x[test])[:, 1]
    floor, t = choose_floor(oof, p, origin, y)
    t_model = choose_threshold(p, origin, y)
    idk = np.char.startswith(origin.astype(str), "idk")

    def rates(
        score: np.ndarray, threshold: float, vetoed: np.ndarray | None = None
    ) -> dict[str, float]:
        if vetoed is not None:
            score = np.where(vetoed, -1.0, score)  # below every probability
        return {
            "auc_idk": round(float(roc_auc_score(y[idk], score[idk])), 4),
            "auc_facqa": round(float(roc_auc_score(y[~idk], score[~idk])), 4),
            "idk_answerable_found": round(float(np.mean(score[idk & (y == 1)] >= threshold)), 4),
            "idk_unanswerable_not_found": round(
                float(np.mean(score[idk & (y == 0)] < threshold)), 4
            ),
            "facqa_found": round(float(np.mean(score[origin == "facqa"] >= threshold)), 4),
            "facqa_removed_not_found": round(
                float(np.mean(score[origin == "facqa-removed"] < threshold)), 4
            ),
        }

    final = LogisticRegression().fit(x, y)
    report: dict[str, Any] = {
        "with_reader": rates(oof, t, p < floor),
        "with_reader_no_floor": rates(oof, choose_threshold(oof, origin, y)),
        "model_alone": rates(p, t_model),
        "rows": len(held),
    }
    # Where the short answer is taken from (`Read.short_answer`), on the
    # answerable questions: the quote's gold, its words, the span's F1.
    answerable = [r for r in held if r["label"] == 1]
    for name in ("best", *SPAN_MARGINS, *(f"{m}_led" for m in SPAN_MARGINS)):
        for where, subset in (
            ("idk", [r for r in answerable if r["origin"].startswith("idk")]),
            ("facqa", [r for r in answerable if r["origin"] == "facqa"]),
        ):
            report[f"span_from_{name}_{where}"] = {
                "contained": round(float(np.mean([r[f"{name}_contains"] for r in subset])), 4),
                "words": round(float(np.mean([r[f"{name}_words"] for r in subset])), 2),
                "span_f1": round(float(np.mean([r[f"{name}_f1"] for r in subset])), 4),
            }
    return {
        "model_weight": float(final.coef_[0][0]),
        "reader_weight": float(final.coef_[0][1]),
        "intercept": float(final.intercept_[0]),
        "threshold": t,
        "model_floor": floor,
        "threshold_rule": (
            "as the answerability model's (choose_threshold), out of fold, below the floor "
            "refused; the floor the one refusing most unanswerable questions (choose_floor)"
        ),
        "fitted_on": (
            "IDK-MRC train + FacQA train, the questions about the fifth of passages "
            "the reader was not fitted on (benchmarks/fit_reader.py: held_out)"
        ),
        "reader_weights": weights,
        "cross_validation": report,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=1, help="FacQA: every Nth question")
    parser.add_argument(
        "--shards", type=int, default=IDK_SHARDS, help="IDK-MRC: one index per shard of train"
    )
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--boosting", action="store_true", help="also cross-validate boosting")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument(
        "--reader", action="store_true", help="fit only the reader decision (decision.json)"
    )
    args = parser.parse_args(argv)
    cache = Cache(args.cache_dir)
    rows = cached_rows(
        cache, "idk-train", lambda: collect_idk(cache, "train", args.shards), args.shards
    )
    rows += cached_rows(
        cache, "facqa-train", lambda: collect_facqa(cache, "train", args.sample), args.sample
    )
    log(f"{len(rows)} rows")
    if args.reader:
        from retrieval.answer.reader.decision import DECISION_PATH

        decision = fit_decision(cache, rows, args.shards, args.sample)
        print(json.dumps(decision["cross_validation"], indent=1))
        if not args.no_write:
            DECISION_PATH.write_text(json.dumps(decision, indent=1) + "\n")
            log(f"wrote {DECISION_PATH}")
        return 0
    names = ["logistic", "boosting"] if args.boosting else ["logistic"]
    report = cross_validate(rows, args.C, names)
    print(json.dumps(report, indent=1))
    # The model kept: the one refusing most unanswerable IDK-MRC train
    # questions (out of fold) at the rule's threshold.
    name = max(names, key=lambda n: report[n]["idk_unanswerable_not_found"])
    if not args.no_write:
        data = fit(rows, name, report[name]["threshold"], args.C)
        data["cross_validation"] = report[name]
        # One line a key: the trees are thousands of numbers.
        lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items()]
        MODEL_PATH.write_text("{\n" + ",\n".join(lines) + "\n}\n")
        log(f"wrote {MODEL_PATH} ({name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
