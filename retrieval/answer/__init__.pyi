from .chain import Answerer as Answerer
from .extractive import CALIBRATION as CALIBRATION
from .extractive import ExtractiveAnswerer as ExtractiveAnswerer
from .stages import AnswerChunk as AnswerChunk
from .stages import AnswerRequest as AnswerRequest
from .types import (
    Answer as Answer,
)
from .types import (
    Citation as Citation,
)
from .types import (
    Passage as Passage,
)
from .types import (
    Turn as Turn,
)
