"""Settings: `.env.example` documents every one, `.env` is read, and a bad
value is a one-line error, not a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from retrieval.core.settings import Settings
from tests.conftest import REPO


def documented_names() -> set[str]:
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def setting_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None)
        names.add(str(choices[0]) if choices else f"TANYA_{name.upper()}")
    return names


def test_env_example_documents_every_setting() -> None:
    assert documented_names() == setting_names()


def test_dotenv_is_read_and_lists_parse(data_dir: Path) -> None:
    Path(".env").write_text(
        "TANYA_TOP_K=7\nTANYA_ADMIN_IDS=11, 22 ;33\nTANYA_ALLOWED_CHATS=\nTELEGRAM_BOT_TOKEN=123:abc\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.top_k == 7
    assert settings.admin_ids == [11, 22, 33]
    assert settings.allowed_chats == []
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)  # secrets never print


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TANYA_TOP_K", "lots"),
        ("TANYA_TOP_K", "0"),
        ("TANYA_ADMIN_IDS", "alice"),
        ("TANYA_FUSION", "magic"),
        ("TANYA_PROXIMITY_WEIGHT", "-1"),
        ("TANYA_PROXIMITY_DEPTH", "many"),
    ],
)
def test_bad_setting_is_a_clear_error(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["stats"])
    assert result.exit_code == 2
    assert "invalid setting" in result.output
    assert "Traceback" not in result.output
