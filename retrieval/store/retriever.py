"""The index's hybrid search as a LangChain retriever: for LangChain users
(`ArticleIndex.as_retriever()`) and for swapping in a retriever with
`exclude` (evaluation). A module of its own because LangChain's
`BaseRetriever` imports its tracing stack, which the offline `tanya ask` does
not need (the answer chain calls the index directly)."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.store.article_index import ArticleIndex, SearchMode
from retrieval.store.catalog import SearchFilters
from retrieval.store.documents import hit_documents


class HybridRetriever(BaseRetriever):
    """One `Document` a chunk, its article's metadata and the fused score in
    `metadata` (see `documents.hit_documents`). `k`, `filters` and `mode` are
    the defaults of every search; `invoke(query, k=..., filters=...)` changes
    them for one."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: ArticleIndex
    k: int = 5
    mode: SearchMode = "hybrid"
    filters: SearchFilters | None = None
    # Chunk ids never returned (evaluation: the corpus minus some passages).
    exclude: frozenset[str] = frozenset()

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: SearchFilters | None = None,
    ) -> list[Document]:
        hits = self.index.search(
            query,
            k=k or self.k,
            filters=filters if filters is not None else self.filters,
            mode=self.mode,
            exclude=self.exclude,
        )
        return hit_documents(hits)
