"""BM25 candidates side by side, on the same chunks and the same questions.

* `fts5`: the index tanya used before `retrieval/store/lexical_index.py`: an FTS5
  table over each chunk's terms, queried with an OR of the question's terms,
  ranked by `bm25()` and joined to chunks and articles (the old query, as it
  was);
* `fts5-pruned`: the same table, two-stage: terms in half the chunks or more
  dropped (their idf is at FTS5's floor), `ORDER BY rank LIMIT n` inside
  FTS5, the join on the n rows only;
* `fts5-rare`: as `fts5-pruned`, but also dropping terms in more than 2% of
  the chunks (fewer rows to score; changes the ranking);
* `bm25s`: the `bm25s` package (scipy sparse matrix of precomputed scores,
  saved and memory-mapped), Robertson idf, k1 = 1.2, b = 0.75; it has no
  incremental add or remove, so a write costs a rebuild;
* `postings`: tanya's index (`Catalog.lexical_search`), postings in SQLite
  scored with numpy.

Every candidate indexes the same terms (`retrieval.text.lexical.terms` of title
and chunk text) and searches the same query terms. Measured per store: query
latency (p50/p95 over the questions), build time, and the cost of adding one
4-chunk article and removing it again, inside a transaction that is then
rolled back (so the cached store is unchanged). Quality: BM25 alone on the
FacQA index, as the retrieval section measures it.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.store.catalog import Catalog
from retrieval.text import fts_query, query_terms, terms

CANDIDATES = ("fts5", "fts5-pruned", "fts5-rare", "bm25s", "postings")
RARE_SHARE = 0.02
WRITE_REPEATS = 10


class Candidate(Protocol):
    def search(self, question: str, n: int) -> list[str]: ...


def load_chunks(catalog: Path) -> tuple[list[int], list[str], list[list[str]]]:
    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT c.rowid, c.id, a.title, c.text FROM chunks c JOIN articles a"
        " ON a.id = c.article_id ORDER BY c.rowid"
    ).fetchall()
    conn.close()
    return (
        [r[0] for r in rows],
        [r[1] for r in rows],
        [terms(r[2] + "\n" + r[3]) for r in rows],
    )


class Fts5:
    """An FTS5 table in a scratch file, with the store attached read-only
    for the old query's joins."""

    def __init__(self, scratch: Path, catalog: Path, rowids: list[int], docs: list[list[str]]):
        path = scratch / "fts5.sqlite3"
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5(terms, tokenize=\"unicode61 tokenchars '_'\")"
        )
        self.conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
        self.conn.execute("BEGIN")
        self.conn.executemany(
            "INSERT INTO t(rowid, terms) VALUES (?, ?)",
            ((r, " ".join(d)) for r, d in zip(rowids, docs, strict=True)),
        )
        self.conn.execute("COMMIT")
        self.build_s = time.perf_counter() - started
        self.conn.execute(f"ATTACH 'file:{catalog}?mode=ro' AS store")
        self.n_docs = len(rowids)

    def old(self, question: str, n: int) -> list[str]:
        match = fts_query(question)
        if match is None:
            return []
        rows = self.conn.execute(
            "SELECT c.id, bm25(t) AS score FROM t JOIN store.chunks c ON c.rowid = t.rowid"
            " JOIN store.articles a ON a.id = c.article_id"
            " WHERE t MATCH ? ORDER BY score LIMIT ?",
            (match, n),
        ).fetchall()
        return [r[0] for r in rows]

    def pruned(self, question: str, n: int, max_share: float = 0.5) -> list[str]:
        unique = list(dict.fromkeys(query_terms(question)))
        if not unique:
            return []
        marks = ",".join("?" * len(unique))
        df = dict(self.conn.execute(f"SELECT term, doc FROM v WHERE term IN ({marks})", unique))
        kept = [t for t in unique if df.get(t, 0) and df[t] < self.n_docs * max_share]
        if not kept:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in kept)
        rows = self.conn.execute(
            "SELECT c.id FROM (SELECT rowid, rank FROM t WHERE t MATCH ? ORDER BY rank LIMIT ?)"
            " AS top JOIN store.chunks c ON c.rowid = top.rowid ORDER BY top.rank",
            (match, n),
        ).fetchall()
        return [r[0] for r in rows]

    def write_cost(self, first_rowid: int, docs: Sequence[list[str]]) -> float:
        started = time.perf_counter()
        self.conn.execute("BEGIN")
        for i, d in enumerate(docs):
            self.conn.execute(
                "INSERT INTO t(rowid, terms) VALUES (?, ?)", (first_rowid + i, " ".join(d))
            )
        for i in range(len(docs)):
            self.conn.execute("DELETE FROM t WHERE rowid=?", (first_rowid + i,))
        took = time.perf_counter() - started
        self.conn.execute("ROLLBACK")
        return took


class Bm25s:
    def __init__(self, scratch: Path, ids: list[str], docs: list[list[str]]) -> None:
        import bm25s

        started = time.perf_counter()
        model = bm25s.BM25(k1=1.2, b=0.75, method="robertson")
        model.index(docs, show_progress=False)
        where = scratch / "bm25s"
        shutil.rmtree(where, ignore_errors=True)
        model.save(str(where), show_progress=False)
        self.build_s = time.perf_counter() - started
        self.model = bm25s.BM25.load(str(where), mmap=True, show_progress=False)
        self.vocab: dict[str, int] = self.model.vocab_dict
        self.ids = ids

    def search(self, question: str, n: int) -> list[str]:
        known = [t for t in dict.fromkeys(query_terms(question)) if t in self.vocab]
        if not known:
            return []
        docs, scores = self.model.retrieve(
            [known], k=min(n, len(self.ids)), show_progress=False, n_threads=1
        )
        return [self.ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def build_candidates(
    catalog: Path, scratch: Path, log: Callable[[str], None]
) -> tuple[dict[str, Callable[[str, int], list[str]]], dict[str, Any]]:
    rowids, ids, docs = load_chunks(catalog)
    log(f"    lexical candidates: FTS5 over {len(ids):,} chunks …")
    fts5 = Fts5(scratch, catalog, rowids, docs)
    log(f"    lexical candidates: bm25s over {len(ids):,} chunks …")
    b25 = Bm25s(scratch, ids, docs)
    store = Catalog(catalog)
    search = {
        "fts5": fts5.old,
        "fts5-pruned": fts5.pruned,
        "fts5-rare": lambda q, n: fts5.pruned(q, n, RARE_SHARE),
        "bm25s": b25.search,
        "postings": lambda q, n: [c for c, _ in store.lexical_search(q, n)],
    }
    extra = {"fts5": fts5, "bm25s": b25, "store": store, "docs": docs, "rowids": rowids}
    return search, extra


def measure(
    catalog: Path, scratch: Path, questions: list[str], n: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Latency and write cost of every candidate on one store."""
    search, extra = build_candidates(catalog, scratch, log)
    for q in questions[:5]:  # warm-up, as the latency section does
        for fn in search.values():
            fn(q, n)
    times: dict[str, list[float]] = {name: [] for name in CANDIDATES}
    for i, q in enumerate(questions):
        order = CANDIDATES[i % len(CANDIDATES) :] + CANDIDATES[: i % len(CANDIDATES)]
        for name in order:
            started = time.perf_counter()
            search[name](q, n)
            times[name].append((time.perf_counter() - started) * 1000)
    # One new 4-chunk article, added then removed, rolled back.
    sample = extra["docs"][:4]
    first = max(extra["rowids"]) + 1
    fts_write = [extra["fts5"].write_cost(first, sample) for _ in range(WRITE_REPEATS)]
    store: Catalog = extra["store"]
    post_write = []
    for _ in range(WRITE_REPEATS):
        started = time.perf_counter()
        with store._lock:
            store._conn.execute("BEGIN")
            try:
                store.lexical.add(store._conn, [(first + i, d) for i, d in enumerate(sample)])
                store.lexical.remove(store._conn, [first + i for i in range(len(sample))])
                post_write.append(time.perf_counter() - started)
            finally:
                store._conn.execute("ROLLBACK")
    store.close()
    shutil.rmtree(scratch / "bm25s", ignore_errors=True)
    (scratch / "fts5.sqlite3").unlink(missing_ok=True)
    return {
        "chunks": len(extra["rowids"]),
        "times_ms": times,
        "build_s": {"fts5": extra["fts5"].build_s, "bm25s": extra["bm25s"].build_s},
        "write_ms": {
            "fts5": statistics.median(fts_write) * 1000,
            "postings": statistics.median(post_write) * 1000,
        },
    }


def quality(
    catalog: Path,
    scratch: Path,
    questions: Sequence[tuple[str, str]],
    n: int,
    k: int,
    log: Callable[[str], None],
) -> dict[str, dict[str, float]]:
    """BM25-alone recall and MRR of each candidate on the FacQA index:
    (question, gold article id) pairs; chunks folded into articles, cut at k."""
    search, extra = build_candidates(catalog, scratch, log)
    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    article_of = dict(conn.execute("SELECT id, article_id FROM chunks"))
    conn.close()
    out = {}
    for name in CANDIDATES:
        ranks: list[int | None] = []
        for question, gold in questions:
            ranked = list(dict.fromkeys(article_of[c] for c in search[name](question, n)))[:k]
            ranks.append(ranked.index(gold) + 1 if gold in ranked else None)
        total = len(ranks) or 1
        out[name] = {
            "R@1": sum(1 for r in ranks if r == 1) / total,
            "R@5": sum(1 for r in ranks if r is not None and r <= 5) / total,
            "MRR": sum(1.0 / r for r in ranks if r is not None) / total,
        }
    extra["store"].close()
    shutil.rmtree(scratch / "bm25s", ignore_errors=True)
    (scratch / "fts5.sqlite3").unlink(missing_ok=True)
    return out


def percentiles(values: Sequence[float]) -> tuple[float, float]:
    arr = np.asarray(values, dtype=float)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))
