"""Answering a question embeds it once: the search and the extractive
answerer's sentence scores use the same query vector (a query embedding is
most of a warm `tanya ask`'s search time; BENCHMARKS.md, "`tanya ask`
latency"). Nothing is kept from one question to the next."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.answer.chain import Answerer
from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex
from retrieval.store.hash_embeddings import HashEmbeddings
from tests.helpers.articles import BATTLE, RICE, sentence_chunks


class RecordingEmbeddings(HashEmbeddings):
    """The tests' embedder, keeping a list of the texts it embeds as queries."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[override]
        self.queries.extend(texts)
        return self.embed_passages(texts)


def test_a_question_is_embedded_once_per_answer(settings: Settings) -> None:
    embedder = RecordingEmbeddings()
    index = ArticleIndex(settings, embedder=embedder)
    try:
        index.write([(a, sentence_chunks(a)) for a in (BATTLE, RICE)])
        answerer = Answerer(index, settings.model_copy(update={"llm": ""}))
        question = "Siapa yang memimpin pertempuran di Albu Kamal?"

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
    finally:
        index.close()
