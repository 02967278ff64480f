from .concepts import (
    Concept as Concept,
)
from .concepts import (
    distinctive_concepts as distinctive_concepts,
)
from .concepts import (
    indonesian_gloss as indonesian_gloss,
)
from .concepts import (
    lexical_overlap as lexical_overlap,
)
from .concepts import (
    question_concepts as question_concepts,
)
from .dates import is_date_line as is_date_line
from .dates import parse_date as parse_date
from .lexical import (
    ENGLISH_STOPWORDS as ENGLISH_STOPWORDS,
)
from .lexical import (
    QUESTION_WORDS as QUESTION_WORDS,
)
from .lexical import (
    WORD as WORD,
)
from .lexical import (
    fts_query as fts_query,
)
from .lexical import (
    query_terms as query_terms,
)
from .lexical import (
    stem as stem,
)
from .lexical import (
    terms as terms,
)
from .messages import (
    Messages as Messages,
)
from .question import (
    LANGUAGES as LANGUAGES,
)
from .question import (
    Language as Language,
)
from .question import (
    QuestionError as QuestionError,
)
from .question import (
    question_language as question_language,
)
from .question import (
    validate_question as validate_question,
)
from .safe_text import (
    BIDI_CONTROLS as BIDI_CONTROLS,
)
from .safe_text import (
    strip_controls as strip_controls,
)
from .safe_text import (
    strip_escape_sequences as strip_escape_sequences,
)
from .sentences import (
    Span as Span,
)
from .sentences import (
    sentence_spans as sentence_spans,
)
from .sentences import (
    split_sentences as split_sentences,
)
from .urls import canonical_url as canonical_url
