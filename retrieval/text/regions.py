"""Provinces a question and a passage name. "Siapa Kepala BPBD Kalimantan
Barat?" over a passage about the BPBD of Kalimantan *Tengah* got its head as
the answer: the passage names a province, and not the one asked about.

Checked on the data sets' answering passages: a FacQA train question naming
a province had a passage naming only another in 2 of 209 (a flight's
origin and destination), IDK-MRC train 0 of 160.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from retrieval.text.lexical import ENGLISH_STOPWORDS, QUESTION_WORDS, WORD, is_indonesian_word
from retrieval.text.word_lists import load_word_file

_NOT_WORD = re.compile(r"[\W_]+")


@cache
def _forms() -> tuple[tuple[str, str], ...]:
    """(form, province) for every form of every province (lower case),
    longest form first, read once."""
    pairs: list[tuple[str, str]] = []
    for line in load_word_file("provinces_id.txt"):
        forms = [f.strip() for f in line.lower().split("|") if f.strip()]
        pairs.extend((form, forms[0]) for form in forms)
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def _marked(text: str) -> tuple[list[str], list[str]]:
    """The words of `text` (lower case), each province form among them
    replaced by a mark (NUL and its number), and the provinces marked.
    Longest forms first, each marked once found, so a province's name
    inside a longer one does not count ("Papua" in "Papua Barat", "jakarta"
    in "dki jakarta")."""
    rest = f" {_NOT_WORD.sub(' ', text.lower())} "
    names: list[str] = []
    for form, province in _forms():
        if f" {form} " in rest:
            rest = rest.replace(f" {form} ", f" \x00{len(names)} ")
            names.append(province)
    return rest.split(), names


# A village named after a province ("Desa Sinar Banten", in Lampung; "the
# Sinar Banten village"): its name is no province named.
_VILLAGE = re.compile(
    r"(?<![-\w])(?i:desa|kelurahan|kampung|dusun|nagari|gampong|pekon)\s+(?:[A-Z][\w'-]*\s*)+"
    r"|(?:[A-Z][\w'-]*\s+)+(?i:village)\b"
)


def provinces_named(text: str) -> frozenset[str]:
    """The provinces `text` names, each once: "Papua Barat" is not also
    "Papua", nor "Kepulauan Riau" "Riau", nor the village "Sinar Banten"
    Banten."""
    return frozenset(_marked(_VILLAGE.sub(" ", text))[1])


def with_province_names(text: str) -> str:
    """`text` in lower case, word by word, with every province written by
    its name ("BPBD Kalteng" -> "bpbd kalimantan tengah")."""
    words, names = _marked(text)
    return " ".join(names[int(w[1:])] if w.startswith("\x00") else w for w in words)


def other_province_only(question: str, passages: list[str]) -> bool:
    """Whether the question names a province that none of `passages` names
    while they name another."""
    asked = provinces_named(question)
    if not asked:
        return False
    named = frozenset().union(*(provinces_named(p) for p in passages)) if passages else frozenset()
    return bool(named) and not asked & named


# Mountains, rivers and the like: named by one particular word, whatever
# else a question or passage puts around it.
_FEATURE_KINDS = frozenset(
    {"gunung", "bendungan", "waduk", "sungai", "danau", "pulau", "selat", "teluk", "candi"}
)
# A district or a landmark a question names by its kind: "Kabupaten Kudus",
# "kota bekasi", "Kecamatan Karanganyar", "Bendungan Jatigede", "Gunung
# Dempo". Its name: up to three words, not a question word ("di kota mana").
_DISTRICT = re.compile(
    rf"\b((?i:kabupaten|kab|kota|kecamatan|kec|desa|kelurahan|{'|'.join(sorted(_FEATURE_KINDS))}))"
    r"\.?\s+([\w'-]+(?:\s+[A-Z][\w'-]*){0,2})"
)
_DISTRICT_KINDS = {"kab": "kabupaten", "kec": "kecamatan"}
# A city and a regency are districts of one level: a question about "Kota
# Pekalongan" over passages naming only "Kabupaten Banyumas" asks of
# another district as surely as over "Kota Semarang".
_LEVEL = {"kota": "kabupaten"}


def _districts(text: str) -> list[tuple[str, str]]:
    """(kind, name) of each district or landmark `text` names by its kind,
    in lower case."""
    found = []
    for match in _DISTRICT.finditer(text):
        kind, name = match.group(1).lower(), match.group(2)
        first = name.split()[0]
        if first.lower() in QUESTION_WORDS or (first.islower() and is_indonesian_word(first)):
            continue  # "di kota mana", "kota besar"
        found.append((_DISTRICT_KINDS.get(kind, kind), name.lower()))
    return found


# English names a district or landmark's kind after it ("Bantul Regency",
# "Mount Lokon") or before it ("Lake Toba"); Indonesian before it, in its
# own word. Written so, an English question is checked as one in Indonesian.
_ENGLISH_KIND_AFTER = re.compile(
    r"\b((?:[A-Z][\w'-]*\s+){1,3})(Regency|City|District|Subdistrict|Sub-district|Village|"
    r"Dam|Reservoir|River|Lake|Island|Strait|Bay|Temple)\b"
)
_NOT_A_NAME = QUESTION_WORDS | ENGLISH_STOPWORDS
_ENGLISH_KIND_BEFORE = re.compile(r"\b(Mount|Mt\.?|Lake)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})")
_ENGLISH_KINDS = {
    "regency": "Kabupaten",
    "city": "Kota",
    "district": "Kecamatan",
    "subdistrict": "Kecamatan",
    "sub-district": "Kecamatan",
    "village": "Desa",
    "dam": "Bendungan",
    "reservoir": "Waduk",
    "river": "Sungai",
    "lake": "Danau",
    "island": "Pulau",
    "strait": "Selat",
    "bay": "Teluk",
    "temple": "Candi",
    "mount": "Gunung",
    "mt": "Gunung",
    "mt.": "Gunung",
}


def districts_in_indonesian(question: str) -> str:
    """An English question's districts and landmarks with their kind
    written first, in Indonesian: "in Bantul Regency" -> "in Kabupaten
    Bantul", "Mount Lokon" -> "Gunung Lokon"."""

    def after(match: re.Match[str]) -> str:
        words = match.group(1).split()
        # Not a question or function word capitalised as the first ("Which
        # City ...?", "In Bantul Regency ...").
        lead = 0
        while lead < len(words) and words[lead].lower() in _NOT_A_NAME:
            lead += 1
        if lead == len(words):
            return match.group(0)
        kept = " ".join(words[:lead])
        place = f"{_ENGLISH_KINDS[match.group(2).lower()]} {' '.join(words[lead:])}"
        return f"{kept} {place}" if kept else place

    def before(match: re.Match[str]) -> str:
        return f"{_ENGLISH_KINDS[match.group(1).lower()]} {match.group(2)}"

    return _ENGLISH_KIND_BEFORE.sub(before, _ENGLISH_KIND_AFTER.sub(after, question))


def other_district_only(question: str, passages: Sequence[str]) -> bool:
    """Whether the question names a district or landmark by its kind
    ("Banjir di *Kabupaten Kudus* ...?", "Siapa yang meresmikan *Bendungan
    Jatigede*?") that no passage names, while they name another of that
    kind ("Kabupaten Demak", "Bendungan Bener"): about another place. Only a
    name no passage holds at all: a passage saying "Kudus" without
    "Kabupaten" names it."""
    joined = "\n".join(passages)
    held = {w.lower() for w in WORD.findall(joined)}
    theirs = {_LEVEL.get(kind, kind) for kind, _name in _districts(joined)}
    return any(
        _LEVEL.get(kind, kind) in theirs and not _name_held(kind, name, held)
        for kind, name in _districts(question)
    )


def _name_held(kind: str, name: str, held: set[str]) -> bool:
    """Whether the passages hold the place's name: every word of a
    district's ("Bandung Barat" is not Bandung); for a mountain, a river or
    the like, any word of it no dictionary has ("Gunung Bukit Krakatau" is
    the passages' "Gunung Krakatau")."""
    words = WORD.findall(name)
    particular = [w for w in words if not is_indonesian_word(w)]
    if kind in _FEATURE_KINDS and particular:
        return any(w in held for w in particular)
    return all(w in held for w in words)


@cache
def _form_pattern(form: str) -> re.Pattern[str]:
    """A province's form as words, whatever separates them ("Jawa-Barat")."""
    words = r"[\W_]+".join(map(re.escape, form.split()))
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def provinces_written_as(question: str, texts: Sequence[str]) -> str:
    """`question` with each province it names in a form `texts` do not use
    written as they write it: "Berapa kasus DBD di Jabar?" over "Dinas
    Kesehatan Provinsi Jawa Barat ..." becomes "... di Jawa Barat?". Asked
    so, the short form was a name no passage held, and the question was
    refused."""
    joined = "\n".join(texts)
    for form, province in _forms():
        asked = _form_pattern(form).search(question)
        if asked is None or _form_pattern(form).search(joined):
            continue
        written = [
            found.group()
            for other, same in _forms()
            if same == province
            for found in _form_pattern(other).finditer(joined)
        ]
        if written:
            # As the story writes it, not its dateline ("JAKARTA, KOMPAS.com").
            form = next((w for w in written if not w.isupper() or len(w) <= 4), written[0].title())
            question = question[: asked.start()] + form + question[asked.end() :]
    return question


# English puts a compass point before a place, Indonesian after it in its
# own word: "Central Buton" is "Buton Tengah", "West Java" "Jawa Barat".
_COMPASS = {
    "north": "Utara",
    "northern": "Utara",
    "south": "Selatan",
    "southern": "Selatan",
    "east": "Timur",
    "eastern": "Timur",
    "west": "Barat",
    "western": "Barat",
    "central": "Tengah",
    "southeast": "Tenggara",
    "southwest": "Barat Daya",
    "northeast": "Timur Laut",
    "northwest": "Barat Laut",
}
_ENGLISH_PLACE = re.compile(rf"\b((?i:{'|'.join(_COMPASS)}))\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)")
# Islands English spells its own way.
ENGLISH_ISLANDS = {
    "java": "Jawa",
    "sumatra": "Sumatera",
    "borneo": "Kalimantan",
    "moluccas": "Maluku",
    "celebes": "Sulawesi",
}


def compass_places_written_as(question: str, texts: Sequence[str]) -> str:
    """An English `question` with each "Central Buton", "West Java" written
    as `texts` write it ("Buton Tengah", "Jawa Barat"), when they do. Read
    as two words, "Central" had glossed nothing, and the ship that sank in
    "Central Buton" had no place in any sentence; a form no text writes is
    left as it is."""
    joined = "\n".join(texts)

    def written(match: re.Match[str]) -> str:
        point, place = match.group(1), match.group(2)
        words = place.split()
        # "Central Buton" or "Central Buton Regency"? The longest the texts write.
        for n in range(len(words), 0, -1):
            name = " ".join(ENGLISH_ISLANDS.get(w.lower(), w) for w in words[:n])
            form = f"{name} {_COMPASS[point.lower()]}"
            if found := _form_pattern(form).search(joined):
                return " ".join([found.group(), *words[n:]])
        return match.group(0)

    return _ENGLISH_PLACE.sub(written, question)
