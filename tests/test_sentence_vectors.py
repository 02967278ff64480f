"""Sentence vectors stored with the index (issue 12, latency): `tanya add`
makes the vectors of every sentence the offline answerer may score, after
its passages' vectors, so `tanya ask` embeds only the question. Written
whole or not at all, per chunk; an index written before them keeps working
(the answerer embeds what it does not find) and `tanya reindex` fills them;
vectors of another embedder are never read."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from retrieval.answer.chain import Answerer
from retrieval.core.settings import Settings
from retrieval.store.article_index import ArticleIndex, passage_texts
from retrieval.store.hash_embeddings import HashEmbeddings
from retrieval.store.sentence_table import chunk_sentences, sentence_key
from tests.helpers.articles import BATTLE, RICE, sentence_chunks
from tests.helpers.cli import add_killed_while_fetching, tanya, tanya_json
from tests.servers.web import WebServer

QUESTIONS = (
    "Siapa yang memimpin pertempuran di Albu Kamal?",
    "Di mana Observatorium Suriah berbasis?",
    "Kapan pasukan rezim merebut Albu Kamal?",
    "Berapa harga beras di Jakarta?",
)


class CountingEmbeddings(HashEmbeddings):
    """The tests' embedder (same name, same vectors), keeping the passage
    texts it is asked to embed (the answerer embeds sentences as passages)."""

    def __init__(self) -> None:
        super().__init__()
        self.passages: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[override]
        self.passages.extend(texts)
        return super().embed_passages(texts)


class OtherEmbeddings(HashEmbeddings):
    """Another embedder: another name, other vectors (as after changing TANYA_EMBEDDER)."""

    def __init__(self) -> None:
        super().__init__()
        self.name = "test-other:reversed-384@1"

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[override]
        return np.ascontiguousarray(super().embed_passages(texts)[:, ::-1])


class InterruptedEmbeddings(HashEmbeddings):
    """The tests' embedder, Ctrl-C'd on its `after`+1-th call."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.calls, self.after = 0, after

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[override]
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return super().embed_passages(texts)


def articles_file(path: Path, n: int) -> Path:
    rows = [
        {
            "id": f"artikel-{i}",
            "title": f"Banjir di desa {i}",
            "content": " ".join(
                f"Kalimat nomor {j} tentang banjir di desa {i} ditulis oleh wartawan."
                for j in range(9)
            ),
        }
        for i in range(n)
    ]
    rows.append({"id": "perang", "title": BATTLE.title, "content": BATTLE.text})
    rows.append({"id": "beras", "title": RICE.title, "content": RICE.text})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def catalog(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / "catalog.sqlite3")


def sentence_state(data_dir: Path) -> dict[str, tuple[bool, set[bytes], set[bytes]]]:
    """Per stored chunk: journaled as waiting, the keys of its quotable
    sentences, and the keys stored for it."""
    with catalog(data_dir) as conn:
        chunks = conn.execute("SELECT rowid, id, text, start FROM chunks").fetchall()
        journal = {r[0] for r in conn.execute("SELECT chunk_rowid FROM sentence_journal")}
        stored: dict[int, set[bytes]] = {}
        for rowid, key in conn.execute("SELECT chunk_rowid, key FROM sentence_vectors"):
            stored.setdefault(rowid, set()).add(bytes(key))
    return {
        cid: (
            rowid in journal,
            {sentence_key(t) for t in chunk_sentences(text, start)},
            stored.get(rowid, set()),
        )
        for rowid, cid, text, start in chunks
    }


def assert_whole_or_waiting(data_dir: Path) -> tuple[int, int]:
    """Every chunk has all its sentence vectors and no journal row, or none
    and a journal row. Returns (chunks with vectors, chunks waiting)."""
    done = waiting = 0
    for cid, (journaled, wanted, stored) in sentence_state(data_dir).items():
        if journaled:
            assert stored == set(), cid
            waiting += 1
        else:
            assert stored == wanted, cid
            done += 1
    return done, waiting


def ask_all(data_dir: Path, embedder: HashEmbeddings) -> list[tuple[str, bool, list[str]]]:
    index = ArticleIndex(Settings(data_dir=data_dir), embedder=embedder, reembed_missing=False)
    try:
        answerer = Answerer(index, Settings(data_dir=data_dir, llm=""))
        out = []
        for question in QUESTIONS:
            answer = answerer.ask(question)
            out.append((answer.answer, answer.found, [c.quote for c in answer.citations]))
        return out
    finally:
        index.close()


def drop_sentence_tables(data_dir: Path) -> None:
    """The catalog as tanya before stored sentence vectors wrote it."""
    with catalog(data_dir) as conn:
        conn.execute("DROP TABLE sentence_vectors")
        conn.execute("DROP TABLE sentence_journal")
        conn.execute("DELETE FROM meta WHERE key='sentence_embedder'")


# --- after `tanya add`, `ask` embeds the question only ----------------------------------------
def test_after_tanya_add_answers_embed_no_sentence_and_answer_as_before(
    data_dir: Path, tmp_path: Path
) -> None:
    code, out = tanya("add", str(articles_file(tmp_path / "berita.jsonl", 3)))
    assert code == 0, out
    stats = tanya_json("stats")
    assert isinstance(stats, dict)
    assert stats["chunks_waiting_for_sentence_vectors"] == 0
    assert stats["sentence_vectors"] > stats["chunks"] > 0
    # Every sentence the answerer may score has its vector, none is waiting.
    assert assert_whole_or_waiting(data_dir) == (stats["chunks"], 0)

    counting = CountingEmbeddings()
    stored_answers = ask_all(data_dir, counting)
    assert counting.passages == []  # no sentence embedded while answering
    assert any(found for _, found, _ in stored_answers)

    # The same index without stored sentence vectors (as tanya wrote it
    # before): the answerer embeds its sentences, and answers the same.
    drop_sentence_tables(data_dir)
    counting = CountingEmbeddings()
    assert ask_all(data_dir, counting) == stored_answers
    assert counting.passages  # embedded at ask time, as before


def test_sentence_vectors_of_another_embedder_are_never_read(
    data_dir: Path, tmp_path: Path
) -> None:
    tanya("add", str(articles_file(tmp_path / "berita.jsonl", 1)))
    with catalog(data_dir) as conn:
        conn.execute("UPDATE meta SET value='someone-else' WHERE key='sentence_embedder'")
    counting = CountingEmbeddings()
    ask_all(data_dir, counting)
    assert counting.passages  # not trusted: embedded afresh


# --- crashes: whole or not at all, per chunk ------------------------------------------------
def test_an_add_killed_before_its_sentence_vectors_leaves_them_waiting_and_the_next_add_makes_them(
    data_dir: Path, tmp_path: Path, web_server: WebServer
) -> None:
    """`tanya add FILE SLOW_URL` killed while it waits on the page: the
    file's articles are stored with every chunk journaled for sentence
    vectors (in the transaction that stored it) and none written."""
    add_killed_while_fetching(
        [sys.executable, "-m", "bot.cli"],
        [str(articles_file(tmp_path / "a.jsonl", 2))],
        data_dir,
        web_server,
    )
    done, waiting = assert_whole_or_waiting(data_dir)
    assert done == 0 and waiting > 0
    assert tanya_json("stats")["chunks_waiting_for_sentence_vectors"] == waiting  # type: ignore[index]
    # Reading never embeds them; the next add does, the old articles' too.
    counting = CountingEmbeddings()
    ask_all(data_dir, counting)
    assert assert_whole_or_waiting(data_dir) == (0, waiting)
    code, out = tanya("add", str(articles_file(tmp_path / "b.jsonl", 1)))
    assert code == 0, out
    done, waiting = assert_whole_or_waiting(data_dir)
    assert waiting == 0 and done == tanya_json("stats")["chunks"]  # type: ignore[index]


def test_sentence_vectors_interrupted_half_way_are_whole_per_chunk(settings: Settings) -> None:
    """Ctrl-C in the middle of making sentence vectors (after a first round
    was written): each chunk has all of its vectors or none, and the next
    writer makes the rest."""
    small = settings.model_copy(update={"embed_batch_size": 2})  # rounds of 4 chunks
    # 5 chunks of one sentence each: a first round of 4 (one embedder call),
    # then the Ctrl-C on the second round's call.
    embedder = InterruptedEmbeddings(after=1)
    index = ArticleIndex(small, embedder=embedder)
    items = [(a, sentence_chunks(a)) for a in (BATTLE, RICE)]
    index.write(items, vectors=HashEmbeddings().embed_passages(passage_texts(items)))
    with pytest.raises(KeyboardInterrupt):
        index.embed_waiting_sentences()
    index.close()
    done, waiting = assert_whole_or_waiting(settings.data_dir)
    assert done > 0 and waiting > 0

    index = ArticleIndex(settings, embedder=HashEmbeddings())
    assert index.embed_waiting_sentences() == waiting
    index.close()
    assert assert_whole_or_waiting(settings.data_dir) == (done + waiting, 0)


# --- old indexes and reindex ------------------------------------------------------------------
def test_an_index_from_before_sentence_vectors_answers_and_reindex_fills_them(
    data_dir: Path, tmp_path: Path
) -> None:
    tanya("add", str(articles_file(tmp_path / "a.jsonl", 2)))
    counting = CountingEmbeddings()
    stored_answers = ask_all(data_dir, counting)
    drop_sentence_tables(data_dir)

    # Opened by this tanya: the tables are there, empty; nothing is journaled
    # (a later add does not embed the whole old index), answers are the same.
    stats = tanya_json("stats")
    assert isinstance(stats, dict)
    assert stats["sentence_vectors"] == stats["chunks_waiting_for_sentence_vectors"] == 0
    assert ask_all(data_dir, CountingEmbeddings()) == stored_answers
    # A new article gets its sentence vectors; the old ones wait for a reindex.
    code, out = tanya("add", str(one_article(tmp_path)))
    assert code == 0, out
    state = sentence_state(data_dir)
    for cid, (journaled, wanted, stored) in state.items():
        assert not journaled
        assert stored == (wanted if cid.startswith("gempa:") else set()), cid
    before_reindex = ask_all(data_dir, CountingEmbeddings())

    code, out = tanya("reindex")
    assert code == 0, out
    assert assert_whole_or_waiting(data_dir) == (len(state), 0)
    counting = CountingEmbeddings()
    assert ask_all(data_dir, counting) == before_reindex
    assert counting.passages == []


def one_article(tmp_path: Path) -> Path:
    path = tmp_path / "gempa.jsonl"
    row = {
        "id": "gempa",
        "title": "Gempa di Cianjur",
        "content": "Gempa mengguncang Cianjur pagi ini.",
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


def test_reindex_with_another_embedder_replaces_the_sentence_vectors(settings: Settings) -> None:
    other = OtherEmbeddings()
    index = ArticleIndex(settings, embedder=other)
    items = [(a, sentence_chunks(a)) for a in (BATTLE, RICE)]
    index.write(items)
    index.embed_waiting_sentences()
    index.close()
    with catalog(settings.data_dir) as conn:
        before = conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0]
    assert before > 0

    code, out = tanya("reindex")  # the configured embedder: test-hash
    assert code == 0, out
    assert assert_whole_or_waiting(settings.data_dir) == (len(sentence_state(settings.data_dir)), 0)
    mine = HashEmbeddings()
    with catalog(settings.data_dir) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='sentence_embedder'").fetchone() == (
            mine.name,
        )
        chunks = conn.execute("SELECT rowid, text, start FROM chunks").fetchall()
        for rowid, text, start in chunks:
            for sentence in chunk_sentences(text, start):
                (blob,) = conn.execute(
                    "SELECT vector FROM sentence_vectors WHERE chunk_rowid=? AND key=?",
                    (rowid, sentence_key(sentence)),
                ).fetchone()
                stored = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
                expected = mine.embed_passages([sentence])[0]
                assert np.allclose(stored, expected, atol=1e-3)


def test_a_reindex_to_another_embedder_forgets_the_old_sentence_vectors_first(
    settings: Settings,
) -> None:
    """Killed right after its first steps, a reindex has left no vector of
    the old embedder for the answerer to read as the new one's."""
    index = ArticleIndex(settings, embedder=OtherEmbeddings())
    index.write([(a, sentence_chunks(a)) for a in (BATTLE, RICE)])
    index.embed_waiting_sentences()
    index.close()
    index = ArticleIndex(settings, embedder=HashEmbeddings())
    assert index.start_reindex() is False  # then killed
    assert index.sentence_vectors([c.text for c in sentence_chunks(BATTLE)]) == {}
    assert index.catalog.sentences.count() == 0
    index.close()
    assert assert_whole_or_waiting(settings.data_dir)[0] == 0


class FailingOnEmbeddings(HashEmbeddings):
    """The tests' embedder, failing on any batch holding a text with `word`."""

    def __init__(self, word: str) -> None:
        super().__init__()
        self.word = word

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[override]
        if any(self.word in t for t in texts):
            raise ValueError(f"cannot embed a text with {self.word!r}")
        return super().embed_passages(texts)


def test_a_sentence_the_embedder_fails_on_keeps_its_chunk_waiting_and_no_other(
    settings: Settings,
) -> None:
    items = [(a, sentence_chunks(a)) for a in (BATTLE, RICE)]
    index = ArticleIndex(settings, embedder=FailingOnEmbeddings("Cipinang"))
    index.write(items, vectors=HashEmbeddings().embed_passages(passage_texts(items)))
    assert index.embed_waiting_sentences() == len(items[0][1]) + len(items[1][1]) - 1
    index.close()
    state = sentence_state(settings.data_dir)
    waiting = [cid for cid, (journaled, _, _) in state.items() if journaled]
    assert len(waiting) == 1
    with catalog(settings.data_dir) as conn:
        (text,) = conn.execute("SELECT text FROM chunks WHERE id=?", (waiting[0],)).fetchone()
    assert "Cipinang" in text
    assert assert_whole_or_waiting(settings.data_dir) == (len(state) - 1, 1)


def test_with_sentence_vectors_switched_off_add_makes_none_and_ask_embeds_them(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANYA_SENTENCE_VECTORS", "false")
    code, out = tanya("add", str(articles_file(tmp_path / "a.jsonl", 1)))
    assert code == 0, out
    stats = tanya_json("stats")
    assert stats["sentence_vectors"] == stats["chunks_waiting_for_sentence_vectors"] == 0  # type: ignore[index]
    counting = CountingEmbeddings()
    assert any(found for _, found, _ in ask_all(data_dir, counting))
    assert counting.passages  # embedded at ask time, as before
