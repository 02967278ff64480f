from .evaluate import (
    EvalInputError as EvalInputError,
    EvalReport as EvalReport,
    contains_answer as contains_answer,
    contains_any as contains_any,
    corpus_ids as corpus_ids,
    load_questions as load_questions,
    normalise as normalise,
    run_eval as run_eval,
    span_scores as span_scores,
)
