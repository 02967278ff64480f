"""Provinces a question and a passage name (`retrieval/text/regions.py`)."""

from __future__ import annotations

import pytest

from retrieval.text.regions import (
    compass_places_written_as,
    other_province_only,
    provinces_named,
    provinces_written_as,
)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Banjir di Papua Barat dan Kepulauan Riau", {"papua barat", "kepulauan riau"}),
        ("Kepala Dinas Kehutanan Kalbar", {"kalimantan barat"}),
        ("JAKARTA, KOMPAS.com - Pemprov DKI Jakarta", {"dki jakarta"}),
        ("di Riau dan Papua", {"riau", "papua"}),
        ("Gempa di Cianjur", set()),  # a regency, not a province
        # English names them too.
        ("How many gold medals did Central Java win?", {"jawa tengah"}),
        (
            "floods in South Sulawesi and West Nusa Tenggara",
            {"sulawesi selatan", "nusa tenggara barat"},
        ),
        # A village named after a province names none; villages in one do.
        ("Kepala Desa Sinar Banten, Kabupaten Lampung Tengah", {"lampung"}),
        ("the Sinar Banten village fund case", set()),
        ("banjir di desa-desa Jawa Tengah", {"jawa tengah"}),
        ("", set()),
    ],
)
def test_provinces_named(text: str, named: set[str]) -> None:
    assert provinces_named(text) == named


def test_another_provinces_passage_does_not_answer() -> None:
    asked = "Siapa Kepala BPBD Kalimantan Barat?"
    assert other_province_only(asked, ["Kepala BPBD Kalimantan Tengah, Ahmad Toyib"])
    assert not other_province_only(asked, ["Kepala BPBD Kalbar, Budi"])
    # Both named, or no province named at all: not this check's to say.
    assert not other_province_only(asked, ["BPBD Kalteng dan BPBD Kalbar"])
    assert not other_province_only(asked, ["Kepala BPBD, Ahmad Toyib"])
    assert not other_province_only("Siapa Kepala BPBD?", ["BPBD Kalimantan Tengah"])


def test_provinces_are_written_by_their_names() -> None:
    from retrieval.text.regions import with_province_names

    text = "BPBD Kalteng, DKI Jakarta dan Jakarta; Jawa Barat (Jabar)"
    assert with_province_names(text) == (
        "bpbd kalimantan tengah dki jakarta dan dki jakarta jawa barat jawa barat"
    )


@pytest.mark.parametrize(
    ("question", "passage", "written"),
    [
        (
            "Berapa kasus DBD di Jabar?",
            "Dinkes Jawa Barat mencatat",
            "Berapa kasus DBD di Jawa Barat?",
        ),
        (
            "Siapa Kepala BPBD Kalimantan Tengah?",
            "BPBD Kalteng, Budi",
            "Siapa Kepala BPBD Kalteng?",
        ),
        # The passages write it as asked, or name no form of it: as asked.
        (
            "Berapa kasus DBD di Jabar?",
            "kasus di Jabar dan Jawa Barat",
            "Berapa kasus DBD di Jabar?",
        ),
        ("Berapa kasus DBD di Jatim?", "Dinkes Jawa Barat mencatat", "Berapa kasus DBD di Jatim?"),
        ("Siapa gubernur Jakarta?", "Gubernur DKI Jakarta", "Siapa gubernur Jakarta?"),
        # As the story writes it, not its dateline.
        (
            "Siapa Gubernur DKI?",
            "JAKARTA, KOMPAS.com - Gubernur Jakarta",
            "Siapa Gubernur Jakarta?",
        ),
    ],
)
def test_a_province_is_asked_as_the_passages_write_it(
    question: str, passage: str, written: str
) -> None:
    assert provinces_written_as(question, [passage]) == written


SANK = "Sebuah kapal tenggelam di perairan Buton Tengah, Sulawesi Tenggara."


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("How many died in Central Buton?", "How many died in Buton Tengah?"),
        ("Where is Southeast Sulawesi?", "Where is Sulawesi Tenggara?"),
        # The island as English spells it; the compass point in lower case.
        ("How many cases in west Java?", "How many cases in Jawa Barat?"),
        # The longest form the texts write; the rest of the name kept.
        ("Who heads Central Buton Regency?", "Who heads Buton Tengah Regency?"),
        # A form no text writes is left; "north of" is no place.
        ("Who leads East Timor?", "Who leads East Timor?"),
        ("What lies north of Central Buton?", "What lies north of Buton Tengah?"),
    ],
)
def test_an_english_compass_place_is_asked_as_the_passages_write_it(
    question: str, written: str
) -> None:
    assert compass_places_written_as(question, [SANK, "Dinas Kesehatan Jawa Barat"]) == written


DEMAK = "Banjir merendam 450 rumah di Kecamatan Karanganyar, Kabupaten Demak, Jawa Tengah."


@pytest.mark.parametrize(
    ("question", "other"),
    [
        # Another regency or subdistrict than the passage's, by its kind.
        ("Banjir di Kabupaten Kudus merendam berapa rumah?", True),
        ("Berapa rumah terendam di Kecamatan Mijen?", True),
        ("Di Kabupaten Bandung Barat berapa kasus?", True),
        # The passage's own, or one it names without the kind.
        ("Banjir di Kabupaten Demak merendam berapa rumah?", False),
        ("Berapa rumah di Kecamatan Karanganyar?", False),
        # A city is a district of a regency's level: "Kota Semarang" over
        # Kabupaten Demak's passage is another place.
        ("Berapa rumah di Kota Semarang?", True),
        # A kind the passage names none of; no name at all.
        ("Berapa rumah di Desa Sukamaju?", False),
        ("Di kota mana banjir terjadi?", False),
        ("Banjir di kota besar mana?", False),
    ],
)
def test_a_district_the_passage_does_not_name_is_another_place(question: str, other: bool) -> None:
    from retrieval.text.regions import other_district_only

    assert other_district_only(question, [DEMAK]) is other
    assert (
        other_district_only(question, [DEMAK, "Kudus, Mijen, Semarang dan Bandung Barat banjir."])
        is False
    )


BENER = "Presiden meresmikan Bendungan Bener di Purworejo. Gunung Anak Krakatau setinggi 315 meter."


@pytest.mark.parametrize(
    ("question", "other"),
    [
        # Another dam or mountain than the passage's, by its kind.
        ("Siapa yang meresmikan Bendungan Jatigede?", True),
        ("Berapa ketinggian Gunung Dempo?", True),
        # The passage's own, by any word of its name no dictionary has:
        # "Gunung Krakatau" is the passage's "Gunung Anak Krakatau".
        ("Siapa yang meresmikan Bendungan Bener?", False),
        ("Berapa ketinggian Gunung Krakatau?", False),
        # A kind the passage names none of.
        ("Berapa panjang Sungai Musi?", False),
    ],
)
def test_a_dam_or_mountain_the_passage_does_not_name_is_another_place(
    question: str, other: bool
) -> None:
    from retrieval.text.regions import other_district_only

    assert other_district_only(question, [BENER]) is other


@pytest.mark.parametrize(
    ("question", "indonesian", "other"),
    [
        # English puts the kind after the name: written first, in Indonesian,
        # the district check reads it ("Bantul Regency" over Demak's passage
        # had been answered with Demak's figure).
        ("How many houses were flooded in Kudus Regency?", "Kabupaten Kudus", True),
        ("How many houses were flooded in Demak Regency?", "Kabupaten Demak", False),
        ("Who opened the Jatigede Dam?", "Bendungan Jatigede", True),
        ("How high is Mount Dempo?", "Gunung Dempo", True),
        ("How high is Mount Krakatau?", "Gunung Krakatau", False),
        # A question word or a function word capitalised first is no name.
        ("Which City was flooded?", "Which City", False),
        ("In Karanganyar District, how many houses?", "In Kecamatan Karanganyar", False),
    ],
)
def test_an_english_district_or_landmark_is_checked_as_an_indonesian_one(
    question: str, indonesian: str, other: bool
) -> None:
    from retrieval.text.regions import districts_in_indonesian, other_district_only

    written = districts_in_indonesian(question)
    assert indonesian in written
    assert other_district_only(written, [DEMAK, BENER]) is other
