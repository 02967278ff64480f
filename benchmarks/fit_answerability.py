"""Fit the answerability model (`retrieval/answerability.json`) on train splits.

    python -m benchmarks.fit_answerability            # collect features, CV, fit, write
    python -m benchmarks.fit_answerability --no-write # CV report only

Data (train splits only; valid is never read here):

* IDK-MRC train, every second paragraph (`--sample`), indexed whole
  (`benchmarks/idk_mrc.py`): each answerable question is a positive, each
  unanswerable one (an edit the paragraph no longer answers) a negative,
  asked against the whole index exactly as `tanya ask` retrieves;
* FacQA train, every second question: asked against the full FacQA corpus
  (positive) and against it without the gold passage (negative, kept only
  when no retrieved passage still holds the gold span).

For each, the answerer's best sentence gives `answerability_features`.
A logistic regression (standardised features) is cross-validated with
folds grouped by paragraph (5 folds); the threshold is the out-of-fold
probability at which `--target` of the answerable IDK-MRC questions are still
answered (the bar is ≥ 0.90 found; the default target leaves a margin).
Features are cached (`benchmarks/.cache/answer-features-*.json`) with the
code that computes them, so a refit with other model settings is instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.answerability import FEATURES, MODEL_PATH
from retrieval.chain import Answerer, HybridRetriever
from retrieval.citations import passages_from_documents
from retrieval.evaluation import contains_answer
from retrieval.extractive import ExtractiveAnswerer

from .cache import CACHE_DIR, Cache, CachingEmbedder, VectorCache, fingerprint
from .facqa import (
    DEFAULT_FACQA_DIR,
    benchmark_settings,
    load_embedder_for,
    load_split,
    open_facqa_index,
    passage_id,
)
from .idk_mrc import DEFAULT_IDK_DIR, load_questions, open_idk_index

REPO = Path(__file__).resolve().parent.parent
FEATURE_SOURCES = ("retrieval/answerability.py", "retrieval/extractive.py", "retrieval/index.py")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def caching_embedder(cache: Cache) -> CachingEmbedder:
    embedder = load_embedder_for(benchmark_settings(cache.root))
    slug = embedder.name.replace(":", "_").replace("/", "_").replace("@", "_")
    return CachingEmbedder(
        embedder, VectorCache(cache.artefact(f"vectors-{slug}.npz"), embedder.dimension)
    )


def _row(
    extractive: ExtractiveAnswerer,
    question: str,
    documents: list[Any],
    label: int,
    group: str,
    origin: str,
    golds: list[str],
) -> dict[str, Any] | None:
    passages = passages_from_documents(documents)
    scored = extractive.score(question, passages)
    features = extractive.features(question, scored)
    if features is None:
        return None
    best = scored[0].sentence.text
    two = " ".join(s.sentence.text for s in scored[:2])
    return {
        "features": features,
        "label": label,
        "group": group,
        "origin": origin,
        "question": question,
        "best_contains": any(contains_answer(best, g) for g in golds),
        "two_contain": any(contains_answer(two, g) for g in golds),
        "passages_contain": any(contains_answer(p.text, g) for p in passages for g in golds),
    }


def collect_idk(cache: Cache, embedder: CachingEmbedder, split: str, sample: int) -> list[dict]:
    index = open_idk_index(cache, DEFAULT_IDK_DIR, split, embedder, sample, log)
    try:
        answerer = Answerer(index, index.settings.model_copy(update={"llm": ""}))
        rows = []
        questions = load_questions(DEFAULT_IDK_DIR, split, sample)
        for i, q in enumerate(questions, 1):
            docs = answerer.retriever.invoke(q.question)
            row = _row(
                answerer.extractive,
                q.question,
                docs,
                0 if q.unanswerable else 1,
                q.passage_id,
                f"idk-{q.source or 'answerable'}",
                q.answers,
            )
            if row:
                rows.append(row)
            if i % 500 == 0:
                log(f"  idk {split}: {i}/{len(questions)}")
                embedder.cache.save()
        return rows
    finally:
        embedder.cache.save()
        index.close()


def collect_facqa(cache: Cache, embedder: CachingEmbedder, split: str, sample: int) -> list[dict]:
    index, _ = open_facqa_index(cache, DEFAULT_FACQA_DIR, embedder, log)
    try:
        answerer = Answerer(index, index.settings.model_copy(update={"llm": ""}))
        rows = []
        questions = load_split(DEFAULT_FACQA_DIR, split)[::sample]
        k = index.settings.top_k
        for i, q in enumerate(questions, 1):
            gold = passage_id(q.passage)
            docs = HybridRetriever(index=index, k=k).invoke(q.question)
            row = _row(answerer.extractive, q.question, docs, 1, gold, "facqa", [q.answer])
            if row:
                rows.append(row)
            without = HybridRetriever(
                index=index, k=k, exclude=frozenset(index.catalog.chunk_ids(gold))
            ).invoke(q.question)
            row = _row(
                answerer.extractive, q.question, without, 0, gold, "facqa-removed", [q.answer]
            )
            if row and not row["passages_contain"]:
                rows.append(row)
            if i % 500 == 0:
                log(f"  facqa {split}: {i}/{len(questions)}")
        return rows
    finally:
        embedder.cache.save()
        index.close()


def features_key(*parts: object) -> str:
    return fingerprint(*(REPO / p for p in FEATURE_SOURCES), FEATURES, *parts)


def cached_rows(cache: Cache, name: str, build: Any, *parts: object) -> list[dict]:
    path = cache.artefact(f"answer-features-{name}-{features_key(name, *parts)}.json")
    if path.is_file():
        return json.loads(path.read_text())
    rows = build()
    for stale in cache.root.glob(f"answer-features-{name}-*.json"):
        stale.unlink()
    path.write_text(json.dumps(rows))
    return rows


def matrix(rows: list[dict], features: tuple[str, ...] = FEATURES) -> np.ndarray:
    return np.array([[r["features"][f] for f in features] for r in rows], dtype=np.float64)


def threshold_for(probabilities: np.ndarray, target: float) -> float:
    """The highest threshold that keeps `target` of these (answerable) found."""
    return float(np.quantile(probabilities, 1 - target))


def cross_validate(rows: list[dict], target: float, c: float) -> dict[str, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = matrix(rows), np.array([r["label"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    origin = np.array([r["origin"] for r in rows])
    out: dict[str, Any] = {}
    for name, make in {
        "logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000)),
        "boosting": lambda: HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05),
    }.items():
        oof = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=5).split(x, y, groups):
            model = make().fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        idk = np.char.startswith(origin.astype(str), "idk")
        t = threshold_for(oof[idk & (y == 1)], target)
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


def fit(rows: list[dict], target: float, c: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y = matrix(rows), np.array([r["label"] for r in rows])
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=2000).fit(scaler.transform(x), y)
    idk_pos = np.array([r["origin"] == "idk-answerable" for r in rows])
    p = model.predict_proba(scaler.transform(x))[:, 1]
    return {
        "features": list(FEATURES),
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "threshold": threshold_for(p[idk_pos], target),
        "fitted_on": "IDK-MRC train (every 2nd paragraph) + FacQA train (every 2nd question)",
        "rows": len(rows),
        "target_answerable_found": target,
        "C": c,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=2)
    parser.add_argument("--target", type=float, default=0.92)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    cache = Cache(args.cache_dir)
    embedder = caching_embedder(cache)
    rows = cached_rows(
        cache, "idk-train", lambda: collect_idk(cache, embedder, "train", args.sample), args.sample
    )
    rows += cached_rows(
        cache,
        "facqa-train",
        lambda: collect_facqa(cache, embedder, "train", args.sample),
        args.sample,
    )
    log(f"{len(rows)} rows")
    report = cross_validate(rows, args.target, args.C)
    print(json.dumps(report, indent=1))
    if not args.no_write:
        MODEL_PATH.write_text(json.dumps(fit(rows, args.target, args.C), indent=1) + "\n")
        log(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
