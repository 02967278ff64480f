"""The rows the answerability model and the reader decision are fitted on.

Each question of a train split is retrieved as `tanya ask` retrieves with
BM25 (`LexicalCorpus`) and answered as if found (`ALWAYS`); a row holds the
answerability features of its best sentence, its label, and what the answer
would quote. `benchmarks/fit_answerability.py` fits on them.

Rows are cached (`benchmarks/.cache/answer-features-*.json`) under a key of
the code that computes them (`FEATURE_SOURCES`: this file, not the fitting
rules, so a refit with other rules reuses them).
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.answer import (
    CALIBRATION,
    ExtractiveAnswerer,
    Passage,
    answer_kind,
    asks_for_source,
    best_answer_span,
    says_no_number,
    unless_led_elsewhere,
)
from retrieval.answer.answerability import FEATURES
from retrieval.core import Article
from retrieval.evaluation import contains_answer, span_scores
from retrieval.ingest import chunk_article
from retrieval.store import TanyaEmbeddings, fuse
from retrieval.store.catalog import Catalog

from .cache import REPO, Cache, CachingEmbedder, VectorCache, fingerprint
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

FEATURE_SOURCES = (
    "retrieval/answer/answerability.py",
    "retrieval/answer/span.py",
    "retrieval/answer/extractive.py",
    "retrieval/store/catalog.py",
    "retrieval/text/lexical.py",
    "retrieval/text/antonyms.py",
    "retrieval/text/data/antonyms_id.txt",
    # A question read as English is weighed as its Indonesian paraphrase.
    "retrieval/text/question.py",
    "retrieval/text/concepts.py",
    "retrieval/text/data/glossary_en_id.txt",
    "benchmarks/answer_rows.py",
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


# A passage the reader cannot read (no text): as if it said "no answer".
READER_NONE = -20.0


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
        # What `choose` refuses after the decision, whatever its probability:
        # a how-many question no number answers.
        _, found_span, answered = extractive.short_answers(question, scored, read_at)
        spans["gated"] = says_no_number(question, scored, found_span, answered)
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
    the gold, its words, the span and its F1."""
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
                out[f"{name}_span"] = span
                continue
        if answered is None:
            out[f"{name}_contains"], out[f"{name}_words"], out[f"{name}_f1"] = False, 0, 0.0
            out[f"{name}_span"] = None
            continue
        reading, passage = answered
        quote = " ".join(s.sentence.text for s in read_at.holding(scored, answered))
        out[f"{name}_contains"] = any(contains_answer(quote, g) for g in golds if g)
        out[f"{name}_words"] = len(quote.split())
        out[f"{name}_span"] = reading.text(passage.text)
        out[f"{name}_f1"] = span_scores(out[f"{name}_span"], golds)[1] if golds else 0.0
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
        # As a corpus without the gold passage weighs the question's words:
        # counted with it, a name only it holds looked known (and the model
        # learnt nothing from a name no chunk holds in a corpus this size).
        extractive.frequencies = partial(_same_size_without, corpus.catalog, removed)
        row = _row(
            extractive, q.question, without, 0, gold, "facqa-removed", [q.answer], with_reader
        )
        extractive.frequencies = corpus.catalog.document_frequencies
        if row and not row["passages_contain"]:
            rows.append(row)
        if i % 500 == 0:
            log(f"  facqa {split}: {i}/{len(questions)}")
    return rows


def _same_size_without(
    catalog: Catalog, removed: frozenset[str], wanted: Sequence[str]
) -> tuple[int, dict[str, int]]:
    """The corpus's frequencies without `removed`, at its size with them:
    one chunk fewer is nothing to weigh a word by, but as `corpus_size` it
    told every gold-removed row from its answerable twin (1,294 chunks
    against 1,295: trees fitted on it separated FacQA perfectly)."""
    n, frequencies = catalog.document_frequencies(wanted, exclude=removed)
    return n + len(removed), frequencies


# A user's first corpus is tiny: the seed article, a few more. There, a
# question about something else still retrieves every chunk, and a model
# fitted only on corpora of hundreds of paragraphs answered "Siapa presiden
# Indonesia saat ini?" over the seed article alone ("Albu Kamal"). Tiny
# corpora of `size` paragraphs consecutive in the data set (mostly on
# unrelated topics), every `every`th group, teach it that regime: their own
# questions as labelled, and questions about paragraphs not in them as
# unanswerable.
TINY_CORPORA = {"idk": ((3, 4), (20, 3)), "facqa": ((3, 2), (20, 3))}
# Of each tiny corpus's own questions, at most this many; off-corpus
# questions: one about the paragraph just after it, one about a paragraph
# half the data set away, one from the other data set (a news question over
# Wikipedia paragraphs, or the other way round).
TINY_OWN = 3


Asked = tuple[str, str, int, list[str]]  # question, origin, label, golds


def _tiny_pools(split: str) -> dict[str, list[tuple[str, list[Asked]]]]:
    """Per data set, its paragraphs in order, each with its questions (a
    paragraph is IDK-MRC's corpus id, FacQA's passage text)."""
    idk_questions: dict[str, list[Asked]] = defaultdict(list)
    for q in load_questions(DEFAULT_IDK_DIR, split):
        origin = f"tiny-idk-{q.source or 'answerable'}"
        idk_questions[q.passage_id].append(
            (q.question, origin, 0 if q.unanswerable else 1, q.answers)
        )
    facqa_questions: dict[str, list[Asked]] = defaultdict(list)
    for fq in load_split(DEFAULT_FACQA_DIR, split):
        facqa_questions[fq.passage].append((fq.question, "tiny-facqa", 1, [fq.answer]))
    return {
        "idk": [(r["id"], idk_questions[r["id"]]) for r in load_corpus(DEFAULT_IDK_DIR, split)],
        "facqa": list(facqa_questions.items()),
    }


def collect_tiny(
    cache: Cache,
    split: str,
    keep: Callable[[str], bool] = lambda group: True,
    with_reader: bool = False,
) -> list[dict]:
    """Questions asked of tiny corpora (`TINY_CORPORA`); a row's group is
    its question's paragraph, as in `collect_idk` and `collect_facqa`."""
    real = load_embedder_for(benchmark_settings(cache.root))
    embedder = NoVectors(real)
    pools = _tiny_pools(split)
    raw = {r["id"]: r for r in load_corpus(DEFAULT_IDK_DIR, split)}

    def article(name: str, key: str) -> Article:
        return corpus_article(raw[key]) if name == "idk" else passage_article(key)

    def group_of(name: str, key: str) -> str:
        return key if name == "idk" else passage_id(key)

    rows = []
    for name, sizes in TINY_CORPORA.items():
        pool = pools[name]
        partner = "facqa" if name == "idk" else "idk"
        for size, every in sizes:
            starts = range(0, len(pool) - size, size * every)
            for start in starts:
                rng = random.Random(f"{name}-{size}-{start}")
                members = pool[start : start + size]
                asked = [(q, group_of(name, key)) for key, qs in members for q in qs]
                asked = rng.sample(asked, min(TINY_OWN, len(asked)))
                near = pool[start + size]
                far = pool[(start + len(pool) // 2) % len(pool)]
                away = pools[partner][rng.randrange(len(pools[partner]))]
                for (key, qs), which in ((near, name), (far, name), (away, partner)):
                    answerable = [q for q in qs if q[2] == 1]
                    if answerable:
                        q = rng.choice(answerable)
                        asked.append(
                            ((q[0], f"tiny-{name}-offcorpus", 0, q[3]), group_of(which, key))
                        )
                asked = [(q, group) for q, group in asked if keep(group)]
                if not asked:
                    continue
                corpus = LexicalCorpus(
                    cache.scratch(f"tiny-{name}-{size}"),
                    [article(name, key) for key, _ in members],
                    embedder,
                )
                extractive = ExtractiveAnswerer(
                    embedder, ALWAYS, frequencies=corpus.catalog.document_frequencies, model=None
                )
                for (question, origin, label, golds), group in asked:
                    row = _row(
                        extractive,
                        question,
                        corpus.passages(question),
                        label,
                        group,
                        origin,
                        golds,
                        with_reader,
                    )
                    # Off-corpus, kept only when no passage retrieved holds
                    # its answer (a neighbour may say it too).
                    if row and not (
                        label == 0 and origin.endswith("offcorpus") and row["passages_contain"]
                    ):
                        rows.append(row)
                corpus.catalog.close()
            log(f"  tiny {name} of {size}: {len(rows)} rows")
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
