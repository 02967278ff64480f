"""Words that change whom a question asks about (`retrieval/text/referents.py`)."""

from __future__ import annotations

import pytest

from retrieval.text.referents import (
    former_holder,
    missing_office,
    missing_referent_words,
    office_of_another_body,
    other_office,
    other_rank,
)


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        ("Siapa wakil bupati Demak?", "Bupati Demak, Eisti'anah, menetapkan status.", ["wakil"]),
        ("Siapa Wakil Bupati Demak?", "Wakil Bupati Demak, Ali, hadir.", []),
        # The forms news writes them in, either side.
        ("Siapa wakil presiden?", "Wapres Jusuf Kalla hadir.", []),
        ("Siapa Wapres saat itu?", "Wakil Presiden Jusuf Kalla hadir.", []),
        ("Siapa wakil presiden?", "Presiden Joko Widodo hadir.", ["wakil"]),
        ("Siapa mantan pelatih Persib?", "Pelatih Persib, Bojan Hodak.", ["mantan"]),
        ("Siapa mantan menteri itu?", "Eks menteri itu ditahan.", []),
        ("Siapa calon gubernur Jakarta?", "Cagub Jakarta berkampanye.", []),
        ("Siapa calon gubernur Jakarta?", "Gubernur Jakarta meresmikan.", ["calon"]),
        ("Berapa anak yang dievakuasi?", "Tiga bocah dievakuasi.", []),
        ("Berapa anak yang dievakuasi?", "Sebanyak 1.200 warga dievakuasi.", ["anak"]),
        ("Siapa yang mewakili Indonesia?", "Perwakilan Indonesia adalah Budi.", []),
        # Sports events, not sons and daughters.
        ("Siapa juara 200 meter putra?", "Yosef mencetak rekor 200 meter.", []),
        ("Siapa bupati Demak?", "Bupati Demak, Eisti'anah.", []),
        ("Siapa wakil bupati Demak?", "", ["wakil"]),
    ],
)
def test_a_word_changing_whom_is_asked_must_be_in_the_passage(
    question: str, passage: str, missing: list[str]
) -> None:
    assert missing_referent_words(question, [passage]) == missing


def test_any_passage_quoted_may_hold_it() -> None:
    assert missing_referent_words("Siapa wakil bupati?", ["Bupati X.", "Wabup Y."]) == []
    assert missing_referent_words("Siapa wakil bupati?", []) == ["wakil"]


@pytest.mark.parametrize(
    ("question", "quote", "other"),
    [
        (
            "Siapa Menteri Pertanian?",
            "Menteri PUPR Basuki Hadimuljono meresmikan bendungan.",
            ("menteri", "pertanian", "pupr"),
        ),
        (
            "Siapakah Perdana Menteri Irak saat ini?",
            "Mahathir menjadi Perdana Menteri Malaysia.",
            ("menteri", "irak", "malaysia"),
        ),
        ("Siapa Menteri PUPR?", "Menteri PUPR Basuki Hadimuljono meresmikan.", None),
        # The question asks for the portfolio, or names no portfolio.
        ("Direktur perusahaan apakah Irene?", "Direktur PT Maju Irene Rusli.", None),
        ("Kapankah Presiden berkunjung ke Goa Sunyaragi?", "Presiden Susilo datang.", None),
        ("Siapa pelatih Persib?", "Pelatih Persib, Bojan Hodak.", None),
    ],
)
def test_the_holder_of_another_office_is_not_the_answer(
    question: str, quote: str, other: tuple[str, str, str] | None
) -> None:
    assert other_office(question, quote, [quote]) == other


_PERSIB = "Persib mengalahkan Madura United 3-1. Pelatih Persib, Bojan Hodak, bersyukur."
_BNPB = "Kepala Badan Nasional Penanggulangan Bencana (BNPB), Suharyanto, mengatakan."


@pytest.mark.parametrize(
    ("question", "quote", "passage", "answer", "other"),
    [
        (
            "Siapa pelatih Madura United?",
            "Pelatih Persib, Bojan Hodak, bersyukur.",
            _PERSIB,
            "Bojan Hodak",
            ("pelatih", ["madura", "united"], ["persib"]),
        ),
        ("Siapa pelatih Persib?", "Pelatih Persib, Bojan Hodak, bersyukur.", _PERSIB, "", None),
        (
            "Siapa kepala BMKG?",
            _BNPB,
            _BNPB + " Data BMKG menyebut gempa.",
            "Suharyanto",
            ("kepala", ["bmkg"], ["badan", "nasional", "penanggulangan", "bencana", "bnpb"]),
        ),
        (
            "Siapakah Kepala Dinas Kesehatan Demak?",
            "Kepala Dinas Kesehatan Jawa Barat, Vini, meminta.",
            "Banjir di Demak. Kepala Dinas Kesehatan Jawa Barat, Vini, meminta.",
            "Vini",
            ("kepala", ["dinas", "kesehatan", "demak"], ["jawa", "barat"]),
        ),
        # An acronym and its words are one body, either way.
        (
            "Siapa kepala BNPB?",
            "Kepala Badan Nasional Penanggulangan Bencana Suharyanto.",
            "",
            "",
            None,
        ),
        (
            "Siapa Kepala Badan Nasional Penanggulangan Bencana?",
            "Kepala BNPB Suharyanto.",
            "",
            "",
            None,
        ),
        # A province by another of its forms; a long form cut at a comma;
        # a long form with "dan".
        (
            "Siapa Kepala BPBD Kalteng?",
            "Kepala BPBD Kalimantan Tengah, Ahmad Toyib, mengatakan.",
            "",
            "Ahmad Toyib",
            None,
        ),
        (
            "Siapa Kepala BMKG?",
            "Kepala Badan Meteorologi, Klimatologi, dan Geofisika, Dwikorita, meminta.",
            "",
            "Dwikorita",
            None,
        ),
        (
            "Siapa Menteri Pekerjaan Umum dan Perumahan Rakyat?",
            "Menteri PUPR, Basuki Hadimuljono, meresmikan.",
            "",
            "Basuki Hadimuljono",
            None,
        ),
        # The head of a part of a body is not the head of the whole.
        (
            "Siapa Ketua Bidang Pembinaan Prestasi PB PASI?",
            "kata Ketua Umum Pengurus Besar PASI Bob Hasan.",
            "kata Ketua Umum Pengurus Besar PASI Bob Hasan.",
            "Bob Hasan",
            ("ketua", ["bidang", "pembinaan", "prestasi", "pb", "pasi"], ["umum"]),
        ),
        (
            "Siapakah Kepala Divisi Humas Mabes Polri?",
            "Kepala Divisi Humas Mabes Polri Irjen Arianto hadir.",
            "",
            "Irjen Arianto",
            None,
        ),
        # A rank and a legal form are no body: "Umum", "Utama", "PT".
        (
            "Siapakah ketua Gerakan Pemuda Ansor?",
            "Gus Yaqut menjadi Ketua Umum GP Ansor (2015-2020).",
            "Gus Yaqut menjadi Ketua Umum GP Ansor (2015-2020).",
            "Gus Yaqut",
            None,
        ),
        (
            "Siapakah Direktur Utama PT Telkom?",
            "Direktur Utama PT Perusahaan Listrik Negara (Persero) Eddie Widiono hadir.",
            "Telkom dan PLN. Direktur Utama PT Perusahaan Listrik Negara (Persero) Eddie Widiono.",
            "Eddie Widiono",
            ("direktur", ["telkom"], ["perusahaan", "listrik", "negara"]),
        ),
        # The holder's name after the office is not a body.
        (
            "Siapakah Presiden Ekuador?",
            "Presiden Alfredo Palacio datang.",
            "Ekuador.",
            "Alfredo Palacio",
            None,
        ),
        # A passage naming the office of the body asked: its sentences decide.
        (
            "Siapa pelatih Madura United?",
            "Pelatih Persib, Bojan.",
            "Pelatih Madura United, Rakhmad.",
            "Bojan",
            None,
        ),
        # The office is not the one whose holder is asked for.
        (
            "Siapa Wakil Presiden Indonesia?",
            "Presiden Susilo dan Wakil Presiden Jusuf Kalla.",
            "",
            "Jusuf Kalla",
            None,
        ),
        ("Kapan pelatih Madura United datang?", "Pelatih Persib, Bojan.", _PERSIB, "", None),
        # "Presiden Direktur Sinopec SPB" abbreviates part of the body asked.
        (
            "Siapakah Presiden Direktur Sinopec Southwest Petroleum Biro?",
            "Presiden Direktur Sinopec SPB Yue Shao Dong hadir.",
            "Presiden Direktur Sinopec SPB Yue Shao Dong hadir.",
            "Yue Shao Dong",
            None,
        ),
    ],
)
def test_the_office_of_another_body_is_not_the_answer(
    question: str,
    quote: str,
    passage: str,
    answer: str,
    other: tuple[str, list[str], list[str]] | None,
) -> None:
    assert office_of_another_body(question, quote, [passage], answer) == other


@pytest.mark.parametrize(
    ("question", "quote", "answer", "former"),
    [
        (
            "Siapakah Gubernur DKI sekarang?",
            "Salah satunya, mantan Gubernur DKI Jakarta Ali Sadikin, menerima penghargaan.",
            "Ali Sadikin",
            True,
        ),
        ("Siapa Kapolda Jatim?", "eks Kapolda Jatim Irjen Budi hadir.", "Budi", True),
        ("Siapa Kapolda Jatim?", "eks Kapolda Jatim, Budi, hadir.", "Budi", True),
        # Asked for a former one, or one once.
        (
            "Siapa mantan Gubernur DKI?",
            "mantan Gubernur DKI Ali Sadikin hadir.",
            "Ali Sadikin",
            False,
        ),
        (
            "Siapa Gubernur DKI pertama?",
            "mantan Gubernur DKI Ali Sadikin hadir.",
            "Ali Sadikin",
            False,
        ),
        # Not an office: "eks vokalis Hollywood Rose dan Tracii Guns".
        (
            "Siapakah gitaris grup GNR?",
            "Axl, eks vokalis Hollywood Rose dan Tracii Guns.",
            "Tracii Guns",
            False,
        ),
        ("Siapa Gubernur DKI?", "Gubernur DKI Heru Budi hadir.", "Heru Budi", False),
        # Offices of two words, or with "dan".
        ("Siapa Wali Kota Surabaya?", "Mantan Wali Kota Surabaya, Risma, hadir.", "Risma", True),
        (
            "Siapa Menteri Kelautan dan Perikanan?",
            "mantan Menteri Kelautan dan Perikanan Susi",
            "Susi",
            True,
        ),
        # No holder asked: "mantan" says who he was, not what is asked.
        (
            "Siapa yang divonis 4 tahun penjara?",
            "vonis 4 tahun kepada mantan Direktur Utama PT Jasa Marga, Budi Santoso",
            "Budi Santoso",
            False,
        ),
        # Another office's former holder.
        ("Siapa Gubernur DKI?", "mantan Kapolda Metro Jaya Budi hadir.", "Budi", False),
    ],
)
def test_a_former_holder_is_not_the_answer(
    question: str, quote: str, answer: str, former: bool
) -> None:
    assert former_holder(question, quote, answer) is former


@pytest.mark.parametrize(
    ("question", "quote"),
    [
        ("Siapa Rektor UI?", "Rektor Universitas Indonesia, Ari Kuncoro, hadir."),
        ("Siapa Menteri Pekerjaan Umum dan Perumahan Rakyat?", "Menteri PUPR, Basuki, hadir."),
    ],
)
def test_a_portfolio_named_by_its_other_form_is_the_one_asked(question: str, quote: str) -> None:
    assert other_office(question, quote, [quote]) is None


def test_an_office_the_passage_names_elsewhere_is_not_checked() -> None:
    # The passage names the portfolio asked about: its sentences decide.
    passage = "Menteri PUPR Basuki hadir. Menteri Pertanian Amran juga."
    assert other_office("Siapa Menteri Pertanian?", "Menteri PUPR Basuki hadir.", [passage]) is None


def test_checks_read_the_longest_question_over_a_long_quote() -> None:
    # The most offices a 2,000-character question holds, over a quote of
    # 60,000 characters that names the office 5,000 times with no portfolio:
    # nothing to find, and each word read once (pytest-timeout guards it).
    question = " ".join(f"Menteri Zq{i}" for i in range(200))[:2000]
    quote = "menteri yang " * 5000
    assert other_office(question, quote, [quote]) is None
    assert missing_referent_words(question + " wakil", [quote]) == ["wakil"]
    assert other_office(question, quote + " Menteri PUPR", [quote]) == ("menteri", "zq0", "pupr")
    # The body after the office read in both, bounded: 60,000 characters of
    # capitalised words after "Kepala".
    asked = ("Siapa kepala " + " ".join(f"Zq{i}" for i in range(400)))[:2000]
    bodies = "Kepala Abc Def Ghi Jkl Mno Pqr Stu Vwx Yz " * 1500
    assert office_of_another_body(asked, bodies, [bodies] * 5, "Abc") is not None


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        ("Siapa wali kota Bandung?", "Dua gol Persib dicetak oleh David da Silva.", "wali"),
        ("Siapa walikota Bandung?", "Wali Kota Bandung, Yana Mulyana, hadir.", None),
        ("Who is the mayor of Bandung?", "Wali Kota Bandung hadir.", None),  # via its gloss
        ("Siapakah nama pelatih Persib?", "Pelatih Persib, Bojan Hodak.", None),
        ("Siapa pelatih Persib?", "Arsitek Persib, Bojan Hodak.", None),
        ("Siapa pelatih Persib?", "Persib menang 3-1.", "pelatih"),
        ("Siapa direktur utama PT KCIC?", "Dirut KCIC Dwiyana Slamet.", None),
        ("Siapa direktur utama PT KCIC?", "GM KCIC, Eva Chairunisa.", "direktur"),
        ("Siapa CEO Kebun Pintar?", "Kebun Pintar didirikan oleh Rina.", "ceo"),
        # Short titles, and as passages write them out.
        ("Siapa Kapolda Jawa Barat?", "Kepala Dinas Kesehatan Jawa Barat, Vini.", "kapolda"),
        ("Siapa Kapolda Sumut?", "Kepala Kepolisian Daerah Sumatera Utara Irjen Agung.", None),
        ("Siapa Kapolda Sumut?", "Kapolda Sumut Irjen Agung.", None),
        ("Siapa jubir Persib?", "Dua gol Persib dicetak oleh David da Silva.", "jubir"),
        ("Siapa Komut Garuda?", "Komisaris Utama Garuda, Timur, hadir.", None),
        ("Siapa sekretaris perusahaan KCIC?", "Corporate Secretary KCIC, Eva, hadir.", None),
        ("Siapa CEO Kebun Pintar?", "Direktur Utama Kebun Pintar, Rina.", None),
        ("Siapa juru bicara KPK?", "Jubir KPK Ali Fikri mengatakan.", None),
        ("Siapa sekretaris jenderal PBB?", "Sekjen PBB Antonio Guterres.", None),
        ("Siapa sekretaris desa itu?", "Kepala desa itu, Budi, hadir.", "sekretaris"),
        ("Siapa Kapolda Jatim?", "Kapolda Jatim Irjen Imam Sugianto.", None),
        ("Who is the president director of Food Station?", "Direktur Utama Food Station", None),
        ("Siapa ketua tim peneliti itu?", "Tim itu dipimpin Prof Hwang.", None),
        # A head is a head; the head of a state or a region is named by its office.
        ("Siapa kepala negara yang meresmikan bendungan?", "Presiden Joko Widodo", None),
        ("Siapa kepala daerah Demak?", "Bupati Demak, Eisti'anah", None),
        ("Siapa kepala negara Suriah?", "menurut Kepala Observatorium Rami", "kepala"),
        ("Siapa kepala negara Suriah?", "Kepala negara Suriah, Bashar al-Assad", None),
        ("Siapa ketua BNPB?", "Kepala BNPB, Suharyanto", None),
        ("Siapa kepala BNPB?", "Suharyanto mengatakan", "kepala"),
        ("Siapa manajer umum KCIC?", "General Manager KCIC, Eva", None),
        # A chief by what he is chief of; a school's head, as chats say it.
        ("Siapa CTO Agrinesia?", "Chief Operating Officer (COO) Agrinesia, Anindya.", "cto"),
        ("Siapa Chief Technology Officer Agrinesia?", "COO Agrinesia, Anindya.", "cto"),
        ("Siapa CTO Agrinesia?", "Direktur Teknologi Agrinesia, Bima.", None),
        ("Siapa kepsek SMAN 3 Malang?", "Kepala Dinas Pendidikan Kota Malang.", "kepsek"),
        ("Siapa kepala sekolah SMAN 3?", "Kepala Dinas Pendidikan Kota Malang.", "kepala"),
        ("Siapa kepsek SMAN 3 Malang?", "Kepala SMAN 3 Malang, Budi, mengatakan.", None),
        # Not asked as the holder; makers and rulers are named another way.
        ("Siapa yang ditemui presiden?", "Menteri itu ditemui.", None),
        ("Siapa pendiri Persib?", "Persib didirikan oleh ...", None),
        ("Kapan pelatih Persib ditunjuk?", "Persib menang.", None),
    ],
)
def test_the_office_whose_holder_is_asked_must_be_in_a_passage(
    question: str, passage: str, missing: str | None
) -> None:
    from retrieval.text.concepts import indonesian_paraphrase

    assert missing_office(indonesian_paraphrase(question), [passage]) == missing


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("kepala bmkg pas gempa cianjur siapa", "Siapa kepala bmkg pas gempa cianjur?"),
        ("cto kebun pintar siapa ya", "Siapa cto kebun pintar?"),
        ("pelatih persib, namanya siapa?", "Siapa pelatih persib?"),
        ("Siapa pelatih Persib?", "Siapa pelatih Persib?"),
        ("siapa?", "siapa?"),
        ("Kapan gempa Cianjur?", "Kapan gempa Cianjur?"),
    ],
)
def test_a_chats_last_siapa_is_read_first(question: str, first: str) -> None:
    from retrieval.text.referents import who_asked_first

    assert who_asked_first(question) == first


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        # A prime minister asked, only a president named: another office.
        (
            "Siapa Perdana Menteri Otoritas Palestina?",
            "Presiden Otoritas Palestina Mahmoud Abbas mengumumkan pemilu.",
            "menteri",
        ),
        ("Siapa Perdana Menteri Otoritas Palestina?", "PM Palestina Ahmed Qorei tiba.", None),
        ("Siapa Menteri Luar Negeri Jepang?", "Menlu Jepang Taro Aso tiba di Jakarta.", None),
    ],
)
def test_a_minister_asked_over_passages_naming_none_is_another_office(
    question: str, passage: str, missing: str | None
) -> None:
    from retrieval.text.referents import missing_office

    assert missing_office(question, [passage]) == missing


@pytest.mark.parametrize(
    ("question", "quote", "answer", "other"),
    [
        # The head for the deputy asked, and the other way round.
        (
            "Siapa Wakil Ketua KPU Kabupaten Banyumas?",
            "Ketua KPU Kabupaten Banyumas Dewi Kartikasari mengatakan penetapan sah.",
            "Dewi Kartikasari",
            True,
        ),
        ("Siapa Ketua KPU Banyumas?", "Wakil Ketua KPU Banyumas Dewi mengatakan.", "Dewi", True),
        ("Siapa Ketua KPU Banyumas?", "Ketua KPU Banyumas Dewi mengatakan.", "Dewi", False),
        (
            "Siapa wakil bupati Demak?",
            "Wakil Bupati Demak, Ali Makhsun, hadir.",
            "Ali Makhsun",
            False,
        ),
        # A long body between the office and the holder (FacQA train).
        (
            "Siapakah Wakil Ketua Pelayanan Kesehatan Unggas PT Multibreeder Adirama Indonesia?",
            "Wakil Ketua Pelayanan Kesehatan Unggas PT Multibreeder Adirama Indonesia Tbk "
            "Dr ret nat Teguh Prajitno hadir.",
            "Dr ret nat Teguh Prajitno",
            False,
        ),
        # The office not right before the answer: not read.
        ("Siapa Wakil Ketua KPU?", "Ketua KPU hadir. Menurut warga, Dewi datang.", "Dewi", False),
    ],
)
def test_a_deputy_is_not_the_head_asked(
    question: str, quote: str, answer: str, other: bool
) -> None:
    assert other_rank(question, quote, answer) is other


def test_a_deputy_written_short_is_a_deputy() -> None:
    # "wadir" (wakil direktur): a passage with the director and no deputy.
    assert missing_referent_words("Siapa wadir RSUD Sleman?", ["Direktur RSUD Sleman, dr. Cahya."])
