"""One writer at a time per data dir, across processes.

Chroma's embedded store is not safe for two processes writing at once (its
HNSW files can be corrupted, and a long-running process never sees vectors
another process added), and the journal repair of one process must not undo
another's write in flight. So every write to an index, and the repair on
open, holds an exclusive `flock` on `DATA_DIR/index.lock`. A long-running
writer (the Telegram bot) holds it for its whole life, and `tanya add`
meanwhile gets a clear error naming the process that holds it.

The lock file records who holds it (pid, command, since), only for that
error message. The kernel releases a `flock` when its process dies, so a
crash never leaves the index locked.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock
    fcntl = None  # type: ignore[assignment]


class IndexBusyError(RuntimeError):
    """Another process is writing to this index."""


class WriteLock:
    """A re-entrant, cross-process exclusive lock on one data dir."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0
        self._mutex = threading.RLock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to `timeout` seconds; False if another
        process still holds it then."""
        with self._mutex:
            if self._fd is not None:
                self._depth += 1
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            deadline = time.monotonic() + timeout
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
            os.ftruncate(fd, 0)
            holder = f"pid {os.getpid()} ({_command()}) since {_now()}\n"
            os.pwrite(fd, holder.encode("utf-8"), 0)
            self._fd, self._depth = fd, 1
            return True

    def release(self) -> None:
        with self._mutex:
            if self._fd is None:
                return
            self._depth -= 1
            if self._depth > 0:
                return
            fd, self._fd = self._fd, None
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def release_all(self) -> None:
        with self._mutex:
            if self._fd is not None:
                self._depth = 1
                self.release()

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it (for error messages)."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "another process"
        except OSError:
            return "another process"


def _try_lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _command() -> str:
    args = [os.path.basename(sys.argv[0])] + sys.argv[1:3] if sys.argv else ["python"]
    return " ".join(args)[:80]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
