"""The answer itself: a short phrase, verbatim from the answering sentence.

When a question asks for a name, date, number, place or outlet, the phrase
of that kind in the sentence that is *not* part of the question, nearest to
the words the sentence shares with the question ("menurut Kepala BNPB,
*Suharyanto*"; "membawa *84 penumpang*"), is the answer. Found by patterns,
not a model: it is a candidate list over one sentence, and the sentence is
always shown after it, so a wrong pick is visible and the quote still holds.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from retrieval.text.lexical import QUESTION_WORDS, WORD, is_root_word, stem, stems_of

_MONTHS = (
    r"(?:Januari|Februari|Pebruari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|"
    r"November|Nopember|Desember|January|February|March|May|June|July|August|October|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Agu|Agt|Aug|Sep|Sept|Okt|Oct|Nov|Des|Dec)\.?"
)
_DAYS = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad)"
_DATE = re.compile(
    rf"(?:{_DAYS},?\s*(?:\(\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\)|\d{{1,2}}\s+{_MONTHS}(?:\s+\d{{4}})?)?"
    rf"|\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTHS}(?:\s+\d{{4}})?"
    rf"|{_MONTHS}\s+\d{{4}}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|(?:abad\s+ke-?\s*\d+|abad\s+[XVI]+)"
    r"|(?:(?:pada\s+)?tahun\s+)?(?:1[0-9]\d\d|20\d\d)(?:\s*[-–]\s*(?:1[0-9]\d\d|20\d\d))?"
    r"|(?:kemarin|hari ini|pekan lalu|bulan lalu|tahun lalu))",
)
# A whole word only: "7,4 mengguncang" is "7,4", not "7,4 m".
_SCALE_UNITS = (
    "ribu juta miliar milyar triliun ratus puluh belas persen km kilometer meter m kg ton "
    "hektare ha detik menit jam hari pekan minggu bulan tahun".split()
)
_SCALE = rf"(?:(?:{'|'.join(_SCALE_UNITS)}|%)(?!\w))"
_SCALE_WORDS = frozenset(_SCALE_UNITS) | {"lama"}
_NUMBER_WORD = (
    r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|"
    r"seribu|sejuta|puluhan|ratusan|ribuan|jutaan)"
)
_NUMBER = re.compile(
    rf"(?:(?:Rp|US\$|USD|\$|€)\.?\s*)?(?:\d+(?:[.,]\d+)*|{_NUMBER_WORD})"
    rf"(?:\s+(?:{_NUMBER_WORD}|{_SCALE}))*(?:\s+{_SCALE})?",
    re.I,
)
# Indonesian verb prefixes: a word after a number starting so is what
# happened, not the thing counted.
_VERB_PREFIX = re.compile(r"(?:me|di|ber|ter)")
# A name: capitalised words, with the particles names carry ("bin", "van").
_NAME = re.compile(
    r"(?:[A-Z][\w'’.-]*[\w]|[A-Z])(?:\s+(?:(?:bin|binti|van|von|de|der|al|el)\s+)?"
    r"(?:[A-Z][\w'’.-]*[\w]|[A-Z]\.?|\d+))*"
)
_PLACE_LEAD_WORDS = r"di|ke|dari|dekat|wilayah|kota|provinsi|kabupaten|in|at|from"
_PLACE_LEAD = re.compile(rf"\b(?:{_PLACE_LEAD_WORDS})\s+$", re.I)
# "di perairan Buton Tengah, *Sulawesi Tenggara*": a name after a place and
# a comma is the place's region, not who.
# (Words of the place are separated by spaces: `\s*` between them would let
# one long capitalised word split every way, exponential backtracking.)
_PLACE_APPOSITION = re.compile(
    rf"\b(?:{_PLACE_LEAD_WORDS}|perairan)\s+(?:[a-z]+\s+)?"
    r"(?:[A-Z][\w'’.-]*\s+)*[A-Z][\w'’.-]*\s*,\s*$"
)
_SOURCE_LEAD = re.compile(
    r"\b(?:lansir|dilansir|melansir|dikutip(?:\s+dari)?|mengutip|menurut|laporan|diberitakan|"
    r"dilaporkan|kata|according to|reported by)\s+$",
    re.I,
)


# Inside a phrase, the words that always open its source ("... Hizbullah,
# menurut Kepala X"); "laporan", "kata" may be words of an answer.
_SOURCE_INSIDE = re.compile(
    r"\b(?:lansir|dilansir|melansir|dikutip\s+dari|mengutip|menurut|according to)\s+\S", re.I
)


def cites_source(text: str, start: int, end: int | None = None) -> bool:
    """Whether the phrase `text[start:end]` is, or holds, whom or what the
    sentence cites: it follows "menurut", "lansir", "kata", "according to",
    or holds "menurut X"."""
    if _SOURCE_LEAD.search(text[max(0, start - 40) : start]):
        return True
    return end is not None and bool(_SOURCE_INSIDE.search(text[start:end]))


_REPORTS = re.compile(
    r"\s*(?:mengatakan|menyatakan|melaporkan|memberitakan|menulis|menyebutkan|said|reported)\b",
    re.I,
)
_OUTLET_BEFORE = re.compile(
    r"\b(?:kantor berita|media|surat kabar|harian|situs|stasiun televisi|news agency)\b[^.]*$",
    re.I,
)
# Titles before a name are not the name ("Kepala BNPB Suharyanto" → "Suharyanto"
# when the question asks who the head is).
_TITLES = frozenset(
    "presiden wakil menteri gubernur bupati walikota wali kota kepala ketua direktur "
    "juru bicara jubir kapolri kapolda kapolres panglima jenderal letjen mayjen brigjen "
    "kolonel profesor prof dr ir sekretaris pelatih kapten komandan ceo pendiri "
    "bapak ibu pak bu tuan nyonya raja ratu sultan pangeran perdana "
    # The second word of a title ("Direktur Utama", "Ketua Umum").
    "utama umum eksekutif pelaksana harian".split()
)
# Words that open the name of a place, not of a person or organisation.
_PLACE_WORDS = frozenset(
    "kabupaten kota provinsi desa kecamatan kelurahan jalan jl stadion pulau sungai gunung "
    "bandara pelabuhan selat teluk danau pantai pasar kampung".split()
)
_FUNCTION = frozenset(
    "ini itu dalam pada untuk dengan sejak saat ketika namun tetapi dan atau yang ia dia "
    "mereka kami kita sementara selain setelah sebelum menurut sebagai para the a an".split()
)


def _initials(phrase: str) -> str:
    return "".join(w[0] for w in WORD.findall(phrase) if w[0].isupper()).lower()


def _question_stems(question: str) -> set[str]:
    return set(stems_of(question)) - {stem(w) for w in QUESTION_WORDS}


def _in_question(phrase: str, question_words: set[str], stems: set[str]) -> bool:
    words = WORD.findall(phrase)
    return bool(words) and all(
        w.lower() in question_words or stem(w.lower()) in stems for w in words
    )


def _trim_name(text: str, start: int, end: int, question_words: set[str]) -> tuple[int, int]:
    """Drop leading titles, function words and question words from a name."""
    phrase = text[start:end]
    offset = 0
    for match in WORD.finditer(phrase):
        word = match.group().lower()
        if word in _TITLES or word in _FUNCTION or word in question_words:
            offset = match.end()
            continue
        break
    rest = phrase[offset:]
    stripped = rest.lstrip(" ,.")
    start += offset + len(rest) - len(stripped)
    while end > start and text[end - 1] in ".,;:":
        end -= 1
    return start, end


# Words that count what the question names without naming it ("84 orang"
# for "Berapa korban ...?"), and the words that follow a number without
# being what it counts.
_MEASURES = frozenset(
    "luas jarak berat bobot tinggi volume kapasitas temperatur suhu umur usia harga biaya "
    "dana anggaran panjang lebar kecepatan daya kedalaman ketinggian rata skor indeks nilai "
    "kali kalikah macam jenis lama durasi produksi kerugian pendapatan gaji tarif ukuran "
    "kekuatan magnitudo skala intensitas tingkat persentase kadar curah laju angka".split()
)
_UNITS = _SCALE_WORDS | frozenset(
    "dollar dolar rupiah euro yen yuan baht ringgit won poin barel barrel gram kilogram "
    "kilometer mil liter meter sentimeter milimeter cm mm derajat watt megawatt kwh hektar "
    "are mw gw km2 m2 m3 gb mb".split()
)
# "Berapa harga/biaya/tarif ...?" is answered in money.
_MONEY_MEASURES = frozenset("harga biaya tarif gaji ongkos upah modal anggaran dana".split())
# Victims are counted as the dead and injured: "Berapa jumlah korban tewas
# ...?" is answered by "10 orang tewas", which names no "korban".
_COUNTED_AS = {
    "korban": "korban tewas luka jiwa orang",  # not "meninggal": its stem is "tinggal"
    # A unit as chats and articles spell it: "brp hektar" over "3.000 hektare".
    **dict.fromkeys(["hektar", "hektare"], "hektar hektare ha"),
    **dict.fromkeys(["kilo", "kg", "kilogram"], "kilo kilogram kg"),
    **dict.fromkeys(["km", "kilometer"], "km kilometer"),
}
# Things a sum of money may count: "Berapa uang tunai ...?" is answered in rupiah,
# "Berapa wisatawan ...?" is not ("Rp 150.000 dari setiap wisatawan").
_MONEY_THINGS = (
    "uang suap utang hutang pinjaman kerugian tunjangan denda pajak iuran pungutan "
    "investasi saham sumbangan bantuan donasi hadiah santunan kompensasi"
)


_MONEY = re.compile(
    r"(?:Rp|US\$|USD|\$|€|£)|\b(?:rupiah|dollar|dolar|euro|yen|yuan|baht|ringgit|won)\b", re.I
)
_CLASSIFIERS = frozenset(
    "orang jiwa warga unit buah ekor kali batang lembar biji butir helai pasang paket "
    "kasus kursi suara kategori jenis macam kelompok titik lokasi hektare ha".split()
)
_NOT_COUNTED = _FUNCTION | frozenset(
    "lebih kurang hingga sampai lagi saja per setiap tiap atau dan yang lalu lainnya "
    "terakhir pertama kedua sekitar hampir mencapai sebanyak sebesar".split()
)


# "Berapa", then what may come before the word naming what is counted.
_BERAPA = (
    r"\bberapa(?:kah)?\s+(?:kira-kira\s+|kurang\s+lebih\s+|perkiraan\s+)?"
    r"(?:(?:jumlah|banyak|total)(?:nya)?\s+)?"
)


_ASKED_FIRST = re.compile(r"^\W*(?i:harga|tiket|tarif|ongkos|biaya)\b")


def _berapa_word(question: str) -> str | None:
    """The word right after "berapa" ("korban" in "Berapa korban ...?"), lower case,
    or after "berapa jumlah/banyak/total" ("pengungsi" in "Berapa jumlah
    pengungsi ...?"): those name how much, the next word what is counted.
    A hedge is not it: "berapa kira-kira populasi ...?" counts "populasi"."""
    match = re.search(rf"{_BERAPA}(\w+)", question, re.I)
    if match:
        return match.group(1).lower()
    # A chat puts it first and "berapa" last: "tiket whoosh jkt bdg brp?",
    # "harga emas antam brp": the price ("45 menit" is no ticket's).
    chat = _ASKED_FIRST.match(question)
    return "harga" if chat and re.search(r"\bberapa\b\W*$", question, re.I) else None


def counted_noun(question: str) -> str | None:
    """The stem of what a "Berapa ...?" question counts, when it names it
    right after "berapa" ("korban" in "Berapa korban tewas ...?") or after
    "berapa jumlah/banyak/total" ("Berapa jumlah pengungsi ...?"), and the
    word is not a measure ("Berapa nilai ...?", "Berapa jumlahnya?" name none)."""
    asked = _berapa_word(question)
    if asked is None:
        return None
    # "korbankah" asks for "korban"; "jumlah", "sekolah" end so themselves.
    word = asked if is_root_word(asked) else re.sub(r"(?:kah|lah)$", "", asked)
    if word in _EMPTY or word in _FUNCTION or word in QUESTION_WORDS:
        return None
    if word in _MEASURE_WORDS or stem(word) in _MEASURE_WORDS:  # "jumlahnya", "totalnya"
        return None
    if word in _SCALE_WORDS or word in _MEASURES or not word.isalpha():
        # "Berapa tahun/persen/luas/harga ...?": a unit or a measure, whose
        # number is followed by any unit ("22.000 hektar", "362 kilogram").
        return None
    return stem(word)


def _counts(sentence: str, end: int, counted: str, stems: set[str]) -> bool:
    """Whether the number ending at `end` can count `counted`: the word after
    it is that thing, a classifier, or nothing that names another thing
    ("lima juta *penumpang*" does not answer "Berapa harga tiket ...?")."""
    after = re.match(r"\s+([A-Za-z]\w*)", sentence[end:])
    word = after.group(1) if after else ""
    low = word.lower()
    if word and (word[0].isupper() or low in _CLASSIFIERS or low in _NOT_COUNTED or low in _UNITS):
        return True
    if not word or (_VERB_PREFIX.match(low) and stem(low) != low):
        # Nothing counted after it ("... mencapai 84.", "5,6 mengguncang"):
        # the thing must come just before ("korban tewas mencapai 84"), not
        # another ("bermagnitudo 5,6").
        before = WORD.findall(sentence[:end])[-7:-1]
        return any(stem(w.lower()) == counted for w in before)
    return stem(low) == counted or stem(low) in stems


def _named_as(counted: str) -> frozenset[str]:
    """The stems a sentence names what is counted by: the counted word
    itself, or the words it is counted as (`_COUNTED_AS`)."""
    return stems_of(_COUNTED_AS[counted]) if counted in _COUNTED_AS else frozenset({counted})


def counts_what_is_asked(question: str, sentence: str) -> bool:
    """Whether `sentence` gives a number of what a "Berapa X ...?" counts,
    the number right before it ("diikuti 4.200 pelari" for "Berapa pelari
    yang ikut ...?")."""
    counted = counted_noun(question)
    if counted is None:
        return False
    named_as = _named_as(counted)
    for number in _NUMBER.finditer(sentence):
        after = re.match(r"\s+([A-Za-z]\w*)", sentence[number.end() :])
        if after and stem(after.group(1).lower()) in named_as:
            return True
    return False


_HOLDS_NUMBER = re.compile(
    rf"\d+(?:[.,]\d+)*|\b{_NUMBER_WORD}\b|\b(?:se)?(?:belas|puluh|ratus|ribu|juta)\b", re.I
)


# "Keberapa ...?", "ke berapa": a place in an order, "ketiga", "ke-3", "pertama".
_ORDINAL_ASKED = re.compile(r"\bke-?\s?berapa", re.I)
_ORDINAL = re.compile(rf"\bke-?\s?(?:\d+|{_NUMBER_WORD})\b|\bpertama\b", re.I)


def says_which_place(question: str, phrase: str) -> bool:
    """Whether `phrase` can answer a question asking which in an order
    ("Ini gelar liga keberapa?": "ketiga", not "Liga 1"); any phrase can
    answer any other question."""
    return _ORDINAL_ASKED.search(question) is None or _ORDINAL.search(phrase) is not None


def ordinal_in(question: str, phrase: str) -> tuple[int, int] | None:
    """Where in `phrase` the ordinal is, for a question asking one."""
    found = _ORDINAL.search(phrase) if _ORDINAL_ASKED.search(question) else None
    return found.span() if found else None


def says_how_many(question: str, phrase: str, sentence: str) -> bool:
    """Whether `phrase` (a reader's short answer in `sentence`) can say how
    many a "Berapa ...?" asks: it holds a number, in digits or words, that
    is not a date or a year ("1949" is when, not how many); money when a
    price is asked; and the sentence names what the question counts, when
    it names it ("Berapa valuasi ...?" is not answered by a sentence giving
    the funding, "senilai Rp 150 miliar"). Which number counts it, the
    reader judged: "42" in "Serial Dragon Ball terdiri dari 42 volume"."""
    if _ORDINAL_ASKED.search(question):
        return _ORDINAL.search(phrase) is not None  # "ketiga", "ke-52"
    counted = counted_noun(question)
    if counted is not None:
        # What names it: the counted word itself, or the words it is counted as.
        named_as = _named_as(counted)
        if not named_as & stems_of(sentence):
            return False
    dates = [m.span() for m in _DATE.finditer(phrase)]
    numbers = [
        m.span()
        for m in _HOLDS_NUMBER.finditer(phrase)
        if not any(a <= m.start() and m.end() <= b for a, b in dates)
    ]
    if not numbers:
        return False
    money_asked = _berapa_word(question) in _MONEY_MEASURES
    if (
        counted is not None
        and not money_asked
        and counted not in stems_of(_MONEY_THINGS)
        and _MONEY.search(phrase)
    ):
        return False  # a sum of money counts no people or things
    return not money_asked or _MONEY.search(phrase) is not None


# "Berapa lama ...?" asks a length of time.
_TIME_UNITS = frozenset(
    "detik menit jam hari malam pekan minggu bulan tahun windu dekade abad".split()
)


@cache
def _other_measures() -> frozenset[str]:
    """The stems of the measures that are not lengths of time ("magnitudo",
    "ketinggian": "tinggi"); stemmed when first needed, not at import."""
    return frozenset(stem(w) for w in _MEASURES - {"lama", "durasi"})


def says_how_long(question: str, phrase: str, after: str, before: str = "") -> bool:
    """For "Berapa lama ...?", whether `phrase` (a short answer, `after` the
    rest of its sentence, `before` what comes before it) can be a length of
    time: it names a unit of time, or no other thing its number counts or
    measures. "Berapa lama perjalanan ...?" is not answered by "18.000
    orang" (how many ride), "Rp 250.000", nor the "5,6" of "bermagnitudo
    5,6"; it is by "sekitar 45 menit", and by "565 hingga 578", which names
    no unit. Any other question: True."""
    if _berapa_word(question) != "lama":
        return True
    following = re.match(r"\s*([A-Za-z]\w*)", after)
    text = f"{phrase} {following.group(1)}" if following else phrase
    words = [w.lower() for w in WORD.findall(text)]
    if any(w in _TIME_UNITS for w in words):
        return True
    if _MONEY.search(phrase) or "%" in phrase or "persen" in words:
        return False
    preceding = re.search(r"([A-Za-z]\w*)\W*$", before)
    leads = [preceding.group(1)] if preceding else []
    if any(stem(w.lower()) in _other_measures() for w in [*leads, *WORD.findall(phrase)[:1]]):
        return False  # "bermagnitudo 5,6", "ketinggian 159 meter"
    numbers = list(_HOLDS_NUMBER.finditer(text))
    if not numbers:
        return True
    counted = re.match(r"\s+([A-Za-z]\w*)", text[numbers[-1].end() :])
    word = counted.group(1).lower() if counted else ""
    if not word or word in _NOT_COUNTED or word in _TIME_UNITS:
        return True
    # A verb after the number is what happened, not what it counts.
    return bool(_VERB_PREFIX.match(word)) and stem(word) != word


# "Pukul berapa ...?", "Jam berapa ...?" ask a time of day ("pukul 13.21
# WIB"), which no count is: "5,6" (the magnitude) and "40" (those aboard)
# had been the answers. Not "Satu jam berapa menit?".
# Anywhere: a chat puts it last ("gempa cianjur jam brp?" had its magnitude).
_ASKS_CLOCK = re.compile(
    r"(?<![\d\w])(?:(?:pada\s+)?(?:pukul|jam)\s+berapa(?:kah)?|(?:at\s+)?what\s+time)\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b\d{1,2}[.:]\d{2}\b")
_ZONE = re.compile(r"\s*(?:WIB|WITA|WIT)\b")


# "Satu jam berapa menit?" asks how many minutes an hour has: a count of
# hours before "jam" is no time of day.
_HOURS_COUNTED = re.compile(
    r"(?:\d|\b(?:se|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|"
    r"\w+\s+belas|\w+\s+puluh|beberapa))\s*$",
    re.IGNORECASE,
)


def asks_time_of_day(question: str) -> bool:
    asked = _ASKS_CLOCK.search(question)
    return asked is not None and _HOURS_COUNTED.search(question[: asked.start()]) is None


def is_time_of_day(phrase: str, after: str, before: str = "") -> bool:
    """Whether `phrase` (`before` and `after` it in its sentence) is a time
    of day: "13.21", "pukul 7", "9 WIB"."""
    if _CLOCK.search(phrase) or _ZONE.search(phrase):
        return True
    number = re.match(r"\s*\d", phrase) is not None
    return number and (
        re.search(r"\bpukul\s*$", before, re.IGNORECASE) is not None
        or _ZONE.match(after) is not None
    )


_CLOCK_PHRASE = re.compile(
    r"(?:\b(?i:pukul)\s+)?\b\d{1,2}(?:[.:]\d{2})?\s*(?:WIB|WITA|WIT)\b"
    r"|\b(?i:pukul)\s+\d{1,2}(?:[.:]\d{2})?\b|\b\d{1,2}[.:]\d{2}\b"
)


def time_of_day_in(phrase: str) -> tuple[int, int]:
    """(start, end) in `phrase` of its time of day: "19.30 WIB" of "19.30
    WIB dan dihadiri sekitar 500 orang"; the whole phrase when it has none."""
    found = _CLOCK_PHRASE.search(phrase)
    return found.span() if found else (0, len(phrase))


def says_what_time(question: str, phrase: str, after: str, before: str = "") -> bool:
    """For "Pukul berapa ...?", whether `phrase` is a time of day; any
    other question: True."""
    return not asks_time_of_day(question) or is_time_of_day(phrase, after, before)


# "Tanggal berapa ...?" asks a day of a month ("31 Mei 2024", "8/ 9"): 70
# of FacQA's and IDK-MRC's 73 train questions asked so have one for their
# gold. A season ("2023/2024") or a year is not one.
_ASKS_DAY = re.compile(r"\btanggal\s+berapa(?:kah)?\b", re.IGNORECASE)
_DAY_OF_MONTH = re.compile(
    rf"\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTHS}|\b\d{{1,2}}\s*/\s*\d{{1,2}}\b",
    re.IGNORECASE,
)


def says_what_day(question: str, phrase: str) -> bool:
    """For "Tanggal berapa ...?", whether `phrase` names a day of a month;
    any other question: True."""
    return _ASKS_DAY.search(question) is None or _DAY_OF_MONTH.search(phrase) is not None


# Words between "yang" and what it says of the thing counted ("yang *telah*
# divaksin"): not the qualifier.
_AUXILIARIES = frozenset(
    "telah sudah akan masih sedang berhasil bisa dapat harus pernah belum tidak tak "
    "ikut turut sempat baru".split()
)


def qualifier(question: str) -> str | None:
    """The stem of what a "Berapa X yang ...?" question says of the thing
    it counts, which tells one of a passage's counts from another
    ("penumpang yang *selamat*": not the 40 aboard, the 25 saved)."""
    match = re.search(rf"{_BERAPA}\w+\s+yang\s+(\w+(?:\s+\w+){{0,2}})", question, re.I)
    if not match:
        return None
    said = next((w.lower() for w in match.group(1).split() if w.lower() not in _AUXILIARIES), None)
    return stem(said) if said and said.isalpha() else None


# What news says one way or another of the people it counts.
_SAID_ALIKE = ("tewas meninggal wafat mati gugur", "luka cedera", "selamat hidup")


# "1,5 hingga 3,5 persen": a range, whose first end the reader may leave out.
_RANGE_BEFORE = re.compile(r"\d[\d.,]*\s*(?:hingga|sampai|s\.d\.|-|–)\s*$", re.IGNORECASE)


def range_start(text: str, start: int) -> int:
    """Where a number at `start` of `text` begins its range: at "1,5" for
    "3,5 persen" in "kisaran 1,5 hingga 3,5 persen"; `start` when none."""
    found = _RANGE_BEFORE.search(text[max(0, start - 40) : start])
    return start - len(found.group(0)) if found else start


def holds_qualifier(question: str, sentence: str) -> bool:
    """Whether `sentence` says what the question says of what it counts
    (`qualifier`), in any of `_SAID_ALIKE`'s words for it ("yang tewas":
    "15 orang meninggal dunia"), or the question says nothing of it."""
    said = qualifier(question)
    if said is None:
        return True
    alike = next((stems_of(words) for words in _SAID_ALIKE if said in stems_of(words)), {said})
    return bool(alike & stems_of(sentence))


def name_after_title(span: str) -> int:
    """Where, in a short answer to "Siapa ...?", the person's name starts
    when the span carries the title or body before it: "Bupati Demak,
    Eisti'anah" -> "Eisti'anah"; "Badan Nasional Penanggulangan Bencana
    (BNPB), Suharyanto" -> "Suharyanto"; without a comma, after an office
    (`_after_office`: "Presiden Soekarno" -> "Soekarno"). Not "Jalal
    Talabani, Presiden Irak" (a title after the comma) nor a list ("Budi,
    Ani, dan Joko"): 0."""
    head, comma, name = span.rpartition(", ")
    if not comma:
        return _after_office(span)
    words = name.split()
    if (
        not comma
        or not head
        or not 0 < len(words) <= 5
        or not words[0][0].isupper()
        or words[0].lower() in _TITLES
        or any(w.lower() in {"dan", "serta", "and"} for w in words)
        or ", " in head
    ):
        return 0
    return len(head) + len(comma)


# Offices a name follows without a comma ("Presiden Soekarno"): not ranks,
# honorifics or royal titles, which are part of how a name is written
# ("Sultan Hamengkubuwono IX", "Brigjen ...").
_OFFICES = frozenset(
    "presiden wakil menteri gubernur bupati walikota kepala ketua direktur utama umum "
    "jubir kapolri kapolda kapolres pelatih ceo pendiri rektor".split()
)


def _after_office(span: str) -> int:
    """Where the name starts after the office words (and a body's acronym)
    opening `span` ("Presiden Soekarno", "Kepala BNPB Suharyanto"), when
    only capitalised words follow them; else 0."""
    words = list(re.finditer(r"\S+", span))
    n = 0
    while n < len(words) - 1 and words[n].group().lower() in _OFFICES:
        n += 1
    # The body's acronym after the office: "Kepala BNPB Suharyanto".
    while 0 < n < len(words) - 1 and words[n].group().isupper() and len(words[n].group()) > 1:
        n += 1
    rest = [w.group() for w in words[n:]]
    # A name: capitalised words, one at least not an acronym ("Presiden RI" is none).
    if n == 0 or not all(w[0].isupper() for w in rest) or all(w.isupper() for w in rest):
        return 0
    return words[n].start()


# "Berapa skor ...?" asks a score, and news writes one as two numbers
# joined ("mengalahkan Madura United 3-1"); not a date ("31/5"), a season
# ("2023/2024") nor a range with a unit ("10-15 persen" has its unit after).
_ASKS_SCORE = re.compile(r"\b(?:skor(?:nya)?|score)\b", re.I)
_SCORE = re.compile(r"(?<![\d.,/-])\d{1,2}\s?[-–:]\s?\d{1,2}(?![\d.,/-])(?!\s*(?:persen|%))")


def asks_score(question: str) -> bool:
    """ "Berapa skor akhir laga ...?", "What was the final score ...?"."""
    return _ASKS_SCORE.search(question) is not None


def says_score(question: str, phrase: str) -> bool:
    """For a question asking a score, whether `phrase` holds one ("3-1",
    not "Dua gol Persib" nor "Piala Dunia 2026"). Any other question: True."""
    return not asks_score(question) or _SCORE.search(phrase) is not None


def score_in(question: str, phrase: str) -> tuple[int, int] | None:
    """Where in `phrase` the score is, for a question asking one ("1-0" of
    "1-0 dalam laga kualifikasi Piala Dunia 2026"); else None."""
    found = _SCORE.search(phrase) if asks_score(question) else None
    return found.span() if found else None


def candidates(question: str, kind: str, sentence: str) -> list[tuple[int, int]]:
    """Phrases of `kind` in `sentence` that the question does not itself say."""
    question_words = {w.lower() for w in WORD.findall(question)}
    stems = _question_stems(question)
    spans: list[tuple[int, int]] = []
    if kind == "date":
        spans = [m.span() for m in _DATE.finditer(sentence)]
    elif kind == "number" and asks_score(question):
        spans = [m.span() for m in _SCORE.finditer(sentence)]
    elif kind == "number" and _ORDINAL_ASKED.search(question):
        spans = [m.span() for m in _ORDINAL.finditer(sentence)]
    elif kind == "number":
        counted = counted_noun(question)
        money = _berapa_word(question) in _MONEY_MEASURES
        dates = [m.span() for m in _DATE.finditer(sentence)]
        clock = asks_time_of_day(question)
        for m in _NUMBER.finditer(sentence):
            s, e = m.span()
            if any(a <= s and e <= b for a, b in dates):
                continue  # a year or a day of a date counts nothing
            if is_time_of_day(sentence[s:e], sentence[e:], sentence[:s]) or re.match(
                r"\s*(?:GMT|UTC)\b", sentence[e:]
            ):
                if clock:  # "Pukul berapa ...?": "13.21 WIB"
                    zone = _ZONE.match(sentence[e:])
                    spans.append((s, e + zone.end() if zone else e))
                continue  # a time of day ("pukul 13.21 WIB") counts nothing
            if clock:
                continue
            if counted and not _counts(sentence, e, counted, stems):
                continue  # "satu rute" does not answer "Berapa korban ...?"
            if money and not _MONEY.search(sentence[max(0, s - 4) : e + 12]):
                continue  # a price is money: not "lima juta penumpang"
            if not says_how_long(question, sentence[s:e], sentence[e:], sentence[:s]):
                continue  # "Berapa lama ...?": not "18.000 orang"
            unit = re.match(r"\s+(\w+)", sentence[e:])
            took_unit = unit is not None and (
                unit.group(1).lower() in _UNITS
                or (counted is not None and unit.group(1).lower() in _CLASSIFIERS)
            )
            if unit and took_unit:
                e += unit.end()  # "84 orang", "22.000 hektar"
            # The thing counted, when the question names it: "84 penumpang"
            # (not after a unit: "22.000 hektar", not "22.000 hektar lahan").
            after = re.match(r"\s+(\w+)", sentence[e:])
            # Not a verb the question repeats ("7,4 mengguncang Palu").
            if (
                not took_unit
                and after
                and stem(after.group(1).lower()) in stems
                and not _VERB_PREFIX.match(after.group(1).lower())
            ):
                e += after.end()
            spans.append((s, e))
    else:
        for m in _NAME.finditer(sentence):
            s, e = _trim_name(sentence, *m.span(), question_words)
            if e - s < 2:
                continue
            before = sentence[: m.start()]
            if kind == "place" and not _PLACE_LEAD.search(before):
                continue
            if kind == "source" and not _SOURCE_LEAD.search(before):
                continue
            if kind == "person" and re.search(r"\((?:\s*the\b[^()]*|\s*)$", before, re.I):
                continue  # "(the Syrian Observatory for ...)": a gloss, not who
            if kind in ("person", "source") and (
                _PLACE_LEAD.search(before)
                or _PLACE_APPOSITION.search(before)
                or (WORD.findall(sentence[s:e]) or [""])[0].lower() in _PLACE_WORDS
                or _DATE.fullmatch(sentence[s:e])
            ):
                continue  # a place or a date is not who
            words = WORD.findall(sentence[s:e])
            # Initials of the whole name, before its opening word is dropped
            # below: "Universitas Gadjah Mada" when the question says "UGM".
            if len(words) > 1 and _initials(sentence[s:e]) in question_words:
                continue
            opens = not sentence[:s].strip(" “\"'‘(")
            if opens and words and is_root_word(stem(words[0].lower())):
                # A capitalised common word opening the sentence ("Perebutan
                # Albu Kamal ...", also after a quote mark) is not part of a name.
                if len(words) == 1:
                    continue
                first = WORD.search(sentence, s)
                assert first is not None
                s = first.end()
                while s < e and not sentence[s].isalnum():
                    s += 1
                words = words[1:]
            if len(words) > 1 and _initials(sentence[s:e]) in question_words:
                continue  # "Badan Nasional ... Bencana" when the question says "BNPB"
            spans.append((s, e))
    if kind == "place":
        lead = question_lead(question)
        if lead in ("ke", "di", "dari"):
            # "Ke mana IS mundur?" → "ke daerah-daerah terpencil di wilayah
            # timur Deir Ezzor": the phrase after the lead, to the clause's end.
            for m in re.finditer(
                rf"\b{lead}\s+((?:[\w'’-]+\s+){{0,7}}?[\w'’-]+)(?=\s*[,.;:”\"')]|\s*$)",
                sentence,
                re.I,
            ):
                spans.append(m.span(1))
    out = []
    for s, e in spans:
        # No space or comma at the ends ("Rabu " → "Rabu").
        while s < e and not sentence[s].isalnum() and sentence[s] not in "$€(":
            s += 1
        while e > s and (sentence[e - 1].isspace() or sentence[e - 1] in ".,;:"):
            e -= 1
        if sentence[s:e].strip() and not _in_question(sentence[s:e], question_words, stems):
            out.append((s, e))
    return list(dict.fromkeys(out))


# Words that carry no content of their own: they anchor nothing ("yang",
# "di" are in every other sentence). Prepositions that lead an answer
# ("menurut siapa", "ke mana") are handled as leads, below.
_EMPTY = frozenset(
    "di ke dari oleh untuk pada dalam dengan yang dan atau ini itu tersebut adalah ialah "
    "merupakan akan telah sudah sedang masih juga the a an of to in on at for by with from "
    "and or is are was were did does do this that "
    # Light verbs: "Di mana banjir *terjadi*?" asks about the flood, not the
    # happening; no sentence that answers it needs the verb.
    "terjadi berlangsung dilakukan melakukan ada happen happened occur occurred".split()
)
# The word right before the question word names where the answer sits in
# the sentence: "Menurut siapa ...?" → the name after "menurut".
_LEAD_WORDS = frozenset(
    "menurut oleh kepada dengan dari ke di untuk bersama antara terhadap lansir dilansir "
    "melalui lewat".split()
)
_WH = re.compile(r"\b(?:siapa\w*|mana\w*|apa\w*|kapan\w*|berapa\w*)\b", re.I)
_WHO_DOES = re.compile(r"^\W*siapa(?:kah)?\s+yang\s+me[a-z]{3,}", re.I)


def content_words(question: str) -> set[str]:
    """The question's words that say what it is about (lower case)."""
    return {
        w.lower()
        for w in WORD.findall(question)
        if w.lower() not in QUESTION_WORDS and w.lower() not in _EMPTY
    }


# A route written as its two ends, after a word that says it is one: "rute
# Denpasar-Osaka", "Kereta Cepat Jakarta-Bandung" (not "Bandara
# Soekarno-Hatta", a name).
_ROUTE = re.compile(r"\b([A-Z][\w']*(?: [A-Z][\w']*)?)\s?[-–]\s?([A-Z][\w']*(?: [A-Z][\w']*)?)")
_ROUTE_WORD = re.compile(
    r"\b(?:rute|jalur|jurusan|trayek|penerbangan|perjalanan|kereta|tol|route|flights?)\b",
    re.IGNORECASE,
)


def route_end(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) in `text` of the end of a route a "Dari mana ...?" or
    "Ke mana ...?" question asks, when the span `text[start:end]` is the
    route or one of its ends: "Denpasar" of "rute ... Denpasar-Osaka" for
    "Dari mana penerbangan Garuda ke Osaka?", "Osaka" for "Ke mana ...?";
    the span itself for other questions and other spans."""
    lead = question_lead(question)
    if lead not in ("dari", "ke"):
        return start, end
    # The window opens at a word's start, not inside one ("Air|Asia-Bali").
    low = max(0, start - 40)
    while low > 0 and text[low - 1].isalnum():
        low -= 1
    for route in _ROUTE.finditer(text, low, min(len(text), end + 40)):
        said = _ROUTE_WORD.search(text, max(0, route.start() - 40), route.start())
        if said and route.start() <= start and end <= route.end():
            return route.span(1) if lead == "dari" else route.span(2)
    return start, end


def question_lead(question: str) -> str | None:
    """The lead word: "menurut" in "Menurut siapa ...?", "ke" in "Ke mana IS
    mundur?" and in "Kemana ...?"."""
    match = _WH.search(question)
    before = WORD.findall(question[: match.start()]) if match else []
    if before and before[-1].lower() in _LEAD_WORDS:
        return before[-1].lower()
    glued = re.search(r"\b(ke|di|dari)mana", question, re.IGNORECASE)
    if glued:
        return glued.group(1).lower()
    # "Siapa yang memimpin ...?" over "... dipimpin oleh East Ventures, dengan
    # partisipasi Mandiri Capital": who does it is whom "oleh" names.
    return "oleh" if _WHO_DOES.search(question) else None


def focus_stems(question: str) -> set[str]:
    """The stems of the question's lower-case content words: what it asks
    about beside its names ("memimpin" in "Siapa yang memimpin pertempuran
    di Albu Kamal?")."""
    out = set()
    for match in WORD.finditer(question):
        word = match.group()
        low = word.lower()
        if word[0].isupper() or low in QUESTION_WORDS or low in _EMPTY or low in _FUNCTION:
            continue
        out.add(stem(low))
    return out


# "Berapa *nilai* suap ...?": the measure is not what is asked about; the
# word after it is.
_MEASURE_WORDS = frozenset("nilai jumlah besar banyak total angka besaran kisaran".split())


def focus_word(question: str) -> str | None:
    """The stem of the word the question asks about: the first lower-case
    content word after its question word ("rektor" in "Siapa rektor UGM
    ...?", "memimpin" in "Siapa yang memimpin ...?", "direbut" in "Kapan
    Albu Kamal direbut ...?"), else the first one anywhere."""
    match = _WH.search(question)
    words = list(WORD.finditer(question))
    after = [w for w in words if match is None or w.start() >= match.end()]
    for group in (after, words):
        for w in group:
            word = w.group()
            low = word.lower()
            if word[0].isupper() or low in QUESTION_WORDS or low in _EMPTY or low in _FUNCTION:
                continue
            if any(ch.isdigit() for ch in low) or len(low) < 3 or low in _MEASURE_WORDS:
                continue
            return stem(low)
    return None


def name_stems(question: str) -> frozenset[str]:
    """The stems of the question's capitalised words ("polonia" and
    "bandara" in "Bandara Polonia akan direlokasi ke mana?"), but its
    question and function words ("Dari" in "Dari mana ...?")."""
    return frozenset(
        stem(low)
        for word in WORD.findall(question)
        if word[0].isupper()
        and (low := word.lower()) not in QUESTION_WORDS
        and low not in _EMPTY
        and low not in _FUNCTION
    )


def holds_focus(question: str, sentence: str) -> bool:
    focus = focus_word(question)
    return focus is not None and any(stem(w.lower()) == focus for w in WORD.findall(sentence))


def _anchors(question: str, sentence: str) -> list[tuple[int, int]]:
    content = content_words(question)
    stems = {stem(w) for w in content}
    return [
        m.span()
        for m in WORD.finditer(sentence)
        if m.group().lower() in content or stem(m.group().lower()) in stems
    ]


def shared_words(question: str, sentence: str) -> int:
    """How many distinct content words of the question the sentence holds."""
    return len({sentence[a:b].lower() for a, b in _anchors(question, sentence)})


def _ranked(question: str, kind: str, sentence: str) -> list[tuple[int, tuple[int, int]]]:
    """(distance to the question's words, span) of each candidate: lower is better."""
    found = candidates(question, kind, sentence)
    if not found and kind == "source":
        # An outlet is also the name that reports ("..., SANA mengatakan") or
        # that a "kantor berita" introduces; no other name in the sentence is
        # one ("Media apa ...?" is not answered "Albu Kamal").
        found = [
            (s, e)
            for s, e in candidates(question, "person", sentence)
            if _REPORTS.match(sentence[e:]) or _OUTLET_BEFORE.search(sentence[max(0, s - 60) : s])
        ]
    anchors = _anchors(question, sentence) or [(0, 0)]
    lead = question_lead(question)

    def distance(span: tuple[int, int]) -> int:
        # Nearest to the question's words, preferring what follows them
        # ("Kepala BNPB, Suharyanto"; "dicetak oleh Egy Maulana Vikri").
        s, e = span
        near = min(s - a_end if s >= a_end else 2 * (a_start - e) + 5 for a_start, a_end in anchors)
        # Right after the question's lead word ("menurut Kepala Observatorium
        # Rami Abdel Rahman" for "Menurut siapa ...?"): that is the answer's place.
        if lead and re.search(rf"\b{lead}\s+(?:[A-Z][\w'’.-]*\s+)*$", sentence[:s], re.I):
            near -= 40
        return near

    # A sentence that says more of the question is likelier the one that
    # answers it: each distinct question word it holds counts 8 characters,
    # and the question's focus (its verb or noun: "memimpin") 12 more.
    bonus = 8 * shared_words(question, sentence) + (12 if holds_focus(question, sentence) else 0)
    return sorted(((distance(span) - bonus, span) for span in found), key=lambda x: (x[0], x[1][0]))


def find_answer_span(question: str, kind: str | None, sentence: str) -> tuple[int, int] | None:
    """(start, end) in `sentence` of the short answer, or None."""
    found = best_answer_span(question, kind, [sentence])
    return found.at if found else None


class FoundSpan(NamedTuple):
    """A short answer found by `best_answer_span`."""

    sentence: int  # which of the sentences it was given
    at: tuple[int, int]  # (start, end) in that sentence
    # Right after the question's lead word ("dari Malaysia" for "Dari mana
    # ...?"): the sentence's grammar says this is where the answer sits.
    led: bool


def best_answer_span(
    question: str, kind: str | None, sentences: list[str], *, strict: bool = False
) -> FoundSpan | None:
    """The short answer among the answer's sentences (best first): which
    sentence, and where in it. The sentence is chosen first: one holding
    what the question asks about (its focus word) before one that does not,
    then the one sharing more of the question's words, then the better
    ranked; in it, the candidate nearest the question's words. `strict`:
    for "Tanggal berapa ...?", only a day of a month ("31 Mei 2024", not
    the season "2023/2024"); the answerability model's features count any
    date, as they did when it was fitted."""
    if kind is None or kind == "reason":
        return None  # a cause is a clause, not a phrase to set in bold
    best: tuple[tuple[bool, bool, int, int], int, tuple[int, int]] | None = None
    first = shared_words(question, sentences[0]) if sentences else 0
    # A candidate right after the question's lead word ("dari Malaysia" for
    # "Dari mana ...?", "menurut X" for "Menurut siapa ...?") says where the
    # answer is, whatever the sentence's other words. Not "di": nearly every
    # sentence has a "di <place>".
    lead = question_lead(question)
    lead = lead if lead != "di" else None
    for i, sentence in enumerate(sentences):
        shared = shared_words(question, sentence)
        focus = holds_focus(question, sentence)
        ranked = _ranked(question, kind, sentence)
        if strict and kind == "date":
            ranked = [(d, (s, e)) for d, (s, e) in ranked if says_what_day(question, sentence[s:e])]
        led = bool(ranked) and bool(
            lead and re.search(rf"\b{lead}\s+$", sentence[: ranked[0][1][0]], re.I)
        )
        if i and shared < first and not focus and not led:
            # A sentence saying less of the question than the best one, and
            # not what it asks about, does not answer it ("Kapan Raqqa
            # direbut?": not the date of a sentence naming neither).
            continue
        key = (led, focus, shared, -i)
        if ranked and (best is None or key > best[0]):
            best = (key, i, ranked[0][1])
    return FoundSpan(best[1], best[2], best[0][0]) if best else None
