""" "terbaru" / "latest": among the passages about the question, the newest
article's first (a preference, not a filter; see `newest_first`)."""

from __future__ import annotations

from retrieval.answer.types import Passage

# --- "terbaru": the newest of the relevant passages first ------------------------------------------
# A passage is relevant to a "terbaru" question when it holds at least this
# share of the question's terms (stems, question words left out). Fused
# scores cannot tell: they are normalised within each search, so the weakest
# of three passages about the same flood scores ~0.
RELEVANT_SHARE = 0.5


def _relevant(question: str, passage: Passage) -> bool:
    from retrieval.text.lexical import query_terms, terms  # Sastrawi: only when "terbaru" is asked

    wanted = {t for t in query_terms(question) if "_" not in t}  # no bigrams
    if not wanted:
        return True
    held = set(terms(f"{passage.title}\n{passage.text}"))
    return len(wanted & held) >= RELEVANT_SHARE * len(wanted)


def newest_first(passages: list[Passage], k: int, question: str) -> list[Passage]:
    """The relevant passages (see `RELEVANT_SHARE`), the newest article's
    first, then the rest by date; at most `k`, renumbered. An older relevant
    passage stays when nothing newer is relevant: a preference, not a filter."""
    from dataclasses import replace

    if not passages:
        return passages
    relevant = [p for p in passages if _relevant(question, p)] or passages[:k]
    ordered = sorted(relevant, key=lambda p: (p.date or "", p.score), reverse=True)[:k]
    newest = ordered[0].date
    # The answerer weighs retrieval scores: the older passages are scored
    # below the newest article's, so they are quoted only when the newest
    # says nothing to the question.
    floor = min(p.score for p in ordered if p.date == newest)
    chosen = [p if p.date == newest else replace(p, score=min(p.score, floor) / 2) for p in ordered]
    return [replace(p, n=i) for i, p in enumerate(chosen, 1)]
