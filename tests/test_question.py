"""Questions checked before anything runs: a clear message, never a traceback."""

from __future__ import annotations

import pytest

from retrieval.text.question import (
    QuestionError,
    asks_something,
    off_topic,
    question_language,
    small_talk,
    validate_question,
    with_question_mark,
)


def test_a_normal_question_is_cleaned() -> None:
    q = validate_question("  Siapa yang memimpin\n pertempuran  di Albu Kamal?\t", 2000)
    assert q == "Siapa yang memimpin pertempuran di Albu Kamal?"


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\u200b\ufeff"])
def test_empty_and_whitespace_only_are_refused(text: str) -> None:
    with pytest.raises(QuestionError) as info:
        validate_question(text, 2000)
    message = str(info.value)
    assert "kosong" in message and "empty" in message


def test_a_question_past_the_cap_is_refused_with_the_cap_named() -> None:
    with pytest.raises(QuestionError) as info:
        validate_question("apa " * 600, 2000)
    assert "2,000" in str(info.value)
    assert validate_question("a" * 2000, 2000)  # at the cap is fine


@pytest.mark.parametrize(
    "text",
    [
        "siapa\x00 pemimpinnya",
        "\x1b[31mmerah\x1b[0m",
        "abc\x08\x08def",
        "data\ufffd\ufffd rusak",
        bytes(range(256)).decode("latin-1"),
    ],
)
def test_control_characters_and_binary_are_refused(text: str) -> None:
    with pytest.raises(QuestionError) as info:
        validate_question(text, 2000)
    assert "control" in str(info.value)


@pytest.mark.parametrize("text", ["?!? ...", "(1)", "1", "2024?", "21/11/2022", "٣"])
def test_punctuation_or_numbers_alone_are_not_a_question(text: str) -> None:
    with pytest.raises(QuestionError) as info:
        validate_question(text, 2000)
    assert "no words" in str(info.value)


@pytest.mark.parametrize("text", ["G20?", "Apa itu 5G?", "Siapa?", "谁?"])
def test_a_letter_makes_a_question(text: str) -> None:
    assert validate_question(text, 2000) == text


def test_question_error_is_a_value_error() -> None:
    assert issubclass(QuestionError, ValueError)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Siapa yang memimpin pertempuran?", "id"),
        ("siapa pemimpinnya?", "id"),
        ("Who led the battle for Albu Kamal?", "en"),
        ("Where is the observatory based?", "en"),
        ("Kapan Albu Kamal direbut?", "id"),
        # English titles and names inside an Indonesian question.
        ("Kapan film The Anthem of the Heart dirilis?", "id"),
        ("kapankah Beauty and the Beast pertama kali dirilis?", "id"),
        ("Dimanakah lokasi Commanding and General Staff College?", "id"),
        ("Siapa pengarang buku The Clash of Civilizations and The Remaking of World Order?", "id"),
        ("Where is the Bank of Indonesia's head office?", "en"),
    ],
)
def test_language_of_a_question(text: str, language: str) -> None:
    assert question_language(text) == language


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Terima kasih ya kak!", "thanks"),
        ("makasih banyak", "thanks"),
        ("Thank you so much!", "thanks"),
        ("oke deh", "thanks"),
        ("Selamat pagi, bot", "greeting"),
        ("Halo", "greeting"),
        ("good morning", "greeting"),
        ("Apa kabar?", "greeting"),
        # Questions, even with a greeting or the word "selamat" in them.
        ("Halo, siapa pelatih Persib?", None),
        ("Siapa yang selamat?", None),
        ("selamat", None),
        ("Pagi ini harga beras naik?", None),
        ("ya", None),
        ("Terima kasih kepada siapa Jokowi berterima kasih?", None),
    ],
)
def test_courtesies_are_told_from_questions(text: str, kind: str | None) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize(
    ("text", "off"),
    [
        # To the bot about itself: "you" and nothing the articles could hold.
        ("siapa yang membuatmu?", True),
        ("Siapa penciptamu?", True),
        ("Kamu siapa?", True),
        ("Apa yang bisa kamu lakukan?", True),
        ("Kapan kamu dibuat?", True),
        ("berapa umurmu?", True),
        ("Who made you?", True),
        ("What can you do?", True),
        # ... and about its coach, director, founder: it has none.
        ("Siapa yang melatih kamu?", True),
        ("Siapa direktur kamu?", True),
        ("Kapan kamu didirikan?", True),
        ("Who is your coach?", True),
        ("Apakah kamu robot?", True),
        # A sum.
        ("berapa 2 tambah 2?", True),
        ("Berapa 15 x 3?", True),
        ("what is 7 times 6", True),
        ("Berapa 1.325.000 dikurangi 1.210.000?", True),
        ("Berapa hasil 2 tambah 2?", True),
        ("Tolong hitung 2+2", True),
        # "You" with something to look up, a word merely ending in "mu",
        # numbers of things: questions.
        ("Menurut Anda, siapa pelatih Persib?", False),
        ("Kamu tahu berita banjir Demak?", False),
        ("What do you know about Persib?", False),
        ("Can you tell me who coaches Persib?", False),
        ("Bisakah kamu jelaskan gempa Cianjur?", False),
        ("Apakah Anda tahu siapa juara Liga 1?", False),
        # A title's "You" or "Kau" is not the bot.
        ("Siapa penyanyi lagu I Will Always Love You?", False),
        ('Kapan film "Apa Jang Kau Tjari, Palupi?" menang?', False),
        ("Apa ilmu yang dipelajari di sana?", False),
        ("Siapa yang bertemu Presiden?", False),
        ("Berapa 2 penumpang yang selamat?", False),
        ("Berapa skor 3-1 itu?", False),
        ("Siapa pelatih Persib?", False),
    ],
)
def test_questions_to_the_bot_about_itself_or_sums_are_told_apart(text: str, off: bool) -> None:
    assert off_topic(text) is off


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Siapa pelatih Persib?", True),
        ("dimanakah letak Bourgogne", True),
        ("dimankah gereja tertua?", True),  # misspelt, but a question mark
        ("Who led the battle", True),
        ("Bali", False),
        ("buat puisi tentang banjir Demak", False),
        ("tolong jelaskan soal gempa Cianjur", False),
        ("harga emas Antam", False),
    ],
)
def test_a_message_put_as_a_question_is_told_from_a_topic(text: str, asked: bool) -> None:
    assert asks_something(text) is asked


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Siapa pelatih Persib", "Siapa pelatih Persib?"),
        ("kapan gempa cianjur terjadi.", "kapan gempa cianjur terjadi?"),
        ("Siapa pelatih Persib?", "Siapa pelatih Persib?"),
        ("Siapa pelatih Persib? (3)", "Siapa pelatih Persib? (3)"),
        ("Siapa pelatih Persib (3)", "Siapa pelatih Persib? (3)"),
        ("who led the battle (pimpin tempur)", "who led the battle? (pimpin tempur)"),
        # An Indonesian question's brackets are its own.
        ("Kapan gempa terjadi (di Cianjur)", "Kapan gempa terjadi (di Cianjur)?"),
        # Not put as a question: a topic or a request stays as it is.
        ("Bali", "Bali"),
        ("tolong ringkas berita banjir Demak", "tolong ringkas berita banjir Demak"),
    ],
)
def test_a_question_is_read_with_its_question_mark(text: str, asked: str) -> None:
    assert with_question_mark(text) == asked
