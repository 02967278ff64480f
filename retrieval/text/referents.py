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

from itertools import pairwise

from retrieval.text.lexical import QUESTION_WORDS, WORD, stem, stems_of

# Each word with the forms that say it (stems).
_FORMS = {
    "wakil": (
        "wakil wapres wagub wabup wawali wawalkot wamen wakapolri wakapolda wakapolres "
        "wakasad wakasal wakasau"
    ),
    "mantan": "mantan eks bekas purnawirawan",
    "calon": "calon capres cawapres cagub cawagub cabup cawabup cawalkot caleg kandidat",
    "anak": "anak bocah balita",
}
REFERENT_FORMS = {word: frozenset(forms.split()) for word, forms in _FORMS.items()}


def missing_referent_words(question: str, passages: list[str]) -> list[str]:
    """The words of `REFERENT_FORMS` the question asks with that none of
    `passages` holds in any form ("wakilnya", "Wapres" hold "wakil")."""
    asked_stems = {stem(w.lower()) for w in WORD.findall(question)}
    asked = [word for word, forms in REFERENT_FORMS.items() if forms & asked_stems]
    if not asked:
        return []
    held = set().union(*(stems_of(p) for p in passages)) if passages else set()
    return [word for word in asked if not REFERENT_FORMS[word] & held]


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
        ):
            continue
        for other in following.get(office, ()):
            if other not in _FILLERS and other not in asked_words:
                return office, what, other
    return None
