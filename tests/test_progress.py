"""Progress a user can trust: `tanya add` knows its total before it starts
and reports each article as soon as it is stored; `reindex` reports each
article against the number of articles."""

from __future__ import annotations

import json
from pathlib import Path

from retrieval.core.settings import Settings
from retrieval.ingest.fetch import FetchedPage, FetchError
from retrieval.ingest.loaders import count_articles, iter_inputs
from retrieval.ingest.pipeline import ItemResult, add_inputs, chunk_for_index
from retrieval.store.article_index import ArticleIndex
from tests.conftest import SEED_ARTICLE


def unreachable(url: str) -> FetchedPage:
    raise FetchError(f"{url}: not reachable from the tests")


def test_the_total_is_what_the_add_will_go_through(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    (folder / "a.txt").write_text("Judul\n\nIsi berita pertama.", encoding="utf-8")
    (folder / "nested" / "b.md").write_text("# Judul\n\nIsi kedua.", encoding="utf-8")
    (folder / ".hidden" / "c.txt").write_text("Tersembunyi\n\nIsi.", encoding="utf-8")
    (folder / "gambar.png").write_bytes(b"\x89PNG")
    (folder / "arsip.jsonl").write_text(
        '{"title": "Satu", "content": "Isi satu."}\n\n'
        "{bukan json\n"
        '{"title": "Dua", "content": "Isi dua."}\n   \n',
        encoding="utf-8",
    )
    (tmp_path / "kosong.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "empty_dir").mkdir()
    inputs = [
        str(folder),
        str(SEED_ARTICLE),
        str(tmp_path / "kosong.jsonl"),
        str(tmp_path / "empty_dir"),
        str(tmp_path / "tidak-ada.txt"),
        str(tmp_path / "foto.png"),
        "https://example.invalid/berita",
    ]
    entries = list(iter_inputs(inputs, fetch=unreachable, max_bytes=10**6))
    assert count_articles(inputs) == len(entries) == 11


def test_each_article_is_reported_once_as_soon_as_it_is_stored(
    data_dir: Path, tmp_path: Path
) -> None:
    """Passages are embedded two at a time here; each one-passage article
    must be reported when the batch holding it is stored, not when a larger
    group of articles is (the bar moved per 64 passages)."""
    rows = [
        {"title": f"Berita {i}", "content": f"Isi singkat berita nomor {i} hari ini."}
        for i in range(9)
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(4, "{rusak")  # a failure is reported in its place
    lines.append(json.dumps(rows[0]))  # the same article again: unchanged
    jsonl = tmp_path / "berita.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")

    index = ArticleIndex(Settings(data_dir=data_dir, embed_batch_size=2))
    seen: list[tuple[str, int]] = []
    stored_before: list[int] = []

    def progress(item: ItemResult) -> None:
        stored = index.catalog.counts()[0]
        if item.status == "added":
            # Stored by the time it is reported...
            assert index.catalog.content_hash(item.article_id or "") is not None
            # ...and reported as soon as its embedding batch was stored.
            stored_before.append(stored - sum(1 for s, _ in seen if s == "added"))
        seen.append((item.status, stored))

    report = add_inputs(index, [str(jsonl)], progress=progress)
    index.close()
    assert len(seen) == count_articles([str(jsonl)]) == 11
    assert [s for s, _ in seen].count("added") == 9
    assert [s for s, _ in seen].count("failed") == 1
    assert [s for s, _ in seen].count("unchanged") == 1
    # Never more than one batch (two articles) stored ahead of the reports.
    assert max(stored_before) <= 2, stored_before
    assert report.summary() == {"added": 9, "updated": 0, "unchanged": 1, "failed": 1}


def test_reindex_reports_each_article_against_the_total(seeded_index: ArticleIndex) -> None:
    index = seeded_index
    more = [
        {"title": f"Berita {i}", "content": f"Isi singkat berita nomor {i} hari ini."}
        for i in range(4)
    ]
    jsonl = index.settings.data_dir.parent / "lagi.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in more) + "\n", encoding="utf-8")
    add_inputs(index, [str(jsonl)])
    calls: list[tuple[int, int]] = []
    count = index.reindex(lambda a: chunk_for_index(index, a), progress=lambda *c: calls.append(c))
    assert count == 5
    assert calls == [(i, 5) for i in range(1, 6)]
    assert index.dense.count() == index.catalog.counts()[1]


def test_the_sentence_vectors_step_reports_its_own_progress_after_the_articles(
    data_dir: Path, tmp_path: Path
) -> None:
    """The last step of `add` (and `reindex`) makes the sentence vectors the
    answers read, about as long as embedding the passages: it has a progress
    of its own, from the first chunk to all of them, after every article was
    reported (a bar stuck at the last article looked like a hang)."""
    rows = [
        {"title": f"Berita {i}", "content": f"Isi berita nomor {i}. Kalimat kedua {i} di sini."}
        for i in range(5)
    ]
    jsonl = tmp_path / "berita.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    index = ArticleIndex(Settings(data_dir=data_dir, embed_batch_size=2))
    events: list[tuple[str, int, int]] = []
    add_inputs(
        index,
        [str(jsonl)],
        progress=lambda item: events.append(("article", 0, 0)),
        sentence_progress=lambda done, total: events.append(("sentences", done, total)),
    )
    chunks = index.catalog.counts()[1]
    sentence_events = [e for e in events if e[0] == "sentences"]
    assert [e[0] for e in events[:5]] == ["article"] * 5 and sentence_events
    assert events.index(sentence_events[0]) == 5  # after every article
    assert sentence_events[-1] == ("sentences", chunks, chunks)
    assert [d for _, d, _ in sentence_events] == sorted(d for _, d, _ in sentence_events)
    assert index.stats()["chunks_waiting_for_sentence_vectors"] == 0

    calls: list[tuple[int, int]] = []
    index.reindex(
        lambda a: chunk_for_index(index, a),
        sentence_progress=lambda *c: calls.append(c),
    )
    index.close()
    assert calls and calls[-1] == (chunks, chunks)
