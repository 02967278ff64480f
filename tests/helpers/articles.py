"""Two small articles (a battle, the price of rice) and a stand-in chunker,
for tests of the index that should not depend on the real chunker."""

from __future__ import annotations

from datetime import date

from retrieval.core.models import Article, Chunk, article_id_for


def make_article(text: str, *, title: str = "Judul", url: str | None = None, **meta) -> Article:
    aid = article_id_for(explicit=None, url=url, title=title, text=text)
    return Article(id=aid, title=title, text=text, origin="test", url=url, **meta)


def sentence_chunks(article: Article) -> list[Chunk]:
    """One chunk per sentence, offsets into the text (a stand-in chunker that
    keeps these tests independent of the real one)."""
    chunks, start = [], 0
    for pos, sentence in enumerate(s for s in article.text.split(". ") if s):
        begin = article.text.index(sentence, start)
        chunks.append(Chunk(article.id, pos, sentence, begin, begin + len(sentence)))
        start = begin + len(sentence)
    return chunks


BATTLE = make_article(
    "Pasukan rezim Suriah merebut Albu Kamal dari IS pada hari Kamis. "
    "Hizbullah dan Garda Revolusi Iran memimpin pertempuran itu. "
    "Observatorium Suriah berbasis di Inggris",
    title="Rezim Assad rebut benteng terakhir IS",
    date=date(2017, 11, 10),
    source="Jurnalislamcom",
)
RICE = make_article(
    "Harga beras di Jakarta naik menjelang akhir tahun. Pedagang di Pasar Induk Cipinang mengeluh",
    title="Harga beras naik",
    date=date(2019, 12, 1),
    source="Kompas",
)
