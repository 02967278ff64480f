"""New articles are found by their words as soon as they are stored, before
their vectors exist (issue 13, item 3): the write stores the catalog and BM25
first and the vectors after, a crash between the two loses nothing and
leaves nothing half-written, `tanya stats` says what waits for vectors, and
the next writer embeds it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex, fuse, passage_texts
from tests.helpers.articles import BATTLE, RICE, make_article, sentence_chunks
from tests.helpers.cli import command_env, tanya, tanya_json, wait_for
from tests.servers.web import WebServer

FLOOD = {
    "id": "banjir-kuala-simpang",
    "title": "Banjir bandang melanda Kuala Simpang",
    "content": "Banjir bandang melanda Kuala Simpang di Aceh Tamiang pada Rabu malam. "
    "Ratusan rumah warga terendam lumpur setinggi dua meter. "
    "Badan Penanggulangan Bencana Daerah mengerahkan perahu karet untuk evakuasi.",
}
FLOOD_QUERY = "banjir bandang Kuala Simpang"


def write_jsonl(path: Path, *rows: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def titles(hits: object) -> list[str]:
    assert isinstance(hits, list)
    return [h["title"] for h in hits]


def journal(data_dir: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
        return sorted(conn.execute("SELECT chunk_id, op FROM dense_journal").fetchall())


def chunk_ids_of(data_dir: Path, article_id: str) -> list[str]:
    with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
        rows = conn.execute("SELECT id FROM chunks WHERE article_id=?", (article_id,))
        return sorted(r[0] for r in rows)


# --- a real add, killed between the two stores -----------------------------------------------
def test_an_add_killed_before_its_vectors_loses_nothing_and_the_next_writer_embeds_them(
    data_dir: Path, tmp_path: Path, web_server: WebServer
) -> None:
    """`tanya add FLOOD.jsonl SLOW_URL`: the flood article is stored, then the
    add waits on a page that hangs, with the article's passages not embedded
    yet (their batch is not full). Meanwhile search finds it by its words,
    dense search does not see it, stats say it waits; then the add is killed
    (SIGKILL: a crash), and the article is still whole, waiting, until the
    next writer embeds it and dense search finds it too."""
    older = write_jsonl(tmp_path / "beras.jsonl", {"title": RICE.title, "content": RICE.text})
    assert tanya_json("add", str(older))["summary"]["added"] == 1
    flood = write_jsonl(tmp_path / "banjir.jsonl", FLOOD)
    slow = web_server.hang("/lambat", 120)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "add", "--json", str(flood), slow],
        env=command_env(
            TANYA_DATA_DIR=str(data_dir), TANYA_FETCH_TIMEOUT="150", TANYA_EMBED_BATCH_SIZE="64"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: web_server.requests_to("/lambat"), proc, "it fetched the slow page")

        # Stored, before any vector: found by its words, in both modes that use them.
        assert titles(tanya_json("search", FLOOD_QUERY, "--mode", "lexical"))[0] == FLOOD["title"]
        hybrid = tanya_json("search", FLOOD_QUERY)
        assert titles(hybrid)[0] == FLOOD["title"]
        assert hybrid[0]["lexical_rank"] == 1 and hybrid[0]["dense_rank"] is None  # type: ignore[index]
        assert FLOOD["title"] not in titles(tanya_json("search", FLOOD_QUERY, "--mode", "dense"))
        stats = tanya_json("stats")
        assert isinstance(stats, dict)
        flood_chunks = chunk_ids_of(data_dir, FLOOD["id"])
        assert stats["articles"] == 2
        assert stats["articles_waiting_for_vectors"] == 1
        assert stats["chunks_waiting_for_vectors"] == len(flood_chunks) > 0
        assert stats["vectors"] == stats["chunks"] - len(flood_chunks)
    finally:
        proc.kill()
        proc.wait()

    # After the crash: the article whole in the catalog (its passages and
    # BM25 terms), no vector of it in Chroma, each passage journaled waiting.
    assert journal(data_dir) == [(c, "pending") for c in flood_chunks]
    reader = ArticleIndex(Settings(data_dir=data_dir), reembed_missing=False)
    stored = reader.article(FLOOD["id"])
    assert stored is not None and stored.n_chunks == len(flood_chunks)
    assert not reader.dense.all_ids() & set(flood_chunks)
    assert reader.last_repair.waiting_articles == 1 and reader.embedded_passages == 0
    reader.close()

    # Reading commands never embed; they say what waits and what to run.
    code, out = tanya("list")
    assert code == 0 and "1 article(s) are waiting for vectors" in " ".join(out.split())
    stats = tanya_json("stats")
    assert stats["chunks_waiting_for_vectors"] == len(flood_chunks)  # type: ignore[index]
    assert titles(tanya_json("search", FLOOD_QUERY))[0] == FLOOD["title"]

    # The next writer embeds what waits; then dense search finds it too.
    other = write_jsonl(tmp_path / "perang.jsonl", {"title": BATTLE.title, "content": BATTLE.text})
    assert tanya_json("add", str(other))["summary"]["added"] == 1
    stats = tanya_json("stats")
    assert stats["articles_waiting_for_vectors"] == stats["chunks_waiting_for_vectors"] == 0  # type: ignore[index]
    assert stats["vectors"] == stats["chunks"]  # type: ignore[index]
    assert journal(data_dir) == []
    dense = tanya_json("search", FLOOD_QUERY, "--mode", "dense", "-k", "1")
    assert titles(dense) == [FLOOD["title"]]


# --- the state each step of the write protocol leaves, as a crash there would ---------------
def test_stored_without_vectors_is_searched_by_words_and_embedded_on_the_next_open(
    settings: Settings,
) -> None:
    """Step 1 done (catalog and BM25 committed), then the process died."""
    index = ArticleIndex(settings)
    index.write([(RICE, sentence_chunks(RICE))])
    ids = index.store([(BATTLE, sentence_chunks(BATTLE))])
    index.close()

    reader = ArticleIndex(settings, reembed_missing=False)
    assert reader.last_repair.waiting_articles == 1 and reader.last_repair.missing_vectors == 3
    assert "waiting for vectors" in (reader.last_repair.waiting_message() or "")
    hits = reader.search("Hizbullah memimpin pertempuran", k=3)
    assert hits[0].chunk.article_id == BATTLE.id and hits[0].dense_rank is None
    dense = reader.search("Hizbullah memimpin pertempuran", k=5, mode="dense")
    assert {h.chunk.article_id for h in dense} == {RICE.id}
    stats = reader.stats()
    assert (stats["articles_waiting_for_vectors"], stats["chunks_waiting_for_vectors"]) == (1, 3)
    reader.close()

    writer = ArticleIndex(settings)
    assert writer.last_repair.reembedded_chunks == 3 and writer.last_repair.removed_vectors == 0
    assert writer.dense.all_ids() == writer.catalog.all_chunk_ids() >= set(ids)
    assert writer.catalog.journal_entries() == []
    dense = writer.search("Hizbullah memimpin pertempuran", k=1, mode="dense")
    assert dense[0].chunk.article_id == BATTLE.id
    writer.close()


def test_vectors_written_but_not_yet_cleared_are_kept_and_cleared(settings: Settings) -> None:
    """Step 4 half done: the vectors are in Chroma, the journal still says
    they wait (the process died between the upsert and the commit)."""
    index = ArticleIndex(settings)
    items = [(BATTLE, sentence_chunks(BATTLE))]
    ids = index.store(items)
    vectors = index.embed_passages(passage_texts(items))
    index.dense.upsert(ids, vectors, [{"article_id": BATTLE.id}] * len(ids))
    index.close()

    writer = ArticleIndex(settings)
    assert writer.last_repair.removed_vectors == 0
    assert writer.dense.all_ids() == set(ids) == writer.catalog.all_chunk_ids()
    assert writer.catalog.journal_entries() == []
    assert writer.search("Hizbullah", k=1, mode="dense")[0].chunk.article_id == BATTLE.id
    writer.close()


def test_an_update_stored_without_vectors_drops_the_old_ones(settings: Settings) -> None:
    """A changed article stored (step 1), the old version's vectors deleted
    (step 2), then the process died: neither version is half there."""
    url = "https://example.com/berita/palu"
    first = make_article("Gempa mengguncang Palu pada Jumat. Warga mengungsi", url=url)
    second = make_article("Gempa mengguncang Donggala pada Sabtu. Ribuan warga mengungsi", url=url)
    index = ArticleIndex(settings)
    index.write([(first, sentence_chunks(first))])
    old_ids = index.dense.all_ids()
    new_ids = index.store([(second, sentence_chunks(second))])
    index.close()

    reader = ArticleIndex(settings, reembed_missing=False)
    assert not reader.dense.all_ids() & old_ids  # the old vectors are gone
    hits = reader.search("gempa Donggala", k=5, mode="lexical")
    assert [h.chunk.chunk_id for h in hits][:1] == [new_ids[0]]
    assert not reader.search("Palu Jumat", k=5, mode="lexical")  # the old text is gone
    reader.close()
    writer = ArticleIndex(settings)
    assert writer.dense.all_ids() == set(new_ids) == writer.catalog.all_chunk_ids()
    assert writer.catalog.journal_entries() == []
    writer.close()


def test_a_store_that_fails_writes_nothing_anywhere(settings: Settings) -> None:
    """A store cut short inside its transaction (here: two passages with the
    same id, refused by SQLite) leaves no article, passage, BM25 term or
    journal row, and no vector."""
    index = ArticleIndex(settings)
    index.write([(RICE, sentence_chunks(RICE))])
    before = (index.counts(), index.catalog.lexical.counts(), index.dense.count())
    broken = sentence_chunks(BATTLE)
    with pytest.raises(sqlite3.IntegrityError):
        index.store([(BATTLE, [*broken, broken[0]])])
    assert (index.counts(), index.catalog.lexical.counts(), index.dense.count()) == before
    assert index.article(BATTLE.id) is None and index.catalog.journal_entries() == []
    assert not index.search("Hizbullah", k=3, mode="lexical")
    index.close()


def test_embed_waiting_embeds_what_store_left_and_is_idempotent(settings: Settings) -> None:
    """What the bot runs in the background after an add: every waiting passage
    gets its vector, once; calling it again does nothing."""
    index = ArticleIndex(settings)
    index.hold_write_lock()  # as the bot does
    index.store([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    assert index.stats()["chunks_waiting_for_vectors"] == 5 and index.dense.count() == 0
    assert index.embed_waiting() == 5
    assert index.embed_waiting() == 0
    assert index.stats()["chunks_waiting_for_vectors"] == 0
    assert index.dense.all_ids() == index.catalog.all_chunk_ids()
    # Stopped at once (a bot shutting down): nothing embedded, all still waits.
    flood = make_article(FLOOD["content"], title=FLOOD["title"])
    index.store([(flood, sentence_chunks(flood))])
    assert index.embed_waiting(stop=lambda: True) == 0
    assert index.stats()["chunks_waiting_for_vectors"] == 3
    index.close()


# --- fusion with passages that have no vector yet -------------------------------------------
def test_a_passage_without_vector_is_ranked_by_bm25_alone() -> None:
    dense = [("old-a", 0.9), ("old-b", 0.85), ("old-c", 0.5)]
    lexical = [("new", 12.0), ("old-b", 10.0), ("old-a", 2.0)]
    # Without knowing it waits, the new passage scores 0 on the dense side.
    assert fuse(dense, lexical)[0][0] == "old-b"
    # Knowing it waits, its lexical score stands for both sides: first.
    fused = dict(fuse(dense, lexical, no_vector={"new"}))
    assert fused["new"] == pytest.approx(1.0)
    assert max(fused, key=fused.__getitem__) == "new"
    assert fused["old-b"] == pytest.approx(dict(fuse(dense, lexical))["old-b"])
    rrf = fuse(dense, lexical, method="rrf", no_vector={"new"})
    assert rrf[0][0] == "new"
    # A lone lexical hit is its list's best (it scored 0 before: dropped from
    # a top k that the dense side filled).
    lone = fuse(dense, [("new", 3.0)], no_vector={"new"})
    assert lone[0] == ("new", pytest.approx(1.0))
    # With no dense side at all (lexical mode), nothing changes.
    assert fuse([], lexical, no_vector={"new"}) == fuse([], lexical)


def test_hybrid_search_ranks_a_waiting_article_by_its_words(index: ArticleIndex) -> None:
    """Many articles with vectors share some words with the query; the one
    waiting for vectors holds all of them and still comes first."""
    others = [
        make_article(
            f"Banjir merendam desa nomor {i} di Aceh. Warga mengungsi ke masjid",
            title=f"Banjir di desa {i}",
        )
        for i in range(12)
    ]
    index.write([(a, sentence_chunks(a)) for a in others])
    flood = make_article(FLOOD["content"], title=FLOOD["title"])
    index.store([(flood, sentence_chunks(flood))])
    hits = index.search(FLOOD_QUERY, k=5)
    assert hits[0].chunk.article_id == flood.id
    assert hits[0].dense_rank is None and hits[0].lexical_rank == 1
    assert len(hits) == 5  # the others still fill the list


def test_vectors_written_for_a_replaced_passage_are_never_kept(settings: Settings) -> None:
    """Vectors that arrive for passages an update replaced meanwhile (the bot
    embeds in the background while it stores) are skipped, not left behind."""
    url = "https://example.com/berita/palu"
    first = make_article("Gempa mengguncang Palu pada Jumat. Warga mengungsi", url=url)
    second = make_article("Gempa mengguncang Donggala pada Sabtu. Ribuan warga mengungsi", url=url)
    index = ArticleIndex(settings)
    index.hold_write_lock()  # as the bot does: no repair (which embeds) between the steps
    items = [(first, sentence_chunks(first))]
    old_ids = index.store(items)
    old_vectors = index.embed_passages(passage_texts(items))
    index.store([(second, sentence_chunks(second))])  # replaced before its vectors came
    assert index.add_vectors(old_ids, old_vectors) == 0
    assert index.dense.count() == 0
    assert index.embed_waiting() == 2
    assert index.dense.all_ids() == index.catalog.all_chunk_ids()
    index.close()


def test_stats_table_shows_what_waits(data_dir: Path, settings: Settings) -> None:
    index = ArticleIndex(settings)
    index.store([(BATTLE, sentence_chunks(BATTLE))])
    index.close()
    code, out = tanya("stats")
    assert code == 0, out
    assert "articles_waiting_for_vectors" in out and "chunks_waiting_for_vectors" in out
    assert os.environ["TANYA_EMBEDDER"] in out
