"""Cleaning: a `RawArticle` as a loader read it → an `Article` ready to chunk.

What scraped news text carries that is not the article, and what happens to it:

* mojibake ("â€œ", "┬á" where a no-break space was): repaired by ftfy;
* odd whitespace (no-break and zero-width spaces, runs of blanks, control
  characters): normalised; paragraphs end up separated by one blank line;
* terminal escape sequences (`ESC]0;…BEL`, `ESC[2J`), control characters and
  bidi overrides, in every field (title, body, source, URL, date): removed
  (`safe_text.py`), so nothing an article holds can drive a terminal;
* the title repeated as the first line of the body: dropped;
* "related article" headlines that sites put between paragraphs, with or
  without a "Baca juga:" label: dropped;
* boilerplate lines (advertisement markers, "Simak berita lainnya di Google
  News", share/follow prompts, editor sign-offs): dropped;
* the same inside a paragraph, where a page was copied as one block of text
  ("... ujarnya. Baca juga: <headline> Tarif parkir ...", "ADVERTISEMENT
  SCROLL TO CONTINUE WITH CONTENT", a photo credit "KOMPAS.com/NAMA"): cut
  out (`inline_noise`).

Everything dropped is recorded in `Article.removed`, so it can be inspected
(`tanya list --json` keeps it in the catalog) and nothing disappears silently.
The dateline ("SURIAH (Jurnalislamcom) –", "JAKARTA, KOMPAS.com -") stays in
the text, where it belongs to the first sentence, and is also read into
`Article.dateline`; it names the outlet when the input did not.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from urllib.parse import urlsplit

import ftfy

from retrieval.core.models import (
    Article,
    RawArticle,
    Removal,
    article_id_for,
    former_ids,
    identity_of,
)
from retrieval.errors import TanyaError
from retrieval.text.datelines import DATELINE, LINE_DATELINE
from retrieval.text.dates import parse_date
from retrieval.text.lexical import is_indonesian_word
from retrieval.text.safe_text import cut_stacked_marks, strip_controls, strip_escape_sequences


class CleaningError(TanyaError, ValueError):
    """The input has no usable article once cleaned; the message says why."""


# --- whitespace and encoding ---------------------------------------------------------------------
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_INLINE_SPACE = re.compile(r"[^\S\n]+")


# Runs of text between spaces and the punctuation that is legitimately
# non-ASCII in news text; mojibake hides inside the runs that are not ASCII.
# (Matched as plain runs and tested with `isascii`: a pattern requiring a
# non-ASCII character inside the run backtracked over every start position,
# quadratic on a long run with no spaces.)
_RUN = re.compile(r"[^\s“”‘’–—…]+")


def _fix(text: str) -> str:
    # Curly quotes are kept: citations quote the article as written.
    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)


def _fix_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return run if run.isascii() else _fix(run)


def fix_text(text: str) -> str:
    """Repair mojibake and normalise spaces, keeping line breaks.

    ftfy judges a whole line at a time, and leaves a line alone when it mixes
    real non-ASCII characters (curly quotes) with mojibake: the seed's
    "┬á" sits in a line with “quotes”. So each run of non-ASCII text is
    also given to ftfy on its own.
    """
    # Escape sequences go first and whole: ftfy would drop only their ESC and
    # leave the payload ("]0;title") as text.
    text = strip_escape_sequences(text)
    text = _RUN.sub(_fix_run, _fix(text))
    text = cut_stacked_marks(text.translate(_ZERO_WIDTH))
    # Control characters other than line breaks and tabs carry no text.
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _INLINE_SPACE.sub(" ", text)


def clean_field(value: str | None) -> str | None:
    """A one-line field (source, date as written): repaired, controls and
    line breaks gone, spaces collapsed; None when nothing is left."""
    if not value:
        return None
    return " ".join(fix_text(value).split()) or None


def clean_url(url: str | None) -> str | None:
    """A URL without control characters (ftfy is not for URLs: it would
    unescape `&amp;` and change the article's id)."""
    if not url:
        return None
    return strip_controls(url).strip() or None


def paragraphs(body: str) -> list[str]:
    """Paragraphs of a body. Blank lines separate paragraphs when the text has
    any (lines inside one are joined: hard-wrapped text); otherwise each line
    is a paragraph (trafilatura's output, one paragraph a line)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n\s*\n", body):
        blocks = re.split(r"\n\s*\n", body)
        return [" ".join(b.split()) for b in blocks if b.strip()]
    return [" ".join(line.split()) for line in body.split("\n") if line.strip()]


# --- what is not the article ----------------------------------------------------------------------
# The Indonesian labels of a related article; inside a paragraph only these
# count ("related", "see also" are words a sentence uses).
_RELATED_LABELS_ID = "baca juga|baca pula|lihat juga|simak juga|artikel terkait|berita terkait"
_RELATED_LABEL = re.compile(
    rf"^\s*[\[(]?\s*({_RELATED_LABELS_ID}|"
    r"read also|see also|related|also read|baca selengkapnya)\b\s*[:\-–—]?\s*[\])]?\s*",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^\s*("
    r"advertisement|iklan|scroll to continue with content|scroll untuk melanjutkan|"
    r"(simak|baca|ikuti) (berita|artikel|informasi)( dan artikel)? (lainnya |menarik )?(di|lewat|melalui) .{0,40}|"
    r"dapatkan (update|informasi) .{0,80}|"
    r"ikuti (kami|kanal|channel|whatsapp channel) .{0,80}|"
    r"(follow|subscribe) (us|kami) .{0,60}|"
    r"(editor|penulis|pewarta|reporter|penyunting|sumber foto)\s*:\s*.{0,60}|"
    r"(share|bagikan|tags?|topik|tag terkait)(\s*:.{0,80})?|"
    r"(copyright|hak cipta)\s*(©|\(c\)|\d{4}).{0,100}|©.{0,100}|"
    r"halaman\s+\d+(\s+\d+)*(\s+selanjutnya)?|"
    r"\(\s*[a-z]{2,6}\s*(/\s*[a-z]{2,6}\s*)*\)"  # sign-offs like "(ant/rid)"
    r")\s*$",
    re.IGNORECASE,
)
# Words left lower-case in Indonesian and English headlines.
_HEADLINE_SMALL_WORDS = frozenset(
    "di ke dari dan yang untuk pada dengan bagi atau dalam oleh akan ini itu soal jadi "
    "tak tidak usai saat agar karena hingga sampai serta sebagai kepada terhadap antara "
    "a an the of in on at to for from by with and or as is are vs".split()
)
_SENTENCE_END = re.compile(r"[.!?…:;,\"'”’)\]]$")


def looks_like_headline(paragraph: str) -> bool:
    """A short line in title case with no closing punctuation: a headline, not
    a sentence ("Kini IS Terjepit pada Kubu Terakhirnya di Suriah")."""
    words = paragraph.split()
    if not 3 <= len(words) <= 20 or len(paragraph) > 160:
        return False
    if _SENTENCE_END.search(paragraph) or paragraph[0].islower():
        return False
    content = [w for w in words if w.lower().strip("\"'“‘(") not in _HEADLINE_SMALL_WORDS]
    if len(content) < 2:
        return False
    capitalised = sum(1 for w in content if w.lstrip("\"'“‘(")[:1].isupper() or w[:1].isdigit())
    return capitalised / len(content) >= 0.75


# Inside a paragraph, where a page's text was copied or exported as one
# block: an advertisement marker, a photo credit ("KOMPAS.com/ANDI
# HUTAGALUNG"), and a "Baca juga:" label with the headline it introduces,
# between two sentences. Case matters: a sentence may say "advertisement".
_INLINE_MARKER = re.compile(
    r"\b(?:ADVERTISEMENT(?:\s+SCROLL TO CONTINUE WITH CONTENT)?|SCROLL TO CONTINUE WITH CONTENT|"
    r"(?:[A-Z]+\.(?:com|id|co\.id)|ANTARA FOTO)/[A-Z][A-Z'.]*(?:\s+[A-Z][A-Z'.]+)*)(?=\s|$)"
)
_INLINE_RELATED = re.compile(
    rf"(?:(?<=[.!?\"”’)])\s+|^)(?:{_RELATED_LABELS_ID})\s*:\s*", re.IGNORECASE
)
# A headline is short: past this many words, where it ends is a guess.
_HEADLINE_MAX_WORDS = 20
_WORD_RUN = re.compile(r"\S+")


def _headline_end(text: str, start: int) -> int | None:
    """Where the headline starting at `start` ends: before the capitalised
    word that opens the next sentence, the last one before a word no
    headline leaves lower-case ("... Polisi Turun Tangan | Tarif parkir
    tidak berubah"), or after a word closing a sentence. None when no such
    end is near. (A sentence opening with two capitalised words, "Pelari
    Indonesia tercepat ...", loses its first to the headline: nothing tells
    them apart.)"""
    # Only the words a headline may hold: a long paragraph is not read to its end.
    words = list(itertools.islice(_WORD_RUN.finditer(text, start), _HEADLINE_MAX_WORDS + 1))
    for i, word in enumerate(words):
        w = word.group().strip("\"'“‘(,")
        if i and w[:1].islower() and w.lower() not in _HEADLINE_SMALL_WORDS:
            opener = i - 1  # back over the small words the sentence opens with
            while opener > 0 and words[opener].group().lower() in _HEADLINE_SMALL_WORDS:
                opener -= 1
            first = words[opener].group()
            # A name there ("... Kepala BPBD *Demak* mengatakan") most likely
            # ends the next sentence's subject, which began inside the run.
            if opener >= 1 and first[:1].isupper() and is_indonesian_word(first.lower()):
                return words[opener].start()
            return None
        if word.group()[-1] in ".!?":
            return word.end()
    return None


def inline_noise(paragraph: str) -> tuple[str, list[Removal]]:
    """`paragraph` without the noise inside it, and what was taken out."""
    removed = [Removal("boilerplate", m.group()) for m in _INLINE_MARKER.finditer(paragraph)]
    text = _INLINE_MARKER.sub(" ", paragraph)
    kept: list[str] = []  # pieces, joined once: a paragraph may hold thousands of labels
    at = 0
    for label in _INLINE_RELATED.finditer(text):
        if label.start() < at:
            continue  # inside a headline already cut
        end = _headline_end(text, label.end())
        if end is None:
            continue
        removed.append(Removal("related_headline", text[label.start() : end].strip()))
        kept.append(text[at : label.start()])
        at = end
    kept.append(text[at:])
    return " ".join(" ".join(kept).split()), removed


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def strip_noise(title: str, paras: list[str]) -> tuple[list[str], list[Removal]]:
    """The article's own paragraphs, and what was dropped (in order)."""
    removed: list[Removal] = []
    kept: list[str] = []
    title_key = _norm(title)
    for i, para in enumerate(paras):
        key = _norm(para)
        if not key:
            removed.append(Removal("boilerplate", para))
            continue
        # The title again at the top of the body, when more text follows (a
        # body that is only its title keeps it: it is all the article says).
        if not kept and title_key and key == title_key and i + 1 < len(paras):
            removed.append(Removal("repeated_title", para))
            continue
        label = _RELATED_LABEL.match(para)
        if label:
            removed.append(Removal("related_headline", para))
            continue
        if _BOILERPLATE.match(para):
            removed.append(Removal("boilerplate", para))
            continue
        # An inline headline: between two paragraphs of text (or after the last
        # one), shorter than its neighbours. The first paragraph is never one:
        # it may be a lede or a subtitle.
        if kept and looks_like_headline(para):
            neighbour = paras[i + 1] if i + 1 < len(paras) else kept[-1]
            if len(neighbour) > len(para) and not looks_like_headline(neighbour):
                removed.append(Removal("related_headline", para))
                continue
        para, inside = inline_noise(para)
        removed.extend(inside)
        if para:
            kept.append(para)
    return kept, removed


# --- dateline and outlet -----------------------------------------------------------------------------
def read_dateline(first_paragraph: str, body: str = "") -> tuple[str | None, str | None]:
    """The dateline at the start of the first paragraph, and the outlet it
    names. `body`, the text as written (lines not yet joined), lets a
    dateline on a line of its own count too."""
    match = DATELINE.match(first_paragraph)
    if not match and body:
        alone = LINE_DATELINE.match(first_paragraph)
        if alone and re.search(
            r"(?m)^[^\S\n]*" + re.escape(alone.group("dateline")) + r"[^\S\n]*$", body
        ):
            match = alone
    if not match:
        return None, None
    groups = match.groupdict()
    dateline = match.group("dateline").strip()
    outlet = groups.get("paren") or groups.get("comma") or groups.get("lead")
    outlet = (outlet or "").strip()
    # "JAKARTA, Jumat (9/11)" or "(9/11/2017)": a date, not an outlet.
    if not outlet or re.fullmatch(r"[\d/.\s-]+", outlet) or parse_date(outlet):
        outlet = ""
    place = (groups.get("place") or groups.get("place2") or "").strip()
    if not place.replace(" ", "").isalpha() and not outlet:
        return None, None
    return dateline, outlet or None


def outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m.", "amp.", "mobile."):
        host = host.removeprefix(prefix)
    return host or None


# --- the whole article ------------------------------------------------------------------------------------
def clean_article(raw: RawArticle, *, max_chars: int = 2_000_000) -> Article:
    """Clean `raw`; raises `CleaningError` when nothing readable is left."""
    title = " ".join(fix_text(raw.title).split())
    body = fix_text(raw.body)
    paras, removed = strip_noise(title, paragraphs(body))
    text = "\n\n".join(paras)
    if not re.search(r"[^\W\d_]{2,}", text):
        raise CleaningError("no readable text left after cleaning")
    if len(text) > max_chars:
        raise CleaningError(
            f"the article has {len(text):,} characters, over the limit of {max_chars:,} "
            "(TANYA_MAX_ARTICLE_CHARS)"
        )
    if not title:
        # A page with no title: its first sentence, shortened, stands in.
        first = re.split(r"(?<=[.!?])\s", paras[0], maxsplit=1)[0]
        title = first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"
    dateline, dateline_outlet = read_dateline(paras[0], body)
    url = clean_url(raw.url)
    source = clean_field(raw.source) or dateline_outlet or outlet_from_url(url)
    date_text = clean_field(raw.date_text)
    return Article(
        id=article_id_for(explicit=raw.id, url=url, title=title, text=text, path=raw.path),
        identity=identity_of(explicit=raw.id, url=url, path=raw.path),
        former_ids=former_ids(explicit=raw.id, url=url, title=title, text=text),
        title=title,
        text=text,
        origin=raw.origin,
        date=parse_date(date_text) if date_text else None,
        source=source,
        url=url,
        dateline=dateline,
        removed=removed,
    )
