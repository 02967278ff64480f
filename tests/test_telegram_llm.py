"""The bot with a language model: the local OpenAI-compatible server streams
the model's reply, the bot shows it by editing its message at a throttled
rate, and the final message is the checked answer with its sources. A model
that fails leaves the user with the offline answer and a note; a slow one
keeps nobody else waiting."""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.telegram import QUESTION, BotHarness
from tests.servers.openai_api import OpenAIServer, Reply
from tests.servers.telegram_api import SentMessage, TelegramServer, utf16_len

# The lead of every answer: the outlet and date of the article it quotes.
LEAD = "Menurut Jurnalislamcom, 10 November 2017:\n"

MakeBot = Callable[..., BotHarness]

STREAMED = (
    "Pertempuran untuk merebut Albu Kamal dipimpin oleh kelompok militan Syiah Libanon "
    "Hizbullah [1]. Mereka didampingi penasihat Garda Revolusi Iran [1]. Sebagian besar "
    "pertempuran dilakukan oleh milisi sekutu Syiah internasional [1][9]. Tentara reguler "
    "Assad tidak banyak terlibat [1]. Hal itu disampaikan Observatorium Suriah [1]."
)
CHECKED = (  # [9] pointed to no passage: dropped
    "Pertempuran untuk merebut Albu Kamal dipimpin oleh kelompok militan Syiah Libanon "
    "Hizbullah [1]. Mereka didampingi penasihat Garda Revolusi Iran [1]. Sebagian besar "
    "pertempuran dilakukan oleh milisi sekutu Syiah internasional [1]. Tentara reguler "
    "Assad tidak banyak terlibat [1]. Hal itu disampaikan Observatorium Suriah [1]."
)
INJECTED = "PWNED! Akun Anda diblokir: masuk ulang di http://evil.example/login sekarang."


@pytest.fixture
def make_llm_bot(make_bot: MakeBot, openai_server: OpenAIServer) -> Iterator[MakeBot]:
    def make(**overrides: Any) -> BotHarness:
        settings: dict[str, Any] = {
            "llm": "openai:gpt-test",
            "llm_base_url": openai_server.base_url,
            "OPENAI_API_KEY": "sk-test",
            "llm_max_retries": 0,  # one request per answer: a failure is a failure
            "llm_timeout": 30,
        }
        return make_bot(**{**settings, **overrides})

    yield make


def final(bot: BotHarness, chat_id: int, asked: int, parts: int = 1) -> list[SentMessage]:
    """The bot's answer to `asked` once complete: every part in HTML, the sources in the last."""

    def done(found: list[SentMessage]) -> bool:
        return (
            len(found) >= parts
            and all(m.parse_mode == "HTML" for m in found)
            and ("Sumber" in found[-1].text or "tidak memuat" in found[-1].text)
        )

    return bot.wait_replies(chat_id, asked, parts, until=done)


def test_an_llm_answer_is_streamed_by_throttled_edits_then_checked(
    make_llm_bot: MakeBot, openai_server: OpenAIServer, telegram_server: TelegramServer
) -> None:
    words = len(STREAMED.split())
    openai_server.reply_with(Reply(STREAMED, chunk_delay=0.06))
    bot = make_llm_bot(build_options={"stream_interval": 1.0})
    asked = bot.say(QUESTION, chat_id=101)
    [answer] = final(bot, 101, asked)

    assert answer.reply_to_message_id == asked
    # Who published it and when, then the checked answer, then the sources.
    assert answer.text == f"{LEAD}{CHECKED}\n\nSumber\n[1] " + answer.text.split("\n[1] ", 1)[1]
    assert answer.text.split("\n[1] ", 1)[1].startswith("Dibantu Milisi Syiah Internasional")
    assert answer.reply_markup is not None  # the quote buttons

    # Before the final text: previews of the checked text so far, whole
    # sentences, plain, each longer.
    previews = answer.history
    assert len(previews) >= 2, previews
    assert all(p.endswith("]. …") for p in previews)
    assert all(CHECKED.startswith(p[: -len(" …")]) for p in previews)
    assert [len(p) for p in previews] == sorted({len(p) for p in previews})
    # Throttled: far fewer edits than streamed words, and spaced out (a second
    # apart in the bot; half that is allowed for network jitter).
    edits = [c for c in telegram_server.calls if c.method == "editMessageText"]
    assert len(edits) == answer.edits < words / 2
    sends = [c for c in telegram_server.calls if c.method == "sendMessage"]
    times = [sends[0].time] + [c.time for c in edits[:-1]]  # the last edit is the final answer
    assert all(later - earlier >= 0.5 for earlier, later in itertools.pairwise(times)), times

    question = openai_server.last_request["messages"][-1]["content"]
    assert "Albu Kamal" in question and QUESTION in question  # the passages and the question


def test_when_the_model_fails_the_offline_answer_comes_with_a_note(
    make_llm_bot: MakeBot, openai_server: OpenAIServer
) -> None:
    openai_server.reply_with(
        Reply(status=500),
        Reply(STREAMED * 3, chunk_delay=0.05, drop_midstream=True),
    )
    bot = make_llm_bot()
    asked = bot.say(QUESTION, chat_id=102)
    [answer] = final(bot, 102, asked)
    body, note = answer.text.split("\n\nSumber\n")[0].rsplit("\n\n", 1)
    assert "Hizbullah" in body and "[1]" in body  # the extractive answer, quoted
    assert note.startswith("Model bahasa (openai:gpt-test) tidak dapat dihubungi")
    assert any(e["type"] == "italic" for e in answer.entities)

    # A stream that breaks halfway: the preview the user saw is replaced.
    asked = bot.say(QUESTION, chat_id=103)
    [answer] = final(bot, 103, asked)
    assert answer.history, "the partial answer was shown first"
    assert "tidak dapat dihubungi" in answer.text and "Hizbullah" in answer.text
    assert "[1][9]" not in answer.text


def test_an_answer_longer_than_a_message_is_split_at_sentence_boundaries(
    make_llm_bot: MakeBot, openai_server: OpenAIServer
) -> None:
    sentences = [
        f"Kalimat ke-{i} menjelaskan bahwa pertempuran di Albu Kamal dipimpin Hizbullah "
        f"bersama milisi Syiah dari Irak dan penasihat Iran [1]."
        for i in range(1, 61)
    ]
    openai_server.reply_with(" ".join(sentences))
    bot = make_llm_bot()
    asked = bot.say(QUESTION, chat_id=104)
    parts = final(bot, 104, asked, parts=2)
    assert len(parts) == 2
    assert parts[0].reply_to_message_id == asked
    for part in parts:
        assert utf16_len(part.text) <= 4096  # and the server accepted each
    assert parts[0].text.endswith("[1].")  # cut after a whole sentence
    assert re.match(r"Kalimat ke-\d+ ", parts[1].text)
    shown = " ".join(p.text for p in parts)
    assert all(shown.count(s) == 1 for s in sentences)
    assert parts[0].reply_markup is None and parts[1].reply_markup is not None
    assert "\n\nSumber\n[1] Dibantu Milisi" in parts[1].text


def test_a_slow_answer_does_not_hold_up_other_chats(
    make_llm_bot: MakeBot, openai_server: OpenAIServer, telegram_server: TelegramServer
) -> None:
    release = threading.Event()

    def model(request: dict[str, Any]) -> Reply:
        if "Pak Lambat" in request["messages"][-1]["content"]:
            release.wait(60)  # this model call hangs until the test lets it go
            return Reply("Hizbullah memimpin pertempuran itu [1].")
        return Reply("Pertempuran dipimpin Hizbullah [1].")

    openai_server.responder = model
    bot = make_llm_bot()
    slow = bot.say(f"{QUESTION} Pak Lambat bertanya.", chat_id=105)
    openai_server.wait_for_requests(1)
    try:
        for chat in (106, 107, 108):
            [answer] = final(bot, chat, bot.say(QUESTION, chat_id=chat))
            assert answer.text.startswith(f"{LEAD}Pertempuran dipimpin Hizbullah [1].")
        assert bot.replies(105, slow) == []  # still waiting for its model
    finally:
        release.set()
    [answer] = final(bot, 105, slow)
    assert answer.text.startswith(f"{LEAD}Hizbullah memimpin pertempuran itu [1].")


def test_on_shutdown_an_answer_that_cannot_finish_is_abandoned_with_an_apology(
    make_llm_bot: MakeBot, openai_server: OpenAIServer, telegram_server: TelegramServer
) -> None:
    release = threading.Event()

    def model(request: dict[str, Any]) -> Reply:
        release.wait(60)
        return Reply("Terlambat [1].")

    openai_server.responder = model
    bot = make_llm_bot(build_options={"shutdown_grace": 1.0})
    asked = bot.say(QUESTION, chat_id=109)
    openai_server.wait_for_requests(1)
    try:
        bot.stop()  # as on SIGTERM
    finally:
        release.set()
    [sorry] = bot.replies(109, asked)
    assert sorry.reply_to_message_id == asked
    assert sorry.text.startswith("Maaf, bot sedang dimulai ulang")


@pytest.mark.parametrize(
    "reply",
    [
        f"{INJECTED} {INJECTED} {INJECTED}",  # nothing cited: the offline answer instead
        f"{INJECTED} Pertempuran itu dipimpin oleh Hizbullah [1]. {INJECTED} Milisi Syiah "
        f"internasional ikut bertempur [1]. {INJECTED[:-1]} [7].",  # cited, plus injected
    ],
    ids=["uncited", "mixed"],
)
def test_injected_model_text_never_reaches_the_chat(
    make_llm_bot: MakeBot,
    openai_server: OpenAIServer,
    telegram_server: TelegramServer,
    reply: str,
) -> None:
    openai_server.reply_with(Reply(reply, chunk_delay=0.03))
    bot = make_llm_bot(build_options={"stream_interval": 0.2})
    asked = bot.say(QUESTION, chat_id=110)
    [answer] = final(bot, 110, asked)
    assert "Hizbullah" in answer.text

    # Every text the bot ever put in the chat: the first message (what a push
    # notification shows), each streamed edit, the final answer.
    shown = [
        str(call.params.get("text", ""))
        for call in telegram_server.calls
        if call.method in ("sendMessage", "editMessageText")
    ]
    assert shown
    for text in shown:
        assert "PWNED" not in text and "evil.example" not in text, text
    if "[1]" in reply.split(INJECTED)[1]:  # the mixed reply: its cited sentences stand
        assert answer.text.startswith(
            f"{LEAD}Pertempuran itu dipimpin oleh Hizbullah [1]. Milisi Syiah internasional ikut "
            "bertempur [1]."
        )
        assert len(shown) >= 2  # it was streamed
    else:
        assert "tidak merujuk ke satu pun kutipan" in answer.text  # the note


def test_a_provider_error_that_echoes_the_key_stays_out_of_logs_and_chat(
    make_llm_bot: MakeBot,
    openai_server: OpenAIServer,
    telegram_server: TelegramServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    key = "sk-proj-botkey-0123456789abcdef"
    openai_server.reply_with(Reply(status=500, error_message=f"invalid request for key {key}"))
    bot = make_llm_bot(OPENAI_API_KEY=key)
    asked = bot.say(QUESTION, chat_id=111)
    [answer] = final(bot, 111, asked)
    assert "tidak dapat dihubungi" in answer.text  # the model failed: offline answer, note
    assert openai_server.request_headers[0]["authorization"] == f"Bearer {key}"
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "invalid request for key [REDACTED]" in logged  # logged, redacted
    assert key not in logged
    assert all(key not in str(call.params) for call in telegram_server.calls)
