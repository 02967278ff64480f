"""`TanyaError`: the one type front ends catch.

Every error a user is meant to read (a bad question, an index built by
another embedder, a page that cannot be fetched, a busy index ...) derives
from it, and its message says what happened and what to do about it, in
words a user knows (`TANYA_*` settings, `tanya` commands), because front
ends show it as is: the CLI as `error: …` with exit code 2, the REPL and the
Telegram bot as a reply. Anything else is a bug, and is left to crash loudly.

It sits below every room (`retrieval/text/` included) so that any room's
errors can derive from it; each subclass keeps its old base too
(`ValueError`, `RuntimeError`), so code catching that still works.
"""


class TanyaError(Exception):
    """An error for the user to read: the message says what to do."""
