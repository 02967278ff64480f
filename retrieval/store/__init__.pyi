from .article_index import (
    ArticleIndex as ArticleIndex,
)
from .article_index import (
    BatchWriter as BatchWriter,
)
from .article_index import (
    IndexMismatchError as IndexMismatchError,
)
from .article_index import (
    SearchHit as SearchHit,
)
from .article_index import (
    SearchMode as SearchMode,
)
from .article_index import (
    fuse as fuse,
)
from .article_index import (
    passage_text as passage_text,
)
from .catalog import (
    MAX_ID_MATCHES as MAX_ID_MATCHES,
)
from .catalog import (
    MIN_ID_PREFIX as MIN_ID_PREFIX,
)
from .catalog import (
    SearchFilters as SearchFilters,
)
from .catalog import (
    source_key as source_key,
)
from .dense import DenseStoreError as DenseStoreError
from .documents import hit_documents as hit_documents
from .embedder_pool import EmbedderPool as EmbedderPool
from .embedder_pool import concurrent_embedder as concurrent_embedder
from .embeddings import (
    EmbedderError as EmbedderError,
)
from .embeddings import (
    TanyaEmbeddings as TanyaEmbeddings,
)
from .embeddings import (
    load_embedder as load_embedder,
)
from .locking import IndexBusyError as IndexBusyError
from .retriever import HybridRetriever as HybridRetriever
