"""Questions as chats type them, read as written (`retrieval/text/chat.py`)."""

from __future__ import annotations

import pytest

from retrieval.text.chat import formal_question_words, formal_words, plain_question
from retrieval.text.question import asks_something


@pytest.mark.parametrize(
    ("text", "formal"),
    [
        ("brp kasus dbd di jabar", "berapa kasus dbd di jabar"),
        ("harga beras di cipinang BRP", "harga beras di cipinang berapa"),
        ("kpn bendungan bener diresmikan", "kapan bendungan bener diresmikan"),
        ("gimana cara bayar pungutan turis bali", "bagaimana cara bayar pungutan turis bali"),
        ("dmn persib juara?", "di mana persib juara?"),
        ("tgl brp gempa cianjur?", "tanggal berapa gempa cianjur?"),
        ("jm brp gempa cianjur?", "jam berapa gempa cianjur?"),
        ("thn brp persib juara", "tahun berapa persib juara"),
        ("berangkat jm 5 sore", "berangkat jm 5 sore"),  # "jm" only as "jm brp"
        # Words that only contain a chat form, and those that are words too.
        ("Kebrpan dan sapa warga", "Kebrpan dan sapa warga"),
        ("Siapa pemain Napa Valley?", "Siapa pemain Napa Valley?"),
    ],
)
def test_chat_forms_of_question_words_are_written_out(text: str, formal: str) -> None:
    assert formal_question_words(text) == formal
    assert asks_something(formal_question_words("harga beras di cipinang brp"))


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Siapa <b>pelatih</b> Madura United?", "Siapa pelatih Madura United?"),
        ('Siapa <a href="x">kepala</a> BMKG?', "Siapa kepala BMKG?"),
        ("brp <i>kasus</i> dbd", "berapa kasus dbd"),
        # Not markup: a comparison, a lone bracket.
        ("Berapa kasus < 100 di Jawa Barat?", "Berapa kasus < 100 di Jawa Barat?"),
        ("Siapa pelatih <Persib?", "Siapa pelatih <Persib?"),
    ],
)
def test_a_question_is_read_without_its_markup(text: str, plain: str) -> None:
    assert plain_question(text) == plain


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        # Whom it is addressed to, before a comma or colon.
        ("Bot, siapa rektor UGM?", "siapa rektor UGM?"),
        ("Halo bot, kapan gempa Cianjur?", "kapan gempa Cianjur?"),
        ("Kak: brp harga beras?", "berapa harga beras?"),
        ("Pak Harto meninggal kapan?", "Pak Harto meninggal kapan?"),  # a title, no comma
        # Chat forms of words and question words; a capital kept.
        ("Brp penumpang yg selamat?", "Berapa penumpang yang selamat?"),
        ("kasus dbd udah brp", "kasus dbd sudah berapa"),
        ("whos Persib's coach?", "who is Persib's coach?"),
        # "sapa" asks who at a question's end; elsewhere it greets.
        ("dirut rsud sleman sapa?", "dirut rsud sleman siapa?"),
        ("pelatih persib sapa ya", "pelatih persib siapa"),
        ("Presiden sapa warga di mana?", "Presiden sapa warga di mana?"),
        ("nelayan tetep melaut?", "nelayan tetap melaut?"),
        ("laga semalem skornya brp", "laga semalam skornya berapa"),
        # A particle ending a clause is dropped; one opening it is not.
        ("Mengapa harga beras naik ya?", "Mengapa harga beras naik?"),
        ("kenapa harga naik sih", "kenapa harga naik"),
        ("Ya, siapa?", "Ya, siapa?"),
        ("kenapa naik sih ya dong?", "kenapa naik?"),
        ("Harga beras naik kok?", "Harga beras naik kok?"),  # "kok?" asks why
        # Acronyms are no chat forms; an address alone is left.
        ("Kapan batas lapor SPT?", "Kapan batas lapor SPT?"),
        ("YG Entertainment milik siapa?", "YG Entertainment milik siapa?"),
        ("Hai!!! ", "Hai!!! "),
        # "lewat" asking by what way is "melalui"; "sudah lewat" is passed.
        ("Bayar pungutan Bali lewat apa?", "Bayar pungutan Bali melalui apa?"),
        ("Lewat jalur apa sabu masuk?", "Melalui jalur apa sabu masuk?"),
        ("Sudah lewat berapa hari?", "Sudah lewat berapa hari?"),
        # Chat's "kasih" gives; "terima kasih" thanks, "kasih sayang" loves.
        ("siapa yg kasih umpan?", "siapa yang memberi umpan?"),
        ("dia dikasih apa?", "dia diberi apa?"),
        ("Terima kasih!", "Terima kasih!"),
        ("kasih sayang ibu", "kasih sayang ibu"),
        # Short forms of common words ("Kmrn" had been read as a name), and
        # "bgt" ending it sets a tone, as "sih" does.
        ("kapolresta pas mudik kmrn siapa?", "kapolresta pas mudik kemarin siapa?"),
        (
            "jaksa nuntut brp taun? vonisnya lbh ringan",
            "jaksa nuntut berapa tahun? vonisnya lebih ringan",
        ),
        ("sman 3 pendaftarnya udh brp bgt?", "sman 3 pendaftarnya sudah berapa?"),
        ("mahal bgt harganya?", "mahal bgt harganya?"),
    ],
)
def test_a_chat_message_is_read_as_a_written_question(text: str, plain: str) -> None:
    assert plain_question(text) == plain


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        # A chat nasal and "-in": "me-...-kan" as articles write it.
        ("Persib ngalahin siapa di final?", "Persib mengalahkan siapa di final?"),
        ("siapa yang nyariin korban?", "siapa yang mencarikan korban?"),
        ("siapa yang nemuin bangkai kapal?", "siapa yang menemukan bangkai kapal?"),
        ("yang nulisin surat itu siapa?", "yang menuliskan surat itu siapa?"),
        # The passive, and "-in" alone.
        ("harga BBM dinaikin kapan?", "harga BBM dinaikkan kapan?"),
        ("kapan pemerintah naikin harga?", "kapan pemerintah menaikkan harga?"),
        # Words ending in "-in" that are words: a root, an affixed root, a
        # name, a one-vowel root the dictionary holds ("lat"), English.
        ("Apa nama latin harimau?", "Apa nama latin harimau?"),
        ("Kemarin siapa yang ingin bermain?", "Kemarin siapa yang ingin bermain?"),
        ("Kapan Erwin dan Kevin bertemu?", "Kapan Erwin dan Kevin bertemu?"),
        ("How fast is the train?", "How fast is the train?"),
        ("Siapa admin akun itu?", "Siapa admin akun itu?"),
        # A root ending in "-in", its nasal alone: "mimpin" is "pimpin".
        ("siapa yg mimpin pendanaan?", "siapa yang memimpin pendanaan?"),
        # A word twice as "2"; "gara-gara" asks why; a capital kept.
        ("banjir demak gara2 apa?", "banjir demak karena apa?"),
        ("Gara-gara apa harga naik?", "Karena apa harga naik?"),
        ("rata2 penumpang berapa?", "rata-rata penumpang berapa?"),
        ("Kapan revis2 ditolak?", "Kapan revis2 ditolak?"),  # no word
        ("Harga PS2 berapa?", "Harga PS2 berapa?"),
        # Chat words for common ones.
        ("kebun pintar dapet duit berapa?", "kebun pintar dapat uang berapa?"),
        ("yg bilang begitu siapa?", "yang mengatakan begitu siapa?"),
        ("film terbaik apaan?", "film terbaik apa?"),
        # "se-" and a unit in a price is "per" it.
        ("emas antam harganya brp segram?", "emas antam harganya berapa per gram?"),
        ("beras sekilo brp?", "beras per kilogram berapa?"),
    ],
)
def test_a_chat_verb_is_read_as_articles_write_it(typed: str, written: str) -> None:
    assert plain_question(typed) == written


def test_chat_forms_of_words_are_whole_words_only() -> None:
    assert formal_words("Siapa pemilik yayasan Gakgak?") == "Siapa pemilik yayasan Gakgak?"
    assert formal_words("ya") == "ya"


def test_markup_is_read_quickly_on_the_longest_question() -> None:
    # 2,000 characters of broken tags: each read once (pytest-timeout guards it).
    assert plain_question("<a" * 1000) == "<a" * 1000
    assert plain_question("<b>x</b> " * 220).startswith("x x")
