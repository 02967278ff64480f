"""The followed sources (`tanya follow`), in `TANYA_DATA_DIR/follow.sqlite3`.

Per source: the validators of its last answer (ETag, Last-Modified) for
conditional requests, when it was polled, what came of it, and how many
polls in a row failed (for backoff and the admins' note); per item: that it
was seen, so a restart never fetches an old item again.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from retrieval.text.urls import canonical_url

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    allow_private INTEGER NOT NULL,   -- 0 when followed from chat: public addresses only
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_poll TEXT,
    last_result TEXT,                 -- "ok", "not modified", or the error
    failures_in_row INTEGER NOT NULL DEFAULT 0,
    skip_rounds INTEGER NOT NULL DEFAULT 0,  -- backoff: rounds left to skip
    polls INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    new_last INTEGER NOT NULL DEFAULT 0,
    new_total INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS seen (
    source TEXT NOT NULL REFERENCES sources(url) ON DELETE CASCADE,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,             -- added/updated/unchanged, or "failed" while retried
    attempts INTEGER NOT NULL DEFAULT 1,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (source, key)
);
"""

# An item that failed this many polls is not tried again (a dead link).
MAX_ITEM_ATTEMPTS = 3
# Backoff never skips more rounds than this (16 × 30 min = 8 hours).
MAX_SKIP_ROUNDS = 16


@dataclass(frozen=True)
class FollowedSource:
    url: str
    allow_private: bool
    added_by: str
    added_at: str
    etag: str | None
    last_modified: str | None
    last_poll: str | None
    last_result: str | None
    failures_in_row: int
    skip_rounds: int
    polls: int
    errors: int
    new_last: int
    new_total: int

    def as_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "added_by": self.added_by,
            "added_at": self.added_at,
            "last_poll": self.last_poll,
            "last_result": self.last_result,
            "new_articles_last_poll": self.new_last,
            "new_articles_total": self.new_total,
            "polls": self.polls,
            "errors": self.errors,
            "failures_in_row": self.failures_in_row,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FollowStore:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "follow.sqlite3"
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- sources -------------------------------------------------------------------------
    def follow(self, url: str, *, allow_private: bool, added_by: str) -> bool:
        """Record a source; False when it was already followed (also as
        written with another trailing slash or host case)."""
        if self.get(url) is not None:
            return False
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO sources(url, allow_private, added_by, added_at)"
                " VALUES (?, ?, ?, ?)",
                (url.strip(), int(allow_private), added_by, _now()),
            )
        return cur.rowcount > 0

    def unfollow(self, url: str) -> str | None:
        """Forget a source (and what was seen of it); the URL removed, or None."""
        found = self.get(url)
        if found is None:
            return None
        with self._lock:
            self._conn.execute("DELETE FROM sources WHERE url=?", (found.url,))
        return found.url

    def get(self, url: str) -> FollowedSource | None:
        """The source `url` names, also when written with another trailing slash or host case."""
        wanted = canonical_url(url)
        return next((s for s in self.sources() if canonical_url(s.url) == wanted), None)

    def sources(self) -> list[FollowedSource]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT url, allow_private, added_by, added_at, etag, last_modified, last_poll,"
                " last_result, failures_in_row, skip_rounds, polls, errors, new_last, new_total"
                " FROM sources ORDER BY added_at, url"
            ).fetchall()
        return [FollowedSource(r[0], bool(r[1]), *r[2:]) for r in rows]

    def record_poll(
        self,
        url: str,
        *,
        result: str,
        ok: bool,
        new: int = 0,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> int:
        """Store a poll's outcome; returns the failures in a row after it. A
        failure sets the backoff: after n in a row, the next 2**(n-1) - 1
        rounds skip the source."""
        with self._lock:
            if ok:
                self._conn.execute(
                    "UPDATE sources SET last_poll=?, last_result=?, failures_in_row=0,"
                    " skip_rounds=0, polls=polls+1, new_last=?, new_total=new_total+?,"
                    " etag=coalesce(?, etag), last_modified=coalesce(?, last_modified)"
                    " WHERE url=?",
                    (_now(), result, new, new, etag, last_modified, url),
                )
                return 0
            self._conn.execute(
                "UPDATE sources SET last_poll=?, last_result=?, failures_in_row=failures_in_row+1,"
                " polls=polls+1, errors=errors+1, new_last=0 WHERE url=?",
                (_now(), result, url),
            )
            failures = int(
                self._conn.execute(
                    "SELECT failures_in_row FROM sources WHERE url=?", (url,)
                ).fetchone()[0]
            )
            skip = min(2 ** (failures - 1) - 1, MAX_SKIP_ROUNDS)
            self._conn.execute("UPDATE sources SET skip_rounds=? WHERE url=?", (skip, url))
            return failures

    def take_backoff_round(self, url: str) -> bool:
        """True (and one round fewer left) when the source is backing off."""
        with self._lock:
            cur = self._conn.execute(
                "UPDATE sources SET skip_rounds=skip_rounds-1 WHERE url=? AND skip_rounds>0",
                (url,),
            )
        return cur.rowcount > 0

    # --- items -----------------------------------------------------------------------------
    def is_done(self, source: str, key: str) -> bool:
        """Seen before and not to be tried again."""
        with self._lock:
            row = self._conn.execute(
                "SELECT status, attempts FROM seen WHERE source=? AND key=?", (source, key)
            ).fetchone()
        return row is not None and (row[0] != "failed" or row[1] >= MAX_ITEM_ATTEMPTS)

    def mark(self, source: str, key: str, url: str, status: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO seen(source, key, url, status, first_seen) VALUES (?,?,?,?,?)"
                " ON CONFLICT(source, key) DO UPDATE SET status=excluded.status,"
                " attempts=attempts+1",
                (source, key, url, status, _now()),
            )
