"""Chat shorthand written out as the passages write it (`text/shorthand.py`)."""

from __future__ import annotations

import pytest

from retrieval.text.shorthand import shorthand_written_out

KPK = (
    "Komisi Pemberantasan Korupsi (KPK) menahan Kepala Dinas Pekerjaan Umum dan "
    "Penataan Ruang Kabupaten Sorong, Yohanes Mambrasar."
)
UGM = "UGM membuka program studi sarjana kecerdasan buatan. Kuota mahasiswa baru 60 orang."
WHOOSH = "Kereta Cepat Jakarta-Bandung Whoosh telah mengangkut lima juta penumpang."
BALI = "Dana pungutan akan dipakai untuk pelestarian budaya dan lingkungan."


@pytest.mark.parametrize(
    ("question", "texts", "written"),
    [
        ("kpk nahan kadis pupr sorong?", [KPK], "kpk menahan Kepala Dinas pupr sorong?"),
        (
            "kuota maba prodi AI ugm?",
            [UGM],
            "kuota mahasiswa baru program studi kecerdasan buatan ugm?",
        ),
        ("whoosh jkt-bdg ngangkut berapa?", [WHOOSH], "whoosh Jakarta-Bandung mengangkut berapa?"),
        ("dana pungutan dipake buat apa?", [BALI], "dana pungutan dipakai buat apa?"),
        (
            "Di mana Persib memastikan gelar juara?",
            ["Persib menjuarai Liga 1."],
            "Di mana Persib menjuarai?",
        ),
    ],
)
def test_shorthand_no_passage_uses_is_written_as_they_write_it(
    question: str, texts: list[str], written: str
) -> None:
    assert shorthand_written_out(question, texts) == written


@pytest.mark.parametrize(
    ("question", "texts"),
    [
        # The passages use the short form: it is asked as typed.
        ("siapa kadis pupr?", ["Kadis PUPR Sorong ditahan."]),
        # They write it out nowhere: nothing to write it as.
        ("siapa kadis pupr?", ["Bupati Sorong meresmikan jalan."]),
        # A lower-case town is no chat verb unless the passages hold the root
        # it would stand for ("ngawi" -> "kawi").
        ("banjir ngawi kapan?", ["Banjir merendam Ngawi pada Senin."]),
        ("banjir ngawi kapan?", ["Banjir merendam 300 rumah pada Senin."]),
        # English is read by its glossary, not as an Indonesian chat.
        ("Who leads the AI programme?", [UGM]),
        # Inside another word, a short form is not one: "kabupaten", "aiming".
        ("berapa kabupaten terdampak?", ["Kabupaten Demak terendam."]),
    ],
)
def test_shorthand_is_left_as_typed_where_the_passages_give_no_reason(
    question: str, texts: list[str]
) -> None:
    assert shorthand_written_out(question, texts) == question


def test_an_empty_or_huge_question_is_read_without_error() -> None:
    assert shorthand_written_out("", [KPK]) == ""
    huge = "nahan kadis " * 2000
    assert "Kepala Dinas" in shorthand_written_out(huge, [KPK])
