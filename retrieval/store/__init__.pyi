from .article_index import (
    ArticleIndex as ArticleIndex,
    BatchWriter as BatchWriter,
    IndexMismatchError as IndexMismatchError,
    SearchHit as SearchHit,
    SearchMode as SearchMode,
    fuse as fuse,
    passage_text as passage_text,
)
from .catalog import (
    MAX_ID_MATCHES as MAX_ID_MATCHES,
    MIN_ID_PREFIX as MIN_ID_PREFIX,
    SearchFilters as SearchFilters,
    source_key as source_key,
)
from .dense import DenseStoreError as DenseStoreError
from .embedder_pool import EmbedderPool as EmbedderPool, concurrent_embedder as concurrent_embedder
from .embeddings import (
    EmbedderError as EmbedderError,
    TanyaEmbeddings as TanyaEmbeddings,
    load_embedder as load_embedder,
)
from .locking import IndexBusyError as IndexBusyError
