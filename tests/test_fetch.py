"""URLs: fetched over real HTTP from a local web server, with every way a
page can go wrong reported as a reason, and chat URLs kept away from the
server's own network."""

from __future__ import annotations

import time

import pytest

from retrieval.ingest.fetch import FetchError, fetch_url
from retrieval.ingest.pipeline import add_inputs
from retrieval.store.article_index import ArticleIndex
from tests.servers.web import WebServer, article_page

PARAGRAPHS = [
    "JAKARTA, KABAR UJI - Pemerintah meresmikan bendungan baru di Kabupaten Bogor pada Selasa "
    "pagi untuk mengendalikan banjir di wilayah hilir.",
    "Baca juga: Warga Bogor Sambut Bendungan Baru",
    "Bendungan itu mampu menampung 6 juta meter kubik air dan melindungi ribuan rumah.",
]


def test_a_page_is_added_with_its_metadata(index: ArticleIndex, web_server: WebServer) -> None:
    url = web_server.route("/nasional/bendungan", article_page("Bendungan Baru", PARAGRAPHS))
    report = add_inputs(index, [url])
    assert report.summary() == {"added": 1, "updated": 0, "unchanged": 0, "failed": 0}
    [summary] = index.list_articles()
    assert (summary.title, summary.date, summary.url) == ("Bendungan Baru", "2024-03-05", url)
    article = index.catalog.load_article(summary.id)
    assert article is not None
    assert article.source == "Kabar Uji"  # og:site_name
    assert "6 juta meter kubik" in article.text and "Beranda" not in article.text
    # trafilatura keeps the <h1> as the first line: the cleaner drops the repeat.
    assert [r.kind for r in article.removed] == ["repeated_title", "related_headline"]
    assert "tanya" in web_server.requests[0].headers["user-agent"]

    # Same URL again: unchanged; the page changed: updated in place.
    assert add_inputs(index, [url]).summary()["unchanged"] == 1
    web_server.route("/nasional/bendungan", article_page("Bendungan Baru", PARAGRAPHS[:1]))
    assert add_inputs(index, [url + "#komentar"]).summary()["updated"] == 1
    assert index.stats()["articles"] == 1


def test_redirects_are_followed_and_the_final_url_kept(
    index: ArticleIndex, web_server: WebServer
) -> None:
    final = web_server.route("/artikel/123", article_page("Bendungan Baru", PARAGRAPHS))
    short = web_server.redirect("/s/abc", "/artikel/123", status=301)
    assert add_inputs(index, [short]).summary()["added"] == 1
    assert index.list_articles()[0].url == final


def test_plain_text_urls_are_read_like_txt_files(
    index: ArticleIndex, web_server: WebServer
) -> None:
    url = web_server.route(
        "/berita.txt",
        "Judul Teks\n10 November 2017\nIsi berita dalam teks biasa yang cukup panjang.",
        content_type="text/plain; charset=utf-8",
    )
    assert add_inputs(index, [url]).summary()["added"] == 1
    summary = index.list_articles()[0]
    assert (summary.title, summary.date) == ("Judul Teks", "2017-11-10")


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda w: w.route("/hilang", "tidak ada", status=404), "HTTP 404"),
        (lambda w: w.route("/rusak", "error", status=500), "HTTP 500"),
        (
            lambda w: w.route("/dok.pdf", b"%PDF-1.4\x00\x01", content_type="application/pdf"),
            "not a web page (application/pdf)",
        ),
        (lambda w: w.route("/kosong", ""), "empty"),
        (lambda w: w.route("/menu", "<html><body><nav>menu</nav></body></html>"), "no article"),
        (lambda w: w.stream("/besar", b"<p>" + b"x" * 8192, 50_000_000), "larger than"),
        (
            lambda w: w.route("/besar-cl", "x" * 3_000_000, headers={"X-Big": "1"}),
            "larger than",
        ),
        (lambda w: w.hang("/lambat", 30), "took longer than 1 s"),
        (
            lambda w: w.route(
                "/mirip",
                article_page("Mirip HTML", PARAGRAPHS),
                content_type="text/htmlx; charset=utf-8",
            ),
            "not a web page (text/htmlx)",
        ),
        (lambda w: w.redirect("/loop", "/loop"), "redirects"),
        (
            lambda w: w.route("/biner", bytes(range(256)) * 50, content_type="text/html"),
            "binary",
        ),
    ],
)
def test_broken_pages_fail_with_a_reason_and_the_rest_is_added(
    index: ArticleIndex, web_server: WebServer, setup, reason: str
) -> None:  # type: ignore[no-untyped-def]
    bad = setup(web_server)
    good = web_server.route("/baik", article_page("Bendungan Baru", PARAGRAPHS))
    settings = index.settings.model_copy(
        update={"fetch_timeout": 1.0, "fetch_max_bytes": 2_000_000}
    )
    index.settings = settings
    report = add_inputs(index, [bad, good])
    assert [i.status for i in report.items] == ["failed", "added"]
    assert reason in (report.items[0].reason or ""), report.items[0].reason
    assert report.items[0].origin == bad


def test_unreachable_and_malformed_urls(index: ArticleIndex) -> None:
    report = add_inputs(index, ["http://127.0.0.1:9/tutup", "https://", "ftp://contoh.id/a"])
    reasons = [i.reason or "" for i in report.items]
    assert "connection failed" in reasons[0]
    assert "no host" in reasons[1] or "not a valid URL" in reasons[1]
    assert "only http and https" in reasons[2]
    assert report.summary()["failed"] == 3


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "10.0.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0"],
)
def test_chat_urls_never_reach_the_servers_own_network(host: str) -> None:
    with pytest.raises(FetchError, match="private or local address"):
        fetch_url(f"http://{host}:8080/admin", allow_private=False, timeout=2)


def test_a_redirect_into_the_private_network_is_refused(web_server: WebServer) -> None:
    # The local server is itself private, so this shows the refusal on the first hop;
    # every later hop goes through the same check.
    url = web_server.redirect("/keluar", "http://169.254.169.254/latest/meta-data")
    with pytest.raises(FetchError, match="private or local address"):
        fetch_url(url, allow_private=False, timeout=2)
    assert web_server.requests == []  # refused before any connection was made


# --- the time limit bounds the whole fetch ---------------------------------------------------------


def test_headers_dripped_a_byte_at_a_time_fail_at_the_time_limit(web_server: WebServer) -> None:
    # Every read gets a byte well within the limit, so a per-read timeout never
    # fires: only a deadline over the whole request ends this (~30 s of headers).
    url = web_server.drip_headers("/tetes", 0.25, body=article_page("Judul", PARAGRAPHS))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 2 s \(TANYA_FETCH_TIMEOUT\)"):
        fetch_url(url, timeout=2)
    assert time.monotonic() - started < 8  # generous: the drip alone lasts ~30 s


def test_a_chain_of_slow_redirects_fails_at_the_time_limit(
    index: ArticleIndex, web_server: WebServer
) -> None:
    final = web_server.route("/akhir", article_page("Bendungan Baru", PARAGRAPHS))
    hop = final
    for n in range(5):  # each hop answers within the limit; together they take 5 s
        hop = web_server.redirect(f"/hop{n}", hop, delay=1.0)
    index.settings = index.settings.model_copy(update={"fetch_timeout": 2.0})
    report = add_inputs(index, [hop])
    [item] = report.items
    assert item.status == "failed"
    assert "took longer than 2 s" in (item.reason or ""), item.reason
    assert web_server.requests_to("/akhir") == []  # never reached the end of the chain


# --- special-purpose addresses are not public -------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "192.0.0.8",  # IPv4 dummy address (IETF protocol assignments)
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "198.18.0.1",  # benchmarking
        "192.88.99.1",  # 6to4 relay anycast
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254, the cloud metadata address
        "[64:ff9b:1::a00:1]",  # local-use NAT64
        "[2002:a00:1::1]",  # 6to4 wrapping 10.0.0.1
        "[2002:7f00:1::1]",  # 6to4 wrapping 127.0.0.1
        "[::127.0.0.1]",  # IPv4-compatible
        "[::ffff:10.0.0.1]",  # IPv4-mapped
        "[::ffff:169.254.169.254]",
        "[2001:0:4136:e378:8000:63bf:f5ff:fffe]",  # Teredo, client 10.0.0.1
        "[2001:db8::1]",  # documentation
        "[3fff::1]",  # documentation (2024)
        "[5f00::1]",  # SRv6 SIDs
        "[100::1]",  # discard-only
        "[fc00::1]",  # unique local
        "[fe80::1]",  # link-local
        "[ff02::1]",  # multicast
        "224.0.0.1",  # multicast
        "255.255.255.255",
    ],
)
def test_special_purpose_addresses_are_refused(host: str) -> None:
    with pytest.raises(FetchError, match="private or local address"):
        fetch_url(f"http://{host}/latest/meta-data", allow_private=False, timeout=2)
