"""Adding articles from the chat: admins only, by pasted text, documents and
URLs (never to the server's own network), with a report of what happened;
afterwards the bot answers from what was added."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.helpers.telegram import ADMIN, BOT_USERNAME, BotHarness
from tests.servers.telegram_api import SentMessage, TelegramServer
from tests.servers.web import WebServer, article_page

MakeBot = Callable[..., BotHarness]

TITLE = "Jembatan Ponulele di Palu Diresmikan Kembali"
BODY = (
    "Gubernur Sulawesi Tengah Rusdy Mastura meresmikan jembatan Ponulele di Kota Palu "
    "pada Senin (3/2/2025). Jembatan sepanjang 250 meter itu dibangun ulang setelah runtuh "
    "akibat gempa dan tsunami tahun 2018.\n\n"
    "Biaya pembangunan jembatan Ponulele mencapai Rp 300 miliar yang berasal dari APBN, "
    "kata Kepala Balai Jalan Nasional Sulawesi Tengah."
)
NEW_QUESTION = "Siapa yang meresmikan jembatan Ponulele?"


def report(bot: BotHarness, chat_id: int, asked: int) -> SentMessage:
    """The add report: the "Menambahkan…" reply, once edited into the summary."""
    [message] = bot.wait_replies(
        chat_id, asked, until=lambda found: found[0].text.startswith(("Selesai", "Done"))
    )
    assert message.reply_to_message_id == asked
    assert message.history[0] in ("Menambahkan…", "Adding…")  # progress shown first
    return message


def test_non_admins_are_refused_politely(
    make_bot: MakeBot, telegram_server: TelegramServer, web_server: WebServer
) -> None:
    bot = make_bot()
    refusal = "hanya admin yang bisa menambahkan artikel"
    assert refusal in bot.ask(f"/add {TITLE}\n{BODY}", chat_id=51).text
    assert refusal in bot.ask(web_server.url("/berita"), chat_id=51).text
    document = telegram_server.add_file(f"{TITLE}\n\n{BODY}".encode(), "berita.txt")
    sent = telegram_server.message(document=document, chat_id=51)
    [reply] = bot.wait_replies(51, sent)
    assert refusal in reply.text
    assert telegram_server.downloads == []  # the file was never even fetched
    assert NOT_IN_INDEX(bot)


def NOT_IN_INDEX(bot: BotHarness) -> bool:  # noqa: N802 - reads as a sentence
    return "tidak memuat jawaban" in bot.ask(NEW_QUESTION, chat_id=59).text


def test_admin_adds_pasted_text_and_the_bot_answers_from_it(make_bot: MakeBot) -> None:
    bot = make_bot()
    assert NOT_IN_INDEX(bot)
    asked = bot.say(f"/add {TITLE}\n{BODY}", chat_id=ADMIN)
    done = report(bot, ADMIN, asked)
    assert done.text.startswith("Selesai: 1 ditambahkan, 0 diperbarui, 0 tidak berubah, 0 gagal.")
    assert f"ditambahkan: {TITLE}" in done.text

    answer = bot.ask(NEW_QUESTION, chat_id=52)
    assert "Rusdy Mastura" in answer.text and "[1]" in answer.text
    assert f"[1] {TITLE}" in answer.text

    again = report(bot, ADMIN, bot.say(f"/add {TITLE}\n{BODY}", chat_id=ADMIN))
    assert again.text.startswith("Selesai: 0 ditambahkan, 0 diperbarui, 1 tidak berubah")

    usage = bot.ask("/add", chat_id=ADMIN)
    assert "Cara menambah artikel" in usage.text
    assert "terlalu pendek" in bot.ask("/add Hanya judul", chat_id=ADMIN).text


def test_an_added_article_gets_its_vectors_in_the_background(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    """The add's reply does not wait for the embedder: the article is stored
    (found by its words), and its vectors follow in a worker thread, after
    which dense search finds it too and /stats no longer lists it as waiting."""
    bot = make_bot()
    report(bot, ADMIN, bot.say(f"/add {TITLE}\n{BODY}", chat_id=ADMIN))
    index = bot.index
    assert index is not None
    telegram_server.wait_for(lambda: index.stats()["chunks_waiting_for_vectors"] == 0)
    stats = index.stats()
    assert stats["vectors"] == stats["chunks"]
    dense = index.search("jembatan Ponulele diresmikan", k=1, mode="dense")
    assert dense[0].chunk.title == TITLE
    assert "Waiting for vectors" not in bot.ask("/stats", chat_id=ADMIN, language_code="en").text


def test_stats_say_how_many_articles_wait_for_vectors(make_bot: MakeBot) -> None:
    """Stored articles whose vectors are not written yet (here: stored by a
    process that stopped before embedding them) are counted in /stats."""
    from retrieval.core.models import Article, Chunk

    bot = make_bot()
    assert bot.index is not None
    article = Article(id="ponulele", title=TITLE, text=BODY, origin="test")
    bot.index.store([(article, [Chunk(article.id, 0, BODY, 0, len(BODY))])])
    text = bot.ask("/stats", chat_id=ADMIN, language_code="en").text
    assert "Waiting for vectors: 1 articles (1 passages" in text


def test_stats_say_how_many_passages_wait_for_sentence_vectors(make_bot: MakeBot) -> None:
    """Passages with their vectors but not yet their sentences' (`tanya add`
    makes those last; here written by a process that stopped before) are
    counted in /stats, and nothing is said once none waits."""
    from retrieval.core.models import Article, Chunk

    bot = make_bot()
    index = bot.index
    assert index is not None
    article = Article(id="ponulele", title=TITLE, text=BODY, origin="test")
    index.write([(article, [Chunk(article.id, 0, BODY, 0, len(BODY))])])
    text = bot.ask("/stats", chat_id=ADMIN, language_code="en").text
    assert "Waiting for sentence vectors: 1 passages" in text
    assert "Waiting for vectors:" not in text
    index.embed_waiting_sentences()
    assert "sentence vectors" not in bot.ask("/stats", chat_id=ADMIN, language_code="en").text


def test_admin_adds_txt_and_jsonl_documents_with_a_report(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot()
    txt = telegram_server.add_file(f"{TITLE}\n\n{BODY}".encode(), "ponulele.txt")
    done = report(bot, ADMIN, telegram_server.message(document=txt, chat_id=ADMIN))
    assert done.text.startswith("Selesai: 1 ditambahkan")

    lines = [
        {
            "id": "pasar-1",
            "title": "Pasar Terapung Banjarmasin",
            "content": "Pasar terapung "
            "Lok Baintan di Banjarmasin ramai dikunjungi wisatawan pada akhir pekan.",
        },
        {
            "id": "kopi-1",
            "title": "Panen Kopi Gayo",
            "content": "Petani kopi Gayo di Aceh "
            "Tengah memanen biji kopi lebih awal tahun ini karena cuaca kering.",
        },
    ]
    body = "\n".join(json.dumps(line) for line in lines) + "\n{not json\n"
    first = telegram_server.add_file(body.encode(), "arsip.jsonl", "application/x-ndjson")
    done = report(bot, ADMIN, telegram_server.message(document=first, chat_id=ADMIN))
    assert done.text.startswith("Selesai: 2 ditambahkan, 0 diperbarui, 0 tidak berubah, 1 gagal.")
    # named by the file sent, not by the temporary copy the bot loaded it from
    assert "gagal: telegram:arsip.jsonl:3 — not valid JSON" in done.text
    assert "/tmp" not in done.text

    lines[1]["content"] += " Harga kopi Gayo naik menjadi Rp 90 ribu per kilogram."
    body = "\n".join(json.dumps(line) for line in lines)
    second = telegram_server.add_file(body.encode(), "arsip.jsonl", "application/x-ndjson")
    done = report(bot, ADMIN, telegram_server.message(document=second, chat_id=ADMIN))
    assert done.text.startswith("Selesai: 0 ditambahkan, 1 diperbarui, 1 tidak berubah, 0 gagal.")
    assert "diperbarui: Panen Kopi Gayo" in done.text

    answer = bot.ask("Berapa harga kopi Gayo per kilogram?", chat_id=53)
    assert "90 ribu" in answer.text and "Panen Kopi Gayo" in answer.text


def test_urls_to_loopback_private_addresses_and_other_schemes_are_refused(
    make_bot: MakeBot, web_server: WebServer
) -> None:
    bot = make_bot()
    web_server.route("/berita", article_page(TITLE, BODY))
    local = web_server.url("/berita")
    named = local.replace("127.0.0.1", "localhost")

    done = report(bot, ADMIN, bot.say(f"/add {local}", chat_id=ADMIN))
    assert "0 ditambahkan" in done.text and "1 gagal" in done.text
    assert "private or local address" in done.text
    done = report(bot, ADMIN, bot.say(named, chat_id=ADMIN))  # a bare link adds it too
    assert "1 gagal" in done.text and "private or local address" in done.text
    assert web_server.requests_to("/berita") == []  # never fetched

    for url in ("http://10.1.2.3/berita", "http://169.254.169.254/latest/meta-data/"):
        done = report(bot, ADMIN, bot.say(f"/add {url}", chat_id=ADMIN))
        assert "1 gagal" in done.text and "private or local address" in done.text, done.text
    for url in ("ftp://example.com/berita.txt", "file:///etc/passwd"):
        done = report(bot, ADMIN, bot.say(f"/add {url}", chat_id=ADMIN))
        assert "1 gagal" in done.text and "only http and https URLs" in done.text, done.text
    assert NOT_IN_INDEX(bot)


def test_binary_oversized_and_unsupported_documents_fail_clearly(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot(fetch_max_bytes=5000)

    binary = telegram_server.add_file(b"\x00\x01\x02PNG\x00" * 50, "gambar.txt")
    done = report(bot, ADMIN, telegram_server.message(document=binary, chat_id=ADMIN))
    assert "1 gagal" in done.text and "binary data" in done.text

    big = telegram_server.add_file(b"Judul\n\n" + b"kata " * 2000, "besar.txt")
    sent = telegram_server.message(document=big, chat_id=ADMIN)
    [reply] = bot.wait_replies(ADMIN, sent)
    # Indonesian writes decimals with a comma.
    assert reply.text == "Berkas besar.txt terlalu besar (10,0 kB; batasnya 5,0 kB)."
    assert len(telegram_server.downloads) == 1  # refused before downloading it

    pdf = telegram_server.add_file(b"%PDF-1.4", "laporan.pdf", "application/pdf")
    sent = telegram_server.message(document=pdf, chat_id=ADMIN)
    [reply] = bot.wait_replies(ADMIN, sent)
    assert "laporan.pdf tidak didukung" in reply.text

    assert NOT_IN_INDEX(bot)
    assert "Hizbullah" in bot.ask("Siapa yang memimpin pertempuran di Albu Kamal?").text


def test_in_a_group_an_admin_adds_a_document_captioned_add_others_are_ignored(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot()
    group = -5005
    document = telegram_server.add_file(f"{TITLE}\n\n{BODY}".encode(), "ponulele.txt")
    ignored = telegram_server.message(
        document=document, chat_id=group, chat_type="group", user_id=ADMIN
    )
    refused = telegram_server.message(
        document=document, caption="/add", chat_id=group, chat_type="group", user_id=77
    )
    [refusal] = bot.wait_replies(group, refused)
    assert "hanya admin" in refusal.text
    added = telegram_server.message(
        document=document,
        caption=f"@{BOT_USERNAME} tolong simpan",
        chat_id=group,
        chat_type="group",
        user_id=ADMIN,
    )
    assert report(bot, group, added).text.startswith("Selesai: 1 ditambahkan")
    bot.stop()
    assert all(m.reply_to_message_id != ignored for m in telegram_server.sent_messages(group))
