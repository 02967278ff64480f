"""The answer reader: multilingual-e5-small, its top layers fine-tuned to
point at the span of a passage that answers a question, or at nothing."""

from retrieval.answer.reader.decision import ReaderDecision, load_decision
from retrieval.answer.reader.reader import Reader, Reading, TokenScores
from retrieval.answer.reader.weights import load_reader, load_reader_early

__all__ = [
    "Reader",
    "ReaderDecision",
    "Reading",
    "TokenScores",
    "load_decision",
    "load_reader",
    "load_reader_early",
]
