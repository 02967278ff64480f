"""Chunking: an article's cleaned text → passages sized for the embedder.

Sentences are the unit: a chunk is a run of whole sentences of at most
`max_tokens` embedder tokens, and consecutive chunks share
`overlap_sentences` sentences so an answer that straddles a boundary is
still found whole in one of them. Only a sentence longer than a whole chunk
is cut, at word boundaries. Every chunk keeps its character offsets, so
`article.text[chunk.start:chunk.end] == chunk.text` and a citation can quote
and locate it exactly.

The sentence splitter knows Indonesian news text: abbreviations and titles
("Dr.", "Prof.", "H.", "Jl.", "Rp.", "dll.", "No."), initials ("Susilo B.
Yudhoyono"), decimals ("7.4") and sentences that continue in lower case after
a quote are not sentence ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .models import Article, Chunk

# Words that end in a period without ending a sentence (compared lower-cased).
ABBREVIATIONS = frozenset(
    """
    dr drs dra prof ir h hj kh st sh se mh mm mba msi mpd spd skom amd ak
    no nomor jl jln kec kab kel kota prov tbk pt cv ud rp usd
    dll dsb dst dkk tsb sbb yth bpk sdr sdri ibu kol letjen mayjen brigjen jend kapt
    mr mrs ms jr sr vs etc inc ltd corp co gov sen rep st ft
    jan feb mar apr jun jul agu agt ags sep sept okt oct nov des dec
    e.g i.e a.n u.p s.h m.si s.e s.t s.pd s.kom u.s u.k
    """.split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at `text[dot]` closes an abbreviation or an initial."""
    word = re.search(r"[\w.]+$", text[:dot])
    if not word:
        return False
    token = word.group(0).lower().strip(".")
    if token in ABBREVIATIONS:
        return True
    # A single capital letter is an initial ("B."), as is "A.B.".
    return bool(re.fullmatch(r"([a-z]\.)*[a-z]", token)) and text[word.start()].isupper()


def sentence_spans(text: str) -> list[Span]:
    """Sentences of `text` as character spans (without surrounding spaces)."""
    spans: list[Span] = []
    paragraph_start = 0
    for paragraph_end in [m.start() for m in _PARAGRAPH.finditer(text)] + [len(text)]:
        start = paragraph_start
        for match in _BOUNDARY.finditer(text, paragraph_start, paragraph_end):
            end = match.end()
            following = text[end:paragraph_end].lstrip()
            if not following:
                continue
            if following[0].islower() or following[0] in ",;:":
                continue  # '"…" katanya.' or "dll. yang": the sentence goes on
            if text[match.start()] == "." and _is_abbreviation(text, match.start()):
                continue
            spans.append(Span(start, end))
            start = end + len(text[end:paragraph_end]) - len(following)
        if text[start:paragraph_end].strip():
            stripped_end = start + len(text[start:paragraph_end].rstrip())
            spans.append(Span(start, stripped_end))
        rest = _PARAGRAPH.match(text, paragraph_end)
        paragraph_start = rest.end() if rest else paragraph_end
    # Leading spaces of a span are never part of it.
    return [
        Span(s.start + len(text[s.start : s.end]) - len(text[s.start : s.end].lstrip()), s.end)
        for s in spans
        if text[s.start : s.end].strip()
    ]


def _split_long(text: str, span: Span, max_tokens: int, count: Callable[[str], int]) -> list[Span]:
    """A sentence longer than a chunk, cut at word boundaries into pieces that fit."""
    words = [m.span() for m in re.finditer(r"\S+", text[span.start : span.end])]
    pieces: list[Span] = []
    first = 0
    while first < len(words):
        # Grow the piece while it fits; always take at least one word.
        last = first
        while last + 1 < len(words):
            candidate = text[span.start + words[first][0] : span.start + words[last + 1][1]]
            if count(candidate) > max_tokens:
                break
            last += 1
        pieces.append(Span(span.start + words[first][0], span.start + words[last][1]))
        first = last + 1
    return pieces


def chunk_article(
    article: Article,
    *,
    max_tokens: int,
    overlap_sentences: int,
    count_tokens: Callable[[str], int],
) -> list[Chunk]:
    """The article's chunks, in order, with offsets into `article.text`."""
    text = article.text
    # The tokenizer adds its special tokens to every count: counted once per chunk.
    special = count_tokens("")
    units: list[tuple[Span, int]] = []
    for span in sentence_spans(text):
        tokens = count_tokens(text[span.start : span.end]) - special
        if tokens + special <= max_tokens:
            units.append((span, tokens))
        else:
            for piece in _split_long(text, span, max_tokens, count_tokens):
                units.append((piece, count_tokens(text[piece.start : piece.end]) - special))

    groups: list[list[int]] = []
    current: list[int] = []
    size = special
    for i, (_, tokens) in enumerate(units):
        if current and size + tokens > max_tokens:
            groups.append(current)
            # Carry the last sentences over, when they leave room for this one
            # and the previous chunk has more than them (no duplicate chunks).
            carry = current[-overlap_sentences:] if 0 < overlap_sentences < len(current) else []
            while carry and special + sum(units[j][1] for j in carry) + tokens > max_tokens:
                carry = carry[1:]
            current = list(carry)
            size = special + sum(units[j][1] for j in current)
        current.append(i)
        size += tokens
    if current:
        groups.append(current)

    chunks = []
    for position, group in enumerate(groups):
        start, end = units[group[0]][0].start, units[group[-1]][0].end
        chunks.append(Chunk(article.id, position, text[start:end], start, end))
    return chunks
