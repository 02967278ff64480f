"""Term proximity: the second stage of hybrid search.

BM25 scores a chunk by *how often* it uses the question's terms, anywhere in
the chunk; the dense vector sees the chunk as a whole. Neither rewards the
chunk that says what was asked *in one sentence*, and news passages that
share a topic (five paragraphs on the same battle) differ mostly in that.
So the best few fused candidates get a bonus: the largest share of the
question's distinctive terms that any one of their sentences contains.

"Distinctive" is the extractive answerer's weighting (`distinctive_concepts`):
a term counts log(1 + n / df) over the n candidate sentences, so the topic
words every candidate shares count least. English questions use its glossary
of Indonesian stems, so they get the bonus too.

Measured on FacQA (BENCHMARKS.md): weight and depth chosen on train (2,495
questions: MRR 0.828 → 0.832 with weight 0.5 over the top 20, the plateau
being 0.3-0.7), then measured once on valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from retrieval.text.concepts import distinctive_concepts, lexical_overlap, question_concepts
from retrieval.text.lexical import terms
from retrieval.text.sentences import split_sentences


@lru_cache(maxsize=4096)
def sentence_terms(text: str) -> tuple[frozenset[str], ...]:
    """The lexical terms of each sentence of `text` (at least one set).
    Cached: the same chunks come back for a conversation's questions."""
    return tuple(frozenset(terms(text[s:e])) for s, e in split_sentences(text)) or (frozenset(),)


def proximity_scores(question: str, texts: Sequence[str]) -> list[float]:
    """For each text, in [0, 1]: the weighted share of the question's terms
    held by its best single sentence. All zeros when the question has no
    content terms."""
    concepts = question_concepts(question)
    sentences = [sentence_terms(t) for t in texts]
    if not concepts or not texts:
        return [0.0] * len(texts)
    weighted = distinctive_concepts(concepts, [s for each in sentences for s in each])
    return [max(lexical_overlap(weighted, s) for s in each) for each in sentences]


def rerank(
    question: str,
    fused: Sequence[tuple[str, float]],
    texts: dict[str, str],
    *,
    weight: float,
    depth: int,
) -> list[tuple[str, float]]:
    """`fused` (best first) with its first `depth` entries rescored and
    re-sorted: fused score relative to the best one, plus `weight` ×
    proximity. Relative, so the weight means the same for convex and RRF
    scores. Candidates without a text (gone from the catalog) get no bonus.
    The rest keep their order, below the head and on the same scale."""
    if weight <= 0 or depth <= 0 or not fused:
        return list(fused)
    top = fused[0][1] if fused[0][1] > 0 else 1.0
    known = [cid for cid, _ in fused[:depth] if cid in texts]
    bonus = dict(zip(known, proximity_scores(question, [texts[c] for c in known]), strict=True))
    head = [(cid, s / top + weight * bonus.get(cid, 0.0)) for cid, s in fused[:depth]]
    head.sort(key=lambda item: item[1], reverse=True)
    return head + [(cid, s / top) for cid, s in fused[depth:]]
