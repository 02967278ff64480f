"""What several test modules share (no tests here): `cli` (running `tanya`
in-process or as a command), `articles` (small articles and a stand-in
chunker), `telegram` (the bot against the local Bot API server; its
fixtures are registered in `tests/conftest.py`)."""
