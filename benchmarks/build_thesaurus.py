"""Build `retrieval/text/data/thesaurus_id.txt.gz` from LibreOffice's
Indonesian thesaurus (Debian's `mythes-id`, LGPL-2.1, Copyright (C) 2017
Ali Ahmadi), which `retrieval/text/synonyms.py` reads:

    apt-get download mythes-id && dpkg-deb -x mythes-id_*.deb mythes
    python -m benchmarks.build_thesaurus mythes/usr/share/mythes/th_id_ID_v2.dat

Kept: single-word entries and their single-word synonyms, every sense but
the antonym lines ("[ant]"), written both ways (a line for every word, with
every word it is listed with). A MyThes file is an encoding line, then each
entry as "word|number of senses", each sense a line "[pos]|syn|syn...".
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "retrieval/text/data/thesaurus_id.txt.gz"

HEADER = (
    '# Indonesian thesaurus: a word and its synonyms, one word a line, "word|syn|syn",\n'
    "# both ways. Single words only; antonym senses dropped. From th_id_ID_v2.dat\n"
    "# (Indonesian thesaurus for LibreOffice, Copyright (C) 2017 Ali Ahmadi\n"
    "# <idnux09@gmail.com>, LGPL-2.1; Debian package mythes-id 1:7.5.0-1) by\n"
    "# benchmarks/build_thesaurus.py. This file is under the LGPL-2.1.\n"
)


def read_mythes(path: Path) -> dict[str, list[str]]:
    """Each single-word entry of a MyThes file with its single-word
    synonyms, in the file's order."""
    lines = path.read_bytes().decode("iso-8859-1").split("\n")
    encoding = lines[0].strip().lower()
    if encoding not in ("iso-8859-1", "iso8859-1"):
        lines = path.read_bytes().decode(encoding).split("\n")
    entries: dict[str, list[str]] = {}
    i = 1
    while i < len(lines):
        if not lines[i]:
            i += 1
            continue
        head, count = lines[i].rsplit("|", 1)
        senses = lines[i + 1 : i + 1 + int(count)]
        i += 1 + int(count)
        words: list[str] = []
        for sense in senses:
            parts = sense.split("|")
            if "[ant]" in parts:
                continue
            # Not a tag ("[v]"), a phrase, or the file's slips (empty fields,
            # sense counts left in a list).
            words += [
                p for p in parts if p.isalpha() or (p.replace("-", "").isalpha() and "-" in p)
            ]
        if head.replace("-", "").isalpha():
            entries.setdefault(head, []).extend(words)
    return {head: list(dict.fromkeys(words)) for head, words in entries.items() if words}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mythes", type=Path, help="th_id_ID_v2.dat")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    entries = read_mythes(args.mythes)
    # Both ways, so that tanya reads a word's line and no more: a word listed
    # under another entry has that entry as a synonym too.
    linked: dict[str, set[str]] = {}
    for head, words in entries.items():
        for word in words:
            linked.setdefault(head, set()).add(word)
            linked.setdefault(word, set()).add(head)
    body = "".join(
        f"{word}|{'|'.join(sorted(others - {word}))}\n"
        for word, others in sorted(linked.items())
        if others - {word}
    )
    # No time stamp in the file: built again, it is the same bytes.
    with gzip.GzipFile(args.out, "wb", compresslevel=9, mtime=0) as out:
        out.write((HEADER + body).encode("utf-8"))
    print(f"{len(entries)} entries, {len(linked)} words -> {args.out}")


if __name__ == "__main__":
    main()
