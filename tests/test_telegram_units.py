"""The Telegram front end's parts that need no bot: rendering, rate limits,
the chat store, token redaction."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import pytest

from bot.telegram import i18n, render
from bot.telegram.ratelimit import SlidingWindowLimiter
from bot.telegram.redaction import REDACTED, TokenRedaction
from bot.telegram.store import ChatStore
from retrieval.answer.types import Answer, Citation, Turn

TOKEN = "123456789:AAHk-secretPartOfTheToken_xyz0123456"


def visible(message_html: str) -> str:
    """What Telegram shows for an HTML message: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", message_html))


def citation(n: int, **kw: object) -> Citation:
    base: dict[str, object] = {
        "n": n,
        "article_id": f"art{n}",
        "title": f"Judul {n}",
        "date": "2017-11-10",
        "source": "Jurnalislam",
        "url": f"https://example.org/{n}",
        "quote": "kutipan",
        "chunk_id": f"{'a' * 16}:{'b' * 8}:{n}",
    }
    base.update(kw)
    return Citation(**base)  # type: ignore[arg-type]


# --- render ------------------------------------------------------------------------------------------
def test_answer_is_escaped_and_cites_its_sources() -> None:
    answer = Answer(
        question="q",
        answer="Harga naik <5% & turun > 2 kali [1].",
        found=True,
        citations=[
            citation(1, title='A <b>bold</b> "title" & more', url="https://x.org/?a=1&b=<2>")
        ],
    )
    [message] = render.render_answer(answer, "id")
    assert "Harga naik &lt;5% &amp; turun &gt; 2 kali [1]." in message
    assert "A &lt;b&gt;bold&lt;/b&gt;" in message
    assert 'href="https://x.org/?a=1&amp;b=&lt;2&gt;"' in message
    shown = visible(message)
    assert "Sumber" in shown
    assert '[1] A <b>bold</b> "title" & more · 2017-11-10 · Jurnalislam' in shown


def test_non_web_urls_are_not_links() -> None:
    answer = Answer("q", "x [1].", True, citations=[citation(1, url="javascript:alert(1)")])
    [message] = render.render_answer(answer, "en")
    assert "<a " not in message and "Sources" in message


def test_long_answers_split_at_sentence_boundaries_under_the_limit() -> None:
    sentences = [f"Kalimat nomor {i} membahas Albu Kamal dan Suriah [1]." for i in range(400)]
    answer = Answer("q", " ".join(sentences), True, citations=[citation(1), citation(2)])
    parts = render.render_answer(answer, "id")
    assert len(parts) > 1
    for part in parts:
        assert render.visible_length(visible(part)) <= render.MAX_MESSAGE_CHARS
    texts = [visible(p) for p in parts]
    for text in texts[:-1]:
        assert text.endswith("[1]."), text[-40:]  # never cut mid-sentence
    joined = " ".join(texts)
    for s in sentences:
        assert s in joined
    assert texts[-1].rstrip().endswith("example.org/2") or "[2] Judul 2" in texts[-1]


def test_a_sentence_longer_than_a_message_is_cut_at_spaces() -> None:
    word = "kata "
    answer = Answer("q", word * 3000, True)
    parts = render.render_answer(answer, "id", limit=1000)
    assert len(parts) >= 15
    assert all(render.visible_length(visible(p)) <= 1000 for p in parts)
    assert all(not p.endswith("kat") for p in parts)


def test_emoji_count_double_like_telegram() -> None:
    answer = Answer("q", "😀" * 3000, True)
    parts = render.render_answer(answer, "id")
    assert len(parts) == 2
    assert all(render.visible_length(visible(p)) <= 4096 for p in parts)


def test_split_sentences_keeps_citation_markers_with_their_sentence() -> None:
    text = "Satu. [1] Dua! [2][3] Tiga? Empat"
    assert render.split_sentences(text) == ["Satu. [1] ", "Dua! [2][3] ", "Tiga? ", "Empat"]
    assert "".join(render.split_sentences(text)) == text


def test_quote_buttons_fit_telegram_callback_limit() -> None:
    too_long = citation(3, chunk_id="x" * 80)
    keyboard = render.source_keyboard([citation(1), citation(2), too_long], "en")
    assert keyboard is not None
    buttons = [b for row in keyboard.inline_keyboard for b in row]
    assert [b.text for b in buttons] == ["Quote [1]", "Quote [2]"]
    for b in buttons:
        assert isinstance(b.callback_data, str)
        assert len(b.callback_data.encode()) <= 64
        assert render.parse_quote_callback(b.callback_data) is not None
    assert render.parse_quote_callback("q:1:" + "a" * 16 + ":bbbbbbbb:1") == (
        1,
        "a" * 16 + ":bbbbbbbb:1",
    )
    assert render.parse_quote_callback("nope") is None
    assert render.source_keyboard([], "id") is None


def test_preview_text_fits() -> None:
    assert render.preview_text("") == "… …" or render.preview_text("").endswith("…")
    long = render.preview_text("x " * 5000)
    assert render.visible_length(long) <= 4096 and long.endswith("…")


def test_every_text_exists_in_both_languages_and_is_balanced_html() -> None:
    for key in i18n.text_keys():
        for lang in i18n.LANGS:
            text = i18n.t(lang, key, **dict.fromkeys(_placeholders(key), "1"))
            for tag in ("b", "i", "code"):
                assert text.count(f"<{tag}>") == text.count(f"</{tag}>"), (key, lang)
    assert i18n.lang_from_code("en-GB") == "en"
    assert i18n.lang_from_code("id") == "id"
    assert i18n.lang_from_code(None) == "id"


def _placeholders(key: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", i18n._TEXTS[key]["id"] + i18n._TEXTS[key]["en"]))


# --- rate limiting -------------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_allows_the_limit_then_tells_once() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, window=60, clock=clock)
    assert all(limiter.hit(1).allowed for _ in range(3))
    refused = limiter.hit(1)
    assert not refused.allowed and refused.notify and refused.retry_after == pytest.approx(60)
    again = limiter.hit(1)
    assert not again.allowed and not again.notify  # one friendly reply per spell
    assert limiter.hit(2).allowed  # other users are not affected
    clock.now += 30
    assert not limiter.hit(1).allowed
    clock.now += 30.001
    assert limiter.hit(1).allowed  # the oldest question left the window
    assert limiter.hit(1).allowed and limiter.hit(1).allowed
    refused = limiter.hit(1)
    assert not refused.allowed and refused.notify  # a new spell: told again


def test_sliding_window_forgets_idle_users() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, window=10, clock=clock, max_keys=100)
    for user in range(100):
        limiter.hit(user)
    clock.now += 11
    limiter.hit(1000)
    assert len(limiter) <= 2


# --- the chat store --------------------------------------------------------------------------------------
def test_history_is_bounded_per_chat_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "telegram.sqlite3"
    store = ChatStore(path)
    for i in range(10):
        store.add_turn(1, Turn(f"q{i}", f"a{i}"), keep=3)
    store.add_turn(2, Turn("other", "chat"), keep=3)
    store.set_lang(7, "en")
    store.set_last_answer(1, "q9", [{"n": 1, "title": "T", "text": "passage"}])
    store.close()

    store = ChatStore(path)
    assert store.history(1, 6) == [Turn("q7", "a7"), Turn("q8", "a8"), Turn("q9", "a9")]
    assert store.history(1, 2) == [Turn("q8", "a8"), Turn("q9", "a9")]
    assert store.history(2, 6) == [Turn("other", "chat")]
    assert store.lang(7) == "en" and store.lang(8) is None
    assert store.last_answer(1) == ("q9", [{"n": 1, "title": "T", "text": "passage"}])
    store.reset(1)
    assert store.history(1, 6) == [] and store.last_answer(1) is None
    assert store.history(2, 6) == [Turn("other", "chat")]
    store.set_lang(7, None)
    assert store.lang(7) is None
    store.add_turn(3, Turn("q", "a"), keep=0)  # history off: nothing kept
    assert store.history(3, 6) == []
    store.close()


# --- the token never reaches the logs ---------------------------------------------------------------------
def test_token_is_redacted_from_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("telegram.ext.test")
    with TokenRedaction(TOKEN):
        logging.getLogger("httpx").info(
            'HTTP Request: POST https://api.telegram.org/bot%s/getMe "200 OK"', TOKEN
        )
        log.warning("url https://api.telegram.org/bot%s/sendMessage failed", TOKEN)
        log.info("the secret half alone: %s", TOKEN.split(":")[1])
        try:
            raise RuntimeError(f"boom at /bot{TOKEN}/getUpdates")
        except RuntimeError:
            log.exception("request failed")
    log.warning("after uninstall: %s", "plain")
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text
    assert REDACTED in caplog.text
    assert "request failed" in caplog.text and "RuntimeError" in caplog.text
    assert "after uninstall: plain" in caplog.text
    # httpx's request lines are below its level now: not even a redacted URL.
    assert "HTTP Request" not in caplog.text
    assert logging.getLogger("httpx").level == logging.WARNING
