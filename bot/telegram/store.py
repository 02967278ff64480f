"""`ChatStore`: what the bot remembers between messages and across restarts.

One small SQLite file (`TANYA_DATA_DIR/telegram.sqlite3`):

- `turns`: each chat's last few question/answer pairs, for follow-up
  questions; trimmed to `TANYA_HISTORY_TURNS` on every write, so it stays
  bounded however long a chat goes on;
- `last_answers`: the passages behind each chat's last answer (`/sources`);
- `user_langs`: a language chosen with `/lang`.

Written per message rather than pickled as a whole on a timer (PTB's
`PicklePersistence`), so a crash loses nothing and the cost of a write does
not grow with the number of chats.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from retrieval.answer import Turn
from retrieval.text import LANGUAGES, Language

# An answer is remembered for condensing the next question, not to be shown
# again: its beginning is enough.
MAX_REMEMBERED_CHARS = 4000

_SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS turns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_chat ON turns(chat_id, seq);
CREATE TABLE IF NOT EXISTS last_answers (
    chat_id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    passages TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_langs (
    user_id INTEGER PRIMARY KEY,
    lang TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ChatStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- conversation history ---------------------------------------------------------------
    def history(self, chat_id: int, limit: int) -> list[Turn]:
        """The chat's last `limit` turns, oldest first."""
        if limit <= 0:
            return []
        with self._lock:
            rows = self._conn.execute(
                "SELECT question, answer FROM turns WHERE chat_id = ? ORDER BY seq DESC LIMIT ?",
                (chat_id, limit),
            ).fetchall()
        return [Turn(question=q, answer=a) for q, a in reversed(rows)]

    def add_turn(self, chat_id: int, turn: Turn, keep: int) -> None:
        """Remember a turn and forget all but the chat's last `keep`."""
        with self._lock, self._conn:
            self._conn.execute("BEGIN")
            if keep > 0:
                self._conn.execute(
                    "INSERT INTO turns (chat_id, question, answer, at) VALUES (?, ?, ?, ?)",
                    (chat_id, turn.question, turn.answer[:MAX_REMEMBERED_CHARS], _now()),
                )
            self._conn.execute(
                "DELETE FROM turns WHERE chat_id = ? AND seq NOT IN "
                "(SELECT seq FROM turns WHERE chat_id = ? ORDER BY seq DESC LIMIT ?)",
                (chat_id, chat_id, keep),
            )

    def reset(self, chat_id: int) -> None:
        with self._lock, self._conn:
            self._conn.execute("BEGIN")
            self._conn.execute("DELETE FROM turns WHERE chat_id = ?", (chat_id,))
            self._conn.execute("DELETE FROM last_answers WHERE chat_id = ?", (chat_id,))

    # --- /sources -------------------------------------------------------------------------------
    def set_last_answer(self, chat_id: int, question: str, passages: list[dict[str, Any]]) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO last_answers (chat_id, question, passages, at) "
                "VALUES (?, ?, ?, ?)",
                (chat_id, question, json.dumps(passages, ensure_ascii=False), _now()),
            )

    def last_answer(self, chat_id: int) -> tuple[str, list[dict[str, Any]]] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT question, passages FROM last_answers WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    # --- /lang ------------------------------------------------------------------------------------
    def lang(self, user_id: int) -> Language | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT lang FROM user_langs WHERE user_id = ?", (user_id,)
            ).fetchone()
        value = row[0] if row else None
        return value if value in LANGUAGES else None

    def set_lang(self, user_id: int, lang: Language | None) -> None:
        with self._lock:
            if lang is None:
                self._conn.execute("DELETE FROM user_langs WHERE user_id = ?", (user_id,))
            else:
                self._conn.execute(
                    "INSERT OR REPLACE INTO user_langs (user_id, lang) VALUES (?, ?)",
                    (user_id, lang),
                )
