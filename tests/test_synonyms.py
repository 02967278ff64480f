"""A question's words written as the passages write them, by the thesaurus
(`retrieval/text/synonyms.py`), and what never is."""

from __future__ import annotations

import pytest

from retrieval.text.synonyms import synonyms_of, synonyms_written_as

HIBAH = "Ketua DPRD Garut Dadang Sukmana mengatakan pihaknya meminta hibah dipangkas menjadi Rp 95 miliar."


@pytest.mark.parametrize(
    ("question", "text", "written"),
    [
        # A verb by its synonym's affixed form, as the passage writes it.
        (
            "DPRD Garut minta hibah dipotong jd berapa?",
            HIBAH,
            "DPRD Garut minta hibah dipangkas jd berapa?",
        ),
        # A noun; and a chat word the thesaurus knows.
        (
            "Berapa banyak bangku yang tersedia?",
            "Tahun ini tersedia 4.320 kursi di 14 SMA negeri.",
            "Berapa banyak kursi yang tersedia?",
        ),
        (
            "Kenapa penyaluran pupuk subsidi telat?",
            "Keterlambatan terjadi karena banyak petani belum terdaftar.",
            "Kenapa penyaluran pupuk subsidi keterlambatan?",
        ),
    ],
)
def test_a_word_no_passage_holds_is_written_as_its_synonym_there(
    question: str, text: str, written: str
) -> None:
    assert synonyms_written_as(question, [text]) == written


def test_a_word_the_passages_hold_is_kept_though_a_synonym_is_there_too() -> None:
    text = "Hibah dipotong lalu dipangkas lagi menjadi Rp 95 miliar."
    question = "Hibah dipotong jadi berapa?"
    assert synonyms_written_as(question, [text]) == question


@pytest.mark.parametrize(
    ("question", "text"),
    [
        # A name (capitalised) is what a near miss turns on: never rewritten.
        (
            "Siapa Kepala Dinas Kesehatan Sleman?",
            "Kepala Dinas Kesehatan Bantul, Agus, mengatakan ...",
        ),
        # A category: "putri" is no "anak" (its thesaurus synonym).
        ("Siapa juara tunggal putri?", "Juara tunggal putra adalah anak asal Kudus."),
        # A word whose opposite the refusal checks read: "lahir" of "meninggal".
        ("Kapan tokoh itu meninggal?", "Tokoh itu berpulang pada usia 80 tahun."),
        # An office, and the word after one: "wali" is no "pelatih" (its
        # thesaurus synonym), "kepala daerah" no "kepala provinsi".
        ("Siapa wali kota Bandung?", "Pelatih Persib, Bojan Hodak, juara di kota itu."),
        ("Siapa kepala daerah Jawa Barat?", "Kepala Dinas Kesehatan provinsi itu, Vini."),
        # Question and stop words.
        ("Siapa yang menang?", "Persib menang 2-0."),
    ],
)
def test_names_categories_opposites_and_question_words_are_kept(question: str, text: str) -> None:
    assert synonyms_written_as(question, [text]) == question


def test_a_synonym_of_a_word_the_question_has_already_is_not_said_twice() -> None:
    # "pencak" and "pesilat" (stem "silat") are synonyms: "pencak silat"
    # written "pesilat silat" would lose a word and say one twice.
    question = "Siapa juara kejuaraan pencak silat Jawa Tengah?"
    text = "Sebanyak 642 pesilat ikut kejuaraan di Semarang."
    assert synonyms_written_as(question, [text]) == question


def test_the_first_passage_holding_a_synonym_gives_its_word() -> None:
    question = "Berapa bangku yang tersedia?"
    assert synonyms_written_as(question, ["Ada 5 sofa.", "Ada 12 kursi."]).split()[1] in (
        "sofa",
        "kursi",
    )
    assert (
        synonyms_written_as(question, ["Tidak ada.", "Ada 12 kursi."])
        == "Berapa kursi yang tersedia?"
    )


@pytest.mark.parametrize("question", ["", "?", "a" * 5000, "berapa " * 200, "\x00\ufffd bangku?"])
def test_odd_messages_come_back_whole(question: str) -> None:
    out = synonyms_written_as(question, ["Ada 12 kursi.", ""])
    assert isinstance(out, str) and len(out.split()) == len(question.split())


def test_the_thesaurus_is_symmetric_and_has_no_antonym_senses() -> None:
    assert "pangkas" in synonyms_of("potong") and "potong" in synonyms_of("pangkas")
    # "telat" lists "tepat" only as its antonym.
    assert "tepat" not in synonyms_of("telat")
    assert "telat" not in synonyms_of("telat")
    assert synonyms_of("") == frozenset() and synonyms_of("persib") == frozenset()
