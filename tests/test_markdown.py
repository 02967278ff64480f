"""Markdown articles: the same date and outlet as the same lines in a `.txt`,
real YAML front matter, Markdown rendered to its text, and every broken
`.md` a failure with a reason, never a traceback."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from retrieval.core.models import Article, LoadFailure, RawArticle
from retrieval.ingest.cleaning import clean_article
from retrieval.ingest.fetch import FetchedPage, FetchError
from retrieval.ingest.loaders import iter_inputs
from retrieval.ingest.markdown import MAX_FRONT_MATTER_CHARS


def no_fetch(url: str) -> FetchedPage:
    raise FetchError("no network in this test")


def load(path: Path) -> RawArticle | LoadFailure:
    [item] = iter_inputs([str(path)], fetch=no_fetch, max_bytes=1_000_000)
    return item


def only_article(path: Path) -> RawArticle:
    item = load(path)
    assert isinstance(item, RawArticle), item
    return item


def only_failure(path: Path) -> str:
    item = load(path)
    assert isinstance(item, LoadFailure), item
    return item.reason


def cleaned(tmp_path: Path, name: str, text: str) -> Article:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return clean_article(only_article(path))


LEDE = "Pemerintah mengumumkan kebijakan baru untuk seluruh warga pada hari ini."
MORE = "Kebijakan itu berlaku mulai bulan depan di semua provinsi."

# (Markdown, the same lines as a .txt, date, outlet): the forms news sites use.
SAME_AS_TXT = [
    (
        f"# Kebijakan Baru\n\n*Senin, 3 November 2025*\n\n**JAKARTA (Kumparan)** - {LEDE}\n\n{MORE}\n",
        f"Kebijakan Baru\nSenin, 3 November 2025\n\nJAKARTA (Kumparan) - {LEDE}\n\n{MORE}\n",
        date(2025, 11, 3),
        "Kumparan",
    ),
    (
        f"# Kebijakan Baru\n\n10 November 2017\n\nJAKARTA (Tempo.co) - {LEDE}\n\n{MORE}\n",
        f"Kebijakan Baru\n10 November 2017\n\nJAKARTA (Tempo.co) - {LEDE}\n\n{MORE}\n",
        date(2017, 11, 10),
        "Tempo.co",
    ),
    (
        f"Kebijakan Baru\n==============\n\n_Kamis, 9/11/2017_\n\n**JAKARTA (Tempo.co)**  \n{LEDE}\n",
        f"Kebijakan Baru\nKamis, 9/11/2017\nJAKARTA (Tempo.co)\n{LEDE}\n",
        date(2017, 11, 9),
        "Tempo.co",
    ),
    (
        f"## Kebijakan Baru\n\n**Jumat (28/9/2018)**\n\n**JAKARTA (Kumparan)**\n\n{LEDE}\n",
        f"Kebijakan Baru\n\nJumat (28/9/2018)\n\nJAKARTA (Kumparan)\n\n{LEDE}\n",
        date(2018, 9, 28),
        "Kumparan",
    ),
    (
        f"# Kebijakan Baru\n\n10 November 2017\n\n*JAKARTA, KOMPAS.com* -- {LEDE}\n",
        f"Kebijakan Baru\n10 November 2017\nJAKARTA, KOMPAS.com -- {LEDE}\n",
        date(2017, 11, 10),
        "KOMPAS.com",
    ),
]


@pytest.mark.parametrize(("markdown", "text", "day", "outlet"), SAME_AS_TXT)
def test_markdown_gives_the_date_and_outlet_a_txt_gives(
    tmp_path: Path, markdown: str, text: str, day: date, outlet: str
) -> None:
    from_md = cleaned(tmp_path, "berita.md", markdown)
    from_txt = cleaned(tmp_path, "berita.txt", text)
    assert (from_md.title, from_md.date, from_md.source) == ("Kebijakan Baru", day, outlet)
    assert (from_txt.title, from_txt.date, from_txt.source) == ("Kebijakan Baru", day, outlet)
    assert from_md.dateline == from_txt.dateline
    assert from_md.text == from_txt.text
    assert LEDE in from_md.text and "*" not in from_md.text


def test_a_sentence_opening_with_an_acronym_is_not_a_dateline(tmp_path: Path) -> None:
    article = cleaned(
        tmp_path,
        "kpk.md",
        "# Tersangka Baru\n\nKPK (Komisi Pemberantasan Korupsi) menetapkan dua tersangka baru.\n",
    )
    assert article.source is None and article.dateline is None


def test_front_matter_is_real_yaml(tmp_path: Path) -> None:
    path = tmp_path / "yaml.md"
    path.write_text(
        "---\n"
        'title: "Kemenkeu: anggaran 2024 naik"\n'
        "date: 2024-01-15\n"
        "tags: [ekonomi, anggaran]\n"
        "categories:\n  - nasional\n  - fiskal\n"
        "source: 'Tempo: Ekonomi'\n"
        "url: https://www.tempo.co/ekonomi/anggaran?utm_source=x\n"
        "id: 010\n"
        "summary: >\n  Ringkasan yang\n  panjang.\n"
        "---\n"
        "# Heading di badan\n\n"
        "Anggaran negara naik tajam tahun ini, kata menteri keuangan.\n",
        "utf-8",
    )
    raw = only_article(path)
    assert raw.title == "Kemenkeu: anggaran 2024 naik"
    assert (raw.date_text, raw.source) == ("2024-01-15", "Tempo: Ekonomi")
    assert raw.url == "https://www.tempo.co/ekonomi/anggaran?utm_source=x"
    assert raw.id == "010"  # text as written, not the octal number 8
    assert "Heading di badan" in raw.body and "Anggaran negara naik" in raw.body
    assert "ekonomi" not in raw.body and "Ringkasan" not in raw.body


@pytest.mark.parametrize(
    ("front", "title", "day"),
    [
        (
            "title: >\n  Judul yang\n  panjang sekali\ndate: 2023-03-01T10:00:00+07:00\n",
            "Judul yang panjang sekali",
            date(2023, 3, 1),
        ),
        (
            "title: |\n  Dua\n  baris\npublished: 2023-03-01 08:00:00\n",
            "Dua baris",
            date(2023, 3, 1),
        ),
        ("Title: yes\nDate: Senin, 3 November 2025\n", "yes", date(2025, 11, 3)),
        ("title: 'It''s: fine'\n", "It's: fine", None),
        ("", "Judul dari heading", None),  # empty front matter: the heading titles it
    ],
)
def test_front_matter_values(tmp_path: Path, front: str, title: str, day: date | None) -> None:
    article = cleaned(
        tmp_path,
        "a.md",
        f"---\n{front}---\n# Judul dari heading\n\nIsi berita yang cukup panjang.\n",
    )
    assert (article.title, article.date) == (title, day)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("---\ntitle: Kemenkeu: anggaran naik\n---\nIsi.\n", "not valid YAML (mapping values"),
        ('---\ntitle: "tanpa penutup\ndate: 2024-01-01\n---\nIsi.\n', "not valid YAML"),
        ("---\ntitle: [satu, dua]\n---\nIsi berita.\n", '"title" in the front matter must be text'),
        ('---\ntitle: Judul\nid: "a\\u001b[2Jb"\n---\nIsi berita.\n', "control characters"),
        (
            "---\ntitle: Hanya metadata\ndate: 2024-01-01\n---\n",
            "no article text after the front matter",
        ),
        (
            "---\ntitle: Hanya metadata\n---\n\n<!-- komentar -->\n\n---\n",
            "no article text after the front matter",
        ),
        ("", "empty"),
        ("  \n\n \n", "empty"),
        ("# Judul saja\n", "no article text after the title"),
        ("![foto](a.jpg)\n\n---\n", "no article text in the file"),
    ],
)
def test_broken_markdown_fails_with_a_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "rusak.md"
    path.write_text(content, "utf-8")
    assert reason in only_failure(path)


def test_a_broken_yaml_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "baris.md"
    path.write_text("---\ntitle: Judul\nsource: Tempo: Ekonomi\n---\nIsi.\n", "utf-8")
    reason = only_failure(path)
    assert "line 3" in reason and 'title: "Kemenkeu: anggaran naik"' in reason


def test_binary_and_huge_front_matter_fail_with_a_reason(tmp_path: Path) -> None:
    binary = tmp_path / "gambar.md"
    binary.write_bytes(b"---\ntitle: x\n---\n" + bytes(range(256)) * 40)
    assert "binary" in only_failure(binary)

    huge = tmp_path / "besar.md"
    tags = "".join(f"  - tag{i}\n" for i in range(MAX_FRONT_MATTER_CHARS // 8))
    huge.write_text(f"---\ntitle: Besar\ntags:\n{tags}---\nIsi berita.\n", "utf-8")
    assert "over the limit" in only_failure(huge)

    # Aliases that would expand to 9^8 items: read without expanding them.
    bomb = tmp_path / "bom.md"
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefg", "bcdefgh", strict=True)
    ]
    bomb.write_text("---\n" + "\n".join(levels) + "\ntitle: Bom\n---\nIsi berita.\n", "utf-8")
    assert only_article(bomb).title == "Bom"

    deep = tmp_path / "dalam.md"
    deep.write_text("---\ntags: " + "[" * 20_000 + "]" * 20_000 + "\n---\nIsi.\n", "utf-8")
    assert "not valid YAML" in only_failure(deep)


def test_a_rule_at_the_top_is_not_front_matter(tmp_path: Path) -> None:
    raw = only_article(
        _write(
            tmp_path / "garis.md", "---\n\nPembuka berita tanpa judul.\n\n---\n\nParagraf kedua.\n"
        )
    )
    assert raw.title == "Pembuka berita tanpa judul." and "Paragraf kedua." in raw.body


def test_markdown_is_rendered_to_its_text(tmp_path: Path) -> None:
    raw = only_article(
        _write(
            tmp_path / "lengkap.md",
            "Breadcrumb > Berita\n\n"
            "# Judul *Utama*\n\n"
            'Petani **Karawang** memulai [panen raya](https://x.id "t") pada `Senin`; '
            "harga_gabah_kering naik 5 * 3 persen.\n"
            "Baris lanjutan<br>setelah br.\n\n"
            "![Foto: sawah](sawah.jpg)\n\n"
            "- butir *satu*\n- butir dua\n  1. anak butir\n\n"
            "> kutipan **menteri**\n\n"
            "| Provinsi | Panen |\n|---|---|\n| Jabar | 9 ton |\n\n"
            '<div class="iklan"><script>track()</script><p>Teks di dalam HTML</p></div>\n\n'
            "***\n\n"
            "## Subjudul\n\n"
            "~~dicoret~~ dan <span>teks span</span>.\n",
        )
    )
    assert raw.title == "Judul Utama"
    body = raw.body
    for kept in (
        "Breadcrumb > Berita",
        "Petani Karawang memulai panen raya pada Senin; harga_gabah_kering naik 5 * 3 persen.",
        "Baris lanjutan\nsetelah br.",
        "butir satu",
        "anak butir",
        "kutipan menteri",
        "Provinsi | Panen\nJabar | 9 ton",
        "Teks di dalam HTML",
        "Subjudul",
        "dicoret dan teks span.",
    ):
        assert kept in body, kept
    for dropped in ("**", "](", "Foto: sawah", "track()", "<span>", "~~", "***"):
        assert dropped not in body, dropped


def test_a_markdown_file_without_headings_reads_like_txt(tmp_path: Path) -> None:
    raw = only_article(
        _write(tmp_path / "polos.md", "Judul Polos\n10 November 2017\nIsi **berita** polos.\n")
    )
    assert (raw.title, raw.date_text, raw.body) == (
        "Judul Polos",
        "10 November 2017",
        "Isi berita polos.",
    )


def test_tanya_add_stores_a_markdown_articles_date_and_outlet(
    data_dir: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path / "kumparan.md", SAME_AS_TXT[0][0])
    result = CliRunner().invoke(app, ["add", str(path)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["list", "--json"])
    [listed] = json.loads(result.stdout)
    assert (listed["title"], listed["date"], listed["source"]) == (
        "Kebijakan Baru",
        "2025-11-03",
        "Kumparan",
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path
