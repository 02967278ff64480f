"""Words that change whom a question asks about: "Siapa *wakil* bupati
Demak?" asks for another person than "Siapa bupati Demak?", and a passage
that names the bupati, and has no deputy in it, does not answer it. Asked
so, the bupati was the answer (and the president for "Siapa *wakil*
presiden yang meresmikan ...?").

The words are those that, on IDK-MRC train, an answerable question's
passage always held (wakil 2 of 2, mantan 1, anak 15) while its
unanswerable edits' passages often did not (19 of 40), each with the forms
news writes it in ("Wapres", "eks", "capres"). Left out: relatives a passage
says another way ("istri" was absent from 13 of 19 answering passages:
"menikah dengan ..."; "ayah" from 7 of 9), and "putra"/"putri", which in
sports news name the men's and women's events ("200 meter gaya punggung
putra").
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

from retrieval.text.lexical import QUESTION_WORDS, WORD, stem, stems_of
from retrieval.text.regions import with_province_names

# Each word with the forms that say it (stems).
_FORMS = {
    "wakil": (
        "wakil wapres wagub wabup wawali wawalkot wamen wakapolri wakapolda wakapolres "
        "wakasad wakasal wakasau wadir warek wadek wakasek wakajati wakajari wakapolsek"
    ),
    "mantan": "mantan eks bekas purnawirawan",
    "calon": "calon capres cawapres cagub cawagub cabup cawabup cawalkot caleg kandidat",
    "anak": "anak bocah balita",
}
REFERENT_FORMS = {word: frozenset(forms.split()) for word, forms in _FORMS.items()}


def _stems_held(passages: list[str]) -> set[str]:
    """The stems of every word of `passages`."""
    return set().union(*map(stems_of, passages))


def missing_referent_words(question: str, passages: list[str]) -> list[str]:
    """The words of `REFERENT_FORMS` the question asks with that none of
    `passages` holds in any form ("wakilnya", "Wapres" hold "wakil")."""
    asked_stems = {stem(w.lower()) for w in WORD.findall(question)}
    asked = [word for word, forms in REFERENT_FORMS.items() if forms & asked_stems]
    if not asked:
        return []
    held = _stems_held(passages)
    return [word for word in asked if not REFERENT_FORMS[word] & held]


# A holder the quote calls a former one: "mantan Gubernur DKI Jakarta Ali
# Sadikin" does not answer "Siapakah Gubernur DKI sekarang?".
_FORMER = re.compile(
    r"\b(?i:mantan|eks|bekas|purnawirawan|almarhum|almarhumah|mendiang)\s+"
    r"((?:[\w.'-]+\s+){0,6}[\w.'-]+)(?:\s*\(\s*\w+\s*\))?\s*,?\s*$"
)
_ONCE = re.compile(r"\b(?:dulu|dahulu|pernah|sebelumnya|pertama|former|formerly)\b", re.IGNORECASE)


# Lower-case words inside an office's body: "Menteri Kelautan *dan* Perikanan",
# "Wali *kota* Surabaya".
_BODY_LINKS = frozenset({"dan", "kota"})


def former_holder(question: str, quote: str, answer: str) -> bool:
    """Whether the quote calls `answer` a former holder of the office the
    question asks the holder of ("Siapakah Gubernur DKI sekarang?" over
    "mantan Gubernur DKI Jakarta Ali Sadikin"), when it asks for no former
    one ("mantan", "eks", "dulu", "pernah", ...). A question asking no
    holder ("Siapa yang divonis ...?") is not checked. Of FacQA's and
    IDK-MRC's 1,248 train "Siapa ...?" questions, no gold sentence does."""
    office = _office_asked(question)
    asked = {stem(w.lower()) for w in WORD.findall(question)}
    at = quote.find(answer) if answer else -1
    if office is None or at < 0 or asked & REFERENT_FORMS["mantan"] or _ONCE.search(question):
        return False
    said = _FORMER.search(quote[max(0, at - 80) : at])
    if said is None:
        return False
    words = said.group(1).split()
    forms = {office, *_ASKED_OFFICES.get(office, "").split()}
    # The office and its body's name: "mantan Kapolda Jatim", "Mantan Wali
    # Kota Surabaya", "mantan Menteri Kelautan dan Perikanan"; not "eks
    # vokalis Hollywood Rose dan".
    return words[0].lower() in forms and all(
        w[0].isupper() or w.lower() in _OFFICES or w.lower() in _BODY_LINKS for w in words
    )


def _holder_words(question: str) -> tuple[str, str] | None:
    """The first two words after "Siapa" (lower case), "Perdana Menteri"
    read as the minister it names: ("menteri", "") for "Siapa Perdana
    Menteri ...?", ("presiden", "direktur") for "Siapa Presiden Direktur
    ...?"; None for a question not asking so."""
    match = _HOLDER_ASKED.match(question)
    if not match:
        return None
    office, then = match.group(1).lower(), (match.group(2) or "").lower()
    if office == "chief" and then in _CHIEFS:
        return _CHIEFS[then], ""  # "Chief Technology Officer" is the CTO
    return (then, "") if office == "perdana" else (office, then)


_CHIEFS = {"executive": "ceo", "technology": "cto", "operating": "coo", "financial": "cfo"}


def _office_asked(question: str) -> str | None:
    """The office a "Siapa <office> ...?" question asks the holder of
    ("menteri" of "Siapa Perdana Menteri ...?", "direktur" of "Siapa
    Presiden Direktur ...?"), if it is one of `_OFFICES` or `_ASKED_OFFICES`."""
    words = _holder_words(question)
    if words is None:
        return None
    office, then = words
    if office in _OFFICES and then in _OFFICES:
        office = then  # "Presiden Direktur X"
    return office if office in _OFFICES or office in _ASKED_OFFICES else None


# Offices, whose holder the word after them names: "Menteri *Pertanian*",
# "Kapolda *Jatim*". A quote naming the same office of another portfolio
# ("Menteri PUPR Basuki") is about someone else.
_OFFICES = frozenset(
    "menteri direktur dirut kepala ketua gubernur bupati walikota presiden rektor dekan "
    "kapolda kapolres panglima sekretaris komisaris pelatih kapten manajer duta".split()
)
_FILLERS = frozenset(
    "yang di ke dari dan atau pada untuk dengan dalam oleh adalah itu ini tersebut saat "
    "sekarang kini baru lama".split()
)


def _abbreviated(office: str, question: str, texts: list[str]) -> bool:
    """Whether one of `texts` names the office's body asked by the other
    form of its name: "Rektor Universitas Indonesia" for "Rektor UI",
    "Menteri PUPR" for "Menteri Pekerjaan Umum dan Perumahan Rakyat"."""
    asked = next(iter(_bodies_after(office, question)), [])
    return bool(asked) and any(
        _one_abbreviates_the_other(body, asked)
        for text in texts
        for body in _bodies_after(office, text)
    )


def other_office(question: str, quote: str, passages: list[str]) -> tuple[str, str, str] | None:
    """(office, asked, quoted) when the question asks for the holder of an
    office of one portfolio ("Siapa Menteri Pertanian?") that no passage
    names, and the quote names the office of another ("Menteri PUPR"); else
    None. "Direktur perusahaan apa ...?" asks for the portfolio: not checked."""
    written = WORD.findall(question)
    asked = [w.lower() for w in written]
    # What follows each office in the quote, read once.
    following: dict[str, list[str]] = {}
    for word, other in pairwise(w.lower() for w in WORD.findall(quote)):
        if word in _OFFICES:
            following.setdefault(word, []).append(other)
    held = {w.lower() for p in passages for w in WORD.findall(p)}
    asked_words = set(asked)
    for i, (office, what) in enumerate(pairwise(asked)):
        after = asked[i + 2] if i + 2 < len(asked) else ""
        if (
            office not in _OFFICES
            or not written[i + 1][0].isupper()  # a portfolio is a name: "Presiden berkunjung"
            or what in _OFFICES
            or what in _FILLERS
            or what in QUESTION_WORDS
            or stem(after) in QUESTION_WORDS  # "Direktur perusahaan apakah ...?"
            or what in held
            or _abbreviated(office, question, [quote, *passages])
        ):
            continue
        for other in following.get(office, ()):
            if other not in _FILLERS and other not in asked_words:
                return office, what, other
    return None


# The body an office is of: the capitalised words that follow it ("Kepala
# *Dinas Kesehatan Jawa Barat*, Vini ...", "Kepala *Badan Nasional ...
# (BNPB)*", "Pelatih *Persib*, Bojan Hodak"), up to a comma or a lowercase word.
_BODY = r"((?:\s+(?:dan\s+)?\(?[A-Z][\w'-]*\)?){1,8})"


# Not the body: a rank of the office ("Ketua *Umum* GP Ansor", "Direktur
# *Utama*") and a company's legal form ("*PT* Telkom", "(*Persero*)"), which
# bodies share ("PT" is in the initials of PT Telkom's and of PLN's).
_NOT_BODY = frozenset("umum utama harian besar pt tbk persero".split())
# A part of a body ("Kepala *Divisi* Humas Polri") and the rank of its whole's head.
_SUB_UNITS = frozenset("bidang subbidang sub divisi seksi komisi bagian biro direktorat".split())
_TOP_RANKS = frozenset("umum utama".split())


def _bodies_after(office: str, text: str) -> list[list[str]]:
    """The words of each body `text` names right after `office`, a
    province by its name ("Kalteng": "kalimantan tengah")."""
    found = re.finditer(rf"(?i:\b{office}\b){_BODY}", text)
    return [with_province_names(m.group(1)).split() for m in found]


def _distinct(body: list[str]) -> list[str]:
    """The words that tell one body from another: not "dan", a rank or a legal form."""
    return [w for w in body if w not in _NOT_BODY and w not in _FILLERS]


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w not in _FILLERS)


def _abbreviates(short: list[str], long: list[str]) -> bool:
    """Whether a word of `short` abbreviates `long`: "bnpb" of "Badan
    Nasional Penanggulangan Bencana"."""
    # The long form may run on into the holder's name ("... Bencana
    # Suharyanto"), abbreviate part of it ("Sinopec SPB", "GP Ansor"), or be
    # cut at a comma ("Badan Meteorologi, Klimatologi, dan Geofisika":
    # "bm" of "bmkg"). A legal form is no acronym ("PT" of PLN's and Telkom's).
    initials = _initials(long)
    return any(
        len(word) > 1
        and word not in _NOT_BODY
        and (word in initials or (len(initials) > 1 and word.startswith(initials)))
        for word in short
    )


def _one_abbreviates_the_other(body: list[str], other: list[str]) -> bool:
    """Whether two bodies' names are one body's, either abbreviating the other."""
    return _abbreviates(body, other) or _abbreviates(other, body)


def other_rank(question: str, quote: str, answer: str) -> bool:
    """Whether the quote introduces `answer` as the head of the office the
    question asks the deputy of, or as the deputy when it asks the head:
    "Siapa *Wakil* Ketua KPU Banyumas?" over "Ketua KPU Kabupaten Banyumas
    Dewi Kartikasari". Read only where the office directly introduces the
    answer (its body's capitalised words between them)."""
    words = _holder_words(question)
    at = quote.find(answer) if answer else -1
    if words is None or at < 0:
        return False
    deputy = REFERENT_FORMS["wakil"]
    office, then = words
    asks_deputy = office in deputy
    asked = then if asks_deputy else office
    forms = {asked, *_ASKED_OFFICES.get(asked, "").split()}
    if asked not in _OFFICES and asked not in _ASKED_OFFICES:
        return False
    # Back from the answer over its body's words ("KPU Kabupaten Banyumas")
    # to the office: any other word first, and the office introduces nothing.
    before = WORD.findall(quote[max(0, at - 160) : at])[-14:]
    for i in range(len(before) - 1, -1, -1):
        word = before[i].lower()
        if word in forms:
            introduced_deputy = i > 0 and before[i - 1].lower() in deputy
            return introduced_deputy != asks_deputy
        if not (before[i][0].isupper() or word in _BODY_LINKS):
            return False
    return False


def office_of_another_body(
    question: str, quote: str, passages: list[str], answer: str = ""
) -> tuple[str, list[str], list[str]] | None:
    """(office, asked, quoted) when the question asks for the holder of an
    office of one body ("Siapa pelatih *Madura United*?", "Siapa kepala
    *BMKG*?"), the quote names that office of another ("Pelatih *Persib*,
    Bojan Hodak"; "Kepala *BNPB*, Suharyanto"), and no passage names the
    office of the body asked; else None. The passages may name the body
    asked elsewhere (the team Persib beat; the agency that measured the
    quake): `other_office` lets any mention of it do. The answer's own
    words after the office ("Presiden *Hugo Chavez*") are its holder, not
    a body."""
    # Only the office whose holder is asked: not one elsewhere in the question.
    office = _office_asked(question)
    asked_bodies = _bodies_after(office, question) if office in _OFFICES else []
    if office is None or not asked_bodies:
        return None
    asked = [w for w in asked_bodies[0] if w not in QUESTION_WORDS]
    if asked and asked[0] in _SUB_UNITS:
        # "Ketua *Bidang* Pembinaan Prestasi PB PASI" is not the "Ketua
        # *Umum*" of PB PASI the quote names: the head of a part, not the whole.
        for body in _bodies_after(office, quote):
            if body and body[0] in _TOP_RANKS:
                return office, _distinct(asked), body[:1]
    quote_words = set(with_province_names(quote).split())
    missing = [w for w in _distinct(asked) if w not in quote_words]
    if not missing or any(
        set(missing) <= set(body) or _one_abbreviates_the_other(body, asked)
        for text in passages
        for body in _bodies_after(office, text)
    ):
        return None
    answer_words = {w.lower() for w in WORD.findall(answer)}
    for body in _bodies_after(office, quote):
        other = [w for w in _distinct(body) if w not in asked and w not in answer_words]
        if other and not _one_abbreviates_the_other(body, asked):
            return office, _distinct(asked), other
    return None


# The office a "Siapa <office> ...?" question asks the holder of, with the
# forms a passage may name it by (stems). FacQA train (news) questions asked
# so, 126: refused with their gold passage gone 60 -> 80 of 103, answers
# holding the gold 118 -> 117 (a passage calling him "Ia"). On IDK-MRC's
# encyclopedic passages the office is as often missing for answerable
# questions (4 of 29 on train: "Presiden Parlemen Eropa" for "ketua") as for
# unanswerable ones (5 of 27); valid lost one. Not the makers and rulers
# ("pendiri", "pencipta", "penulis", "raja"), whom passages name another
# way ("didirikan oleh").
_ASKED_OFFICES = {
    "presiden": "presiden president",
    # A minister, by the title or its short forms ("Menlu", "PM"): of FacQA
    # train's 32 questions asking one, every gold passage names one.
    "menteri": (
        "menteri minister pm menlu mendagri menkes menkeu mentan menhan mendag menpora "
        "mensesneg menko menneg mendiknas mendikbud menag menhut menperin menakertrans"
    ),
    "gubernur": "gubernur",
    "bupati": "bupati",
    "walikota": "walikota wali walkot",
    "wali": "walikota wali walkot",
    "rektor": "rektor",
    "dekan": "dekan",
    "camat": "camat",
    "lurah": "lurah",
    "pelatih": "pelatih arsitek coach",
    "direktur": "direktur dirut direksi director ceo",
    "dirut": "direktur dirut",
    # A head is a head: "ketua BNPB" asks for its kepala.
    "ketua": "ketua ketum kepala pemimpin pimpinan dipimpin memimpin",
    "kepala": "kepala ketua kapolri kapolda kapolres kapolsek pemimpin pimpinan dipimpin memimpin",
    "sekjen": "sekjen sekretaris",
    "sekretaris": "sekretaris sekjen sekum sesmen secretary",
    # A chief by what he is chief of: "Chief Operating Officer" is no CTO.
    "ceo": "ceo executive direktur dirut presdir",
    "cto": "cto technology",
    "cfo": "cfo financial",
    "coo": "coo operating",
    # "kepsek" (chat): a school's head, written out as "kepala sekolah" or
    # "Kepala SMAN 3 ..." (`_TITLES_WRITTEN_OUT`).
    "kepsek": "kepsek",
    "komisaris": "komisaris komut",
    "juru": "juru jubir spokesperson",
    "panglima": "panglima",
    # Heads of police and the like, by their short titles; a passage may
    # write the title out ("Kepala Kepolisian Daerah ...": `_TITLES_WRITTEN_OUT`).
    "kapolri": "kapolri",
    "kapolda": "kapolda",
    "kapolres": "kapolres",
    "kapolsek": "kapolsek",
    "pangdam": "pangdam",
    "kajati": "kajati",
    "kajari": "kajari",
    "komut": "komut komisaris",
    "jubir": "jubir juru spokesperson",
    "dubes": "dubes duta ambassador",
    "kapten": "kapten",
    "manajer": "manajer manager",
}
# Short titles as passages write them out.
_TITLES_WRITTEN_OUT = {
    "kapolri": r"kepala\s+(?:kepolisian\s+negara|polri)",
    "kapolda": r"kepala\s+(?:kepolisian\s+daerah|polda)",
    "kapolres": r"kepala\s+(?:kepolisian\s+resor|polres)",
    "kapolsek": r"kepala\s+(?:kepolisian\s+sektor|polsek)",
    "pangdam": r"panglima\s+(?:komando\s+daerah\s+militer|kodam)",
    "kajati": r"kepala\s+(?:kejaksaan\s+tinggi|kejati)",
    "kajari": r"kepala\s+(?:kejaksaan\s+negeri|kejari)",
    "cto": r"direktur\s+teknologi",
    "cfo": r"direktur\s+keuangan",
    "coo": r"direktur\s+operasional",
    "kepsek": r"kepala\s+(?:sekolah|madrasah|sdn?|smpn?|sman?|smkn?|mtsn?|man)\b",
}
_HEADS_OF = {
    "negara": "presiden raja ratu sultan",
    # "Kepala sekolah": the school's head, not any "kepala" of the article.
    "sekolah": "kepsek",
    "daerah": "gubernur bupati walikota wali",
    "pemerintahan": "presiden perdana",
}
_HOLDER_ASKED = re.compile(
    r"^\W*(?:siapa(?:kah)?|who\s+is|who\s+was)\s+(?:(?:nama|sang|the)\s+)?(\w+)(?:\s+(\w+))?",
    re.IGNORECASE,
)


# "kepala bmkg pas gempa cianjur siapa", as chats ask it: the question word
# last, read as "Siapa kepala bmkg ...?" for the checks of whom it asks about.
_WHO_LAST = re.compile(
    r"^\W*(?!siapa\b)(\w.*?)[\s,]+(?:(?:nama|namanya)\s+)?siapa(?:kah)?(?:\s+(?:sih|ya|yah))?\s*\??\s*$",
    re.IGNORECASE,
)


@cache
def office_words() -> frozenset[str]:
    """Every word that names an office or a holder's standing ("kepala",
    "wali", "dirut", "wakil", "mantan"), as the checks above read them."""
    asked = {w for forms in _ASKED_OFFICES.values() for w in forms.split()}
    return frozenset(_OFFICES | asked | set(_ASKED_OFFICES) | set().union(*REFERENT_FORMS.values()))


def who_asked_first(question: str) -> str:
    """`question` with a last "siapa" put first ("cto kebun pintar siapa"
    -> "Siapa cto kebun pintar?"); any other question as it is."""
    match = _WHO_LAST.match(question)
    return f"Siapa {match.group(1)}?" if match else question


def missing_office(question: str, passages: list[str]) -> str | None:
    """The office a "Siapa <office> ...?" question asks the holder of
    ("Siapa *wali kota* Bandung?"), when none of `passages` names it in any
    form; else None."""
    words = _holder_words(question)
    if words is None:
        return None
    office, then = words
    forms = _ASKED_OFFICES.get(office)
    if forms is None:
        return None
    # "Presiden direktur" is a direktur utama: either office's forms will do.
    forms = f"{forms} {_ASKED_OFFICES.get(then, '')}"
    if office == "kepala" and then in _HEADS_OF:
        # "Kepala negara" is the president, "kepala daerah" the bupati; the
        # head of something else ("Kepala Observatorium") is not.
        if any(re.search(rf"\bkepala\s+{then}\b", p, re.IGNORECASE) for p in passages):
            return None
        forms = _HEADS_OF[then]
    for title in (office, *forms.split()):
        written_out = _TITLES_WRITTEN_OUT.get(title)
        if written_out and any(
            re.search(rf"\b{written_out}\b", p, re.IGNORECASE) for p in passages
        ):
            return None
    held = _stems_held(passages)
    return None if {stem(form) for form in forms.split()} & held else office
