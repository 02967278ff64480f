"""What the bot says, in Indonesian (the default) and English: one catalog
(`retrieval.text.Messages`, the mechanism the answers' notes use too) in the
languages of `retrieval.text.Language`.

Most users write Indonesian; a user whose Telegram is set to English, or who
chose `/lang en`, gets English. Answers themselves are not translated: they
quote the articles.
"""

from __future__ import annotations

from retrieval.text import LANGUAGES, Language, Messages

LANGS = LANGUAGES  # the bot speaks every language tanya answers in

_TEXTS: dict[str, dict[Language, str]] = {
    "help": {
        "id": (
            "Halo! Saya <b>tanya</b>. Saya menjawab pertanyaan tentang artikel berita "
            "yang tersimpan, dan setiap jawaban menyebut sumbernya [1], [2].\n\n"
            "Di obrolan pribadi, cukup kirim pertanyaan. Di grup, sebut saya "
            "(@{username}), balas pesan saya, atau pakai /ask.\n\n"
            "/ask <i>pertanyaan</i> — ajukan pertanyaan\n"
            "/sources — kutipan yang dipakai untuk jawaban terakhir\n"
            "/reset — lupakan percakapan di obrolan ini\n"
            "/stats — isi indeks\n"
            "/lang <i>id|en|auto</i> — bahasa bot\n"
            "/add — tambah artikel (khusus admin): kirim URL, /add + teks, "
            "atau berkas .txt/.html/.md/.jsonl\n"
            "/help — pesan ini"
        ),
        "en": (
            "Hi! I am <b>tanya</b>. I answer questions about the stored news articles, "
            "and every answer cites its sources [1], [2].\n\n"
            "In a private chat, just send a question. In a group, mention me "
            "(@{username}), reply to one of my messages, or use /ask.\n\n"
            "/ask <i>question</i> — ask a question\n"
            "/sources — the passages behind the last answer\n"
            "/reset — forget this chat's conversation\n"
            "/stats — what is in the index\n"
            "/lang <i>id|en|auto</i> — the bot's language\n"
            "/add — add an article (admins only): send a URL, /add + text, "
            "or a .txt/.html/.md/.jsonl file\n"
            "/help — this message"
        ),
    },
    "ask_usage": {
        "id": "Tulis pertanyaannya setelah /ask, misalnya: <code>/ask Siapa yang merebut Albu Kamal?</code>",
        "en": "Write the question after /ask, e.g. <code>/ask Who took Albu Kamal?</code>",
    },
    "rate_limited": {
        "id": (
            "Pelan-pelan ya 🙂 Anda sudah bertanya {limit} kali dalam semenit terakhir. "
            "Coba lagi dalam {seconds} detik."
        ),
        "en": (
            "Easy there 🙂 you have asked {limit} questions in the last minute. "
            "Please try again in {seconds} seconds."
        ),
    },
    "sources_header": {"id": "Sumber", "en": "Sources"},
    "quote_button": {"id": "Kutipan [{n}]", "en": "Quote [{n}]"},
    "source_gone": {
        "id": "Sumber ini sudah tidak ada di indeks.",
        "en": "This source is no longer in the index.",
    },
    "no_last_answer": {
        "id": "Belum ada jawaban di obrolan ini. Ajukan pertanyaan dulu.",
        "en": "There is no answer in this chat yet. Ask a question first.",
    },
    "passages_header": {
        "id": "Kutipan yang ditemukan untuk: <i>{question}</i>",
        "en": "Passages found for: <i>{question}</i>",
    },
    "reset_done": {
        "id": "Percakapan di obrolan ini sudah dilupakan. Silakan mulai pertanyaan baru.",
        "en": "I have forgotten this chat's conversation. Ask away.",
    },
    "stats": {
        "id": (
            "<b>Indeks</b>\nArtikel: {articles}\nPotongan teks: {chunks}\n"
            "Model embedding: {embedder}\nSumber berita: {sources}"
        ),
        "en": (
            "<b>Index</b>\nArticles: {articles}\nPassages: {chunks}\n"
            "Embedding model: {embedder}\nOutlets: {sources}"
        ),
    },
    "stats_waiting": {
        "id": (
            "\nMenunggu vektor: {articles} artikel ({chunks} potongan teks; "
            "sudah bisa dicari lewat kata kuncinya)"
        ),
        "en": (
            "\nWaiting for vectors: {articles} articles ({chunks} passages; "
            "found by their keywords meanwhile)"
        ),
    },
    "stats_sentences_waiting": {
        "id": (
            "\nMenunggu vektor kalimat: {chunks} potongan teks (jawaban menghitungnya "
            "sendiri sementara itu)"
        ),
        "en": (
            "\nWaiting for sentence vectors: {chunks} passages (answers embed their "
            "sentences meanwhile)"
        ),
    },
    "lang_set": {
        "id": "Baik, saya akan memakai bahasa Indonesia.",
        "en": "OK, I will speak English.",
    },
    "lang_auto": {
        "id": "Baik, saya akan mengikuti bahasa Telegram Anda.",
        "en": "OK, I will follow your Telegram language.",
    },
    "lang_usage": {
        "id": "Bahasa sekarang: {current}. Ganti dengan <code>/lang id</code>, <code>/lang en</code> atau <code>/lang auto</code>.",
        "en": "Current language: {current}. Change it with <code>/lang id</code>, <code>/lang en</code> or <code>/lang auto</code>.",
    },
    "not_admin": {
        "id": (
            "Maaf, hanya admin yang bisa menambahkan artikel. "
            "Silakan ajukan pertanyaan tentang artikel yang sudah ada."
        ),
        "en": (
            "Sorry, only admins can add articles. "
            "Feel free to ask about the articles that are already here."
        ),
    },
    "add_usage": {
        "id": (
            "Cara menambah artikel:\n"
            "• kirim URL artikel (atau <code>/add URL</code>)\n"
            "• <code>/add</code> lalu judul di baris pertama dan isi artikel di bawahnya\n"
            "• kirim berkas .txt, .html, .md atau .jsonl"
        ),
        "en": (
            "To add an article:\n"
            "• send its URL (or <code>/add URL</code>)\n"
            "• <code>/add</code> followed by the title on the first line and the text below\n"
            "• send a .txt, .html, .md or .jsonl file"
        ),
    },
    "add_needs_body": {
        "id": "Teksnya terlalu pendek: tulis judul di baris pertama dan isi artikel di bawahnya.",
        "en": "That is too short: put the title on the first line and the article text below it.",
    },
    "adding": {"id": "Menambahkan…", "en": "Adding…"},
    "add_summary": {
        "id": "Selesai: {added} ditambahkan, {updated} diperbarui, {unchanged} tidak berubah, {failed} gagal.",
        "en": "Done: {added} added, {updated} updated, {unchanged} unchanged, {failed} failed.",
    },
    "status_added": {"id": "ditambahkan", "en": "added"},
    "status_updated": {"id": "diperbarui", "en": "updated"},
    "status_unchanged": {"id": "tidak berubah", "en": "unchanged"},
    "status_failed": {"id": "gagal", "en": "failed"},
    "more_items": {"id": "… dan {n} lainnya", "en": "… and {n} more"},
    "document_type": {
        "id": "Berkas {name} tidak didukung. Kirim .txt, .html, .md atau .jsonl.",
        "en": "{name} is not a supported file. Send a .txt, .html, .md or .jsonl file.",
    },
    "document_too_big": {
        "id": "Berkas {name} terlalu besar ({size}; batasnya {limit}).",
        "en": "{name} is too large ({size}; the limit is {limit}).",
    },
    "unknown_command": {
        "id": "Perintah {command} tidak dikenal. Lihat /help.",
        "en": "I do not know the command {command}. See /help.",
    },
    "error": {
        "id": "Maaf, terjadi kesalahan saat memproses pesan Anda. Silakan coba lagi sebentar lagi.",
        "en": "Sorry, something went wrong while handling your message. Please try again shortly.",
    },
    "shutting_down": {
        "id": "Maaf, bot sedang dimulai ulang sehingga pertanyaan ini belum terjawab. Kirim lagi sebentar lagi ya.",
        "en": "Sorry, the bot is restarting, so this question was not answered. Please send it again in a moment.",
    },
    "not_allowed": {
        "id": "Maaf, bot ini tidak melayani obrolan ini.",
        "en": "Sorry, this bot does not serve this chat.",
    },
    # /follow, /unfollow and the followed sources in /stats (follow.py)
    "follow_usage": {
        "id": "Cara mengikuti sumber berita: <code>/follow URL-feed-atau-sitemap</code>.",
        "en": "To follow a news source: <code>/follow FEED-OR-SITEMAP-URL</code>.",
    },
    "follow_followed": {"id": "✅ Diikuti: {url}", "en": "✅ Following: {url}"},
    "follow_already": {"id": "▫️ Sudah diikuti: {url}", "en": "▫️ Already followed: {url}"},
    "follow_failed": {"id": "❌ Gagal: {url} — {reason}", "en": "❌ Failed: {url} — {reason}"},
    "follow_unfollowed": {"id": "Berhenti mengikuti {url}.", "en": "No longer following {url}."},
    "follow_not_followed": {"id": "{url} tidak diikuti.", "en": "{url} is not followed."},
    "follow_none": {"id": "Belum ada sumber yang diikuti.", "en": "No source is followed yet."},
    "follow_header": {"id": "<b>Sumber yang diikuti</b>", "en": "<b>Followed sources</b>"},
    "follow_line": {
        "id": "• {url}\n  terakhir: {poll} · {result} · baru: {new_last} (total {new_total}) · galat: {errors}",
        "en": "• {url}\n  last poll: {poll} · {result} · new: {new_last} (total {new_total}) · errors: {errors}",
    },
    "follow_never": {"id": "belum pernah", "en": "never"},
    "follow_alert": {
        "id": "⚠️ Sumber {url} gagal {n} kali berturut-turut: {reason}",
        "en": "⚠️ Source {url} failed {n} polls in a row: {reason}",
    },
}
_MESSAGES = Messages(_TEXTS)

# Menu entries for set_my_commands: (command, Indonesian, English).
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("ask", "Ajukan pertanyaan", "Ask a question"),
    ("sources", "Kutipan untuk jawaban terakhir", "Passages behind the last answer"),
    ("reset", "Lupakan percakapan ini", "Forget this conversation"),
    ("stats", "Isi indeks", "What is in the index"),
    ("lang", "Bahasa bot (id/en/auto)", "Bot language (id/en/auto)"),
    ("help", "Cara memakai bot", "How to use the bot"),
)
ADMIN_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("add", "Tambah artikel (URL, teks atau berkas)", "Add an article (URL, text or file)"),
    ("follow", "Ikuti feed atau sitemap", "Follow a feed or sitemap"),
    ("unfollow", "Berhenti mengikuti sumber", "Stop following a source"),
)


def number(lang: Language, value: float, decimals: int = 0) -> str:
    """A number as `lang` writes it: 10.259 and 1,2 in Indonesian, 10,259 and
    1.2 in English (Babel's CLDR data)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale="id" if lang == "id" else "en")


def t(lang: Language, key: str, **values: object) -> str:
    """The text `key` in `lang`; `values` fill its `{placeholders}`, whole
    numbers written as `lang` writes them (`number`).

    Texts are Telegram HTML: values that come from users or articles must be
    escaped by the caller.
    """
    return _MESSAGES(
        key,
        lang,
        **{
            name: number(lang, value) if type(value) is int else value
            for name, value in values.items()
        },
    )


def lang_from_code(code: str | None) -> Language:
    """Telegram's `language_code` ("en", "en-GB", "id", None) → a language we speak."""
    return "en" if code and code.lower().split("-")[0] == "en" else "id"


def text_keys() -> list[str]:
    return _MESSAGES.keys()
