"""Settings that cannot work stop `tanya` with one line that names the setting
and the fix, exit code 2 and no traceback: the real command, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TANYA = str(Path(sys.executable).with_name("tanya"))


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TANYA_")}
    return subprocess.run(
        [TANYA, *args],
        cwd=cwd,
        env={**base, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("data_dir", "problem", "command"),
    [
        ("/etc/passwd", "is a file, not a folder", ["list"]),
        ("/etc/passwd", "is a file, not a folder", ["ask", "siapa?"]),
        ("/etc/passwd/tanya", "cannot be created", ["search", "banjir"]),
        ("/proc/nope", "cannot be created", ["stats"]),
        ("/proc/nope", "cannot be created", ["add", "berita.txt"]),
        ("/dev/null/tanya", "cannot be created", ["chat"]),
    ],
)
def test_an_unusable_data_dir_is_one_clear_error(
    tmp_path: Path, data_dir: str, problem: str, command: list[str]
) -> None:
    result = run(tmp_path, *command, TANYA_DATA_DIR=data_dir)
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert f"TANYA_DATA_DIR={data_dir}" in message and problem in message
    assert "Set TANYA_DATA_DIR" in message  # the fix
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr


def test_an_unusable_data_dir_from_dotenv_is_reported_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / ".env").write_text(f"TANYA_DATA_DIR={tmp_path / 'afile'}\n")
    result = run(tmp_path, "list")
    assert result.returncode == 2
    assert "is a file, not a folder" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
