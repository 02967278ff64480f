"""One error family: every error a user is meant to read is a `TanyaError`
(front ends catch that one type), and still the `ValueError` or
`RuntimeError` it was, so code catching those keeps working."""

from __future__ import annotations

import socket

import pytest

from bot.telegram.app import MissingTokenError
from retrieval.answer.llm import LLMConfigError
from retrieval.errors import TanyaError
from retrieval.evaluation import EvalInputError
from retrieval.ingest import CleaningError, FeedError, FetchError
from retrieval.ingest.loaders import UndecodableError
from retrieval.ingest.markdown import FrontMatterError
from retrieval.store import DenseStoreError, EmbedderError, IndexBusyError, IndexMismatchError
from retrieval.text import QuestionError

USER_ERRORS = {
    QuestionError: ValueError,
    EvalInputError: ValueError,
    FeedError: ValueError,
    CleaningError: ValueError,
    UndecodableError: ValueError,
    FrontMatterError: ValueError,
    MissingTokenError: ValueError,
    FetchError: RuntimeError,
    IndexBusyError: RuntimeError,
    IndexMismatchError: RuntimeError,
    DenseStoreError: RuntimeError,
    EmbedderError: RuntimeError,
    LLMConfigError: RuntimeError,
}


@pytest.mark.parametrize("error", list(USER_ERRORS), ids=lambda e: e.__name__)
def test_user_facing_errors_are_one_family_and_keep_their_old_base(error: type) -> None:
    with pytest.raises(TanyaError) as caught:
        raise error("what happened: and what to do")
    assert isinstance(caught.value, USER_ERRORS[error])
    assert str(caught.value) == "what happened: and what to do"


def test_a_chroma_server_out_of_reach_is_a_tanya_error_a_front_end_can_show(tmp_path) -> None:
    from retrieval.core import Settings
    from retrieval.store import ArticleIndex

    settings = Settings(data_dir=tmp_path, chroma_url="ftp://nowhere")
    with pytest.raises(TanyaError, match="TANYA_CHROMA_URL must look like http://host:8000"):
        ArticleIndex(settings)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{port}")
    with pytest.raises(TanyaError) as caught:
        ArticleIndex(settings)
    assert f"cannot reach the Chroma server at http://127.0.0.1:{port}" in str(caught.value)
    assert "correct TANYA_CHROMA_URL, or unset it" in str(caught.value)  # what to do
