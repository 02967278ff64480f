"""Shared fixtures: a fresh data dir per test, a real index with the real
default embedder (loaded once per process), and the local protocol servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests must never read the developer's own .env or index.
os.environ.pop("TANYA_DATA_DIR", None)
for _name in list(os.environ):
    if _name.startswith("TANYA_") or _name in ("OPENAI_API_KEY", "TELEGRAM_BOT_TOKEN"):
        os.environ.pop(_name)

from retrieval.core.settings import Settings  # noqa: E402
from retrieval.store.article_index import ArticleIndex  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_8a29ea16598655b2.txt"
FACQA = REPO.parent / "shared" / "data" / "facqa"

# The local protocol servers' fixtures: telegram_server, openai_server, web_server.
from tests.servers.fixtures import *  # noqa: E402, F403


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
