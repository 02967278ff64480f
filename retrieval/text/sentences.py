"""Sentence splitting for Indonesian news text, with character offsets.

Two cuts of the same text, for two jobs:

* `sentence_spans` (chunking, the answer check): a paragraph-aware splitter
  that knows abbreviations and titles ("Dr.", "Prof.", "H.", "Jl.", "Rp.",
  "dll.", "No."), initials ("Susilo B. Yudhoyono"), decimals ("7.4") and
  sentences that go on in lower case after a quote.
* `split_sentences` (quoting an answer, proximity re-ranking): also ends a
  sentence at every line break, so a scraped caption or byline line is never
  glued to the sentence it precedes.

Both live here so that the store, the answerer and the ingest stage share
one notion of a sentence (before, each room had its own copy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.text.datelines import DATELINE

# Words that end in a period without ending a sentence (compared lower-cased).
ABBREVIATIONS = frozenset(
    """
    dr drs dra prof ir h hj kh st sh se mh mm mba msi mpd spd skom amd ak
    no nomor jl jln kec kab kel kota prov tbk pt cv ud rp usd
    dll dsb dst dkk tsb sbb yth bpk sdr sdri ibu kol letjen mayjen brigjen jend kapt
    mr mrs ms jr sr vs etc inc ltd corp co gov sen rep st ft
    jan feb mar apr jun jul agu agt ags sep sept okt oct nov des dec
    e.g i.e a.n u.p s.h m.si s.e s.t s.pd s.kom u.s u.k
    """.split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_PARAGRAPH = re.compile(r"\n\s*\n")
_NON_SPACE = re.compile(r"\S")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at `text[dot]` closes an abbreviation or an initial."""
    # Only the word before the dot matters: look at a window, not all the text
    # before it (which made a long paragraph of sentences quadratic).
    window_start = max(0, dot - 40)
    word = re.search(r"[\w.]+$", text[window_start:dot])
    if not word or (word.start() == 0 and window_start > 0):
        return False  # no word, or one longer than any abbreviation
    token = word.group(0).lower().strip(".")
    if token in ABBREVIATIONS:
        return True
    # A single capital letter is an initial ("B."), as is "A.B.".
    return (
        bool(re.fullmatch(r"([a-z]\.)*[a-z]", token))
        and text[window_start + word.start()].isupper()
    )


def sentence_spans(text: str) -> list[Span]:
    """Sentences of `text` as character spans (without surrounding spaces)."""
    spans: list[Span] = []
    paragraph_start = 0
    for paragraph_end in [m.start() for m in _PARAGRAPH.finditer(text)] + [len(text)]:
        start = paragraph_start
        for match in _BOUNDARY.finditer(text, paragraph_start, paragraph_end):
            end = match.end()
            following = _NON_SPACE.search(text, end, paragraph_end)
            if following is None:
                continue
            first = text[following.start()]
            if first.islower() or first in ",;:":
                continue  # '"…" katanya.' or "dll. yang": the sentence goes on
            if text[match.start()] == "." and _is_abbreviation(text, match.start()):
                continue
            spans.append(Span(start, end))
            start = following.start()
        last = _NON_SPACE.search(text, start, paragraph_end)
        if last is not None:
            stripped_end = start + len(text[start:paragraph_end].rstrip())
            spans.append(Span(start, stripped_end))
        rest = _PARAGRAPH.match(text, paragraph_end)
        paragraph_start = rest.end() if rest else paragraph_end
    # Leading spaces of a span are never part of it.
    out = []
    for s in spans:
        first_char = _NON_SPACE.search(text, s.start, s.end)
        if first_char is not None:
            out.append(Span(first_char.start(), s.end))
    return out


# A sentence ends at . ! ? … (with closing quotes/brackets) before a space and
# what can start a sentence; also at line breaks. Initials and titles ("Dr.",
# "H.", "Jl.") are not ends: see `_ABBREVIATION`.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[A-Z0-9])|\s*\n\s*")
_ABBREVIATION = re.compile(
    # Titles as news writes them before a name, in either case: a doctor is
    # "dr." ("Direktur RSUD Cibinong, dr. Lia Kusumawati"), a dentist "drg.".
    r"(?:\b[A-Z]|\b(?i:dr|drg|drs|dra|ir|prof)|\b(?:Jl|No|St|Tn|Ny|Sdr|Bpk|Kol|Letjen|Mayjen|Brigjen|Jend|"
    r"Kapt|Mr|Mrs|Ms|Jr|Sr|vs|dll|dsb|tsb|Rp|Yth|Hj|KH|H))\.$"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, spaces trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start() + len(match.group().rstrip())]
        if _ABBREVIATION.search(candidate.rstrip("\"'”’)]")) and "\n" not in match.group():
            continue
        spans.append((start, match.start() + len(match.group().rstrip())))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


# Shorter "sentences" (a stray "IS." or a byline) are never quoted alone.
MIN_QUOTABLE_CHARS = 12


def quotable_sentences(text: str, *, opens_article: bool) -> list[tuple[int, int]]:
    """(start, end) of the sentences of a passage an answer may quote: the
    ones `split_sentences` finds, without the dateline ("JAKARTA, KOMPAS.com
    -") that opens an article (`opens_article`: the passage starts at the
    article's first character), at least `MIN_QUOTABLE_CHARS` long and with a
    letter. One definition for the answerer (which scores these) and the
    store (which embeds these when an article is added), so the vectors
    stored are for exactly the texts the answerer asks for."""
    out = []
    for start, end in split_sentences(text):
        if opens_article and start == 0:
            dateline = DATELINE.match(text[start:end])
            if dateline:
                start += dateline.end()
        if end - start >= MIN_QUOTABLE_CHARS and any(ch.isalpha() for ch in text[start:end]):
            out.append((start, end))
    return out
