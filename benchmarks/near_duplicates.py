"""Syndicated copies (issue 11): is "the same story, republished" recognised,
and are different stories on the same topic kept apart?

The set is built from real article text: FacQA's news passages, five
consecutive unique passages making one story (~230 words). For each story:

- positives (the same story, as another outlet republishes it): a different
  header/footer boilerplate; one sentence dropped; one sentence added (from
  another story); a few words edited; boilerplate + a dropped sentence + edits;
- negatives: the most similar other story (most shared words: same topic,
  different story); a story that shares one of its five passages (a
  different report quoting the same sentence); a follow-up that reuses two
  of its passages as background; another story with the same outlet's
  header and footer.

Compared: exact hash of the normalised text (the baseline: what `unchanged`
already catches), MinHash Jaccard over word shingles of several sizes, at
several thresholds, as `retrieval/store/syndication.py` runs it (LSH candidates,
then the estimated Jaccard), with and without its second rule (a copy
reports the same figures), which a negative kind tests: a daily report cut
from the same template with other figures.

    python -m benchmarks.near_duplicates [--sizes 1,2,3] [--thresholds 0.5,0.6]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from dataclasses import dataclass

from benchmarks.facqa import DEFAULT_FACQA_DIR as FACQA
from retrieval.store.syndication import DedupIndex, numbers_in, signature

STORY_PASSAGES = 5

HEADERS = [
    "JAKARTA, KOMPAS.com - ",
    "Jakarta (ANTARA) - ",
    "TEMPO.CO, Jakarta - ",
    "Liputan6.com, Jakarta - ",
    "REPUBLIKA.CO.ID, JAKARTA -- ",
]
FOOTERS = [
    "Baca juga: Harga BBM Naik Lagi Mulai Pekan Depan. Editor: Sandro Gatra. "
    "Simak breaking news dan berita pilihan kami langsung di ponselmu.",
    "Pewarta: Ahmad Buchori. Editor: Budi Suyanto. COPYRIGHT © ANTARA 2024.",
    "Baca Juga: Presiden Tinjau Proyek Bendungan. Ikuti berita terkini Tempo di Google News.",
    "Saksikan video pilihan di bawah ini. Dapatkan berita terbaru setiap hari.",
    "Red: Friska Yolandha. Sumber: Antara.",
]


def detokenise(text: str) -> str:
    """FacQA keeps tokens space-separated ("Medan , Sumatera ."): as printed."""
    text = re.sub(r"\s+([,.;:!?%)])", r"\1", text)
    return re.sub(r"([(])\s+", r"\1", text).strip()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def load_stories() -> list[list[str]]:
    passages: list[str] = []
    for name in ("train.jsonl", "valid.jsonl"):
        for line in (FACQA / name).read_text(encoding="utf-8").splitlines():
            passage = detokenise(json.loads(line)["passage"])
            if passage not in passages:
                passages.append(passage)
    return [
        passages[i : i + STORY_PASSAGES]
        for i in range(0, len(passages) - STORY_PASSAGES + 1, STORY_PASSAGES)
    ]


def edit_words(text: str, rng: random.Random, n: int = 4) -> str:
    words = text.split()
    for _ in range(n):
        i = rng.randrange(len(words))
        op = rng.choice(["drop", "replace", "insert"])
        if op == "drop" and len(words) > 10:
            del words[i]
        elif op == "replace":
            words[i] = rng.choice(["itu", "tersebut", "para", "pihak", "kemarin", "juga"])
        else:
            words.insert(i, rng.choice(["pun", "sudah", "masih", "yang"]))
    return " ".join(words)


@dataclass
class Pair:
    kind: str
    story: int
    text: str
    same: bool


def build_pairs(stories: list[list[str]], seed: int = 11) -> list[Pair]:
    rng = random.Random(seed)
    texts = [" ".join(s) for s in stories]
    vocab = [set(t.lower().split()) for t in texts]
    pairs: list[Pair] = []
    for i, story in enumerate(stories):
        text = texts[i]
        sents = sentences(text)
        other = sentences(texts[(i + 1) % len(texts)])
        boiler = rng.choice(HEADERS) + text + " " + rng.choice(FOOTERS)
        dropped = sents[:]
        del dropped[rng.randrange(len(dropped))]
        added = sents[:]
        added.insert(rng.randrange(len(added) + 1), rng.choice(other))
        combo = sents[:]
        del combo[rng.randrange(len(combo))]
        pairs += [
            Pair("boilerplate", i, boiler, True),
            Pair("sentence dropped", i, " ".join(dropped), True),
            Pair("sentence added", i, " ".join(added), True),
            Pair("words edited", i, edit_words(text, rng), True),
            Pair(
                "boilerplate+dropped+edited",
                i,
                rng.choice(HEADERS) + edit_words(" ".join(combo), rng) + " " + rng.choice(FOOTERS),
                True,
            ),
        ]
        # Same topic, different story: the other story sharing most words.
        nearest = max(
            (j for j in range(len(texts)) if j != i),
            key=lambda j: len(vocab[i] & vocab[j]) / len(vocab[i] | vocab[j]),
        )
        pairs.append(Pair("other story, same topic", i, texts[nearest], False))
        # A different story that quotes one of this story's passages.
        j = (i + len(stories) // 2) % len(stories)
        mixed = stories[j][:]
        mixed[rng.randrange(len(mixed))] = rng.choice(story)
        pairs.append(Pair("other story, one shared passage", i, " ".join(mixed), False))
        # A follow-up report that reuses two of this story's paragraphs as background.
        k = (i + len(stories) // 3) % len(stories)
        follow_up = stories[k][:3] + rng.sample(story, 2)
        pairs.append(Pair("follow-up, two shared passages", i, " ".join(follow_up), False))
        # A daily report cut from one template: same words, other figures.
        if len(numbers_in(text)) >= 2:
            refigured = re.sub(r"\d+", lambda m: str(int(m.group()) + 3), text)
            pairs.append(Pair("same template, other figures", i, refigured, False))
        # Another story from the same outlet: the same header and footer.
        header, footer = rng.choice(HEADERS), rng.choice(FOOTERS)
        pairs.append(
            Pair(
                "other story, same boilerplate",
                i,
                header + texts[(i + 7) % len(texts)] + " " + footer,
                False,
            )
        )
    return pairs


def exact_key(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def evaluate(
    stories: list[list[str]], pairs: list[Pair], size: int, threshold: float, figures: bool = True
) -> dict:
    index = DedupIndex(threshold=threshold, shingle=size)
    for i, story in enumerate(stories):
        text = " ".join(story)
        index.insert(
            str(i), signature(text, shingle=size), numbers_in(text) if figures else frozenset()
        )

    def says_same(p: Pair) -> bool:
        numbers = numbers_in(p.text) if figures else frozenset()
        return str(p.story) in index.matches(signature(p.text, shingle=size), numbers)

    return score(pairs, says_same)


def score(pairs: list[Pair], says_same) -> dict:  # type: ignore[no-untyped-def]
    tp = fp = fn = 0
    by_kind: dict[str, list[int]] = {}
    for pair in pairs:
        same = bool(says_same(pair))
        right = same == pair.same
        by_kind.setdefault(pair.kind, [0, 0])
        by_kind[pair.kind][0] += right
        by_kind[pair.kind][1] += 1
        tp += same and pair.same
        fp += same and not pair.same
        fn += (not same) and pair.same
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "by_kind": {k: round(r / n, 3) for k, (r, n) in by_kind.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,2,3,4")
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7,0.8")
    args = parser.parse_args()
    stories = load_stories()
    pairs = build_pairs(stories)
    positives = sum(p.same for p in pairs)
    print(
        f"{len(stories)} stories, {positives} same-story pairs, {len(pairs) - positives} different-story pairs"
    )
    keys = {str(i): exact_key(" ".join(s)) for i, s in enumerate(stories)}
    base = score(pairs, lambda p: exact_key(p.text) == keys[str(p.story)])
    print(
        "\n| method | shingle | threshold | precision | recall | "
        + " | ".join(base["by_kind"])
        + " |"
    )
    print("|---" * (5 + len(base["by_kind"])) + "|")

    def row(name: str, size: str, threshold: str, result: dict) -> None:
        kinds = " | ".join(f"{v:.3f}" for v in result["by_kind"].values())
        print(
            f"| {name} | {size} | {threshold} | {result['precision']:.3f} | {result['recall']:.3f} | {kinds} |"
        )

    row("exact hash (baseline)", "-", "-", base)
    for size in (int(s) for s in args.sizes.split(",")):
        for threshold in (float(t) for t in args.thresholds.split(",")):
            for figures in (False, True):
                name = "MinHash LSH" + (" + same figures" if figures else ", words only")
                result = evaluate(stories, pairs, size, threshold, figures)
                row(name, f"{size} word(s)", f"{threshold:.2f}", result)
    print("\n(per-kind columns: share of pairs classified right)")


if __name__ == "__main__":
    main()
