from .evaluate import (
    EvalInputError as EvalInputError,
    EvalReport as EvalReport,
    contains_answer as contains_answer,
    corpus_ids as corpus_ids,
    load_questions as load_questions,
    run_eval as run_eval,
)
