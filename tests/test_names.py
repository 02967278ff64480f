"""The names a question asks about, and whether an article names one
(`retrieval.text.names`)."""

from __future__ import annotations

import pytest

from retrieval.text.names import attributed_names, names_any, names_every, question_names


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Kepala dinas apakah Gatot Moeryanto?", ["moeryanto"]),
        ("Berapa jumlah penduduk Provinsi Jiangsu, China?", ["jiangsu", "china"]),
        # Dictionary words, titles and company forms name no one in particular.
        ("Di hutan manakah lahan PT Damai Jaya Lestari?", []),
        ("Siapa Kepala Dinas Kesehatan Kabupaten Bantul?", ["bantul"]),
        # An initial's dot ends no sentence; a question's first word is capitalised anyway.
        ("Siapakah R.L. Stine?", ["stine"]),
        ("Jokowi meresmikan apa?", []),
        # English: the glossary's words and fillers are no names.
        ("Who is the Minister of Agriculture of Indonesia?", []),
        ("Who coached Madura United in 2024?", ["madura", "united"]),
        ("How many villages in Central Java flooded in January?", ["jawa"]),
        ("Siapa juara Piala Presiden III?", []),
    ],
)
def test_the_names_a_question_asks_about(question: str, names: list[str]) -> None:
    assert question_names(question) == names


@pytest.mark.parametrize(
    ("names", "text", "named"),
    [
        (["moeryanto"], "Kepala Dinas Kesehatan NTT Stef Bria meninjau rumah sakit.", False),
        (["moeryanto"], "Gatot Moeryanto, Kepala Dinas Kehutanan Jambi, mengatakan ...", True),
        # Any one name is enough: the article names the person, not the country.
        (["jiangsu", "china"], "Banjir melanda Provinsi Jiangsu pekan lalu.", True),
        # A short form of the name, another spelling, an acronym's words.
        (["roemwerdiniadi"], "Bersama tiga sejawatnya, Roem mendirikan yayasan itu.", True),
        (["prancis"], "Hari Nasional Perancis dirayakan tanggal 14 Juli.", True),
        (["kadisdikbud"], "Kepala Disdikbud Kota Malang Dwi Retno Palupi", True),
        (["sumatera"], "Ketua Komisi A DPRD Sumut menggelar rapat.", True),
        (["kaltim"], "Polisi di Kalimantan Timur menyita kayu.", True),
        (["kaltim"], "Polisi di Jawa Timur menyita kayu.", False),
        (["atc"], "berakhirnya Agreement on Textiles and Clothing di WTO", True),
        (["jica"], "studi Japan International Cooperation Agency tahun 1983", True),
        # Initials of lower-case words spell nothing: they would spell anything.
        (["ibu"], "ini bukan untuk dijual", False),
        # Nothing named: nothing to look for.
        ([], "Teks apa saja.", True),
    ],
)
def test_whether_a_text_names_any_of_them(names: list[str], text: str, named: bool) -> None:
    assert names_any(names, [text]) is named


def test_every_name_or_any() -> None:
    # A why-question answered on little evidence must have every name it asks
    # about in the article: "Kebumen" is there, the KPK is not.
    article = "Bupati Kebumen merotasi 61 pejabat untuk mengisi kekosongan jabatan."
    names = question_names("Mengapa Bupati Kebumen ditangkap KPK?")
    assert names == ["kebumen", "kpk"]
    assert names_any(names, [article])
    assert not names_every(names, [article])
    assert names_every(names, [article + " KPK belum memeriksa."])


@pytest.mark.parametrize(
    ("question", "sources"),
    [
        ("Berapa pedagang pasar yang direlokasi menurut Gatot Moeryanto?", ["moeryanto"]),
        ("According to Apindo, how many workers were laid off in 2024?", ["apindo"]),
        ("Menurut catatan Lanal Pontianak, berapa kapal yang ditangkap?", ["lanal", "pontianak"]),
        # An office names no one; "kata pengantar" is a foreword, no one's word.
        ("Apa kata Menteri Kesehatan soal lonjakan kasus DBD di Jepara?", []),
        ("Siapa penulis kata pengantar buku Bangsa-bangsa Asia?", []),
        # A name elsewhere in the question is no source.
        ("Berapa korban banjir di Demak?", []),
    ],
)
def test_whose_word_a_question_asks(question: str, sources: list[str]) -> None:
    assert attributed_names(question) == sources
