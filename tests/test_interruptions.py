"""Interrupted and concurrent commands, as a user meets them: Ctrl-C during
`tanya add`, a `tanya reindex` killed half-way (and at its exact steps), and
a question asked while another process builds the index."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.core.settings import Settings
from retrieval.store.article_index import REINDEX_META, ArticleIndex
from retrieval.store.embeddings import load_embedder
from tests.conftest import SEED_ARTICLE
from tests.helpers.articles import BATTLE, RICE, sentence_chunks
from tests.helpers.cli import tanya, tanya_json, wait_for

OTHER_EMBEDDER = "sentence-transformers:some-older-model"


def many_articles(path: Path, n: int) -> Path:
    rows = [
        {
            "title": f"Artikel {i}",
            "content": " ".join(
                f"Kalimat nomor {j} dari artikel {i} tentang topik{i} yang unik." for j in range(12)
            ),
        }
        for i in range(n)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def stored_articles(data_dir: Path) -> int:
    catalog = data_dir / "catalog.sqlite3"
    if not catalog.exists():
        return 0
    with sqlite3.connect(catalog) as conn:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def consistent(index: ArticleIndex) -> bool:
    return (
        index.catalog.all_chunk_ids() == index.dense.all_ids()
        and index.catalog.journal_entries() == []
    )


# --- Ctrl-C during `tanya add` ------------------------------------------------------------------
def test_ctrl_c_during_add_says_what_was_stored_and_leaves_a_consistent_index(
    data_dir: Path, tmp_path: Path
) -> None:
    jsonl = many_articles(tmp_path / "banyak.jsonl", 48)
    env = {**os.environ, "TANYA_DATA_DIR": str(data_dir), "TANYA_EMBED_BATCH_SIZE": "4"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "add", str(jsonl)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # As in a terminal: a test run started in the background of a shell
        # passes SIGINT on as ignored, and Ctrl-C would then do nothing.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for(lambda: stored_articles(data_dir) >= 3, proc, "3 articles were stored")
    proc.send_signal(signal.SIGINT)
    out = " ".join(proc.communicate(timeout=120)[0].decode("utf-8").split())  # unwrapped

    assert proc.returncode == 130, out
    assert "Traceback" not in out, out  # the whole output: a rare shutdown traceback was seen once
    said = re.search(r"interrupted: (\d+) added, 0 updated, 0 unchanged, 0 failed", out)
    assert said, out
    added = int(said.group(1))
    assert "The index is consistent" in out
    counts = re.search(r"not added: (\d+) read but not stored yet, (\d+) not read yet", out)
    assert counts, out
    not_stored, not_read = int(counts.group(1)), int(counts.group(2))
    assert out.count("not stored: Artikel") == not_stored
    assert 3 <= added < 48 and added + not_stored + not_read == 48

    # What it said is what is there: every article whole in the catalog; the
    # passages it had not embedded yet wait for their vectors, and the next
    # writer (here: opening to write) embeds them; nothing else to repair.
    waiting = re.search(r"(\d+) stored article\(s\) wait for their vectors", out)
    reader = ArticleIndex(Settings(data_dir=data_dir), reembed_missing=False)
    assert reader.last_repair.waiting_articles == (int(waiting.group(1)) if waiting else 0)
    assert reader.last_repair.removed_vectors == 0
    reader.close()
    index = ArticleIndex(Settings(data_dir=data_dir))
    assert all("waited for vectors" in note for note in index.last_repair.notes)
    assert consistent(index)
    assert index.catalog.counts()[0] == added
    index.close()
    assert len(tanya_json("list")) == added

    # The same add again adds the rest.
    report = tanya_json("add", str(jsonl))
    assert report["summary"] == {"added": 48 - added, "updated": 0, "unchanged": added, "failed": 0}


# --- a reindex killed half-way ------------------------------------------------------------------
def article_times(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
        return [r[0] for r in conn.execute("SELECT updated_at FROM articles")]


def test_killed_reindex_then_reads_do_not_embed_and_reindex_finishes(
    data_dir: Path, tmp_path: Path
) -> None:
    """Reindex to a new embedder, SIGKILLed after it rebuilt a few articles.
    `tanya list` must not re-embed the rest (it took 131 s), search answers
    from what is there (keywords for the articles without vectors), and
    `tanya reindex` finishes the job, keeping what was rebuilt."""
    jsonl = many_articles(tmp_path / "banyak.jsonl", 30)
    assert tanya_json("add", str(jsonl))["summary"]["added"] == 30
    index = ArticleIndex(Settings(data_dir=data_dir))
    index.catalog.set_meta("embedder", OTHER_EMBEDDER)  # built by another embedder
    index.close()
    before = max(article_times(data_dir))
    while time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) <= before[:19]:
        time.sleep(0.1)  # a rewritten article's updated_at is then later

    env = {**os.environ, "TANYA_DATA_DIR": str(data_dir), "TANYA_EMBED_BATCH_SIZE": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "reindex"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(
        lambda: sum(t > before for t in article_times(data_dir)) >= 3, proc, "3 were re-embedded"
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    code, out = tanya("list")
    assert code == 0, out
    assert "Artikel 29" in out and "tanya reindex" in out  # and it says what to run
    stats = tanya_json("stats")
    assert stats["articles"] == 30
    assert 0 < stats["vectors"] < stats["chunks"], "a read-only command re-embedded"
    reader = ArticleIndex(Settings(data_dir=data_dir), reembed_missing=False)
    assert reader.embedded_passages == 0 and reader.last_repair.waiting_articles > 0
    reader.close()

    # Search works meanwhile: an article without vectors is found by its words.
    hits = tanya_json("search", "topik29 yang unik", "-k", "3")
    assert hits and hits[0]["title"] == "Artikel 29"

    code, out = tanya("reindex")
    assert code == 0, out
    assert re.search(r"re-embedded \d+ article\(s\) \(\d+ kept", out), out
    stats = tanya_json("stats")
    assert stats["vectors"] == stats["chunks"]
    assert stats["embedder"].startswith(os.environ["TANYA_EMBEDDER"])  # this test's (conftest)
    dense = tanya_json("search", "topik17 yang unik", "--mode", "dense", "-k", "1")
    assert dense[0]["title"] == "Artikel 17"
    index = ArticleIndex(Settings(data_dir=data_dir))
    assert consistent(index) and index.reindex_target is None
    index.close()


# --- a reindex stopped at each of its first steps (the state a kill leaves there) ----------------
@pytest.fixture
def other_embedder_index(settings: Settings) -> Iterator[ArticleIndex]:
    """An index whose vectors another embedder made (as after changing TANYA_EMBEDDER)."""
    index = ArticleIndex(settings)
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    index.catalog.set_meta("embedder", OTHER_EMBEDDER)
    yield index
    index.close()


def finish_with_reindex() -> None:
    code, out = tanya("reindex")
    assert code == 0, out
    stats = tanya_json("stats")
    configured = load_embedder(Settings().embedder).name
    assert stats["vectors"] == stats["chunks"] > 0 and stats["embedder"] == configured
    hits = tanya_json("search", "siapa yang memimpin pertempuran", "--mode", "dense", "-k", "1")
    assert "Hizbullah" in hits[0]["text"]


def test_reindex_stopped_after_recording_its_target(
    other_embedder_index: ArticleIndex,
) -> None:
    """Step 1 done (target recorded, old embedder forgotten), Chroma not
    reset yet: it still holds the other embedder's vectors, which search must
    not query with the new one."""
    index = other_embedder_index
    index.catalog.set_meta(REINDEX_META, load_embedder(Settings().embedder).name)
    index.catalog.delete_meta("embedder")
    index.close()
    code, out = tanya("list")
    assert code == 0 and "Harga beras naik" in out
    hits = tanya_json("search", "Hizbullah", "-k", "1")
    assert "Hizbullah" in hits[0]["text"] and hits[0]["dense_rank"] is None
    # Adding now would mix new vectors with the old ones: refused, with the fix.
    code, out = tanya("add", str(SEED_ARTICLE))
    assert code == 2 and "run `tanya reindex` to finish it first" in " ".join(out.split())
    finish_with_reindex()


def test_reindex_stopped_right_after_the_reset(other_embedder_index: ArticleIndex) -> None:
    """Chroma emptied and claimed for the new embedder, nothing re-embedded:
    every command still opens (it was IndexMismatchError everywhere, even in
    the `tanya reindex` the error recommended)."""
    index = other_embedder_index
    assert index.start_reindex() is False  # the exact point: then killed
    index.close()
    code, out = tanya("list")
    assert code == 0 and "Harga beras naik" in out and "tanya reindex" in out
    assert tanya_json("stats")["vectors"] == 0  # nothing re-embedded by reading
    hits = tanya_json("search", "Hizbullah", "-k", "1")
    assert "Hizbullah" in hits[0]["text"]
    finish_with_reindex()


def test_index_left_by_an_older_reindex_killed_after_the_reset(
    other_embedder_index: ArticleIndex,
) -> None:
    """What tanya before this fix left: Chroma emptied, the old embedder still
    recorded. Reading works and says what to do; `tanya reindex` repairs it."""
    index = other_embedder_index
    index.dense.reset()
    index.close()
    code, out = tanya("list")
    assert code == 0, out
    assert "Harga beras naik" in out
    assert tanya_json("stats")["vectors"] == 0
    code, out = tanya("search", "Hizbullah")
    assert code == 2 and "tanya reindex" in out  # the old embedder's index: named fix
    finish_with_reindex()


# --- a question while another process builds the index ------------------------------------------
HOLDER = """
import sys
from retrieval.store.article_index import ArticleIndex
from retrieval.ingest.pipeline import add_inputs
from retrieval.core.settings import Settings

index = ArticleIndex(Settings())
with index.writing():  # as `tanya add` holds it for its whole run
    if len(sys.argv) > 1:
        add_inputs(index, sys.argv[1:])
    print("holding", flush=True)
    sys.stdin.read()  # until the test is done
"""


@pytest.fixture
def writer_process(data_dir: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def start(*inputs: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, *inputs],
            env={**os.environ, "TANYA_DATA_DIR": str(data_dir)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        return proc

    yield start
    for proc in procs:
        proc.communicate(timeout=60)


def test_search_while_the_first_add_runs_says_the_index_is_being_built(
    data_dir: Path, writer_process, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TANYA_LOCK_TIMEOUT", "3")
    writer = writer_process()
    code, out = tanya("search", "Albu Kamal")
    assert code == 0, out
    assert "being built by another tanya process" in out and f"pid {writer.pid}" in out
    assert stored_articles(data_dir) == 0  # it did not try to seed
    code, out = tanya("ask", "Siapa yang memimpin pertempuran di Albu Kamal?", "--json")
    assert code == 0, out
    assert json.loads(out[out.index("{") :])["found"] is False


def test_search_while_another_process_writes_answers_from_what_is_stored(
    data_dir: Path, tmp_path: Path, writer_process, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TANYA_LOCK_TIMEOUT", "3")
    jsonl = tmp_path / "gempa.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "title": "Gempa di Palu",
                "content": "Gempa bermagnitudo 7,4 mengguncang Palu, Sulawesi Tengah. "
                "Tsunami menyusul beberapa menit kemudian.",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    writer_process(str(jsonl))
    hits = tanya_json("search", "gempa Palu")
    assert hits and hits[0]["title"] == "Gempa di Palu"
    assert all("Albu Kamal" not in h["text"] for h in hits)  # no seeding meanwhile
    answer = tanya_json("ask", "Berapa magnitudo gempa di Palu?")
    assert answer["citations"] and answer["citations"][0]["title"] == "Gempa di Palu"
