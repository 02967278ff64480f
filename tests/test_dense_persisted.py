"""Chroma's HNSW files hold every vector when a write ends (issue 13, cold
start). By default Chroma writes them once 1,000 vectors have piled up; the
rest wait in its log and every process that opens the index re-inserts them
into the graph before its first read (up to 999 on each cold `tanya ask`).
tanya's collection writes them after every write (`SYNC_THRESHOLD`), and a
collection an older tanya made is switched when opened: its waiting vectors
are written once, by that first read.

What Chroma has written is its own bookkeeping, read here from its SQLite
file: the last log entry each segment has applied and persisted
(`max_seq_id`) against the last entry of its log (`embeddings_queue`)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from retrieval.store.dense import SYNC_THRESHOLD
from tests.helpers.cli import TANYA, command_env
from tests.test_sentence_vectors import articles_file, one_article

QUESTION = "Siapa yang memimpin pertempuran di Albu Kamal?"


def run(data_dir: Path, *args: str) -> str:
    """`tanya ARGS` as its own process (Chroma's state is what it leaves at exit)."""
    proc = subprocess.run(
        [TANYA, *args],
        env=command_env(TANYA_DATA_DIR=str(data_dir), TANYA_LLM=""),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def unpersisted(data_dir: Path) -> int:
    """Log entries the vector segment has not written to its HNSW files."""
    with sqlite3.connect(data_dir / "chroma" / "chroma.sqlite3") as conn:
        last = conn.execute("SELECT max(seq_id) FROM embeddings_queue").fetchone()[0] or 0
        vector_dirs = {p.name for p in (data_dir / "chroma").iterdir() if p.is_dir()}
        persisted = dict(conn.execute("SELECT segment_id, seq_id FROM max_seq_id").fetchall())
    assert len(vector_dirs) == 1  # one collection, one HNSW segment
    return int(last) - int(persisted.get(vector_dirs.pop(), 0))


def chroma(data_dir: Path, code: str) -> None:
    """Run `code` with `collection`, tanya's Chroma collection, in a process
    of its own (as an older tanya or another Chroma user would)."""
    setup = (
        "import chromadb, numpy as np\n"
        "from chromadb.config import Settings\n"
        f"client = chromadb.PersistentClient(path={str(data_dir / 'chroma')!r},"
        " settings=Settings(anonymized_telemetry=False))\n"
        "collection = client.get_collection('tanya')\n"
    )
    subprocess.run([sys.executable, "-c", setup + code], check=True)


def test_after_tanya_add_chroma_has_written_every_vector(data_dir: Path, tmp_path: Path) -> None:
    run(data_dir, "add", str(articles_file(tmp_path / "a.jsonl", 3)))
    assert unpersisted(data_dir) == 0
    run(data_dir, "add", str(one_article(tmp_path)))  # a second, small write
    assert unpersisted(data_dir) == 0
    run(data_dir, "remove", "gempa")  # deleting vectors too
    assert unpersisted(data_dir) == 0


def test_an_index_an_older_tanya_wrote_is_switched_and_written_once(
    data_dir: Path, tmp_path: Path
) -> None:
    run(data_dir, "add", str(articles_file(tmp_path / "a.jsonl", 3)))
    before = json.loads(run(data_dir, "search", QUESTION, "--json"))
    # As an older tanya left it: Chroma's default threshold, and vectors
    # written since its HNSW files were (re-upserted here, unchanged, by a
    # process that opens the collection with that threshold).
    chroma(data_dir, "collection.modify(configuration={'hnsw': {'sync_threshold': 1000}})\n")
    chroma(
        data_dir,
        "got = collection.get(include=['embeddings', 'metadatas'])\n"
        "collection.upsert(ids=got['ids'], embeddings=np.asarray(got['embeddings']),"
        " metadatas=got['metadatas'])\n",
    )
    waiting = unpersisted(data_dir)
    assert waiting > 0

    # The next command, a read, switches it; what waited is written once
    # (by that read, or at the latest by the next: Chroma may have loaded
    # the collection's index before the switch), never replayed again.
    assert json.loads(run(data_dir, "search", QUESTION, "--json")) == before
    chroma(
        data_dir,
        f"assert collection.configuration['hnsw']['sync_threshold'] == {SYNC_THRESHOLD}\n",
    )
    assert unpersisted(data_dir) in (0, waiting)
    assert json.loads(run(data_dir, "search", QUESTION, "--json")) == before
    assert unpersisted(data_dir) == 0
