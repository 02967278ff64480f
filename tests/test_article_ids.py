"""Article ids as users meet them: an id typed in `show`/`remove` (never
empty, never ambiguous), the ids an input gives kept as the article ids, a
local file edited and added again updating its article, the spellings of one
URL giving one article, and an index built before ids changed still working."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import app
from retrieval.core.models import Article, RawArticle
from retrieval.core.settings import Settings
from retrieval.ingest.cleaning import clean_article
from retrieval.ingest.loaders import iter_inputs
from retrieval.ingest.pipeline import add_inputs, chunk_for_index, make_fetcher
from retrieval.store.article_index import ArticleIndex
from tests.helpers.cli import runner, tanya, tanya_json, write_jsonl
from tests.helpers.telegram import ADMIN, BotHarness
from tests.servers.telegram_api import TelegramServer
from tests.servers.web import WebServer, article_page


def consistent(index: ArticleIndex) -> bool:
    return index.catalog.all_chunk_ids() == index.dense.all_ids()


def article_text(index: ArticleIndex, article_id: str) -> str:
    article = index.catalog.load_article(article_id)
    assert article is not None
    return article.text


FLOOD = {
    "title": "Banjir merendam Jakarta Timur",
    "content": "Banjir merendam ratusan rumah di Jakarta Timur setelah hujan deras semalaman. "
    "Warga mengungsi ke masjid terdekat.",
}
QUAKE = {
    "title": "Gempa mengguncang Palu",
    "content": "Gempa bermagnitudo 7,4 mengguncang Palu, Sulawesi Tengah. "
    "Tsunami menyusul beberapa menit kemudian.",
}
RICE = {
    "title": "Harga beras naik",
    "content": "Harga beras medium di Pasar Induk Cipinang naik menjadi Rp 12.500 per kilogram. "
    "Pedagang menyebut pasokan dari daerah berkurang.",
}


# --- ids typed by users ------------------------------------------------------------------------
def test_an_empty_or_too_short_id_removes_nothing(data_dir: Path, tmp_path: Path) -> None:
    report = tanya_json("add", str(write_jsonl(tmp_path / "a.jsonl", [FLOOD])))
    article_id = report["items"][0]["article_id"]  # type: ignore[index]
    for given in ("", "   "):
        code, out = tanya("remove", given)
        assert code == 2 and "give an article id" in out, out
        code, out = tanya("show", given)
        assert code == 2
    code, out = tanya("remove", article_id[:3])
    assert code == 2 and "4 characters" in out
    assert tanya_json("stats")["articles"] == 1  # type: ignore[index]
    code, out = tanya("remove", article_id[:4])
    assert code == 0 and article_id in out
    assert tanya_json("stats")["articles"] == 0  # type: ignore[index]


def test_a_prefix_of_several_ids_lists_them_and_removes_nothing(
    data_dir: Path, tmp_path: Path
) -> None:
    rows = [dict(row, id=f"art00{i}") for i, row in enumerate((FLOOD, QUAKE, RICE), start=1)]
    tanya_json("add", str(write_jsonl(tmp_path / "a.jsonl", rows)))
    for command in ("remove", "show"):
        code, out = tanya(command, "art00")
        assert code == 2 and "several" in out
        for row in rows:
            assert row["id"] in out and row["title"] in out
    assert tanya_json("stats")["articles"] == 3  # type: ignore[index]


def test_ids_given_by_the_input_are_the_article_ids(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        dict(FLOOD, id="art003"),
        dict(QUAKE, id="kompas:2018/09/gempa-palu"),  # ":" is also the chunk id separator
        dict(RICE, id=12),  # a number in JSON: the id "12"
    ]
    report = tanya_json("add", str(write_jsonl(tmp_path / "a.jsonl", rows)))
    ids = [item["article_id"] for item in report["items"]]  # type: ignore[index]
    assert ids == ["art003", "kompas:2018/09/gempa-palu", "12"]
    assert {a["id"] for a in tanya_json("list")} == set(ids)  # type: ignore[union-attr]

    shown = tanya_json("show", "art003")
    assert shown["id"] == "art003" and shown["title"] == FLOOD["title"]  # type: ignore[index]
    assert tanya_json("show", "12")["title"] == RICE["title"]  # type: ignore[index]
    hits = tanya_json("search", "gempa Palu tsunami", "-k", "1")
    assert hits[0]["article_id"] == "kompas:2018/09/gempa-palu"  # type: ignore[index]
    answer = tanya_json("ask", "Berapa kekuatan gempa yang mengguncang Palu?")
    cited = [c["article_id"] for c in answer["citations"]]  # type: ignore[index]
    assert cited and cited[0] == "kompas:2018/09/gempa-palu"

    code, out = tanya("remove", "kompas:2018/09/gempa-palu")
    assert code == 0
    assert tanya_json("stats")["articles"] == 2  # type: ignore[index]
    # Re-adding: unchanged under the same ids; a changed body updates in place.
    again = tanya_json("add", str(write_jsonl(tmp_path / "b.jsonl", [dict(FLOOD, id="art003")])))
    assert again["summary"]["unchanged"] == 1  # type: ignore[index]
    changed = dict(FLOOD, id="art003", content="Banjir surut pada Minggu pagi di Jakarta Timur.")
    again = tanya_json("add", str(write_jsonl(tmp_path / "c.jsonl", [changed])))
    assert again["summary"]["updated"] == 1  # type: ignore[index]
    assert "surut" in tanya_json("show", "art003")["text"]  # type: ignore[index]


def test_an_unusable_id_fails_its_line_only(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        dict(FLOOD, id="art\x1b[2J1"),
        dict(QUAKE, id="x" * 201),
        dict(RICE, id="art-ok"),
    ]
    report = tanya_json("add", str(write_jsonl(tmp_path / "a.jsonl", rows)))
    assert report["summary"] == {"added": 1, "updated": 0, "unchanged": 0, "failed": 2}  # type: ignore[index]
    reasons = [item["reason"] for item in report["items"] if item["status"] == "failed"]  # type: ignore[index]
    assert "control characters" in reasons[0] and "at most 200" in reasons[1]


def test_eval_gold_ids_are_the_corpus_ids(data_dir: Path, tmp_path: Path) -> None:
    corpus = write_jsonl(
        tmp_path / "corpus.jsonl",
        [dict(FLOOD, id="berita:1"), dict(QUAKE, id="berita:2"), dict(RICE, id="berita:3")],
    )
    questions = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": "q1", "question": "Berapa harga beras medium?", "article_id": "berita:3"},
            {"id": "q2", "question": "Kota apa yang diguncang gempa?", "article_id": "berita:2"},
            {
                "id": "q3",
                "question": "Ke mana warga mengungsi saat banjir?",
                "passage": "Warga mengungsi ke masjid terdekat.",
            },
        ],
    )
    result = runner.invoke(app, ["eval", str(questions), "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    golds = {q["id"]: q["gold_articles"] for q in report["per_question"]}
    assert golds == {"q1": ["berita:3"], "q2": ["berita:2"], "q3": ["berita:1"]}
    assert report["retrieval"]["recall@5"] == 1.0
    assert all(q["retrieved"][0].startswith("berita:") for q in report["per_question"])


# --- local files: the file is the article ----------------------------------------------------------
VERSION_1 = [
    "JAKARTA (Kabar Uji) - Pemerintah meresmikan bendungan baru di Kabupaten Bogor pada Selasa "
    "pagi untuk mengendalikan banjir di wilayah hilir.",
    "Bendungan itu mampu menampung enam juta meter kubik air.",
]
VERSION_2 = [
    VERSION_1[0],
    "Bendungan itu ternyata mampu menampung delapan juta meter kubik air.",
]


def write_article(path: Path, paragraphs: list[str]) -> None:
    title = "Bendungan baru diresmikan"
    if path.suffix == ".html":
        path.write_text(article_page(title, paragraphs), "utf-8")
    elif path.suffix == ".md":
        path.write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    else:
        path.write_text(f"{title}\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")


def test_a_file_edited_and_added_again_updates_its_article_from_the_cli(
    data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "berita.txt"  # tmp_path is the working directory
    write_article(path, VERSION_1)
    first = tanya_json("add", "berita.txt")
    article_id = first["items"][0]["article_id"]  # type: ignore[index]
    # The same file under another spelling of its path: unchanged.
    again = tanya_json("add", str(path))
    assert again["summary"]["unchanged"] == 1  # type: ignore[index]
    write_article(path, VERSION_2)
    code, out = tanya("add", "./berita.txt")
    assert code == 0 and "1 updated" in out
    [listed] = tanya_json("list")  # type: ignore[misc]
    assert listed["id"] == article_id
    texts = [h["text"] for h in tanya_json("search", "juta meter kubik air")]  # type: ignore[union-attr]
    assert any("delapan juta" in t for t in texts) and not any("enam juta" in t for t in texts)
    assert tanya_json("stats")["vectors"] == tanya_json("stats")["chunks"]  # type: ignore[index]


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_a_file_edited_and_added_again_updates_its_article(
    index: ArticleIndex, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"berita{suffix}"
    write_article(path, VERSION_1)
    added = add_inputs(index, [str(path)])
    assert added.summary()["added"] == 1, added.items
    assert add_inputs(index, [str(path)]).summary()["unchanged"] == 1
    write_article(path, VERSION_2)
    updated = add_inputs(index, [str(path)])
    assert updated.summary()["updated"] == 1, updated.items
    [summary] = index.list_articles()
    assert summary.id == added.items[0].article_id
    text = article_text(index, summary.id)
    assert "delapan juta" in text and "enam juta" not in text
    assert consistent(index)


def test_the_same_content_at_another_path_is_the_article_already_there(
    index: ArticleIndex, tmp_path: Path
) -> None:
    """A copy is the same article (unchanged), as re-adding a file is; once the
    copy is edited it is a file of its own and becomes its own article."""
    original = tmp_path / "inbox" / "berita.txt"
    copy = tmp_path / "arsip" / "salinan.txt"
    original.parent.mkdir()
    copy.parent.mkdir()
    write_article(original, VERSION_1)
    shutil.copy(original, copy)
    report = add_inputs(index, [str(original), str(copy)])  # both in one batch
    status = {Path(i.origin).name: (i.status, i.article_id) for i in report.items}
    assert status["berita.txt"][0] == "added" and status["salinan.txt"][0] == "unchanged"
    article_id = status["berita.txt"][1]
    assert status["salinan.txt"][1] == article_id
    again = add_inputs(index, [str(copy)])
    assert again.items[0].status == "unchanged" and again.items[0].article_id == article_id
    write_article(copy, VERSION_2)
    assert add_inputs(index, [str(copy)]).summary()["added"] == 1
    assert index.stats()["articles"] == 2
    assert "enam juta" in article_text(index, article_id)


# --- URLs: one page, one article -----------------------------------------------------------------
def test_spellings_of_one_url_are_one_article(index: ArticleIndex, web_server: WebServer) -> None:
    url = web_server.route("/nasional/bendungan", article_page("Bendungan Baru", VERSION_1))
    assert url.startswith("http://127.0.0.1:")
    localhost = url.replace("127.0.0.1", "localhost")
    spellings = [
        localhost,
        url.replace("http://127.0.0.1", "HTTP://LocalHost") + "?utm_source=wa&fbclid=x1#komentar",
        url + "?gclid=abc&utm_medium=social",
    ]
    first = add_inputs(index, [url])
    assert first.summary()["added"] == 1
    for spelling in spellings:
        report = add_inputs(index, [spelling])
        assert report.summary()["unchanged"] == 1, (spelling, report.items)
    web_server.route("/nasional/bendungan", article_page("Bendungan Baru", VERSION_2))
    assert add_inputs(index, [localhost]).summary()["updated"] == 1
    [summary] = index.list_articles()
    assert summary.id == first.items[0].article_id
    assert "delapan juta" in article_text(index, summary.id)
    assert consistent(index)


# --- an index built before ids changed -----------------------------------------------------------
def former_id(key: str) -> str:
    """How tanya 0.1 made every id: explicit ids and URLs were hashed too."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def store_as_before(index: ArticleIndex, raw: RawArticle, old_id: str) -> Article:
    article = clean_article(raw)
    article.id = old_id
    index.write([(article, chunk_for_index(index, article))])
    return article


def test_an_index_built_before_ids_changed_keeps_working(
    settings: Settings, tmp_path: Path, web_server: WebServer
) -> None:
    index = ArticleIndex(settings)
    # As tanya 0.1 stored them: an explicit id hashed, a URL with its
    # tracking parameters, a file by its content (the origin as typed).
    jsonl = write_jsonl(tmp_path / "arsip.jsonl", [dict(FLOOD, id="art003")])
    store_as_before(
        index, RawArticle(FLOOD["title"], FLOOD["content"], "arsip.jsonl:1"), former_id("id:art003")
    )
    url = web_server.route("/ekonomi/beras", article_page("Harga beras naik", [RICE["content"]]))
    tracked = url + "?utm_source=wa"
    fetch = make_fetcher(settings, allow_private=True)
    [page] = iter_inputs([tracked], fetch=fetch, max_bytes=10**6)
    assert isinstance(page, RawArticle)
    store_as_before(index, page, former_id("url:" + tracked))
    path = tmp_path / "berita.txt"
    write_article(path, VERSION_1)
    title = "Bendungan baru diresmikan"
    file_article = clean_article(RawArticle(title, "\n\n".join(VERSION_1), "berita.txt"))
    store_as_before(index, RawArticle(title, "\n\n".join(VERSION_1), "berita.txt"), file_article.id)
    index.close()

    # Ids users gave still work where ids are taken.
    shown = tanya_json("show", "art003")
    assert shown["title"] == FLOOD["title"]  # type: ignore[index]
    assert tanya_json("show", tracked)["title"] == "Harga beras naik"  # type: ignore[index]

    # Re-added unchanged: nothing changes, nothing is duplicated.
    report = tanya_json("add", str(jsonl), tracked, str(path))
    assert report["summary"]["unchanged"] == 3, report  # type: ignore[index]
    assert tanya_json("stats")["articles"] == 3  # type: ignore[index]

    # Changed: updated in place of the old copies, now under the new ids.
    write_jsonl(jsonl, [dict(FLOOD, id="art003", content="Banjir surut pada Minggu pagi.")])
    web_server.route(
        "/ekonomi/beras", article_page("Harga beras naik", [RICE["content"], "Stok aman."])
    )
    write_article(path, VERSION_2)
    report = tanya_json("add", str(jsonl), tracked, str(path))
    assert report["summary"]["updated"] == 3, report  # type: ignore[index]
    stats = tanya_json("stats")
    assert stats["articles"] == 3 and stats["vectors"] == stats["chunks"]  # type: ignore[index]
    listed = {a["title"]: a["id"] for a in tanya_json("list")}  # type: ignore[union-attr]
    assert listed[FLOOD["title"]] == "art003"
    assert "surut" in tanya_json("show", "art003")["text"]  # type: ignore[index]
    assert "delapan juta" in tanya_json("show", listed[title])["text"]  # type: ignore[index]
    assert former_id("url:" + tracked) not in listed.values()


def test_a_file_named_like_an_older_article_elsewhere_is_not_merged_into_it(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tanya 0.1 kept a relative origin ("berita.txt") without its folder: a
    different file of that name, added from another folder, is a new article."""
    index = ArticleIndex(settings)
    store_as_before(
        index,
        RawArticle(FLOOD["title"], FLOOD["content"], "berita.txt"),
        clean_article(RawArticle(FLOOD["title"], FLOOD["content"], "x")).id,
    )
    other = tmp_path / "lain"
    other.mkdir()
    monkeypatch.chdir(other)
    (other / "berita.txt").write_text(f"{QUAKE['title']}\n\n{QUAKE['content']}\n", "utf-8")
    report = add_inputs(index, ["berita.txt"])
    assert report.summary()["added"] == 1
    assert index.stats()["articles"] == 2
    index.close()


# --- files sent in Telegram -----------------------------------------------------------------------
def test_two_different_files_sent_under_one_name_are_two_articles(
    make_bot: Callable[..., BotHarness], telegram_server: TelegramServer
) -> None:
    """A file sent in chat has no path of its own (two users' "berita.txt" are
    not one file): it is known by its content, as pasted text is."""
    bot = make_bot()

    def send(row: dict[str, str]) -> str:
        document = telegram_server.add_file(
            f"{row['title']}\n\n{row['content']}".encode(), "berita.txt"
        )
        asked = telegram_server.message(document=document, chat_id=ADMIN)
        [reply] = bot.wait_replies(
            ADMIN, asked, until=lambda found: found[0].text.startswith(("Selesai", "Done"))
        )
        return reply.text

    assert send(FLOOD).startswith("Selesai: 1 ditambahkan")
    assert send(QUAKE).startswith("Selesai: 1 ditambahkan")
    assert send(FLOOD).startswith("Selesai: 0 ditambahkan, 0 diperbarui, 1 tidak berubah")
    assert bot.index is not None
    titles = {a.title for a in bot.index.list_articles()}
    assert {FLOOD["title"], QUAKE["title"]} <= titles
