"""What `pip install -e .` (no extras) brings is enough to read every input
kind, and a broken install fails the inputs it affects with the fix, not the
batch with a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import SEED_ARTICLE


def core_closure() -> set[str]:
    """Every distribution the core install pulls in: tanya's requirements
    without extras, followed through the installed metadata."""
    seen: set[str] = set()
    todo = [("tanya", frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        for line in metadata.requires(name) or []:
            req = Requirement(line)
            env = [{"extra": e} for e in extras] or [{"extra": ""}]
            if req.marker and not any(req.marker.evaluate(e) for e in env):
                continue
            key = canonicalize_name(req.name)
            if key in seen:
                continue
            seen.add(key)
            try:
                metadata.distribution(req.name)
            except metadata.PackageNotFoundError:
                continue  # a platform-specific dependency not installed here
            todo.append((req.name, frozenset(req.extras)))
    return seen


def test_the_core_install_has_what_html_extraction_imports() -> None:
    # trafilatura → justext → `lxml.html.clean`, which lxml 5.2+ moved to
    # lxml_html_clean; justext's `lxml[html_clean]` extra does not bring it
    # with lxml 6, so a plain `pip install -e .` could not read any HTML.
    closure = core_closure()
    assert {"trafilatura", "justext", "lxml", "lxml-html-clean"} <= closure


def test_a_broken_html_extractor_fails_html_inputs_only(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><article><p>"
        + "Pasukan rezim Suriah merebut kota Albu Kamal dari IS pada hari Kamis. " * 5
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    # `sys.modules[name] = None` makes importing it fail: the install as it
    # was before lxml_html_clean was declared. Then `tanya add` as a user runs it.
    probe = (
        "import sys\n"
        "sys.modules['lxml.html.clean'] = None\n"
        "from bot.cli import main\n"
        f"sys.argv = ['tanya', 'add', '--json', {str(page)!r}, {str(SEED_ARTICLE)!r}]\n"
        "main()\n"
    )
    env = {**os.environ, "TANYA_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 1, out.stderr  # something failed, nothing crashed
    report = json.loads(out.stdout)
    assert report["summary"]["added"] == 1  # the seed: the rest of the batch
    (failed,) = [i for i in report["items"] if i["status"] == "failed"]
    assert failed["origin"] == str(page)
    assert "Reinstall tanya" in failed["reason"] and "lxml" in failed["reason"]
