"""Search hits as LangChain documents, the form the answer stage and
`HybridRetriever` hand on (kept apart from the retriever, whose LangChain base
class is slow to import, so `tanya ask` does not pay for it)."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.documents import Document

from retrieval.store.article_index import SearchHit


def hit_documents(hits: Sequence[SearchHit]) -> list[Document]:
    """Search hits as LangChain documents: one a chunk, its article's
    metadata and the fused score in `metadata`."""
    return [
        Document(
            page_content=h.chunk.text,
            id=h.chunk.chunk_id,
            metadata={
                "chunk_id": h.chunk.chunk_id,
                "article_id": h.chunk.article_id,
                "position": h.chunk.position,
                "start": h.chunk.start,
                "end": h.chunk.end,
                "title": h.chunk.title,
                "date": h.chunk.date,
                "source": h.chunk.source,
                "url": h.chunk.url,
                "score": h.score,
            },
        )
        for h in hits
    ]
