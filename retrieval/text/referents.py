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

from retrieval.text.lexical import WORD, stem, stems_of

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
