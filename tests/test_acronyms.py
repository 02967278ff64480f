"""Acronyms a question uses where the articles write the words out."""

from __future__ import annotations

import pytest

from retrieval.text.acronyms import acronyms_written_out


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (
            "Kasus DBD terbanyak di mana?",
            "Dinas mencatat 12.800 kasus demam berdarah dengue sejak Januari.",
            "Kasus demam berdarah dengue terbanyak di mana?",
        ),
        (
            "Target inflasi BI tahun 2024 berapa?",
            "Bank Indonesia menargetkan inflasi 2024 berada di kisaran 1,5 hingga 3,5 persen.",
            "Target inflasi Bank Indonesia tahun 2024 berapa?",
        ),
        # "dan" and a comma are passed over.
        (
            "Apa kata BMKG?",
            "Badan Meteorologi, Klimatologi, dan Geofisika menyatakan gempa tidak berpotensi tsunami.",
            "Apa kata Badan Meteorologi, Klimatologi, dan Geofisika?",
        ),
        # The articles use the acronym: nothing to write out.
        ("Siapa ketua KPK?", "Ketua KPK, Komisi Pemberantasan Korupsi, ...", "Siapa ketua KPK?"),
        # Not across a sentence: "desa. Bupati Demak" is no DBD.
        (
            "Kasus DBD di mana?",
            "Air setinggi satu meter di desa. Bupati Demak menetapkan.",
            "Kasus DBD di mana?",
        ),
        # Not from stop words: "di bawah dari" is no DBD.
        ("Kasus DBD di mana?", "Rumah di bawah dari jembatan.", "Kasus DBD di mana?"),
        # Mixed case is no expansion: "Tim nasional Indonesia" is not TNI.
        ("Siapa Panglima TNI?", "Tim nasional Indonesia menang 1-0.", "Siapa Panglima TNI?"),
        # Two letters: capitalised words only, and never "PT" (a company's prefix).
        ("Apa kata BI?", "Ini bukan informasi baru.", "Apa kata BI?"),
        ("Berapa saham PT itu?", "Film Cerita Panjang Terbaik diumumkan.", "Berapa saham PT itu?"),
        # Typed in lower case in a chat: a word no dictionary holds.
        (
            "yang meninggal karena dbd di jabar berapa?",
            "Dinas mencatat 12.800 kasus demam berdarah dengue sejak Januari.",
            "yang meninggal karena demam berdarah dengue di jabar berapa?",
        ),
        # A lower-case word the articles write (any case), or a word: kept.
        ("kasus dbd di mana?", "Kasus DBD naik, demam berdarah dengue.", "kasus dbd di mana?"),
        (
            "siapa pendiri kebun pintar?",
            "Kebun Pintar didirikan di Bandung.",
            "siapa pendiri kebun pintar?",
        ),
        # A name no article holds stays missing, whatever run spells it.
        (
            "siapa pelatih persib?",
            "Kata pemain enam rekrutan sudah ingin bertanding.",
            "siapa pelatih persib?",
        ),
        # Two ways to write it out: which one is meant is not known.
        (
            "Apa kata BPS?",
            "Badan Pusat Statistik mencatat inflasi. Bupati Pati Sudewo datang.",
            "Apa kata BPS?",
        ),
    ],
)
def test_an_acronym_is_written_out_as_the_articles_write_it(
    question: str, text: str, expected: str
) -> None:
    assert acronyms_written_out(question, [text]) == expected


def test_a_question_made_of_acronyms_is_read_for_its_first_few_only() -> None:
    # Each acronym is looked for through every word of the passages: a
    # message of hundreds of them is not (the first eight are).
    question = " ".join(f"X{a}{b}" for a, b in zip("ABCDEFGH", "ABCDEFGH", strict=True))
    text = "Komisi Pemberantasan Korupsi menahan tersangka."
    assert acronyms_written_out(f"{question} KPK?", [text]) == f"{question} KPK?"
    assert acronyms_written_out("Apa kata KPK?", [text]) == "Apa kata Komisi Pemberantasan Korupsi?"
