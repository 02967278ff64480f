"""A retrieved passage built by hand, for tests of the answer step that
start after retrieval."""

from __future__ import annotations

from retrieval.answer.types import Passage


def make_passage(
    n: int,
    text: str,
    *,
    start: int = 0,
    score: float = 1.0,
    article: str = "a",
    title: str = "Rezim Assad rebut benteng terakhir IS",
    date: str | None = "2017-11-10",
    source: str | None = "Jurnalislamcom",
    url: str | None = None,
) -> Passage:
    """Passage `n` of `article`: `text`, at `start` in the article."""
    return Passage(
        n=n,
        chunk_id=f"{article}:h:{n}",
        article_id=article,
        title=title,
        date=date,
        source=source,
        url=url,
        text=text,
        start=start,
        end=start + len(text),
        score=score,
    )
