"""Follow-up questions made standalone, so retrieval sees what they are about.

"siapa pemimpinnya?" after "Siapa yang merebut Albu Kamal?" means "who led
the battle at Albu Kamal". With a model, a prompt rewrites it
(`prompts/condense_*.md`). Without one, a follow-up that is short or points
back ("-nya", "itu", "tersebut", "dia", "it", "they", ...) is searched together
with the content words of the question it follows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.answer.answerability import without_message_number
from retrieval.answer.types import Turn
from retrieval.text.concepts import indonesian_gloss
from retrieval.text.lexical import ENGLISH_STOPWORDS, QUESTION_WORDS, WORD, is_indonesian_word
from retrieval.text.question import question_language

# Words that point back to something said before.
_ANAPHORA = frozenset(
    [
        # Indonesian
        "itu",
        "tersebut",
        "ini",
        "dia",
        "ia",
        "beliau",
        "mereka",
        "sana",
        "situ",
        "begitu",
        "demikian",
        "tadi",
        "nya",
        # English
        "it",
        "its",
        "they",
        "them",
        "their",
        "he",
        "him",
        "his",
        "she",
        "her",
        "that",
        "this",
        "those",
        "these",
        "there",
        "then",
    ]
)

# "-nya" words that are not a pointer back ("bagaimanakah" has none, but
# "bagaimananya" is rare; "nyanyi", "tanya" merely end in it).
_NOT_NYA = frozenset(["tanya", "bertanya", "nyanyi", "menyanyi", "punya", "hanya", "bahkan"])

# Words that carry no topic: question words, English fillers, common verbs of asking.
_FILLER = (
    QUESTION_WORDS
    | ENGLISH_STOPWORDS
    | frozenset(
        "ada adalah akan atau bukan dalam dan dari dengan juga kah ke lagi lah oleh pada saja sedang sudah telah tidak untuk ya".split()
    )
)

# At most this many words (fillers aside) and a question counts as a
# follow-up even without a pointer word ("dan Raqqa?", "kapan?").
_SHORT = 2


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """The words of `text` that say what it is about, in order, once each."""
    return list(dict.fromkeys(w for w in words(text) if w not in _FILLER and w not in _ANAPHORA))


def points_back(question: str) -> bool:
    """Whether a question seems to lean on the conversation before it."""
    ws = words(question)
    if any(w in _ANAPHORA for w in ws):
        return True
    if any(w.endswith("nya") and len(w) > 5 and w not in _NOT_NYA for w in ws):
        return True
    return len(content_words(question)) <= _SHORT


# New content words, one of them a name, a question needs to stand on its
# own though a word of it may point back: "-nya" (often to a word of its
# own: "kadis pupr sorong, namanya siapa") and "ini" ("tahun ini").
_OWN_TOPIC_WORDS = 3
_WEAK_POINTERS = frozenset(["ini", "nya"])


def names_its_own_topic(question: str, topic: str) -> bool:
    """Whether `question`, though a word of it may point back ("-nya",
    "ini"), says what it is about itself: three content words or more that
    `topic` (the conversation's) does not hold, one of them a name (a word
    no Indonesian dictionary holds, or capitalised). "kpk nahan kadis pupr
    sorong, namanya siapa" after a question on gold prices had been searched
    with its words, and its date, and refused. Not with a word that surely
    points back ("Apa kata Rami Abdel Rahman tentang pertempuran *itu*?")."""
    if any(w in _ANAPHORA and w not in _WEAK_POINTERS for w in words(question)):
        return False  # "pertempuran *itu*": that battle, the one before
    said = set(content_words(topic))
    capitalised = {w.lower() for w in WORD.findall(question)[1:] if w[:1].isupper()}
    new = [w for w in content_words(question) if w not in said and not w.endswith("nya")]
    named = [w for w in new if w in capitalised or not is_indonesian_word(w)]
    return len(new) >= _OWN_TOPIC_WORDS and bool(named)


def last_topic(history: Sequence[Turn]) -> str:
    """The most recent question that stood on its own, with any follow-ups
    after it (each follow-up may add words: "dan kapan?" → "kapan")."""
    questions: list[str] = []
    for turn in reversed(history):
        # Without its message number ("... ? (3)"): not a word of its topic.
        questions.insert(0, without_message_number(turn.question))
        if not points_back(turn.question):
            break
    return " ".join(questions)


def topic_words(topic: str, question: str) -> list[str]:
    """The content words of `topic` to search a follow-up `question` with.
    An Indonesian follow-up to an English question gets the English one's
    names and its other words in Indonesian ("led the battle" → "pimpin
    tempur"): its English words are words no article holds, and would be
    weighed as missing from every passage."""
    found = content_words(topic)
    if question_language(question) != "id" or question_language(topic) != "en":
        return found
    names = {w.lower() for w in WORD.findall(topic) if w[:1].isupper()}
    return list(dict.fromkeys([*(w for w in found if w in names), *indonesian_gloss(topic)]))


# "kalau pelatih Madura United?" after "Siapa pelatih Persib?": the same
# question of something else. Searched with the first question's words, it
# had been answered from the first one's article ("Persib Bandung").
_WHAT_ABOUT = re.compile(
    r"^\W*(?:kalau|kalo|klo|bagaimana\s+dengan|gimana\s+dengan|terus|trus|lalu|"
    r"how\s+about|what\s+about|and)\s+(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# A name in a question: capitalised words (and numbers) not at its start.
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|\d+))*")
# X is short: "kalau Madura United?", not "kalau hujan deras, tanggul jebol lagi?".
_AT_MOST_WORDS = 4
# How far back a chain of them is followed ("kalau Persija?" after "kalau
# Madura United?" after "Siapa pelatih Persib?").
_MOST_BACK = 5


def asked_of_something_else(
    question: str, history: Sequence[Turn], _back: int = _MOST_BACK
) -> str | None:
    """For "kalau X?" / "how about X?", X a few words that ask nothing of
    their own, the question before it asked of X: X put where the words it
    shares with that question stand ("kalau beras premium?" after "Berapa
    harga beras medium di Cipinang?": "Berapa harga beras premium di
    Cipinang?"), or, X a name sharing none, in place of its name, a title
    before it kept ("kalau Garuda Indonesia?" after "Siapa Direktur Utama
    Food Station?": "Siapa Direktur Utama Garuda Indonesia?"). None for
    anything else, a follow-up about the same thing above all ("kalau
    kedalamannya?", "terus bupatinya?": `heuristic_standalone` adds the
    topic to those), or "kalau" as "if" ("kalau hujan, ...?")."""
    found = _WHAT_ABOUT.match(question)
    if not history or found is None or _back <= 0:
        return None
    rest = found.group("rest").strip().rstrip("?").strip()
    new = WORD.findall(rest)
    if (
        not new
        or len(new) > _AT_MOST_WORDS
        or any(ch in rest for ch in ",;:")
        or any(w.lower() in QUESTION_WORDS or w.lower() in _ANAPHORA for w in new)
        or any(w.lower().endswith("nya") and w.lower() not in _NOT_NYA for w in new)
    ):
        return None
    previous = without_message_number(history[-1].question)
    previous = asked_of_something_else(previous, history[:-1], _back - 1) or previous
    before = previous.rstrip().rstrip("?").rstrip()
    spans = [m.span() for m in WORD.finditer(before)]
    lowered = [before[a:b].lower() for a, b in spans]
    shared = next(
        (w.lower() for w in new if w.lower() in lowered and w.lower() not in _FILLER), None
    )
    if shared is not None:
        # X's shared word where the question's stands; X takes the place of
        # as many of the question's words from there.
        offset = [w.lower() for w in new].index(shared)
        start = max(0, lowered.index(shared) - offset)
        end = min(len(spans), start + len(new)) - 1
        return f"{before[: spans[start][0]]}{rest}{before[spans[end][1] :]}?"
    names = list(_NAME.finditer(before))
    if not names or not all(w[:1].isupper() or w.isdigit() for w in new):
        return None
    # The question's last name, without the title before it ("Direktur
    # Utama", "Bendungan": Indonesian words, where a name is not one).
    name = names[-1]
    words_at = list(WORD.finditer(name.group()))
    kept = 0
    while kept < len(words_at) - 1 and is_indonesian_word(words_at[kept].group().lower()):
        kept += 1
    start = name.start() + words_at[kept].start()
    return f"{before[:start]}{rest}{before[name.end() :]}?"


def heuristic_standalone(question: str, history: Sequence[Turn]) -> str:
    """The follow-up plus the content words of the questions it follows; a
    question that stands on its own is returned unchanged; "kalau X?" is
    the question before it asked of X (`asked_of_something_else`)."""
    if not history:
        return question
    asked = asked_of_something_else(question, history)
    if asked is not None:
        return asked
    if not points_back(question):
        return question
    own = set(content_words(question))
    topic = last_topic(history)
    if names_its_own_topic(question, topic):
        return question
    extra = [w for w in topic_words(topic, question) if w not in own]
    if not extra:
        return question
    return f"{question.rstrip()} ({' '.join(extra)})"


def clean_model_rewrite(text: str, fallback: str) -> str:
    """A model's rewrite, trimmed to its first line and its label dropped;
    the original question when the model returned nothing usable."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(standalone question|pertanyaan mandiri)\s*:\s*", "", line, flags=re.I)
    line = line.strip().strip('"“”').strip()
    if not line or len(line) > 4 * max(len(fallback), 100):
        return fallback
    return line
