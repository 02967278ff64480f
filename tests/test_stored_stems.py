"""Passages keep their words' stems (issue 13, cold start): `tanya add`
stores, with each passage, the stem of every word of its title and text,
in the transaction that stores the passage, so a search re-ranks and quotes
its passages without running the stemmer over them (Sastrawi took 0.1-0.2 s
of a cold `tanya ask`). The stems are the stemmer's own answers, so search
and answers do not change; an index written before them keeps working (its
words are stemmed when read) and `tanya reindex` fills them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from retrieval.text.lexical import stem, word_stems
from tests.helpers.cli import TANYA, add_killed_while_fetching, command_env, tanya
from tests.servers.web import WebServer
from tests.test_sentence_vectors import QUESTIONS, articles_file, catalog, one_article

SEARCH = "Siapa yang memimpin pertempuran di Albu Kamal?"


def stored_stems(data_dir: Path) -> dict[str, dict[str, str] | None]:
    """Per stored chunk id: the stems kept with it (decoded), None if none."""
    with catalog(data_dir) as conn:
        rows = conn.execute("SELECT id, stems FROM chunks").fetchall()
    return {
        cid: None if raw is None else {w: s or w for w, s in json.loads(raw).items()}
        for cid, raw in rows
    }


def expected_stems(data_dir: Path) -> dict[str, dict[str, str]]:
    """Per stored chunk id: what the stemmer makes of its title's and text's words."""
    with catalog(data_dir) as conn:
        rows = conn.execute(
            "SELECT c.id, a.title, c.text FROM chunks c JOIN articles a ON a.id = c.article_id"
        ).fetchall()
    return {cid: word_stems(title + "\n" + text) for cid, title, text in rows}


def read_in_a_fresh_process(data_dir: Path) -> dict[str, object]:
    """`tanya search` and `tanya ask` for each question in a new process (as
    a cold command runs), with how many words Sastrawi stemmed meanwhile
    (its own cache holds each word it stemmed)."""
    probe = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        "from retrieval.text import lexical\n"
        f"questions = {list(QUESTIONS)!r}\n"
        "out = {'search': [], 'ask': []}\n"
        "for q in questions:\n"
        "    r = CliRunner().invoke(app, ['search', q, '--json'])\n"
        "    assert r.exit_code == 0, r.output\n"
        "    out['search'].append([(h['chunk_id'], round(h['score'], 9))"
        " for h in json.loads(r.output)])\n"
        "    r = CliRunner().invoke(app, ['ask', q, '--json'])\n"
        "    assert r.exit_code == 0, r.output\n"
        "    a = json.loads(r.output)\n"
        "    out['ask'].append((a['answer'], a['found'], [c['quote'] for c in a['citations']]))\n"
        "out['sastrawi_words'] = len(lexical._stemmer.get_cache().data)\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        env=command_env(TANYA_DATA_DIR=str(data_dir), TANYA_LLM=""),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def forget_stems(data_dir: Path) -> None:
    """The catalog as a tanya from before stored stems wrote it: no column."""
    with catalog(data_dir) as conn:
        conn.execute("ALTER TABLE chunks DROP COLUMN stems")


def test_add_stores_each_passages_stems_and_reading_them_changes_no_result(
    data_dir: Path, tmp_path: Path
) -> None:
    code, out = tanya("add", str(articles_file(tmp_path / "berita.jsonl", 3)))
    assert code == 0, out
    stems = stored_stems(data_dir)
    assert stems and stems == expected_stems(data_dir)
    # The stemmer's own answers: "pertempuran" → "tempur", names as they are.
    battle = next(s for cid, s in stems.items() if cid.startswith("perang:"))
    assert battle is not None and battle["pertempuran"] == stem("pertempuran") == "tempur"

    with_stems = read_in_a_fresh_process(data_dir)
    forget_stems(data_dir)
    without = read_in_a_fresh_process(data_dir)
    assert with_stems["search"] == without["search"]
    assert with_stems["ask"] == without["ask"]
    assert any(found for _, found, _ in with_stems["ask"])  # type: ignore[attr-defined]
    # Without stored stems every word of the passages read is stemmed; with
    # them, only the questions' words (and a few the answerer derives).
    assert isinstance(with_stems["sastrawi_words"], int)
    assert isinstance(without["sastrawi_words"], int)
    assert with_stems["sastrawi_words"] * 3 < without["sastrawi_words"]


def test_an_index_from_before_stored_stems_reads_as_before_and_reindex_fills_them(
    data_dir: Path, tmp_path: Path
) -> None:
    tanya("add", str(articles_file(tmp_path / "a.jsonl", 2)))
    before = read_in_a_fresh_process(data_dir)
    forget_stems(data_dir)

    # Opened by this tanya: the column is there, empty; reads are the same.
    assert read_in_a_fresh_process(data_dir)["ask"] == before["ask"]
    assert set(stored_stems(data_dir).values()) == {None}
    # A new article gets its stems; the old ones wait for a reindex.
    code, out = tanya("add", str(one_article(tmp_path)))
    assert code == 0, out
    expected = expected_stems(data_dir)
    for cid, stems in stored_stems(data_dir).items():
        assert stems == (expected[cid] if cid.startswith("gempa:") else None), cid
    before_reindex = read_in_a_fresh_process(data_dir)

    code, out = tanya("reindex")
    assert code == 0, out
    assert stored_stems(data_dir) == expected_stems(data_dir)
    after = read_in_a_fresh_process(data_dir)
    assert (after["search"], after["ask"]) == (before_reindex["search"], before_reindex["ask"])


def test_an_add_killed_midway_leaves_every_stored_passage_with_its_stems(
    data_dir: Path, tmp_path: Path, web_server: WebServer
) -> None:
    """`tanya add FILE SLOW_URL` killed (SIGKILL) while it waits on the
    page: the file's articles are stored whole, each passage with its stems
    (written in the transaction that stored it)."""
    add_killed_while_fetching(
        [TANYA], [str(articles_file(tmp_path / "a.jsonl", 2))], data_dir, web_server
    )
    stems = stored_stems(data_dir)
    assert len(stems) > 0
    assert stems == expected_stems(data_dir)


def test_removing_an_article_removes_its_stems(data_dir: Path, tmp_path: Path) -> None:
    tanya("add", str(articles_file(tmp_path / "a.jsonl", 1)))
    assert any(cid.startswith("perang:") for cid in stored_stems(data_dir))
    code, out = tanya("remove", "perang")
    assert code == 0, out
    with catalog(data_dir) as conn:
        words = [w for (raw,) in conn.execute("SELECT stems FROM chunks") for w in json.loads(raw)]
    assert "pertempuran" not in words  # the battle's words left with it
    assert stored_stems(data_dir) == expected_stems(data_dir)
