"""From a question to an `Answer`: the answering chain.

    question ─→ condense (a follow-up made standalone, using the conversation)
             ─→ retrieve (hybrid BM25 + e5, `HybridRetriever`) ─→ numbered passages
             ─→ answer (the chat model, or the extractive answerer offline)
             ─→ cite (markers checked, sources renumbered, quotes from the store)
             ─→ Answer

Each step is a LangChain Runnable over one dict of state, so the whole is one
LCEL chain (`Answerer.chain`); `Answerer.ask` runs it when a model answers,
and calls the same steps in the same order offline, so a cold offline
`tanya ask` never imports LangChain's runnables and tracing stack. The
model's text is never trusted on its own: it is shown, while it streams and
at the end, only sentence by sentence as each sentence cites a passage it was
given (`answer_check.py`); an answer that cites none is not presented at all,
and when the model cannot be reached the user still gets the offline answer,
with a note saying why.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

# Only what the offline path needs: LangChain's retriever and model classes
# import its tracing stack (langsmith), most of a cold `tanya ask` (issue 13).
from retrieval.answer.answer_check import AnswerChecker
from retrieval.answer.answerability import is_referring_only
from retrieval.answer.attribution import attribution
from retrieval.answer.citations import cite, name_other_outlets, passages_from_documents
from retrieval.answer.claims import check_claims
from retrieval.answer.condense import clean_model_rewrite, heuristic_standalone
from retrieval.answer.extractive import ExtractiveAnswerer
from retrieval.answer.llm import LLMConfigError, ModelSpec, describe_failure, load_chat_model
from retrieval.answer.prompts import (
    LANGUAGE_NAMES,
    answer_prompt,
    condense_prompt,
    format_history,
    format_passages,
)
from retrieval.answer.recency import newest_first
from retrieval.answer.types import Answer, Passage, Turn
from retrieval.core.redaction import redact, redact_settings
from retrieval.core.settings import Settings
from retrieval.search.documents import hit_documents
from retrieval.search.time_range import TimeScope, time_scope
from retrieval.store import ArticleIndex, SearchFilters
from retrieval.text.concepts import indonesian_gloss
from retrieval.text.question import Language, question_language

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from retrieval.search.retriever import HybridRetriever

log = logging.getLogger(__name__)

TokenSink = Callable[[str], None]

MESSAGES: dict[str, dict[Language, str]] = {
    "not_found": {
        "id": "Artikel yang tersimpan tidak memuat jawaban untuk pertanyaan ini.",
        "en": "The stored articles do not contain the answer to this question.",
    },
    "no_passages": {
        "id": "Tidak ada artikel yang cocok untuk dicari (indeks kosong atau filter terlalu sempit).",
        "en": "There are no articles to search (the index is empty or the filters exclude all).",
    },
    "unreachable": {
        "id": "Model bahasa ({model}) tidak dapat dihubungi: {reason}. Ini jawaban kutipan "
        "langsung dari artikel.",
        "en": "The language model ({model}) was unreachable: {reason}. This answer is quoted "
        "directly from the articles.",
    },
    "dropped_sentences": {
        "id": "{count} kalimat jawaban model tidak merujuk ke kutipan mana pun, jadi tidak "
        "ditampilkan.",
        "en": "{count} sentence(s) of the model's answer cited none of the passages, so they "
        "are not shown.",
    },
    "ungrounded": {
        "id": "Jawaban model tidak merujuk ke satu pun kutipan, jadi tidak ditampilkan. Ini "
        "jawaban kutipan langsung dari artikel.",
        "en": "The model's answer cited none of the passages, so it is not shown. This answer "
        "is quoted directly from the articles.",
    },
    "unclear_reference": {
        "id": 'Pertanyaan ini merujuk ke sesuatu yang belum disebut ("{question}"). '
        "Apa atau siapa yang Anda maksud?",
        "en": 'This question refers to something not mentioned yet ("{question}"). '
        "What or whom do you mean?",
    },
    "unsupported": {
        "id": "{n} kalimat jawaban model tidak didukung oleh sumber yang dikutipnya, jadi dihapus.",
        "en": "{n} sentence(s) of the model's answer were not supported by the sources they "
        "cite, so they were removed.",
    },
    "config": {
        "id": "Model bahasa tidak dipakai: {reason}. Ini jawaban kutipan langsung dari artikel.",
        "en": "The language model is not used: {reason}. This answer is quoted directly from "
        "the articles.",
    },
}


_MARKERLESS_TEXT = re.compile(r"\[[\d,;\s]*\]|[\W_]+")


def message(key: str, language: Language, **values: str) -> str:
    return MESSAGES[key][language].format(**values)


def __getattr__(name: str) -> Any:
    # `HybridRetriever` lives in `retriever.py` (LangChain's retriever base
    # class is heavy to import); still importable from here.
    if name == "HybridRetriever":
        from retrieval.search.retriever import HybridRetriever

        return HybridRetriever
    raise AttributeError(name)


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + (time.perf_counter() - started) * 1000


class Answerer:
    """Answers questions from the index; one instance serves many threads."""

    def __init__(self, index: ArticleIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        # The model's key may come back in a provider's error: keep it out of logs and notes.
        redact_settings(settings)
        self._retriever: HybridRetriever | None = None
        self.extractive = ExtractiveAnswerer(
            index.embedder, frequencies=index.catalog.document_frequencies
        )
        self.model_spec: ModelSpec | None = None
        self.model: BaseChatModel | None = None
        # A model that cannot be set up (package missing, bad name) does not
        # stop tanya: answers are extractive and say why.
        self.config_error: str | None = None
        try:
            loaded = load_chat_model(settings)
        except LLMConfigError as exc:
            self.config_error = redact(str(exc))
            log.warning("%s", self.config_error)
            loaded = None
        if loaded is not None:
            self.model_spec, self.model = loaded
        self._answer_llm: Runnable[dict[str, Any], str] | None = None
        self._condense_llm: Runnable[dict[str, Any], str] | None = None
        if self.model is not None:
            from langchain_core.output_parsers import StrOutputParser

            self._answer_llm = answer_prompt() | self.model | StrOutputParser()
            self._condense_llm = condense_prompt() | self.model | StrOutputParser()
        self._chain: Runnable[dict[str, Any], Answer] | None = None

    @property
    def chain(self) -> Runnable[dict[str, Any], Answer]:
        """The steps as one LCEL chain (built on first use)."""
        if self._chain is None:
            from langchain_core.runnables import RunnableLambda, RunnablePassthrough

            self._chain = (
                RunnablePassthrough.assign(standalone=RunnableLambda(self._condense))
                | RunnablePassthrough.assign(scope=RunnableLambda(self._scope))
                | RunnablePassthrough.assign(passages=RunnableLambda(self._retrieve))
                | RunnableLambda(self._answer)
            )
        return self._chain

    def _run_offline(self, state: dict[str, Any]) -> Answer:
        """What `chain` does, without LangChain: the same steps in order."""
        state = state | {"standalone": self._condense(state)}
        state = state | {"scope": self._scope(state)}
        state = state | {"passages": self._retrieve(state)}
        return self._answer(state)

    @property
    def retriever(self) -> HybridRetriever:
        """The index's search as a LangChain retriever. The chain calls the
        index directly unless one is set here (e.g. with `exclude`)."""
        if self._retriever is not None:
            return self._retriever
        from retrieval.search.retriever import HybridRetriever

        return HybridRetriever(index=self.index, k=self.settings.top_k)

    @retriever.setter
    def retriever(self, retriever: HybridRetriever) -> None:
        self._retriever = retriever

    @property
    def mode(self) -> str:
        return f"llm ({self.model_spec})" if self.model_spec else "extractive (offline)"

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: SearchFilters | None = None,
        k: int | None = None,
        on_token: TokenSink | None = None,
    ) -> Answer:
        """Answer `question` (already validated, see `retrieval.text.question`).

        `history` is the conversation so far, oldest first; `on_token`
        receives the model's answer as it is written, from this thread, one
        checked sentence at a time (text to append; see `answer_check.py`).
        """
        started = time.perf_counter()
        state: dict[str, Any] = {
            "question": question,
            "history": list(history),
            "filters": filters if filters is not None and not filters.empty else None,
            "k": k or self.settings.top_k,
            "on_token": on_token,
            "language": question_language(question),
            "timings": {},
            "notes": [],
        }
        answer = self.chain.invoke(state) if self.model is not None else self._run_offline(state)
        name_other_outlets(self.index, answer.citations)
        answer.attribution = attribution(answer.citations, state["language"])
        answer.timings_ms["total"] = (time.perf_counter() - started) * 1000
        return answer

    # --- the steps ----------------------------------------------------------------------------
    def _condense(self, state: dict[str, Any]) -> str:
        """The question to search and answer with: a follow-up made standalone,
        and an English question given the Indonesian words it asks about."""
        standalone = self._standalone(state)
        gloss = indonesian_gloss(standalone)
        return f"{standalone} ({' '.join(gloss)})" if gloss else standalone

    def _standalone(self, state: dict[str, Any]) -> str:
        question: str = state["question"]
        history: list[Turn] = state["history"]
        if not history:
            return question
        with timed(state["timings"], "condense"):
            if self._condense_llm is not None:
                try:
                    rewritten = self._condense_llm.invoke(
                        {"history": format_history(history), "question": question}
                    )
                    return clean_model_rewrite(rewritten, question)
                except Exception as exc:  # the answer step will report the model's state
                    log.warning("condensing with the model failed: %s", exc)
            return heuristic_standalone(question, history)

    def _scope(self, state: dict[str, Any]) -> TimeScope:
        """The period the question names as a filter, "terbaru" as a
        preference (`time_range.py`): here, so every front end gets them."""
        scope = time_scope(
            self.index,
            state["question"],
            state["filters"],
            state["language"],
            self.settings.today,
            standalone=state["standalone"],
        )
        state["notes"].extend(scope.notes)
        return scope

    def _retrieve(self, state: dict[str, Any]) -> list[Passage]:
        scope: TimeScope = state["scope"]
        k: int = state["k"]
        # "terbaru": more candidates, of which the newest relevant lead.
        wanted = max(3 * k, 15) if scope.prefer_recent else k
        with timed(state["timings"], "retrieve"):
            if self._retriever is not None:
                documents = self._retriever.invoke(
                    scope.search_question, k=wanted, filters=scope.filters
                )
            else:
                hits = self.index.search(scope.search_question, k=wanted, filters=scope.filters)
                documents = hit_documents(hits)
        passages = passages_from_documents(documents)
        if scope.prefer_recent:
            return newest_first(passages, k, scope.search_question)
        return passages

    def _answer(self, state: dict[str, Any]) -> Answer:
        language: Language = state["language"]
        passages: list[Passage] = state["passages"]
        notes: list[str] = state["notes"]
        with timed(state["timings"], "answer"):
            if not state["history"] and is_referring_only(state["question"]):
                # "Kapan itu terjadi?" with no conversation: any passage
                # retrieved for it would be an unrelated guess. Ask back.
                text = message("unclear_reference", language, question=state["question"])
                return self._result(state, text, [], "extractive")
            if not passages:
                return self._result(state, message("no_passages", language), [], "extractive")
            if self.config_error:
                notes.append(message("config", language, reason=self.config_error))
            elif self._answer_llm is not None:
                answer = self._answer_with_model(state)
                if answer is not None:
                    return answer
            return self._answer_extractively(state)

    def _answer_with_model(self, state: dict[str, Any]) -> Answer | None:
        """The model's answer, checked; None to fall back to the extractive one."""
        assert self._answer_llm is not None
        language: Language = state["language"]
        passages: list[Passage] = state["passages"]
        # Only checked sentences reach the user, while streaming and at the end.
        checker = AnswerChecker(passages, state["on_token"])
        inputs = {
            "language": LANGUAGE_NAMES[language],
            "passages": format_passages(passages),
            "question": state["standalone"],
        }
        try:
            for token in self._answer_llm.stream(inputs):
                checker.feed(token)
        except Exception as exc:
            reason = redact(describe_failure(exc, self.settings))
            log.warning("the model %s failed: %s (%r)", self.model_spec, reason, exc)
            state["notes"].append(
                message("unreachable", language, model=str(self.model_spec), reason=reason)
            )
            return None
        checked = checker.finish()
        if checked.dropped_markers:
            log.info("dropped citation markers that match no passage: %s", checked.dropped_markers)
        if not checked.grounded:
            if checked.said_not_found:
                return self._result(state, message("not_found", language), [], "llm")
            state["notes"].append(message("ungrounded", language))
            return None
        if checked.dropped_sentences:
            log.info(
                "dropped uncited sentences of the model's answer: %r", checked.dropped_sentences
            )
            state["notes"].append(
                message("dropped_sentences", language, count=str(len(checked.dropped_sentences)))
            )
        # A claim (a number, a name) its cited passage does not make is
        # dropped with a note (issue 12).
        claims = check_claims(self.extractive, checked.text, passages)
        if claims.dropped:
            log.info("dropped unsupported claims: %s", claims.dropped)
            state["notes"].append(message("unsupported", language, n=str(len(claims.dropped))))
            if not _MARKERLESS_TEXT.sub("", claims.text).strip():
                return None  # nothing supported is left: the offline answer instead
            cited = cite(claims.text, passages)
            if not cited.grounded:
                return None
            return self._result(state, cited.text, cited.citations, "llm", found=True)
        return self._result(state, checked.text, checked.citations, "llm", found=True)

    def _answer_extractively(self, state: dict[str, Any]) -> Answer:
        language: Language = state["language"]
        passages: list[Passage] = state["passages"]
        extract = self.extractive.answer(state["scope"].search_question, passages)
        if not extract.found:
            return self._result(state, message("not_found", language), [], "extractive")
        cited = cite(extract.text, passages, extract.spans)
        answer = self._result(state, cited.text, cited.citations, "extractive", found=True)
        answer.answer_span = extract.answer_span
        return answer

    def _result(
        self,
        state: dict[str, Any],
        text: str,
        citations: list[Any],
        mode: str,
        *,
        found: bool = False,
    ) -> Answer:
        standalone = state["standalone"]
        return Answer(
            question=state["question"],
            answer=text,
            found=found,
            citations=citations,
            mode="llm" if mode == "llm" else "extractive",
            timings_ms=state["timings"],
            standalone_question=standalone if standalone != state["question"] else None,
            notes=state["notes"],
            passages=state["passages"],
            time_filter=state["scope"].time_filter,
        )
