"""Answering a question embeds it once: the search and the extractive
answerer's sentence scores use the same query vector (a query embedding is
most of a warm `tanya ask`'s search time; BENCHMARKS.md, "`tanya ask`
latency"). Nothing is kept from one question to the next."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from retrieval.answer.chain import Answerer
from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex
from retrieval.store.embeddings import EARLY_THREAD, embed_question_early, one_vector_per_question
from retrieval.store.hash_embeddings import HashEmbeddings
from tests.helpers.articles import BATTLE, RICE, sentence_chunks


class RecordingEmbeddings(HashEmbeddings):
    """The tests' embedder, keeping a list of the texts it embeds as queries
    (and the threads it embeds them in)."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []
        self.threads: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[override]
        self.queries.extend(texts)
        self.threads.append(threading.current_thread().name)
        return self.embed_passages(texts)


QUESTION = "Siapa yang memimpin pertempuran di Albu Kamal?"


@pytest.fixture
def recorded(settings: Settings) -> Iterator[tuple[RecordingEmbeddings, ArticleIndex, Answerer]]:
    """An offline answerer over two articles, its embedder recording queries."""
    embedder = RecordingEmbeddings()
    index = ArticleIndex(settings, embedder=embedder)
    try:
        index.write([(a, sentence_chunks(a)) for a in (BATTLE, RICE)])
        yield embedder, index, Answerer(index, settings.model_copy(update={"llm": ""}))
    finally:
        index.close()


def test_a_question_is_embedded_once_per_answer(
    recorded: tuple[RecordingEmbeddings, ArticleIndex, Answerer],
) -> None:
    embedder, index, answerer = recorded
    question = QUESTION
    first = answerer.ask(question)
    # Passages came back, so the answerer scored their sentences against
    # the question's vector (found or not).
    assert first.passages
    assert embedder.queries == [question]

    # The next question is embedded afresh, and answered the same way.
    again = answerer.ask(question)
    assert embedder.queries == [question, question]
    assert again.answer == first.answer and again.citations == first.citations

    # The search alone, outside an answer, embeds as before.
    index.search(question)
    assert embedder.queries == [question] * 3


def test_a_question_embedded_early_is_the_one_the_answer_uses(
    recorded: tuple[RecordingEmbeddings, ArticleIndex, Answerer],
) -> None:
    """`tanya ask` starts embedding the question before the index is open
    (`embed_question_early`): the search and the answerer use that vector,
    and the answer is the one a question embedded on the spot gets."""
    embedder, _, answerer = recorded
    question = QUESTION
    expected = answerer.ask(question)
    embedder.queries.clear()
    embedder.threads.clear()

    with one_vector_per_question():
        embed_question_early(question, lambda: embedder)
        early = answerer.ask(question)
    assert embedder.queries == [question]
    assert embedder.threads == [EARLY_THREAD]
    assert early.answer == expected.answer and early.citations == expected.citations

    # What is searched is not always what was asked ("minggu lalu" is a
    # filter): then the search embeds its own text, and answers as before.
    embedder.queries.clear()
    dated = "Siapa yang memimpin pertempuran di Albu Kamal minggu lalu?"
    expected = answerer.ask(dated)
    with one_vector_per_question():
        embed_question_early(dated, lambda: embedder)
        early = answerer.ask(dated)
    assert early.answer == expected.answer and early.notes == expected.notes


def test_embedding_early_needs_a_question_block() -> None:
    with pytest.raises(RuntimeError, match="one_vector_per_question"):
        embed_question_early("apa?", HashEmbeddings)
