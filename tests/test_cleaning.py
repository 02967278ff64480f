"""The cleaner on the seed article and on the kinds of noise other scrapers
leave: what is dropped is recorded, what is the article stays."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.core.models import RawArticle
from retrieval.ingest.cleaning import (
    CleaningError,
    clean_article,
    looks_like_headline,
    paragraphs,
    read_dateline,
)
from retrieval.ingest.loaders import load_file
from retrieval.text.dates import parse_date
from tests.conftest import SEED_ARTICLE


def seed() -> RawArticle:
    [raw] = list(load_file(SEED_ARTICLE, max_bytes=10**6))
    assert isinstance(raw, RawArticle)
    return raw


def test_seed_article_is_cleaned() -> None:
    article = clean_article(seed())
    assert article.title == (
        "Dibantu Milisi Syiah Internasional, Rezim Assad Rebut Benteng Terakhir IS di Suriah"
    )
    assert article.date == date(2017, 11, 10)
    assert article.source == "Jurnalislamcom"
    assert article.dateline == "SURIAH (Jurnalislamcom)"
    # The dateline stays in the text: it is part of the first sentence.
    assert article.text.startswith("SURIAH (Jurnalislamcom) – Pasukan rezim")
    # Mojibake "┬á" was a no-break space: gone, with no double space left.
    assert "┬" not in article.text and "\xa0" not in article.text
    assert "kegagalan kelompok IS di wilayah ini" in article.text
    kinds = [r.kind for r in article.removed]
    assert kinds == ["repeated_title"] + ["related_headline"] * 3
    related = [r.text for r in article.removed if r.kind == "related_headline"]
    assert related == [
        "Kini IS Terjepit pada Kubu Terakhirnya di Suriah",
        "Tanggapan Syaikh Abu Mahmud Al-Filistini Bagi Orang yang Menyamakan HTS dengan IS",
        "Inilah Pernyataan Bersama Para Ulama untuk Menyatukan Mujahidin di Sham",
    ]
    for text in related:
        assert text not in article.text
    # Every real paragraph survives, and curly quotes are kept as written.
    assert article.text.count("\n\n") == 9
    assert "“Pembebasan Albu Kamal sangat penting" in article.text
    assert article.text.rstrip().endswith("yang didukung agresor AS.")


def test_same_content_same_id_and_changed_content_new_hash() -> None:
    a, b = clean_article(seed()), clean_article(seed())
    assert a.id == b.id and a.content_hash == b.content_hash
    changed = seed()
    changed.body = changed.body.replace("Hizbullah", "Hezbollah")
    c = clean_article(changed)
    # Read from a file: the file is the identity, so an edit keeps the id.
    assert c.id == a.id and c.content_hash != a.content_hash
    # Pasted text (no file, URL or explicit id): the content is the identity.
    changed.path = None
    assert clean_article(changed).id != a.id


def test_url_or_explicit_id_is_the_identity() -> None:
    one = clean_article(RawArticle("Judul", "Isi pertama berita.", "x", url="https://a.id/b/"))
    two = clean_article(RawArticle("Judul", "Isi kedua berita.", "y", url="https://A.id/b#top"))
    assert one.id == two.id and one.content_hash != two.content_hash
    assert one.source == "a.id"  # the outlet from the URL when nothing else names it
    three = clean_article(RawArticle("Judul", "Isi.", "z", id="artikel-7"))
    four = clean_article(RawArticle("Lain", "Berbeda sama sekali.", "w", id="artikel-7"))
    assert three.id == four.id


@pytest.mark.parametrize(
    ("noise", "kind"),
    [
        ("Baca juga: Harga Tiket Kereta Cepat Diumumkan", "related_headline"),
        ("BACA JUGA - Presiden Tinjau Lokasi Banjir", "related_headline"),
        ("Advertisement", "boilerplate"),
        ("Scroll to continue with content", "boilerplate"),
        ("Simak berita dan artikel lainnya di Google News", "boilerplate"),
        ("Editor: Rina Sari", "boilerplate"),
        ("(ant/rid)", "boilerplate"),
        ("Copyright © 2023 Kompas.com", "boilerplate"),
    ],
)
def test_noise_between_paragraphs_is_dropped_and_recorded(noise: str, kind: str) -> None:
    body = (
        "JAKARTA, KOMPAS.com - Presiden meresmikan kereta cepat di Stasiun Halim, Senin.\n\n"
        f"{noise}\n\n"
        "Kereta itu menempuh 142 kilometer dalam waktu sekitar 40 menit."
    )
    article = clean_article(RawArticle("Kereta cepat diresmikan", body, "t"))
    assert noise not in article.text
    assert [(r.kind, r.text) for r in article.removed] == [(kind, noise)]
    assert article.source == "KOMPAS.com"
    assert article.dateline == "JAKARTA, KOMPAS.com"


@pytest.mark.parametrize(
    ("noise", "kind"),
    [
        # A page copied as one block: the label, its headline, then the next
        # sentence, which opens with a capitalised word of its own.
        (
            "Baca juga: Viral Jukir Liar di Kuta Minta Rp 20 Ribu, Polisi Turun Tangan",
            "related_headline",
        ),
        ("Baca juga: Waspada DBD, Ini Gejala yang Sering Diabaikan Orang Tua", "related_headline"),
        ("BACA JUGA: Harga Naik Lagi.", "related_headline"),
        ("ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT", "boilerplate"),
        ("KOMPAS.com/ANDI HUTAGALUNG", "boilerplate"),
    ],
)
def test_noise_inside_a_paragraph_is_cut_out_and_recorded(noise: str, kind: str) -> None:
    body = (
        "DENPASAR, KOMPAS.com - Parkir di Denpasar kini dibayar dengan QRIS, kata Wirawan. "
        f"{noise} Tarif parkir tidak berubah, yakni Rp 2.000 untuk sepeda motor."
    )
    article = clean_article(RawArticle("Parkir QRIS", body, "t"))
    assert article.text == (
        "DENPASAR, KOMPAS.com - Parkir di Denpasar kini dibayar dengan QRIS, kata Wirawan. "
        "Tarif parkir tidak berubah, yakni Rp 2.000 untuk sepeda motor."
    )
    assert [(r.kind, r.text) for r in article.removed] == [(kind, noise)]


@pytest.mark.parametrize(
    "text",
    [
        # Where the headline ends is a guess when a name closes the capitals:
        # the next sentence's subject may have begun inside them. Kept whole.
        "Air surut. Baca juga: Banjir di Demak Kepala BPBD Demak mengatakan air surut.",
        # No end near: a label, not a headline.
        "Dia berkata. BACA JUGA: Hal yang sangat panjang dan tidak pernah selesai ditulis oleh siapa",
        # Words, not markers: a sentence may say them.
        "Iklan itu berbunyi advertisement, lalu baca juga artikel ini.",
    ],
)
def test_a_paragraph_whose_noise_is_unsure_is_kept_whole(text: str) -> None:
    article = clean_article(RawArticle("Banjir", text, "t"))
    assert (article.text, article.removed) == (text, [])


def test_a_paragraph_of_thousands_of_labels_is_cleaned_whole() -> None:
    # Each label once: the paragraph was rebuilt after each cut (and read
    # to its end for each headline), minutes for a page of this size.
    body = "Harga naik, kata dia. Baca juga: Harga Naik Lagi. " * 5000
    article = clean_article(RawArticle("Harga", body, "t"))
    assert article.text == " ".join(["Harga naik, kata dia."] * 5000)
    assert len(article.removed) == 5000


def test_sentences_and_short_lines_that_are_text_are_kept() -> None:
    body = (
        "Gempa mengguncang Palu pada Jumat sore.\n\n"
        "Warga berlarian ke bukit.\n\n"  # short, but a sentence
        "“Kami takut tsunami datang lagi”\n\n"  # a quote without a period
        "Shares of Garuda fell 5 percent on Monday.\n\n"
        "tim sar masih mencari korban di bawah reruntuhan"  # lower case: text
    )
    article = clean_article(RawArticle("Gempa Palu", body, "t"))
    assert article.removed == []
    assert article.text == "\n\n".join(paragraphs(body))


def test_headline_detector() -> None:
    assert looks_like_headline("Kini IS Terjepit pada Kubu Terakhirnya di Suriah")
    assert not looks_like_headline("Warga berlarian ke bukit.")
    assert not looks_like_headline("Jakarta")  # one word: a caption or a place, not a headline
    assert not looks_like_headline("harga beras naik di pasar induk")


@pytest.mark.parametrize(
    ("first", "dateline", "outlet"),
    [
        ("SURIAH (Jurnalislamcom) – Pasukan rezim", "SURIAH (Jurnalislamcom)", "Jurnalislamcom"),
        ("JAKARTA, KOMPAS.com - Presiden", "JAKARTA, KOMPAS.com", "KOMPAS.com"),
        ("Jakarta, CNN Indonesia -- Banjir", "Jakarta, CNN Indonesia", "CNN Indonesia"),
        ("JAKARTA (ANTARA) - Pemerintah", "JAKARTA (ANTARA)", "ANTARA"),
        ("TEMPO.CO, Jakarta - Harga", "TEMPO.CO, Jakarta", "TEMPO.CO"),
        ("Liputan6.com, Jakarta - Harga", "Liputan6.com, Jakarta", "Liputan6.com"),
        ("Pasukan rezim menyerbu kota itu.", None, None),
    ],
)
def test_datelines(first: str, dateline: str | None, outlet: str | None) -> None:
    assert read_dateline(first) == (dateline, outlet)


def test_mojibake_from_a_wrong_decode_is_repaired() -> None:
    import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

    original = "Pernyataan “resmi” soal kenaikan harga—kata menteri—dirilis hari ini."
    garbled = original.encode("utf-8").decode("sloppy-windows-1252")
    assert garbled != original
    assert clean_article(RawArticle("Harga", garbled, "t")).text == original
    # Mojibake next to real curly quotes in the same line (the seed's case).
    mixed = "“Kata dia,” kelompok ┬áIS kalah. Harga naik Â\xa0tajam."
    assert clean_article(RawArticle("Harga", mixed, "t")).text == (
        "“Kata dia,” kelompok IS kalah. Harga naik tajam."
    )


def test_a_long_run_without_spaces_is_cleaned_whole() -> None:
    """The mojibake pass looked for a non-ASCII character inside each run by
    backtracking from every position: 30,000 characters with no space took
    37 s, 100,000 never finished. Asserts the result, not the time."""
    run = "".join(f"kata{i % 97}" for i in range(40_000))[:200_000]
    body = f"Awal berita. {run} ┬áakhir berita. Ã©tÃ©{run[:50_000]}"
    article = clean_article(RawArticle("Judul", body, "t"))
    assert article.text == f"Awal berita. {run} akhir berita. été{run[:50_000]}"


@pytest.mark.parametrize(
    "body", ["", "   \n\n  ", "12345 678", "!!! ??? ...", "\x00\x01\x02", "Advertisement"]
)
def test_nothing_readable_is_an_error(body: str) -> None:
    with pytest.raises(CleaningError, match="no readable text"):
        clean_article(RawArticle("Judul", body, "t"))


def test_over_long_article_is_refused_with_the_setting_named() -> None:
    with pytest.raises(CleaningError, match="TANYA_MAX_ARTICLE_CHARS"):
        clean_article(RawArticle("Judul", "kata " * 1000, "t"), max_chars=1000)


def test_a_body_that_is_only_its_title_is_kept() -> None:
    article = clean_article(RawArticle("Gempa di Palu", "Gempa di Palu", "t"))
    assert article.text == "Gempa di Palu" and article.removed == []


def test_untitled_article_gets_its_first_sentence_as_title() -> None:
    article = clean_article(RawArticle("", "Banjir merendam Jakarta. Warga mengungsi.", "t"))
    assert article.title == "Banjir merendam Jakarta."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 November 2017", date(2017, 11, 10)),
        ("Kamis, 9/11/2017", date(2017, 11, 9)),
        ("Jumat (28/9/2018)", date(2018, 9, 28)),
        ("2017-11-10", date(2017, 11, 10)),
        ("2020-01-01T10:00:00Z", date(2020, 1, 1)),
        ("Senin, 1 Januari 2024 14:30 WIB", date(2024, 1, 1)),
        ("31 Desember 2017", date(2017, 12, 31)),
        ("Nov 10, 2017", date(2017, 11, 10)),
        ("bukan tanggal", None),
        ("2020", None),
        ("Mei 2019", None),
        ("7,4", None),
        ("Rp 12.500", None),
        ("", None),
    ],
)
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected
