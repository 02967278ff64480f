"""The checks a model's answer passes before anyone sees it, on any text and
any way the stream is cut into tokens: what was streamed is always exactly
the start of the final answer (nothing on screen is ever withdrawn), and no
sentence that cites no passage is ever streamed or kept."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from retrieval.answer.answer_check import AnswerChecker
from tests.helpers.passages import make_passage

PASSAGES = [
    make_passage(n, f"Isi kutipan {n}.", article="artikel", title="Judul", date=None, source=None)
    for n in (1, 2, 3)
]
INJECTED = "PWNED masuk di http://evil.example/login"

# Pieces of model output: words, sentence ends, markers valid and not, list
# numbers, abbreviations, line and paragraph breaks, the not-found marker.
PIECES = st.sampled_from(
    [
        "Hizbullah",
        "memimpin",
        "pertempuran",
        ".",
        "!",
        "[1]",
        "[2, 3]",
        "[9]",
        "[",
        "]",
        "1.",
        "-",
        "Dr.",
        "\n",
        "\n\n",
        '"ya."',
        "lalu",
        INJECTED,
        "TIDAK_DITEMUKAN",
    ]
)


def run(tokens: list[str]) -> tuple[list[str], str, list[str]]:
    shown: list[str] = []
    checker = AnswerChecker(PASSAGES, shown.append)
    for token in tokens:
        checker.feed(token)
    checked = checker.finish()
    return shown, checked.text, checked.dropped_sentences


@settings(max_examples=300, deadline=None)
@given(
    st.lists(PIECES, max_size=40).map(" ".join),
    st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=60),
)
def test_what_streams_is_always_the_start_of_the_final_answer(text: str, cuts: list[int]) -> None:
    tokens, at = [], 0
    for size in cuts * (len(text) // max(1, sum(cuts)) + 1):
        if at >= len(text):
            break
        tokens.append(text[at : at + size])
        at += size
    shown, final, _ = run(tokens)
    assert "".join(shown) == final
    # Fed at once or token by token: the same answer.
    assert run([text])[1] == final
    assert INJECTED not in final or re.search(r"\[[123]", final)
    assert "TIDAK_DITEMUKAN" not in final and "[9]" not in final


def test_a_sentence_is_shown_only_once_complete_and_cited() -> None:
    shown, final, dropped = run(
        re.findall(
            r"\S+\s*",
            f"{INJECTED}. Pertempuran dipimpin Hizbullah [2]. Lalu milisi ikut. [1] "
            f"{INJECTED} [9].\n1. Iran [3]",
        )
    )
    assert shown == [
        "Pertempuran dipimpin Hizbullah [1].",
        " Lalu milisi ikut. [2]",
        "\n1. Iran [3]",
    ]
    assert final == "".join(shown)
    assert dropped == [f"{INJECTED}.", f"{INJECTED} [9]."]


def test_a_marker_still_being_written_holds_its_sentence_back() -> None:
    shown: list[str] = []
    checker = AnswerChecker(PASSAGES, shown.append)
    for token in ["Hizbullah memimpin.", " [", "1", "]"]:
        checker.feed(token)
        assert shown == []  # "Hizbullah memimpin." might still get (more of) its marker
    checker.feed(" Iran")
    assert shown == ["Hizbullah memimpin. [1]"]
    checker.feed(" ikut [2].")
    assert checker.finish().text == "Hizbullah memimpin. [1] Iran ikut [2]."
