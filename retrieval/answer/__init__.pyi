from .chain import Answerer as Answerer
from .extractive import (
    CALIBRATION as CALIBRATION,
    ExtractiveAnswerer as ExtractiveAnswerer,
    answer_kind as answer_kind,
    asks_for_source as asks_for_source,
    says_no_number as says_no_number,
    unless_led_elsewhere as unless_led_elsewhere,
)
from .reader import load_reader_early as load_reader_early
from .span import best_answer_span as best_answer_span
from .stages import AnswerChunk as AnswerChunk, AnswerRequest as AnswerRequest
from .types import Answer as Answer, Citation as Citation, Passage as Passage, Turn as Turn
