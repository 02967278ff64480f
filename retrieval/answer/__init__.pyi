from .chain import Answerer as Answerer
from .extractive import (
    CALIBRATION as CALIBRATION,
    ExtractiveAnswerer as ExtractiveAnswerer,
    answer_kind as answer_kind,
)
from .types import Answer as Answer, Citation as Citation, Passage as Passage, Turn as Turn
