"""The local protocol servers speak their protocols to the real, unmodified clients.

Every test here goes through python-telegram-bot, langchain-openai/openai or
httpx over loopback HTTP; if a server drifted from the protocol, the client
would raise or decode something else and these tests would fail.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import socket
import threading

import httpx
import openai
import pytest
import telegram
from langchain_openai import ChatOpenAI
from telegram.error import BadRequest, Conflict, EndPointNotFound, InvalidToken, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.servers.openai_api import DEFAULT_REPLY, OpenAIServer, Reply
from tests.servers.telegram_api import TelegramServer, parse_html, utf16_len
from tests.servers.web import WebServer, article_page


def _bot(server: TelegramServer, token: str | None = None) -> telegram.Bot:
    return telegram.Bot(
        token or server.token, base_url=server.base_url, base_file_url=server.base_file_url
    )


def _run(coro):  # noqa: ANN001, ANN202 - a tiny helper around asyncio.run
    return asyncio.run(coro)


# -- Telegram: single Bot API calls through telegram.Bot ---------------------------------


def test_get_me_returns_the_test_bot(telegram_server: TelegramServer) -> None:
    async def go() -> telegram.User:
        async with _bot(telegram_server) as bot:
            return await bot.get_me()

    me = _run(go())
    assert (me.id, me.username, me.is_bot) == (999000, "tanya_test_bot", True)
    assert telegram_server.calls_of("getMe")


def test_send_html_message_is_parsed_like_telegram(telegram_server: TelegramServer) -> None:
    html = '<b>Jawaban</b> &amp; <a href="https://contoh.id/a">sumber [1]</a> 😀 <i>ok</i>\n'

    async def go() -> telegram.Message:
        async with _bot(telegram_server) as bot:
            return await bot.send_message(42, html, parse_mode="HTML")

    message = _run(go())
    assert message.text == "Jawaban & sumber [1] 😀 ok"
    kinds = [(e.type, e.offset, e.length) for e in message.entities]
    # offsets count UTF-16 code units: the emoji takes two
    assert kinds == [("bold", 0, 7), ("text_link", 10, 10), ("italic", 24, 2)]
    assert message.entities[1].url == "https://contoh.id/a"
    sent = telegram_server.last_sent(42)
    assert (sent.html, sent.text, sent.parse_mode) == (html, message.text, "HTML")
    assert sent.message_id == message.message_id and sent.chat_id == 42
    assert telegram_server.calls_of("sendMessage")[0]["chat_id"] == 42  # decoded as int


@pytest.mark.parametrize(
    ("html", "complaint"),
    [
        ("<b>tebal", 'find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "unmatched end tag"),
        ("baris<br>baru", 'unsupported start tag "br"'),
        ("1 < 2", 'unsupported start tag ""'),
        ('<span class="x">y</span>', 'tag "span" must have class "tg-spoiler"'),
        ("x&nbsp;y", "unsupported html entity"),
        ("</b>", "unexpected end tag"),
    ],
)
def test_bad_html_is_rejected(telegram_server: TelegramServer, html: str, complaint: str) -> None:
    async def go() -> None:
        async with _bot(telegram_server) as bot:
            await bot.send_message(1, html, parse_mode="HTML")

    with pytest.raises(BadRequest) as caught:
        _run(go())
    assert "can't parse entities" in caught.value.message.lower()
    assert complaint.lower() in caught.value.message.lower()
    assert telegram_server.sent_messages() == []
    assert telegram_server.calls[-1].status == 400


def test_supported_html_tags_all_pass() -> None:
    text, entities = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://a.b">a</a><code>c</code><pre><code class="language-python">x=1</code></pre>'
        "<blockquote>kutip</blockquote><blockquote expandable>lagi</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>&lt;&gt;&quot;&#65;&#x42;'
    )
    assert text.endswith('👍<>"AB')
    kinds = {e["type"] for e in entities}
    assert kinds == {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    }
    assert next(e for e in entities if e["type"] == "pre")["language"] == "python"


def test_length_limit_counts_utf16_after_parsing(telegram_server: TelegramServer) -> None:
    async def go() -> None:
        async with _bot(telegram_server) as bot:
            # Markup and entity references do not count; the visible text does, in UTF-16 units.
            for fits in ("<b>" + "a" * 4096 + "</b>", "&amp;" * 4096, "😀" * 2048):
                await bot.send_message(1, fits, parse_mode="HTML")
            for too_long in ("a" * 4097, "😀" * 2049):
                assert utf16_len(too_long) > 4096
                with pytest.raises(BadRequest, match="(?i)message is too long"):
                    await bot.send_message(1, too_long, parse_mode="HTML")
            with pytest.raises(BadRequest, match="(?i)message text is empty"):
                await bot.send_message(1, "<b>  </b>\n", parse_mode="HTML")

    _run(go())
    assert [utf16_len(s.text) for s in telegram_server.sent_messages()] == [4096, 4096, 4096]


def test_edit_and_delete_follow_telegram_rules(telegram_server: TelegramServer) -> None:
    async def go() -> None:
        async with _bot(telegram_server) as bot:
            message = await bot.send_message(7, "<i>Sedang mencari…</i>", parse_mode="HTML")
            with pytest.raises(BadRequest, match="(?i)message is not modified"):
                await bot.edit_message_text(
                    "<i>Sedang mencari…</i>", 7, message.message_id, parse_mode="HTML"
                )
            edited = await bot.edit_message_text(
                "<b>Jawaban</b>", 7, message.message_id, parse_mode="HTML"
            )
            assert edited.text == "Jawaban" and edited.edit_date is not None
            with pytest.raises(BadRequest, match="(?i)message to edit not found"):
                await bot.edit_message_text("x", 7, 9999)
            with pytest.raises(BadRequest, match="(?i)message_too_long"):
                await bot.edit_message_text("y" * 5000, 7, message.message_id)
            assert await bot.delete_message(7, message.message_id)
            with pytest.raises(BadRequest, match="(?i)message to delete not found"):
                await bot.delete_message(7, message.message_id)
            with pytest.raises(BadRequest, match="(?i)message to edit not found"):
                await bot.edit_message_text("z", 7, message.message_id)

    _run(go())
    [sent] = telegram_server.sent_messages(7)
    assert (sent.html, sent.text, sent.edits, sent.deleted) == (
        "<b>Jawaban</b>",
        "Jawaban",
        1,
        True,
    )
    assert sent.history == ["<i>Sedang mencari…</i>"]


def test_inline_keyboard_callback_data_is_limited_to_64_bytes(
    telegram_server: TelegramServer,
) -> None:
    def keyboard(data: str) -> telegram.InlineKeyboardMarkup:
        return telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Sumber", callback_data=data)]]
        )

    async def go() -> telegram.Message:
        async with _bot(telegram_server) as bot:
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await bot.send_message(1, "x", reply_markup=keyboard("é" * 33))  # 66 bytes
            return await bot.send_message(1, "x", reply_markup=keyboard("s" * 64))

    message = _run(go())
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "s" * 64
    assert telegram_server.last_sent().reply_markup == {
        "inline_keyboard": [[{"text": "Sumber", "callback_data": "s" * 64}]]
    }


def test_reply_to_a_user_message_and_to_a_missing_one(telegram_server: TelegramServer) -> None:
    asked = telegram_server.message("Siapa presidennya?", chat_id=5)

    async def go() -> telegram.Message:
        async with _bot(telegram_server) as bot:
            with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
                await bot.send_message(5, "x", reply_to_message_id=asked + 100)
            return await bot.send_message(5, "Jawaban", reply_to_message_id=asked)

    reply = _run(go())
    assert reply.reply_to_message.text == "Siapa presidennya?"
    assert reply.message_id == asked + 1  # ids run per chat, shared by user and bot
    assert telegram_server.last_sent(5).reply_to_message_id == asked


def test_get_file_and_download(telegram_server: TelegramServer) -> None:
    content = "Jakarta — Isi artikel.\n".encode()
    document = telegram_server.add_file(content, "artikel.txt")

    async def go() -> bytes:
        async with _bot(telegram_server) as bot:
            file = await bot.get_file(document["file_id"])
            assert file.file_size == len(content)
            with pytest.raises(BadRequest, match="(?i)invalid file_id"):
                await bot.get_file("nope")
            return bytes(await file.download_as_bytearray())

    assert _run(go()) == content
    assert telegram_server.downloads == ["documents/file_1.txt"]


def test_document_upload_is_decoded_from_multipart(telegram_server: TelegramServer) -> None:
    async def go() -> telegram.Message:
        async with _bot(telegram_server) as bot:
            return await bot.send_document(
                5,
                io.BytesIO(b"isi berkas"),
                filename="hasil.txt",
                caption="<b>Hasil</b> 123",
                parse_mode="HTML",
            )

    message = _run(go())
    assert (message.document.file_name, message.caption) == ("hasil.txt", "Hasil 123")
    [params] = telegram_server.calls_of("sendDocument")
    assert params["document"].data == b"isi berkas"
    assert params["caption"] == "<b>Hasil</b> 123" and params["chat_id"] == 5


def test_string_params_stay_strings_and_json_bodies_work(telegram_server: TelegramServer) -> None:
    url = f"{telegram_server.base_url}{telegram_server.token}/sendMessage"
    by_form = httpx.post(url, data={"chat_id": "9", "text": "123"}).json()
    by_json = httpx.post(url, json={"chat_id": 9, "text": "true"}).json()
    assert by_form["result"]["text"] == "123" and by_json["result"]["text"] == "true"
    assert [m.text for m in telegram_server.sent_messages(9)] == ["123", "true"]
    missing = httpx.post(url, data={"text": "x"})
    assert missing.status_code == 400
    assert missing.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat_id is empty",
    }


def test_stray_ampersand_is_accepted_when_not_strict(telegram_server: TelegramServer) -> None:
    telegram_server.strict_html_entities = False  # what api.telegram.org itself does

    async def go() -> telegram.Message:
        async with _bot(telegram_server) as bot:
            return await bot.send_message(1, "Q&A &nbsp; <b>ok</b>", parse_mode="HTML")

    assert _run(go()).text == "Q&A &nbsp; ok"


def test_wrong_token_is_invalid(telegram_server: TelegramServer) -> None:
    async def go() -> None:
        async with _bot(telegram_server, token="123456:WRONG-token-zzzzzzzzzzzz") as bot:
            await bot.get_me()

    with pytest.raises(InvalidToken):
        _run(go())


def test_flood_control_raises_retry_after_then_recovers(telegram_server: TelegramServer) -> None:
    telegram_server.fail_next("sendMessage", status=429, retry_after=3)

    async def go() -> None:
        async with _bot(telegram_server) as bot:
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(1, "satu")
            assert caught.value.retry_after in (3, dtm.timedelta(seconds=3))
            await bot.send_message(1, "dua")

    _run(go())
    assert [s.text for s in telegram_server.sent_messages()] == ["dua"]
    assert [c.status for c in telegram_server.calls if c.method == "sendMessage"] == [429, 200]


def test_unknown_method_is_not_found(telegram_server: TelegramServer) -> None:
    async def go() -> None:
        async with _bot(telegram_server) as bot:
            await bot.do_api_request("sendPigeon", api_kwargs={"chat_id": 1})

    with pytest.raises(EndPointNotFound):
        _run(go())


def test_commands_are_recorded_per_scope_and_language(telegram_server: TelegramServer) -> None:
    async def go() -> tuple[list[telegram.BotCommand], list[telegram.BotCommand]]:
        async with _bot(telegram_server) as bot:
            await bot.set_my_commands([("tanya", "Ajukan pertanyaan")], language_code="id")
            await bot.set_my_commands(
                [("ask", "Ask a question")], scope=telegram.BotCommandScopeAllPrivateChats()
            )
            with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
                await bot.set_my_commands([("Tanya Lagi", "spasi tidak boleh")])
            return await bot.get_my_commands(language_code="id"), await bot.get_my_commands()

    in_indonesian, default = _run(go())
    assert [c.command for c in in_indonesian] == ["tanya"] and default == ()
    assert telegram_server.commands_for({"type": "all_private_chats"}) == [
        {"command": "ask", "description": "Ask a question"}
    ]
    assert telegram_server.commands_for(language_code="id")[0]["command"] == "tanya"


def test_chat_action_and_markdown_v2_validation(telegram_server: TelegramServer) -> None:
    async def go() -> telegram.Message:
        async with _bot(telegram_server) as bot:
            assert await bot.send_chat_action(1, "typing")
            with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
                await bot.send_chat_action(1, "dancing")
            with pytest.raises(BadRequest, match="(?i)character '.' is reserved"):
                await bot.send_message(1, "*Jawaban* selesai.", parse_mode="MarkdownV2")
            return await bot.send_message(1, "*Jawaban* selesai\\.", parse_mode="MarkdownV2")

    message = _run(go())
    assert message.text == "Jawaban selesai."
    assert message.entities[0].type == "bold"


def test_get_updates_long_polls_and_honours_offset(telegram_server: TelegramServer) -> None:
    async def go() -> None:
        async with _bot(telegram_server) as bot:
            assert await bot.get_updates(timeout=0) == ()
            # The update arrives while getUpdates is already waiting on the server.
            pusher = threading.Timer(0.2, telegram_server.message, args=("halo",))
            pusher.start()
            try:
                updates = await bot.get_updates(timeout=20)
            finally:
                pusher.join()
            assert [u.message.text for u in updates] == ["halo"]
            # Not confirmed yet: delivered again until an offset passes it.
            again = await bot.get_updates(timeout=0)
            assert [u.update_id for u in again] == [updates[0].update_id]
            assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
            telegram_server.message("satu")
            telegram_server.message("dua")
            limited = await bot.get_updates(limit=1, timeout=0)
            assert [u.message.text for u in limited] == ["satu"]
            last = await bot.get_updates(offset=-1, timeout=0)
            assert [u.message.text for u in last] == ["dua"]

    _run(go())
    assert telegram_server.pending_updates()[0]["message"]["text"] == "dua"


def test_second_get_updates_ends_the_first_with_conflict(telegram_server: TelegramServer) -> None:
    async def go() -> None:
        async with _bot(telegram_server) as first, _bot(telegram_server) as second:
            waiting = asyncio.create_task(first.get_updates(timeout=20))
            await asyncio.to_thread(
                telegram_server.wait_for, lambda: telegram_server.calls_of("getUpdates")
            )
            await second.get_updates(timeout=0)
            with pytest.raises(Conflict, match="(?i)terminated by other getupdates"):
                await waiting

    _run(go())


def test_message_builder_adds_the_entities_a_client_would(telegram_server: TelegramServer) -> None:
    telegram_server.message("/tanya@tanya_test_bot apa kabar @teman_baik https://contoh.id/a.")
    update = telegram.Update.de_json(telegram_server.pending_updates()[0], None)
    entities = update.message.parse_entities()
    assert list(entities.values()) == [
        "/tanya@tanya_test_bot",
        "@teman_baik",
        "https://contoh.id/a",
    ]
    assert update.message.from_user.language_code == "id"
    assert update.effective_chat.type == "private"


# -- Telegram: a whole Application polling the server ------------------------------------


def test_application_polls_and_replies(telegram_server: TelegramServer) -> None:
    async def on_text(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Sumber", callback_data="src:1")]]
        )
        await update.message.reply_html(
            f"<b>Kamu bertanya:</b> {update.message.text}",
            reply_markup=keyboard,
            do_quote=True,  # PTB quotes by default only in groups
        )

    async def on_start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Selamat datang")

    async def on_button(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Memuat sumber")
        await update.callback_query.edit_message_text("Sumber [1]")

    async def go() -> None:
        app = (
            ApplicationBuilder()
            .token(telegram_server.token)
            .base_url(telegram_server.base_url)
            .base_file_url(telegram_server.base_file_url)
            .build()
        )
        app.add_handler(CommandHandler("start", on_start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
        app.add_handler(CallbackQueryHandler(on_button))
        await app.initialize()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await app.start()
        try:
            asked = telegram_server.message("Apa itu APBN?", chat_id=77)
            [answer] = await asyncio.to_thread(telegram_server.wait_for_sent, 1, chat_id=77)
            telegram_server.message("/start", chat_id=78)
            await asyncio.to_thread(telegram_server.wait_for_sent, 1, chat_id=78)
            query = telegram_server.callback("src:1", chat_id=77, message_id=answer.message_id)
            await asyncio.to_thread(
                telegram_server.wait_for,
                lambda: telegram_server.sent_messages(77)[0].edits == 1,
            )
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
        assert answer.text == "Kamu bertanya: Apa itu APBN?"
        assert answer.reply_to_message_id == asked
        assert telegram_server.last_sent(78).text == "Selamat datang"
        assert telegram_server.answered_callbacks[query]["text"] == "Memuat sumber"
        edited = telegram_server.sent_messages(77)[0]
        assert edited.text == "Sumber [1]" and edited.reply_markup is None

    _run(go())
    assert telegram_server.calls_of("deleteWebhook"), "PTB bootstraps polling with deleteWebhook"


def test_wait_for_reports_recent_calls_on_timeout(telegram_server: TelegramServer) -> None:
    async def go() -> None:
        async with _bot(telegram_server) as bot:
            await bot.send_message(3, "sesuatu")

    _run(go())
    with pytest.raises(AssertionError, match="sendMessage"):
        telegram_server.wait_for(lambda: telegram_server.sent_messages(4), timeout=0.1)


# -- OpenAI chat completions through langchain-openai ----------------------------------


def _chat(server: OpenAIServer, **kwargs: object) -> ChatOpenAI:
    options: dict = {"max_retries": 0, "timeout": 10}
    options.update(kwargs)
    return ChatOpenAI(base_url=server.base_url, api_key="test", model="gpt-test", **options)


def test_chat_openai_invoke(openai_server: OpenAIServer) -> None:
    openai_server.reply_with("Menurut artikel [1], anggarannya naik.")
    result = _chat(openai_server).invoke(
        [("system", "Jawab dari bagian bernomor."), ("human", "Berapa anggarannya?")]
    )
    assert result.content == "Menurut artikel [1], anggarannya naik."
    assert result.response_metadata["finish_reason"] == "stop"
    assert result.usage_metadata["output_tokens"] > 0
    [request] = openai_server.requests
    assert request["model"] == "gpt-test"
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert request["messages"][1]["content"] == "Berapa anggarannya?"
    # Queue empty: the responder answers.
    assert _chat(openai_server).invoke("lagi").content == DEFAULT_REPLY


def test_chat_openai_stream(openai_server: OpenAIServer) -> None:
    text = "Presiden meresmikan bendungan di Jawa Tengah [1]."
    openai_server.reply_with(text)
    chunks = list(_chat(openai_server, stream_usage=True).stream("Apa yang diresmikan?"))
    pieces = [c.content for c in chunks if c.content]
    assert "".join(pieces) == text
    assert len(pieces) > 3  # really streamed, word by word
    assert openai_server.last_request["stream"] is True
    assert openai_server.last_request["stream_options"] == {"include_usage": True}
    assert any(c.usage_metadata for c in chunks)


def test_error_statuses_become_openai_errors(openai_server: OpenAIServer) -> None:
    openai_server.reply_with(
        Reply(status=400, error_message="bad prompt"), Reply(status=429), Reply(status=500)
    )
    with pytest.raises(openai.BadRequestError, match="bad prompt"):
        _chat(openai_server).invoke("x")
    with pytest.raises(openai.RateLimitError):
        _chat(openai_server).invoke("x")
    with pytest.raises(openai.InternalServerError):
        list(_chat(openai_server).stream("x"))


def test_client_retries_take_the_next_reply(openai_server: OpenAIServer) -> None:
    openai_server.reply_with(Reply(status=503, headers={"retry-after-ms": "10"}), "pulih")
    assert _chat(openai_server, max_retries=1).invoke("x").content == "pulih"
    assert len(openai_server.requests) == 2


def test_slow_model_times_out_on_the_client(openai_server: OpenAIServer) -> None:
    openai_server.reply_with(Reply(text="terlambat", delay=5))
    with pytest.raises(openai.APITimeoutError):
        _chat(openai_server, timeout=1).invoke("x")


def test_stream_dropped_midway_is_an_error(openai_server: OpenAIServer) -> None:
    openai_server.reply_with(Reply(text="satu dua tiga empat lima enam", drop_midstream=True))
    received: list[str] = []
    with pytest.raises((httpx.HTTPError, openai.APIError)):
        for chunk in _chat(openai_server).stream("x"):
            received.append(str(chunk.content))
    assert "".join(received).startswith("satu")
    assert "enam" not in "".join(received)


def test_required_key_and_models_endpoint(openai_server: OpenAIServer) -> None:
    openai_server.require_key = "sk-benar"
    with pytest.raises(openai.AuthenticationError):
        _chat(openai_server).invoke("x")
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="sk-benar", max_retries=0)
    assert [m.id for m in client.models.list()] == ["gpt-test"]
    assert (
        client.chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": "hai"}]
        )
        .choices[0]
        .message.content
        == DEFAULT_REPLY
    )
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-test", messages=[])
    assert len(openai_server.requests) == 1  # invalid and unauthorised requests are not recorded


def test_responder_sees_the_request(openai_server: OpenAIServer) -> None:
    openai_server.responder = lambda request: request["messages"][-1]["content"].upper()
    assert _chat(openai_server).invoke("gema").content == "GEMA"
    assert openai_server.wait_for_requests(1)[0]["messages"][-1]["content"] == "gema"


# -- web pages through httpx --------------------------------------------------------------


def test_pages_404_and_head(web_server: WebServer) -> None:
    page = article_page("Bendungan baru diresmikan", ["Paragraf satu.", "Paragraf dua."])
    url = web_server.route("/berita/1", page)
    with httpx.Client() as client:
        response = client.get(url)
        assert response.status_code == 200 and response.text == page
        assert response.headers["content-length"] == str(len(page.encode()))
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(page.encode()))
        assert client.get(web_server.url("/tidak-ada")).status_code == 404
    assert [r.method for r in web_server.requests_to("/berita/1")] == ["GET", "HEAD"]
    assert web_server.requests[0].headers["user-agent"].startswith("python-httpx")


def test_redirects_are_followed(web_server: WebServer) -> None:
    web_server.route("/baru", "<p>isi</p>", headers={"X-Sumber": "uji"})
    web_server.redirect("/lama", "/baru", status=301)
    response = httpx.get(web_server.url("/lama"), follow_redirects=True)
    assert str(response.url) == web_server.url("/baru")
    assert response.history[0].status_code == 301
    assert response.headers["x-sumber"] == "uji"
    assert [r.path for r in web_server.requests] == ["/lama", "/baru"]


def test_streamed_body_has_no_length_and_can_be_capped(web_server: WebServer) -> None:
    url = web_server.stream("/besar", b"<p>" + b"x" * 1021, total_bytes=50 * 1024 * 1024)
    cap = 256 * 1024
    received = 0
    with httpx.Client() as client, client.stream("GET", url) as response:
        assert "content-length" not in response.headers
        assert response.headers["transfer-encoding"] == "chunked"
        for data in response.iter_bytes():
            received += len(data)
            if received > cap:
                break
    assert received > cap
    assert web_server.streamed_bytes["/besar"] < 50 * 1024 * 1024


def test_small_stream_arrives_whole(web_server: WebServer) -> None:
    web_server.stream("/kecil", b"abc", total_bytes=10, content_type="text/plain")
    assert httpx.get(web_server.url("/kecil")).content == b"abcabcabca"


def test_hanging_page_times_out(web_server: WebServer) -> None:
    web_server.hang("/macet", seconds=30)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(web_server.url("/macet"), timeout=0.3)


# -- lifecycle --------------------------------------------------------------------------


def test_stop_wakes_waiting_handlers_and_frees_the_port() -> None:
    """A keep-alive client and a pending long poll must not keep the server alive."""
    server = TelegramServer().start()
    port = server.port
    client = httpx.Client()
    client.get(f"{server.base_url}{server.token}/getMe")  # leaves a kept-alive connection
    outcome: list[object] = []

    def long_poll() -> None:
        try:
            outcome.append(
                httpx.get(f"{server.base_url}{server.token}/getUpdates?timeout=60", timeout=90)
            )
        except httpx.HTTPError as exc:
            outcome.append(exc)

    poller = threading.Thread(target=long_poll)
    poller.start()
    server.wait_for(lambda: server.calls_of("getUpdates"))
    server.stop()  # raises if any handler thread were left running
    poller.join()
    client.close()
    assert outcome, "the long poll got an answer or an error once the server stopped"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    assert not [t for t in threading.enumerate() if t.name.startswith("TelegramServer")]
