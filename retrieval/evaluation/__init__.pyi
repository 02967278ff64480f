from .evaluate import (
    EvalInputError as EvalInputError,
)
from .evaluate import (
    EvalReport as EvalReport,
)
from .evaluate import (
    contains_answer as contains_answer,
)
from .evaluate import (
    load_questions as load_questions,
)
from .evaluate import (
    run_eval as run_eval,
)
