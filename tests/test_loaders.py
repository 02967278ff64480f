"""Loaders: each input kind becomes articles, and each broken input becomes a
failure with a reason, never an exception and never garbage in the index."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from retrieval.core.models import LoadFailure, RawArticle
from retrieval.ingest.fetch import FetchedPage, FetchError
from retrieval.ingest.loaders import iter_inputs, load_file

LIMIT = 1_000_000


def no_fetch(url: str) -> FetchedPage:
    raise FetchError("no network in this test")


def load(*inputs: Path | str, max_bytes: int = LIMIT) -> list[RawArticle | LoadFailure]:
    return list(iter_inputs([str(i) for i in inputs], fetch=no_fetch, max_bytes=max_bytes))


def only_article(path: Path) -> RawArticle:
    [item] = load(path)
    assert isinstance(item, RawArticle), item
    return item


def only_failure(path: Path | str, **kw: int) -> str:
    [item] = load(path, **kw)
    assert isinstance(item, LoadFailure), item
    return item.reason


def test_txt_title_date_body(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("\n\nJudul Berita\n\nKamis, 9/11/2017\nBaris satu.\n\nBaris dua.\n", "utf-8")
    raw = only_article(path)
    assert (raw.title, raw.date_text) == ("Judul Berita", "Kamis, 9/11/2017")
    assert raw.body == "Baris satu.\n\nBaris dua."
    assert raw.origin == str(path)


def test_txt_without_date_line_keeps_its_first_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Judul\nPada 2017 pasukan merebut kota.\n", "utf-8")
    raw = only_article(path)
    assert raw.date_text is None and raw.body == "Pada 2017 pasukan merebut kota."


def test_txt_without_title_line_is_titled_by_its_file_name(tmp_path: Path) -> None:
    path = tmp_path / "laporan-banjir.txt"
    path.write_text("Banjir merendam ratusan rumah di Jakarta Timur. " * 20, "utf-8")
    raw = only_article(path)
    assert raw.title == "laporan-banjir" and raw.body.startswith("Banjir merendam")


def test_markdown(tmp_path: Path) -> None:
    path = tmp_path / "c.md"
    path.write_text(
        "---\ntitle: Panen Raya\ndate: 2023-03-01\nsource: Tempo\n---\n"
        "# Heading yang bukan judul\n\nPetani **Karawang** memulai [panen](https://x.id) raya.\n\n"
        "- butir satu\n- butir dua\n\n---\n\n> kutipan\n",
        "utf-8",
    )
    raw = only_article(path)
    assert (raw.title, raw.date_text, raw.source) == ("Panen Raya", "2023-03-01", "Tempo")
    assert "Petani Karawang memulai panen raya." in raw.body
    assert "butir satu" in raw.body and "**" not in raw.body and "](" not in raw.body


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "b.html"
    path.write_text(
        "<html><head><title>Kereta cepat diresmikan - Kompas</title>"
        '<meta property="og:site_name" content="Kompas.com">'
        '<meta property="article:published_time" content="2023-10-02T09:00:00+07:00"></head>'
        "<body><nav>Beranda | Nasional | Olahraga</nav><article><h1>Kereta cepat diresmikan</h1>"
        "<p>Presiden meresmikan kereta cepat Jakarta-Bandung di Stasiun Halim pada Senin pagi, "
        "disaksikan para menteri dan duta besar negara sahabat.</p>"
        "<p>Kereta itu menempuh jarak 142 kilometer dalam waktu sekitar 40 menit.</p></article>"
        "<footer>Hak cipta 2023</footer><script>var x = 1;</script></body></html>",
        "utf-8",
    )
    raw = only_article(path)
    assert raw.title == "Kereta cepat diresmikan"
    assert raw.source == "Kompas.com" and raw.date_text == "2023-10-02"
    assert "142 kilometer" in raw.body
    assert "Beranda" not in raw.body and "var x" not in raw.body


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = [
        json.dumps({"title": "A", "content": "Isi A.", "date": "2020-01-01", "id": 7}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"title": "tanpa isi"}),
        json.dumps({"content": "tanpa judul"}),
        json.dumps({"title": "B", "text": {"nested": "object"}}),
        json.dumps({"title": "C", "text": "Isi C.", "url": "https://c.id/1", "source": "C"}),
        "\ufeff" + json.dumps({"title": "D", "body": "Isi D."}),
    ]
    path.write_text("\n".join(lines), "utf-8")
    items = load(path)
    good = [i for i in items if isinstance(i, RawArticle)]
    bad = {i.origin.rsplit(":", 1)[1]: i.reason for i in items if isinstance(i, LoadFailure)}
    assert [g.title for g in good] == ["A", "C", "D"]
    assert good[0].id == "7" and good[1].url == "https://c.id/1"
    assert good[0].origin == f"{path}:1"
    assert set(bad) == {"3", "4", "5", "6", "7"}
    assert "not valid JSON" in bad["3"]
    assert "JSON object" in bad["4"]
    assert "no text" in bad["5"]
    assert "title" in bad["6"]
    assert "must be a string" in bad["7"]


def test_jsonl_html_content_is_stored_as_its_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A scraper's HTML body in "content": its tags, script and entities had
    # been stored, and quoted, as written.
    path = tmp_path / "d.jsonl"
    lines = [
        {
            "title": "Juara",
            "content": "<div class='post'><p>Tunggal putra Jonatan Christie menjuarai "
            "Indonesia Masters.</p><script>alert('x')</script><style>p{color:red}</style>"
            "<p>Ia menang 21-15 &amp; 21-18.<br>Final di Istora.</p></div>",
        },
        # Text that only looks like markup is text.
        {"title": "Bukan tag", "content": "Inflasi < 3 persen dan suku bunga > 6 persen."},
        # Markup with nothing to read: a clear failure, the next line goes on.
        {"title": "Kosong", "content": "<div><script>track()</script><p></p></div>"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), "utf-8")
    items = load(path)
    first, second = (i for i in items if isinstance(i, RawArticle))
    assert "Jonatan Christie menjuarai Indonesia Masters." in first.body
    assert "21-15 & 21-18" in first.body
    assert not any(m in first.body for m in ("<", "alert", "color:red", "&amp;"))
    # A paragraph a line, as the page had them.
    assert (
        first.body.splitlines()[0] == "Tunggal putra Jonatan Christie menjuarai Indonesia Masters."
    )
    assert second.body == "Inflasi < 3 persen dan suku bunga > 6 persen."
    [failure] = [i for i in items if isinstance(i, LoadFailure)]
    assert failure.origin.endswith(":3") and "no readable text" in failure.reason
    # The reason is said once, by the failure: trafilatura's own warning
    # ("discarding data: None") had been printed above it by `tanya add`.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_folder_is_read_recursively_in_order_skipping_hidden_and_other_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "b" / ".git").mkdir(parents=True)
    (tmp_path / "b" / ".git" / "x.txt").write_text("Tersembunyi\nJangan dibaca.", "utf-8")
    (tmp_path / "b" / "dua.txt").write_text("Dua\nIsi dua.", "utf-8")
    (tmp_path / "satu.md").write_text("# Satu\nIsi satu.", "utf-8")
    (tmp_path / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    titles = [i.title for i in load(tmp_path) if isinstance(i, RawArticle)]
    assert titles == ["Dua", "Satu"]
    empty = tmp_path / "kosong"
    empty.mkdir()
    assert "no .txt" in only_failure(empty)


def test_legacy_encodings_are_decoded(tmp_path: Path) -> None:
    text = "Judul\nHarga naik 5% — kata menteri “resmi” di Bogor café.\n"
    (tmp_path / "cp1252.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for name in ("cp1252.txt", "utf16.txt", "bom.txt"):
        raw = only_article(tmp_path / name)
        assert raw.title == "Judul", name
        assert raw.body == "Harga naik 5% — kata menteri “resmi” di Bogor café.", name


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("kosong.txt", b"", "empty"),
        ("spasi.txt", b"  \n\n \t ", "empty"),
        ("biner.txt", bytes(range(256)) * 40, "binary"),
        ("nol.html", b"<html>\x00\x00\x00</html>", "binary"),
        ("judul-saja.txt", b"Hanya judul\n", "no article text"),
        ("kosong.html", b"<html><body><nav>menu</nav></body></html>", "no article text"),
        ("kosong.jsonl", b"\n\n", "empty"),
        ("gambar.png", b"\x89PNG\r\n\x1a\n", "unsupported file type .png"),
    ],
)
def test_broken_files_fail_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert reason in only_failure(path)


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    assert "no such file" in only_failure(tmp_path / "tidak-ada.txt")
    big = tmp_path / "besar.txt"
    big.write_text("Judul\n" + "kata " * 1000, "utf-8")
    assert "over the" in only_failure(big, max_bytes=1000)


def test_one_bad_input_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "baik.txt").write_text("Baik\nIsi yang baik.", "utf-8")
    (tmp_path / "buruk.txt").write_bytes(b"\x00\x01")
    items = load(tmp_path / "buruk.txt", "https://contoh.id/berita", tmp_path / "baik.txt")
    assert [type(i).__name__ for i in items] == ["LoadFailure", "LoadFailure", "RawArticle"]
    assert "no network" in items[1].reason  # type: ignore[union-attr]


def test_load_file_refuses_a_directory_suffix(tmp_path: Path) -> None:
    odd = tmp_path / "folder.txt"
    odd.mkdir()
    [item] = list(load_file(odd, max_bytes=LIMIT))
    assert isinstance(item, LoadFailure) and "cannot read" in item.reason
