"""A question edited by one word into its opposite ("Kapan X *terakhir* ...?"
over an article saying when X did it *pertama* kali) is not answered by that
article: the article holds the opposite of the asked word and not the word
(issue 12; `retrieval/text/antonyms.py`, the answerability feature
`contradicted`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.text.antonyms import contradicted_words
from tests.helpers.cli import tanya, tanya_json

ARTICLE = """# Maestro lukis dari Cirebon

Pelukis Affandi lahir di Cirebon, Jawa Barat, pada tahun 1907. Ia dikenal sebagai maestro seni \
lukis ekspresionisme Indonesia dan pernah berpameran di India, Inggris dan Amerika Serikat. \
Museum Affandi di Yogyakarta menyimpan ratusan karyanya.

Pada tahun 1954 ia menjadi pelukis Indonesia pertama yang mewakili negaranya di Biennale \
Venesia. Lukisan-lukisannya dikenal dengan teknik memencet cat langsung dari tube.
"""

OTHER = """# Harga beras naik

Harga beras medium di Pasar Induk Cipinang naik menjadi Rp 13.000 per kilogram pekan ini, kata \
pedagang. Pemerintah berjanji menambah pasokan dari gudang Bulog.
"""


@pytest.fixture
def affandi(data_dir: Path, tmp_path: Path) -> Path:
    (tmp_path / "affandi.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "beras.md").write_text(OTHER, encoding="utf-8")
    code, out = tanya("add", str(tmp_path / "affandi.md"), str(tmp_path / "beras.md"))
    assert code == 0, out
    return data_dir


@pytest.mark.parametrize(
    ("question", "found", "span"),
    [
        ("Kapan Affandi pertama mewakili Indonesia di Biennale Venesia?", True, "1954"),
        ("Kapan Affandi terakhir mewakili Indonesia di Biennale Venesia?", False, None),
        ("Kapan Affandi lahir?", True, "1907"),
        ("Di mana Affandi meninggal?", False, None),
    ],
)
def test_a_question_asking_the_opposite_of_what_the_article_says_is_refused(
    affandi: Path, question: str, found: bool, span: str | None
) -> None:
    answer = tanya_json("ask", question)
    assert isinstance(answer, dict)
    assert answer["found"] is found, answer
    if span is not None:
        assert span in answer["answer_span"]
    else:
        assert answer["citations"] == []


def test_the_word_check_reads_word_families_and_negation() -> None:
    passage = "Bob Dylan lahir di Duluth pada 24 Mei 1941 dan merilis album pertamanya pada 1962."
    assert contradicted_words("Kapan Bob Dylan meninggal?", passage) == ["meninggal"]
    # Another word of the asked word's family is the word itself, said otherwise.
    assert contradicted_words("Kapan Bob Dylan dilahirkan?", passage) == []
    assert contradicted_words("Kapan Bob Dylan meninggal?", f"{passage} Ia wafat 2050.") == []
    # "tidak menang" is "kalah": a negated word is not contradicted by its opposite.
    match = "Persib kalah 1-2 dari Persija di Bandung."
    assert contradicted_words("Tim mana yang menang di Bandung?", match) == ["menang"]
    assert contradicted_words("Tim mana yang tidak menang di Bandung?", match) == []
    # Case and punctuation do not matter; a question with no listed word has none.
    assert contradicted_words("KAPAN album TERAKHIR Bob Dylan?", passage) == []
    assert contradicted_words("Siapa presiden TERAKHIR?", "presiden pertama") == ["terakhir"]
    assert contradicted_words("", passage) == []
