from .article_index import (
    ArticleIndex as ArticleIndex,
    BatchWriter as BatchWriter,
    IdResolution as IdResolution,
    IndexCounts as IndexCounts,
    IndexMismatchError as IndexMismatchError,
    SearchHit as SearchHit,
    SearchMode as SearchMode,
    fuse as fuse,
    passage_text as passage_text,
)
from .catalog import (
    MAX_ID_MATCHES as MAX_ID_MATCHES,
    MIN_ID_PREFIX as MIN_ID_PREFIX,
    ArticleSummary as ArticleSummary,
    SearchFilters as SearchFilters,
    StoredArticle as StoredArticle,
    StoredChunk as StoredChunk,
    source_key as source_key,
)
from .dense import DenseStoreError as DenseStoreError
from .documents import hit_documents as hit_documents
from .embedder_pool import EmbedderPool as EmbedderPool, concurrent_embedder as concurrent_embedder
from .embeddings import (
    EmbedderError as EmbedderError,
    TanyaEmbeddings as TanyaEmbeddings,
    embed_question_early as embed_question_early,
    load_embedder as load_embedder,
    make_embedder as make_embedder,
    one_vector_per_question as one_vector_per_question,
)
from .locking import IndexBusyError as IndexBusyError
from .proximity import rerank as rerank
from .retriever import HybridRetriever as HybridRetriever
from .syndication import DedupIndex as DedupIndex, numbers_in as numbers_in, signature as signature
