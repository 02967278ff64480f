from .concepts import (
    Concept as Concept,
    distinctive_concepts as distinctive_concepts,
    indonesian_gloss as indonesian_gloss,
    lexical_overlap as lexical_overlap,
    question_concepts as question_concepts,
)
from .dates import is_date_line as is_date_line, parse_date as parse_date
from .lexical import (
    ENGLISH_STOPWORDS as ENGLISH_STOPWORDS,
    QUESTION_WORDS as QUESTION_WORDS,
    WORD as WORD,
    fts_query as fts_query,
    query_terms as query_terms,
    stem as stem,
    terms as terms,
)
from .messages import (
    Messages as Messages,
)
from .question import (
    LANGUAGES as LANGUAGES,
    Language as Language,
    QuestionError as QuestionError,
    question_language as question_language,
    validate_question as validate_question,
)
from .safe_text import (
    BIDI_CONTROLS as BIDI_CONTROLS,
    strip_controls as strip_controls,
    strip_escape_sequences as strip_escape_sequences,
)
from .sentences import (
    MIN_QUOTABLE_CHARS as MIN_QUOTABLE_CHARS,
    Span as Span,
    quotable_sentences as quotable_sentences,
    sentence_spans as sentence_spans,
    split_sentences as split_sentences,
)
from .urls import canonical_url as canonical_url
