"""A question typed without capitals, read with them (`retrieval/text/casing.py`)."""

from __future__ import annotations

import pytest

from retrieval.text.casing import cased_as, typed_without_capitals
from retrieval.text.chat import plain_question, typed_in_capitals

PASSAGES = [
    "Persib Bandung menjuarai Liga 1 setelah mengalahkan Madura United di Bangkalan. "
    "Penumpang MRT Jakarta naik. Hadir pula Gubernur Bali, kata pelatih Persib.",
]


@pytest.mark.parametrize(
    ("question", "cased"),
    [
        # The passages' own capitals: names, an acronym, a title before a name.
        ("siapa pelatih madura united", "Siapa pelatih Madura United"),
        ("berapa penumpang mrt jakarta?", "Berapa penumpang MRT Jakarta?"),
        ("siapa gubernur bali yang baru?", "Siapa Gubernur Bali yang baru?"),
        # A word the passages do not hold and no Indonesian word: a name.
        ("siapa pelatih persija jakarta musim ini", "Siapa pelatih Persija Jakarta musim ini"),
        ("kapan motogp 2024 digelar", "Kapan Motogp 2024 digelar"),
        # Indonesian words (roots, affixed forms, stop words) and chat
        # shorthand stay as typed.
        ("berapa pendanaan yg didapat", "Berapa pendanaan yang didapat"),
        ("mengapa harga beras naik?", "Mengapa harga beras naik?"),
        # A chat verb, a root behind its nasal, is no name; a town on a
        # short root still is one.
        ("siapa yg ngomong soal persib", "Siapa yang ngomong soal Persib"),
        ("berapa korban banjir di ngawi", "Berapa korban banjir di Ngawi"),
        # In English, only the passages' capitals count: "coach" and
        # "persija" are no Indonesian word, and only one of them a name.
        ("who is the coach of madura united", "Who is the coach of Madura United"),
        ("who is the coach of persija", "Who is the coach of persija"),
        # A word no dictionary holds is a name only in a question typed all
        # in lower case; an English word chats use is none.
        (
            "Pungutan wisatawan asing dibayar secara online lewat apa?",
            # ("lewat apa" is asked as "melalui apa": `chat.py`.)
            "Pungutan wisatawan asing dibayar secara online melalui apa?",
        ),
        ("berapa kali penerbangan direct ke osaka", "Berapa kali penerbangan direct ke Osaka"),
        ("berapa lama naik kereta cepat, guys?", "Berapa lama naik kereta cepat, guys?"),
        # An English question's Indonesian gloss is not cased.
        (
            "who led the round of kebun pintar? (investasi)",
            "Who led the round of kebun pintar? (investasi)",
        ),
        # A first word with capitals of its own is as written.
        ("iPhone berapa harganya?", "iPhone berapa harganya?"),
        # Written with capitals: left as it is, but for its first letter.
        ("Siapa pelatih madura United?", "Siapa pelatih madura United?"),
        ("siapa Gubernur Bali yang baru?", "Siapa Gubernur Bali yang baru?"),
        # Typed in capitals: read in lower case, then cased as above.
        ("SIAPA PELATIH MADURA UNITED?", "Siapa pelatih Madura United?"),
        ("BERAPA PENUMPANG MRT JAKARTA?", "Berapa penumpang MRT Jakarta?"),
        ("BRP PENUMPANG MRT JAKARTA", "Berapa penumpang MRT Jakarta"),
    ],
)
def test_a_question_typed_in_lower_case_gets_its_names_capitals(question: str, cased: str) -> None:
    assert cased_as(plain_question(question), PASSAGES) == cased


def test_a_capital_only_at_a_sentences_start_is_no_name() -> None:
    # "Pelatih" opens a sentence: every word does there.
    assert cased_as("siapa pelatih persib", ["Pelatih Persib hadir."]) == "Siapa pelatih Persib"


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        ("siapa bupati cianjur", True),
        ("Siapa bupati cianjur?", True),
        ("Siapa Bupati Cianjur?", False),
        ("Bali", False),  # one word: nothing after it to judge by
    ],
)
def test_typed_without_capitals(question: str, typed: bool) -> None:
    assert typed_without_capitals(question) is typed


@pytest.mark.parametrize(
    ("question", "capitals"),
    [
        ("SIAPA JURU BICARA KPK?", True),
        ("BERAPA KORBAN GEMPA 2022?", True),
        ("Siapa juru bicara KPK?", False),
        ("KPK?", False),  # one word: an acronym, not a question typed in capitals
    ],
)
def test_typed_in_capitals(question: str, capitals: bool) -> None:
    assert typed_in_capitals(question) is capitals


def test_a_datelines_capital_is_no_name() -> None:
    # "BANDUNG (ANTARA) - Banjir ...": the story's first word after the dash.
    texts = ["BANDUNG (ANTARA) - Banjir merendam 450 rumah. Warga mengungsi dari banjir itu."]
    assert (
        cased_as("berapa rumah yang terendam banjir", texts) == "Berapa rumah yang terendam banjir"
    )
