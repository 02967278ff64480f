"""News articles served by the local web server, for the feed and follow tests."""

from __future__ import annotations

from tests.servers.feeds import FeedItem
from tests.servers.web import WebServer, article_page

TOPICS = [
    ("Banjir merendam ratusan rumah di Bekasi", "banjir", "Bekasi"),
    ("Gempa magnitudo lima guncang Cianjur", "gempa", "Cianjur"),
    ("Harga cabai naik menjelang Lebaran di Medan", "harga cabai", "Medan"),
    ("Kereta cepat mulai uji coba di Bandung", "kereta cepat", "Bandung"),
    ("Nelayan Natuna menangkap kapal asing", "nelayan", "Natuna"),
]


def serve_articles(web: WebServer, count: int = 3, prefix: str = "berita") -> list[FeedItem]:
    items = []
    for i in range(count):
        title, what, where = TOPICS[i % len(TOPICS)]
        title = f"{title} ({prefix} {i})"
        body = [
            f"Peristiwa {what} terjadi di {where} pada Selasa pagi menurut laporan warga setempat nomor {i}.",
            f"Petugas dari pemerintah daerah {where} sudah datang ke lokasi untuk membantu warga.",
            f"Kepala dinas mengatakan bahwa penanganan {what} akan selesai dalam sepekan ke depan.",
        ]
        url = web.route(f"/{prefix}/{i}", article_page(title, body))
        items.append(FeedItem(url, title))
    return items
