"""Which one of a series a question asks about (`retrieval/text/designators.py`)."""

from __future__ import annotations

import pytest

from retrieval.text.designators import names_one_asked, other_category, other_designator

SERIES_B = "Kebun Pintar meraih pendanaan seri B senilai Rp 150 miliar."


@pytest.mark.parametrize(
    ("question", "quote", "passage", "other"),
    [
        ("Berapa pendanaan seri A Kebun Pintar?", SERIES_B, SERIES_B, ("seri", "a", {"b"})),
        ("Berapa pendanaan seri B Kebun Pintar?", SERIES_B, SERIES_B, None),
        # Typed in lower case, the letter is still the one asked.
        ("berapa pendanaan seri a kebun pintar", SERIES_B, SERIES_B, ("seri", "a", {"b"})),
        ("berapa pendanaan seri b kebun pintar", SERIES_B, SERIES_B, None),
        # A lower-case letter only after "seri": "angkatan i" is the first.
        ("berapa kuota angkatan i prodi itu", "Kuota angkatan pertama 60 orang.", "", None),
        (
            "Siapa pencetak gol di leg pertama?",
            "Pada leg kedua final, David mencetak dua gol.",
            "",
            ("leg", "1", {"2"}),
        ),
        ("Di mana Persib juara Liga 2?", "Persib menjuarai Liga 1.", "", ("liga", "2", {"1"})),
        # A passage naming the one asked: its sentences decide.
        ("Berapa pendanaan seri A?", SERIES_B, "Seri A senilai Rp 20 miliar.", None),
        # A quote naming none of the series: not checked ("dalam dua putaran,
        # 30 Agustus dan 27 September" answers "putaran kedua").
        ("Kapan PIN putaran kedua diadakan?", "PIN digelar dalam dua putaran.", "", None),
        # One number, however it is written: "ketiga", "3", "ke-3", "III".
        ("Berapa nilai bansos tahap ketiga?", "Bansos tahap III senilai Rp 7,5 triliun.", "", None),
        ("Berapa nilai bansos tahap ke-3?", "Bansos tahap III senilai Rp 7,5 triliun.", "", None),
        ("Berapa skor leg 1?", "Pada leg pertama skor 0-0.", "", None),
        (
            "Berapa nilai bansos tahap kedua?",
            "Bansos tahap III senilai Rp 7,5 triliun.",
            "",
            ("tahap", "2", {"3"}),
        ),
        # Numbered units of a network, its short form in brackets, in English too.
        (
            "Berapa kereta tambahan KAI Daop 8 Surabaya?",
            "Daerah Operasi (Daop) 1 Jakarta mengoperasikan 18 kereta tambahan.",
            "",
            ("daop", "8", {"1"}),
        ),
        (
            "How many extra trains is KAI Daop 8 Surabaya running?",
            "Daerah Operasi (Daop) 1 Jakarta mengoperasikan 18 kereta tambahan.",
            "",
            ("daop", "8", {"1"}),
        ),
        (
            "Kecelakaan di KM 120 tol Cipali?",
            "Tabrakan terjadi di KM 102.",
            "",
            ("km", "120", {"102"}),
        ),
        # A distance is no designator: the number comes first.
        ("Kecelakaan di KM 120 tol Cipali?", "Tabrakan terjadi 120 km dari Jakarta.", "", None),
        # Not a designator: a word, a number with decimals.
        ("Berapa pendanaan seri terbaru?", SERIES_B, SERIES_B, None),
        ("Berapa nilai periode 2,5 tahun?", "periode 3 tahun", "", None),
    ],
)
def test_another_of_the_series_is_not_the_answer(
    question: str, quote: str, passage: str, other: tuple[str, str, set[str]] | None
) -> None:
    assert other_designator(question, quote, [passage]) == other


def test_reads_a_long_question_over_a_long_quote() -> None:
    # 2,000 characters of designators over 60,000 of others: read once each.
    question = " ".join(f"seri {i}" for i in range(300))[:2000]
    quote = "seri B dan tahap 3 " * 3200
    assert other_designator(question, quote, [quote]) is not None


MEN = "Tunggal putra Jonatan Christie menjuarai Indonesia Masters."


@pytest.mark.parametrize(
    ("question", "quote", "passage", "other"),
    [
        (
            "Siapa juara tunggal putri Indonesia Masters?",
            MEN,
            MEN,
            ("tunggal putri", "Tunggal putra"),
        ),
        ("siapa yg juara tunggal putri", MEN, MEN, ("tunggal putri", "Tunggal putra")),
        ("Siapa juara tunggal putra Indonesia Masters?", MEN, MEN, None),
        # A passage naming the one asked: its sentences decide.
        ("Siapa juara tunggal putri?", MEN, "Di tunggal putri, Gregoria kalah di semifinal.", None),
        # Spellings of one category: "SMA" and "sekolah menengah atas", "U-23" and "U23".
        ("Berapa kuota PPDB SMA?", "Kuota PPDB sekolah menengah atas 50 persen.", "", None),
        ("Berapa kuota PPDB SMA?", "Kuota PPDB SMP 50 persen.", "", ("SMA", "SMP")),
        ("Siapa pelatih timnas U23?", "Pelatih timnas U-23 Indra Sjafri.", "", None),
        ("Siapa pelatih timnas U23?", "Pelatih timnas U-20 Indra Sjafri.", "", ("U23", "U-20")),
        # A quote naming no other category: not checked.
        ("Siapa juara tunggal putri?", "Gregoria menjuarai turnamen itu.", "", None),
        # "tunggal" alone is a single one ("gol tunggal"), not a category.
        ("Siapa pencetak gol tunggal?", "Gol ganda dicetak Egy.", "", None),
        # An English question names a category in English.
        ("Who won the women's singles?", MEN, MEN, ("women's singles", "Tunggal putra")),
        ("Who won the men's singles?", MEN, MEN, None),
        # Kinds of inflation, damage, medals, swimming styles (in English too).
        (
            "What was East Java's core inflation rate in May 2024?",
            "BPS mencatat inflasi tahunan atau year on year (yoy) sebesar 2,87 persen.",
            "",
            ("core inflation", "inflasi tahunan"),
        ),
        (
            "Berapa rumah rusak ringan?",
            "Sebanyak 47 rumah rusak berat.",
            "",
            ("rusak ringan", "rusak berat"),
        ),
        (
            "Berapa medali perak Indonesia?",
            "Indonesia meraih dua emas.",
            "",
            ("medali perak", "emas"),
        ),
        # A medal written alone, as tallies write it ("tiga perak"), is the one asked.
        ("Berapa medali perak tim Indonesia?", "Tim meraih dua emas, tiga perak.", "", None),
        (
            "Who won the 200m breaststroke?",
            "Rizky memecahkan rekor 100 meter gaya bebas putra.",
            "",
            ("breaststroke", "gaya bebas"),
        ),
        # A whole word: "SMAN" is a school's name, "putrinya" his daughter.
        ("Di mana SMAN 1 Bogor?", "SMP itu di Jalan Pajajaran.", "", None),
    ],
)
def test_another_category_is_not_the_answer(
    question: str, quote: str, passage: str, other: tuple[str, str] | None
) -> None:
    assert other_category(question, quote, [passage]) == other


def test_reads_categories_over_a_long_quote() -> None:
    # A question naming every category, over 60,000 characters naming others.
    question = " ".join(["tunggal putri SMA U-23 10K wanita"] * 60)
    quote = "tunggal putra SMP U-20 5K pria " * 2000
    assert other_category(question, quote, [quote]) == ("tunggal putri", "tunggal putra")


@pytest.mark.parametrize(
    ("question", "text", "named"),
    [
        ("Siapa juara tunggal putri?", "Gelar tunggal putri direbut Anisa.", True),
        ("Siapa juara tunggal putri?", MEN, False),
        ("Berapa kuota PPDB SMA?", "Kuota sekolah menengah atas 50 persen.", True),
        ("Berapa pendanaan seri A Kebun Pintar?", "Pendanaan seri A Rp 20 miliar.", True),
        ("Berapa pendanaan seri A Kebun Pintar?", SERIES_B, False),
        # A question naming no category or series names none asked.
        ("Siapa juara Indonesia Masters?", MEN, False),
    ],
)
def test_a_text_names_the_category_asked(question: str, text: str, named: bool) -> None:
    # Whether the answer's sentence must name it: only a text naming the one
    # asked lets the answerer pass over sentences about others.
    assert names_one_asked(question, text) is named
