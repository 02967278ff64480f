"""Syndicated copies: the same story from another outlet is stored once, with
the other outlet recorded and named in the answer's citation (`also_in`)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.syndication import SyndicationStore

runner = CliRunner()

STORY = (
    "Tim SAR gabungan menemukan seluruh penumpang kapal motor yang tenggelam di perairan "
    "Selat Sunda pada Selasa pagi. Kapal itu berangkat dari Pelabuhan Merak menuju Bakauheni "
    "dengan membawa dua puluh tiga penumpang dan lima awak. Kepala Kantor SAR Banten mengatakan "
    "kapal diduga tenggelam karena cuaca buruk dan gelombang setinggi tiga meter. Seluruh "
    "korban kini dirawat di Rumah Sakit Umum Daerah Kalianda, Lampung Selatan. Polisi masih "
    "memeriksa nakhoda kapal untuk mengetahui penyebab pasti kecelakaan tersebut."
)
# The same story as Tempo republished it: its own header and footer, a word changed,
# the last sentence dropped.
COPY = (
    "TEMPO.CO, Jakarta - "
    + STORY.replace("Selasa pagi", "Selasa pagi tadi").rsplit(" Polisi", 1)[0]
    + " Baca juga: Harga Tiket Kapal Naik Jelang Libur. Ikuti berita terkini Tempo di Google News."
)
# Same topic, another story.
OTHER = (
    "Kementerian Perhubungan memperketat pemeriksaan kelaikan kapal di Pelabuhan Merak menjelang "
    "libur panjang. Setiap kapal yang berangkat ke Bakauheni wajib membawa pelampung untuk semua "
    "penumpang, kata Direktur Jenderal Perhubungan Laut. Petugas juga akan menunda keberangkatan "
    "kapal bila gelombang di Selat Sunda lebih dari dua setengah meter."
)


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> str:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def row(
    text: str, url: str, source: str, title: str = "Kapal tenggelam di Selat Sunda"
) -> dict[str, str]:
    return {"title": title, "content": text, "url": url, "source": source, "date": "2024-03-05"}


def tanya_json(*args: str) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_copy_from_another_outlet_is_stored_once_and_named(data_dir: Path, tmp_path: Path) -> None:
    kompas = write_jsonl(
        tmp_path / "kompas.jsonl", [row(STORY, "https://kompas.example/a1", "Kompas")]
    )
    tempo = write_jsonl(
        tmp_path / "tempo.jsonl",
        [
            row(
                COPY,
                "https://tempo.example/b7",
                "Tempo",
                "Seluruh Penumpang Kapal di Selat Sunda Selamat",
            ),
            row(OTHER, "https://tempo.example/b8", "Tempo", "Pemeriksaan kapal diperketat"),
        ],
    )
    first = tanya_json("add", kompas)
    assert first["summary"]["added"] == 1  # type: ignore[index]
    original = first["items"][0]["article_id"]  # type: ignore[index]

    second = tanya_json("add", tempo)
    items = {i["origin"]: i for i in second["items"]}  # type: ignore[index]
    copy, other = items[f"{tempo}:1"], items[f"{tempo}:2"]
    assert copy["status"] == "unchanged" and copy["duplicate_of"] == original
    assert other["status"] == "added" and other["duplicate_of"] is None
    assert len(tanya_json("list")) == 2  # type: ignore[arg-type]

    # Re-adding either is still "unchanged"; the source is recorded once.
    again = tanya_json("add", kompas, tempo)
    assert [i["status"] for i in again["items"]] == ["unchanged"] * 3  # type: ignore[index]
    assert [i["duplicate_of"] for i in again["items"]] == [None, original, None]  # type: ignore[index]

    answer = tanya_json("ask", "Di mana korban kapal tenggelam di Selat Sunda dirawat?")
    cited = [c for c in answer["citations"] if c["article_id"] == original]  # type: ignore[index]
    assert len(cited) == 1, answer
    assert cited[0]["source"] == "Kompas"
    assert cited[0]["also_in"] == [
        {
            "source": "Tempo",
            "url": "https://tempo.example/b7",
            "title": "Seluruh Penumpang Kapal di Selat Sunda Selamat",
            "date": "2024-03-05",
        }
    ]
    assert all(c["also_in"] == [] for c in answer["citations"] if c["article_id"] != original)  # type: ignore[index]


def test_copies_in_one_add_and_an_index_from_before(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    both = write_jsonl(
        tmp_path / "both.jsonl",
        [
            row(STORY, "https://kompas.example/a1", "Kompas"),
            row(COPY, "https://antara.example/c", "Antara"),
        ],
    )
    report = add_inputs(index, [both])
    assert [i.status for i in report.items] == ["unchanged", "added"] or [
        i.status for i in report.items
    ] == ["added", "unchanged"]
    assert index.catalog.counts()[0] == 1

    # An index whose signatures are gone (built before this existed): they are
    # recomputed from the stored articles, and copies are still recognised.
    store = SyndicationStore(index.catalog.path)
    store._conn.execute("DELETE FROM article_minhash")
    store.close()
    from retrieval.store import syndication

    syndication._STORES.clear()
    later = write_jsonl(tmp_path / "later.jsonl", [row(COPY, "https://detik.example/d", "Detik")])
    (item,) = add_inputs(index, [later]).items
    assert item.status == "unchanged" and item.duplicate_of is not None

    # An index with signatures but no LSH band keys (written before they were
    # kept): the keys are made from the signatures, and copies still found.
    store = SyndicationStore(index.catalog.path)
    store._conn.execute("DELETE FROM article_bands")
    store.close()
    syndication._STORES.clear()
    again = write_jsonl(tmp_path / "again.jsonl", [row(COPY, "https://cnn.example/e", "CNN")])
    (item,) = add_inputs(index, [again]).items
    assert item.status == "unchanged" and item.duplicate_of is not None


def test_lsh_bands_are_the_ones_datasketch_chooses() -> None:
    """The band keys kept in SQLite find the candidates datasketch's
    `MinHashLSH` would (same bands and rows for the same threshold)."""
    from datasketch import MinHashLSH

    from retrieval.store import syndication

    lsh = MinHashLSH(threshold=syndication.THRESHOLD, num_perm=syndication.NUM_PERM)
    assert (lsh.b, lsh.r) == (syndication.BANDS, syndication.ROWS)
    a, b = syndication.signature(STORY), syndication.signature(COPY)
    lsh.insert("story", a)
    shared = set(syndication.band_keys(a.hashvalues)) & set(syndication.band_keys(b.hashvalues))
    assert bool(shared) == ("story" in lsh.query(b))
    other = syndication.signature(OTHER)
    shared = set(syndication.band_keys(a.hashvalues)) & set(syndication.band_keys(other.hashvalues))
    assert bool(shared) == ("story" in lsh.query(other))


def test_daily_reports_from_one_template_are_different_stories(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def report(day: int, price: str, change: str) -> dict[str, str]:
        text = (
            f"Harga emas batangan produksi Antam pada hari ini, {day} Maret 2024, tercatat Rp {price} "
            f"per gram, naik Rp {change} dibandingkan harga kemarin. Harga pembelian kembali atau "
            "buyback juga ikut naik. Emas dijual dalam berbagai ukuran di butik Logam Mulia di "
            "Jakarta dan kota besar lain. Pembeli wajib menunjukkan kartu identitas dan nomor pokok "
            "wajib pajak untuk setiap pembelian emas batangan di butik tersebut."
        )
        return row(text, f"https://emas.example/{day}", "Kabar Emas", f"Harga emas {day} Maret")

    reports = write_jsonl(
        tmp_path / "emas.jsonl",
        [report(4, "1.134.000", "3.000"), report(5, "1.141.000", "7.000")],
    )
    items = add_inputs(index, [reports]).items
    assert [i.status for i in items] == ["added", "added"]


def test_articles_without_a_url_are_never_merged(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # An evaluation corpus: the same passage twice, tokenised differently, no URLs.
    rows = [
        {"title": "a", "content": STORY, "id": "p1"},
        {"title": "a", "content": STORY.replace("tiga meter", "tiga  meter ."), "id": "p2"},
    ]
    corpus = write_jsonl(tmp_path / "corpus.jsonl", rows)  # type: ignore[arg-type]
    assert [i.status for i in add_inputs(index, [corpus]).items] == ["added", "added"]
    # A copy from the web is still recognised as one of them.
    web = write_jsonl(tmp_path / "web.jsonl", [row(COPY, "https://tempo.example/b7", "Tempo")])
    (item,) = add_inputs(index, [web]).items
    assert item.status == "unchanged" and item.duplicate_of is not None
