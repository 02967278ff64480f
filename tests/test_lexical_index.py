"""The BM25 index (`retrieval/store/lexical_index.py`): same rankings as the FTS5
index it replaced, consistent through adds, updates, removes, merges and a
kill mid-write, and an index written by the FTS5 version still opens."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from retrieval.core.models import Article, Chunk, article_id_for
from retrieval.store.catalog import Catalog
from retrieval.store.lexical_index import SCHEMA, LexicalIndex
from retrieval.text.lexical import fts_query, query_terms, terms

REPO = Path(__file__).resolve().parent.parent
SEED_ARTICLE = REPO / "seeds" / "000_8a29ea16598655b2.txt"


def seed_paragraphs() -> list[str]:
    """A small real corpus: the seed article's paragraphs and sentences."""
    body = SEED_ARTICLE.read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in body.split("\n") if len(p.strip()) > 40]
    sentences = [s.strip() for p in paragraphs for s in p.split(". ") if len(s.strip()) > 30]
    clauses = [c.strip() for s in sentences for c in s.split(", ") if len(c.strip()) > 30]
    return list(dict.fromkeys(paragraphs + sentences + clauses))


def questions(corpus: list[str]) -> list[str]:
    # A few words from the middle of each passage: what a question shares with it.
    out = []
    for text in corpus:
        words = text.split()
        out.append(" ".join(words[len(words) // 3 : len(words) // 3 + 4]))
    return out + ["siapa yang memimpin pertempuran?", "Albu Kamal", "kapan IS kalah?"]


def fts5_reference(docs: dict[int, list[str]]) -> sqlite3.Connection:
    """The old index: an FTS5 table over the same terms."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize=\"unicode61 tokenchars '_'\")")
    conn.executemany(
        "INSERT INTO t(rowid, terms) VALUES (?, ?)", [(r, " ".join(t)) for r, t in docs.items()]
    )
    return conn


def fts5_ranking(conn: sqlite3.Connection, question: str, limit: int) -> list[tuple[int, float]]:
    match = fts_query(question)
    if match is None:
        return []
    rows = conn.execute(
        "SELECT rowid, bm25(t) AS s FROM t WHERE t MATCH ? ORDER BY s, rowid LIMIT ?",
        (match, limit),
    )
    return [(r[0], -r[1]) for r in rows]


def assert_same_ranking(lexical: LexicalIndex, reference: sqlite3.Connection, q: str) -> None:
    """Same scores in the same order; among chunks tied on a score, any order.
    Scores agree to 1e-4: terms in half the chunks or more add at most
    2.2e-6 each in FTS5, and are skipped by the new index."""
    new = lexical.search(query_terms(q), 5)
    old = fts5_ranking(reference, q, 50)
    assert len(new) == min(5, len(old)), q
    assert [s for _, s in new] == pytest.approx([s for _, s in old[: len(new)]], abs=1e-4), q
    for rowid, score in new:
        tied = {r for r, s in old if abs(s - score) <= 1e-4}
        assert rowid in tied, q


def new_index(merge_factor: int = 2) -> tuple[sqlite3.Connection, LexicalIndex]:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(SCHEMA)
    return conn, LexicalIndex(conn, threading.RLock(), merge_factor=merge_factor)


def assert_same_top(lexical: LexicalIndex, reference: sqlite3.Connection, qs: list[str]) -> None:
    for q in qs:
        assert_same_ranking(lexical, reference, q)


def test_rankings_match_the_fts5_index_on_a_real_corpus() -> None:
    corpus = seed_paragraphs()
    assert len(corpus) > 20
    docs = {i + 1: terms(text) for i, text in enumerate(corpus)}
    conn, lexical = new_index(merge_factor=100)  # one segment per add, no merge
    conn.execute("BEGIN")
    lexical.add(conn, list(docs.items()))
    conn.execute("COMMIT")
    assert_same_top(lexical, fts5_reference(docs), questions(corpus))


def test_adds_removes_and_merges_keep_rankings_exact() -> None:
    """Many small writes (merged as they pile up), removals and re-adds
    (an update), rowids reused after a delete: rankings stay the FTS5 ones."""
    corpus = seed_paragraphs()
    conn, lexical = new_index(merge_factor=2)
    docs: dict[int, list[str]] = {}
    for i, text in enumerate(corpus):
        conn.execute("BEGIN")
        lexical.add(conn, [(i + 1, terms(text))])
        conn.execute("COMMIT")
        docs[i + 1] = terms(text)
        if i % 5 == 4:  # remove one, and put a changed version under a reused rowid
            gone = i - 2
            conn.execute("BEGIN")
            lexical.remove(conn, [gone])
            conn.execute("COMMIT")
            del docs[gone]
            if i % 10 == 9:
                changed = terms(corpus[gone - 1] + " Hizbullah memimpin")
                conn.execute("BEGIN")
                lexical.add(conn, [(gone, changed)])
                conn.execute("COMMIT")
                docs[gone] = changed
    live, segments = lexical.counts()
    assert live == len(docs)
    assert segments < len(corpus) // 2  # merges happened
    assert_same_top(lexical, fts5_reference(docs), questions(corpus))
    # Removing everything leaves nothing to find.
    conn.execute("BEGIN")
    lexical.remove(conn, list(docs))
    conn.execute("COMMIT")
    assert lexical.search(query_terms("Albu Kamal"), 5) == []


def article(i: int) -> tuple[Article, list[Chunk]]:
    text = " ".join(
        f"Kalimat {j} artikel {i} tentang topik{i % 7} dan kota{i % 3}." for j in range(30)
    )
    a = Article(
        id=article_id_for(explicit=f"a{i}", url=None, title="", text=text),
        title=f"Artikel {i}",
        text=text,
        origin="test",
    )
    parts = [text[k : k + 200] for k in range(0, len(text), 200)]
    chunks, start = [], 0
    for pos, part in enumerate(parts):
        chunks.append(Chunk(a.id, pos, part, start, start + len(part)))
        start += len(part)
    return a, chunks


WRITER = """
import sys
from pathlib import Path
from retrieval.store.catalog import Catalog
from tests.test_lexical_index import article
catalog = Catalog(Path(sys.argv[1]))
i = 0
while True:  # writes, updates and removes until killed
    with catalog.transaction() as conn:
        catalog.write_articles(conn, [article(i), article(i + 1)])
        if i % 3 == 0 and i:
            catalog.delete_article(conn, article(i - 2)[0].id)
    print(i, flush=True)
    i += 2
"""


def lexical_matches_catalog(path: Path) -> None:
    catalog = Catalog(path)
    conn = sqlite3.connect(path)
    chunks = dict(
        conn.execute(
            "SELECT c.rowid, a.title || char(10) || c.text FROM chunks c JOIN articles a ON a.id = c.article_id"
        )
    )
    indexed = {r for (r,) in conn.execute("SELECT chunk_rowid FROM lex_docs")}
    assert indexed == set(chunks)
    assert catalog.lexical.counts()[0] == len(chunks)
    docs = {r: terms(text) for r, text in chunks.items()}
    reference = fts5_reference(docs)
    for q in ["topik3 kota1", "artikel 5", "Kalimat 7 topik2"]:
        assert_same_ranking(catalog.lexical, reference, q)
    catalog.close()


def test_kill_mid_write_leaves_the_lexical_index_consistent(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for wait_lines in (3, 11, 20):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        for _ in range(wait_lines):
            assert proc.stdout.readline(), "the writer died"
        time.sleep(0.01 * wait_lines)  # land somewhere inside the next write
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        lexical_matches_catalog(path)


OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, title TEXT NOT NULL,
    date TEXT, source TEXT, url TEXT, dateline TEXT, origin TEXT NOT NULL, text TEXT NOT NULL,
    removed TEXT NOT NULL DEFAULT '[]', n_chunks INTEGER NOT NULL, added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL);
CREATE VIRTUAL TABLE chunk_terms USING fts5(terms, tokenize="unicode61 tokenchars '_'");
CREATE TABLE dense_journal (chunk_id TEXT PRIMARY KEY, op TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
"""


def test_a_catalog_written_by_the_fts5_version_is_migrated_on_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "catalog.sqlite3"
    corpus = seed_paragraphs()
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute(
            "INSERT INTO articles VALUES ('a1', 'h', 'Judul', NULL, NULL, NULL, NULL, 'test', 'x',"
            " '[]', ?, 'now', 'now')",
            (len(corpus),),
        )
        for i, text in enumerate(corpus):
            conn.execute(
                "INSERT INTO chunks(rowid, id, article_id, position, start, end, text)"
                " VALUES (?, ?, 'a1', ?, 0, 1, ?)",
                (i + 1, f"a1:{i}", i, text),
            )
            conn.execute(
                "INSERT INTO chunk_terms(rowid, terms) VALUES (?, ?)",
                (i + 1, " ".join(terms("Judul\n" + text))),
            )
    with caplog.at_level(logging.WARNING):
        catalog = Catalog(path)
    assert "upgrading the lexical index" in caplog.text
    hits = catalog.lexical_search("Albu Kamal", 3)
    assert hits and all(cid.startswith("a1:") for cid, _ in hits)
    assert catalog.get_meta("schema_version") == "2"
    catalog.close()
    # Opened again: already migrated, nothing to say.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        Catalog(path).close()
    assert "upgrading" not in caplog.text


def test_document_frequencies_count_the_chunks_holding_each_term(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    with catalog.transaction() as conn:
        catalog.write_articles(conn, [article(1), article(2)])
    total, df = catalog.document_frequencies(["artikel", "topik1", "tidakada"])
    assert total == catalog.counts()[1]
    assert df == {"artikel": total, "topik1": len(article(1)[1]), "tidakada": 0}
    catalog.close()


def test_frequencies_without_an_excluded_article_are_those_of_an_index_without_it(
    tmp_path: Path,
) -> None:
    """An evaluation asks as if an article were not stored ("gold passage
    removed"): how rare its words are must be what an index without it says,
    else a name only it holds still looks known to the answerability model."""
    whole, without = Catalog(tmp_path / "whole.sqlite3"), Catalog(tmp_path / "without.sqlite3")
    # Written in several transactions: the excluded article's chunks and the
    # others holding its words sit in different segments.
    for i in range(1, 9):
        for catalog in (whole, without) if i != 4 else (whole,):
            with catalog.transaction() as conn:
                catalog.write_articles(conn, [article(i)])
    words = ["artikel", "4", "topik4", "topik1", "kota1", "kalimat", "tidakada"]
    gone = whole.chunk_ids(article(4)[0].id)
    assert gone
    assert whole.document_frequencies(words, exclude=gone) == without.document_frequencies(words)
    assert whole.document_frequencies(words, exclude=gone)[1]["topik4"] == 0
    assert whole.document_frequencies(words)[1]["topik4"] == len(gone)
    # Ids no chunk has change nothing.
    assert whole.document_frequencies(words, exclude=["nope:0"]) == whole.document_frequencies(
        words
    )
    whole.close()
    without.close()


def test_frequencies_after_a_removal_are_those_of_an_index_without_the_article(
    tmp_path: Path,
) -> None:
    """A removed article's postings stay in their segment (a tombstone) until
    a merge; its words must not count meanwhile: after `tanya remove`, a
    name only it held is one no chunk holds again."""
    whole, without = Catalog(tmp_path / "whole.sqlite3"), Catalog(tmp_path / "without.sqlite3")
    for i in range(1, 6):
        for catalog in (whole, without) if i != 4 else (whole,):
            with catalog.transaction() as conn:
                catalog.write_articles(conn, [article(i)])
    with whole.transaction() as conn:
        whole.delete_article(conn, article(4)[0].id)
        assert conn.execute("SELECT count(*) FROM lex_deleted").fetchone()[0] > 0  # not merged
    words = ["artikel", "4", "topik4", "topik1", "kota1", "kalimat", "tidakada"]
    assert whole.document_frequencies(words) == without.document_frequencies(words)
    assert whole.document_frequencies(words)[1]["topik4"] == 0
    whole.close()
    without.close()


def test_a_merge_reader_left_open_by_ctrl_c_closes_quietly(tmp_path: Path) -> None:
    """Ctrl-C mid-merge leaves the merge's readers of each segment to be
    collected after the connection closed; collecting them printed
    "Exception ignored ... Cannot operate on a closed database" under the
    interrupted `tanya add`'s report. They close without an error now."""
    conn = sqlite3.connect(tmp_path / "lex.sqlite3")
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT INTO lex_postings(term, segment, df, docs, tfs) VALUES (?, 1, 1, x'00', x'01')",
        [(term,) for term in range(3)],
    )
    reader = LexicalIndex._postings_in_order(conn, 1)
    assert next(reader)[0] == 0  # the merge has begun reading
    conn.close()  # interrupted: the index is closed first
    reader.close()  # then the reader is collected: no error
