"""The canonical URL an article id is made from: spellings of one page agree,
different pages never do (a false merge would replace one article by another)."""

from __future__ import annotations

import pytest

from retrieval.core.models import article_id_for
from retrieval.text.urls import canonical_url


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (
            [
                "https://www.kompas.com/read/2024/banjir",
                "HTTPS://WWW.Kompas.COM/read/2024/banjir/",
                "https://www.kompas.com:443/read/2024/banjir#komentar",
                "https://www.kompas.com./read/2024/banjir",
                "https://www.kompas.com/read/2024/./x/../banjir",
                "  https://www.kompas.com/read/2024/banjir  ",
                "https://user:secret@www.kompas.com/read/2024/banjir",
            ],
            "https://www.kompas.com/read/2024/banjir",
        ),
        (
            [
                "http://127.0.0.1:8000/berita",
                "http://localhost:8000/berita",
                "http://LOCALHOST:8000/berita/",
                "http://localhost.:8000/berita",
                "http://[::1]:8000/berita",
                "http://[0:0:0:0:0:0:0:1]:8000/berita",
            ],
            "http://localhost:8000/berita",
        ),
        (
            [
                "https://detik.com/berita?id=7&utm_source=wa&utm_medium=social",
                "https://detik.com/berita?fbclid=IwAR0x&id=7",
                "https://detik.com/berita?gclid=1&id=7&msclkid=2&_ga=3&mc_eid=4#top",
                "https://detik.com/berita/?UTM_Campaign=x&id=7",
            ],
            "https://detik.com/berita?id=7",
        ),
        (
            ["https://a.id/x?b=2&a=1", "https://a.id/x?a=1&b=2"],
            "https://a.id/x?a=1&b=2",
        ),
        (
            [
                "https://bücher.de/caf%c3%a9",
                "https://xn--bcher-kva.de/café",
                "https://BÜCHER.de/caf%C3%A9",
            ],
            "https://xn--bcher-kva.de/caf%C3%A9",
        ),
        (["https://a.id/%7euser/%41", "https://a.id/~user/A"], "https://a.id/~user/A"),
        (["http://a.id:80", "http://a.id/", "HTTP://A.ID"], "http://a.id/"),
    ],
)
def test_spellings_of_one_page_agree(spellings: list[str], canonical: str) -> None:
    for url in spellings:
        assert canonical_url(url) == canonical, url
    ids = {article_id_for(explicit=None, url=url, title="", text="") for url in spellings}
    assert len(ids) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://a.id/read?12345", "https://a.id/read?12346"),  # a value-less id parameter
        ("https://a.id/foto?gallery=5", "https://a.id/foto?gallery=6"),
        ("https://a.id/p?article_uid=1", "https://a.id/p?article_uid=2"),
        ("https://a.id/berita?page=2", "https://a.id/berita"),
        ("https://a.id/tag?t=a&t=b", "https://a.id/tag?t=b&t=a"),  # repeated names keep order
        ("http://a.id/x", "https://a.id/x"),
        ("http://localhost:8000/x", "http://localhost:8001/x"),
        ("http://127.0.0.2/x", "http://127.0.0.1/x"),
        ("http://a.id:8080/x", "http://a.id/x"),
        ("https://a.id/#!/berita/1", "https://a.id/#!/berita/2"),  # hash-bang routes are pages
        ("https://a.id/A", "https://a.id/a"),  # paths are case-sensitive
        ("https://a.id/a%2Fb", "https://a.id/a/b"),  # an encoded "/" is not a separator
    ],
)
def test_different_pages_stay_apart(one: str, other: str) -> None:
    assert canonical_url(one) != canonical_url(other)


@pytest.mark.parametrize(
    "broken",
    [
        "http://[::1",
        "http://a.id:99999999/x",
        "http://a.id:port/x",
        "",
        "not a url",
        "http://" + "a" * 300,
    ],
)
def test_a_malformed_url_is_still_a_key_and_never_raises(broken: str) -> None:
    assert isinstance(canonical_url(broken), str)
    article_id_for(explicit=None, url=broken or "x", title="", text="")
