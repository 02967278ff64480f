"""From a question to an `Answer`: the answering chain.

    question ─→ condense (a follow-up made standalone, using the conversation)
             ─→ retrieve (hybrid BM25 + e5, `HybridRetriever`) ─→ numbered passages
             ─→ answer (the chat model, or the extractive answerer offline)
             ─→ cite (markers checked, sources renumbered, quotes from the store)
             ─→ Answer

`Answerer.chain` is these steps as one LCEL chain of typed records
(`stages.py`): `chain.stream(AnswerRequest(...))` gives the model's checked
text as it is written, then the `Answer`; a model that fails is replaced by
the offline extractive answerer through `.with_fallbacks()`. `Answerer.ask`
streams that chain when a model answers, and calls the same steps directly
offline, so a cold offline `tanya ask` never imports LangChain's runnables
and tracing stack (issue 13: 2.0-2.6 s to import on the 2-core test machine,
against 0.4-0.6 s for the part of langchain_core offline answers need). The
model's text is never trusted on its own: it is shown, while it streams and
at the end, only sentence by sentence as each sentence cites a passage it was
given (`answer_check.py`); an answer that cites none is not presented at all,
and when the model cannot be reached the user still gets the offline answer,
with a note saying why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

# Only what the offline path needs: LangChain's retriever and model classes
# import its tracing stack (langsmith), most of a cold `tanya ask` (issue 13).
from retrieval.answer.answer_check import AnswerChecker
from retrieval.answer.answerability import is_referring_only
from retrieval.answer.attribution import attribution
from retrieval.answer.citations import cite, name_other_outlets, passages_from_documents
from retrieval.answer.claims import ClaimGate, of_other_years
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
from retrieval.answer.stages import AnswerChunk, AnswerRequest, Retrieved, StandaloneQuestion
from retrieval.answer.types import Answer, Citation, Turn
from retrieval.core.redaction import redact, redact_settings
from retrieval.core.settings import Settings
from retrieval.search.time_range import (
    NOTES,
    contradicted_years,
    note_unanswered_period,
    period_years,
    time_scope,
    years_named,
)
from retrieval.store import ArticleIndex, SearchFilters, hit_documents, one_vector_per_question
from retrieval.text.chat import plain_question
from retrieval.text.concepts import indonesian_gloss
from retrieval.text.messages import Messages
from retrieval.text.question import (
    Language,
    asks_something,
    off_topic,
    question_language,
    small_talk,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from retrieval.store.retriever import HybridRetriever

log = logging.getLogger(__name__)

TokenSink = Callable[[str], None]

MESSAGES = Messages(
    {
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
        "greeting": {
            "id": "Halo! Tanyakan apa saja tentang artikel yang tersimpan: siapa, kapan, di mana, "
            "berapa, mengapa.",
            "en": "Hello! Ask me anything about the stored articles: who, when, where, how many, "
            "why.",
        },
        "thanks": {
            "id": "Sama-sama. Silakan tanyakan hal lain tentang artikel.",
            "en": "You're welcome. Ask anything else about the articles.",
        },
        "off_topic": {
            "id": "Saya hanya menjawab pertanyaan tentang isi artikel berita yang tersimpan, "
            "dengan kutipan sumbernya. Tanyakan misalnya siapa, kapan, di mana, berapa, atau "
            "mengapa tentang sebuah berita.",
            "en": "I only answer questions about what the stored news articles say, citing "
            "their passages. Ask, for example, who, when, where, how many or why about a news "
            "story.",
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
)


def message(key: str, language: Language, **values: str) -> str:
    return MESSAGES(key, language, **values)


def __getattr__(name: str) -> Any:
    # `HybridRetriever` lives in `retriever.py` (LangChain's retriever base
    # class is heavy to import); still importable from here.
    if name == "HybridRetriever":
        from retrieval.store.retriever import HybridRetriever

        return HybridRetriever
    raise AttributeError(name)


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + (time.perf_counter() - started) * 1000


class ModelAnswerRejected(Exception):
    """The model's answer is not given (it failed, or cited nothing); the
    reason is in the request's notes, and the chain's fallback answers."""


class Answerer:
    """Answers questions from the index; one instance serves many threads."""

    def __init__(self, index: ArticleIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        # The model's key may come back in a provider's error: keep it out of logs and notes.
        redact_settings(settings)
        self._retriever: HybridRetriever | None = None
        self.extractive = ExtractiveAnswerer(
            index.checked_embedder,
            frequencies=index.document_frequencies,
            stored_vectors=index.sentence_vectors,
            article_text=index.article_text,
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
        self._chain: Runnable[AnswerRequest, AnswerChunk] | None = None

    @property
    def chain(self) -> Runnable[AnswerRequest, AnswerChunk]:
        """The steps as one LCEL chain (built on first use): `invoke` gives an
        `AnswerChunk` whose `answer` is the `Answer`, `stream`/`astream` the
        model's checked text as it is written, then that chunk."""
        if self._chain is None:
            from langchain_core.runnables import RunnableLambda

            offline = RunnableLambda(self._offline_chunk, name="extractive_answer")
            answer: Runnable[Retrieved, AnswerChunk] = offline
            if self._answer_llm is not None:
                model = RunnableLambda(
                    self._answer_with_model, afunc=self._aanswer_with_model, name="model_answer"
                )
                # The model failed or cited nothing, before any text was
                # streamed: the offline answer instead (the note saying why is
                # in `notes`). A bug of ours is not hidden behind a fallback.
                answer = model.with_fallbacks(
                    [offline], exceptions_to_handle=(ModelAnswerRejected,)
                )
            self._chain = (
                RunnableLambda(self._condense, name="condense")
                | RunnableLambda(self._retrieve, name="retrieve")
                | answer
            )
        return self._chain

    @property
    def retriever(self) -> HybridRetriever:
        """The index's search as a LangChain retriever. The chain calls the
        index directly unless one is set here (e.g. with `exclude`)."""
        if self._retriever is not None:
            return self._retriever
        from retrieval.store.retriever import HybridRetriever

        return HybridRetriever(index=self.index, k=self.settings.top_k)

    @retriever.setter
    def retriever(self, retriever: HybridRetriever) -> None:
        self._retriever = retriever

    @property
    def mode(self) -> str:
        return f"llm ({self.model_spec})" if self.model_spec else "extractive (offline)"

    # The search and the answerer embed the question once between them.
    @one_vector_per_question()
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
        request = AnswerRequest(question, list(history), filters, k)
        if self.model is None:
            # The chain's steps, without LangChain's runnables (cold start).
            answer = self._answer_offline(self._retrieve(self._condense(request)))
        else:
            final = None
            for chunk in self.chain.stream(request):
                if chunk.text and on_token is not None:
                    on_token(chunk.text)
                final = chunk.answer or final
            assert final is not None, "the chain ends with the answer"
            answer = final
        answer.timings_ms["total"] = (time.perf_counter() - started) * 1000
        return answer

    # --- the steps ----------------------------------------------------------------------------
    def _condense(self, request: AnswerRequest) -> StandaloneQuestion:
        """The question to search and answer with: a follow-up made standalone,
        (an English one gets its Indonesian gloss in `_retrieve`)."""
        question = StandaloneQuestion(
            request=request,
            language=question_language(request.question),
            # "brp", "kpn": searched and read as "berapa", "kapan"; markup as its words.
            text=plain_question(request.question),
            k=request.k or self.settings.top_k,
        )
        return replace(question, text=self._standalone(question))

    def _standalone(self, question: StandaloneQuestion) -> str:
        history = question.request.history
        if not history:
            return question.text
        with timed(question.timings, "condense"):
            if self._condense_llm is not None:
                try:
                    rewritten = self._condense_llm.invoke(
                        {"history": format_history(history), "question": question.text}
                    )
                    return clean_model_rewrite(rewritten, question.text)
                except Exception as exc:  # the answer step will report the model's state
                    log.warning("condensing with the model failed: %s", exc)
            return heuristic_standalone(question.text, list(history))

    def _retrieve(self, question: StandaloneQuestion) -> Retrieved:
        """The passages, in the period the question names as a filter, with
        "terbaru" as a preference (`time_range.py`): here, so every front end
        gets them."""
        request = question.request
        filters = (
            request.filters if request.filters is not None and not request.filters.empty else None
        )
        scope = time_scope(
            self.index,
            request.question,
            filters,
            question.language,
            self.settings.today,
            standalone=question.text,
        )
        question.notes.extend(scope.notes)
        # An English question is searched with the Indonesian words it asks
        # about, glossed after its time words are gone ("last week" is a
        # filter, not "akhir").
        gloss = indonesian_gloss(scope.search_question)
        if gloss:
            scope.search_question = f"{scope.search_question} ({' '.join(gloss)})"
        k = question.k
        # "terbaru": more candidates, of which the newest relevant lead.
        # Past a month or a year, some passages found may not name it.
        wanted = max(3 * k, 15) if scope.prefer_recent or scope.reported else k
        with timed(question.timings, "retrieve"):
            if self._retriever is not None:
                documents = self._retriever.invoke(
                    scope.search_question, k=wanted, filters=scope.filters
                )
            else:
                hits = self.index.search(scope.search_question, k=wanted, filters=scope.filters)
                documents = hit_documents(hits)
        passages = passages_from_documents(documents)
        if scope.reported is not None:
            kept = [p for p in passages if scope.in_period(p.date, f"{p.title}\n{p.text}")]
            passages = [replace(p, n=i) for i, p in enumerate(kept[:k], 1)]
        if scope.prefer_recent:
            passages = newest_first(passages, k, scope.search_question)
        return Retrieved(question, scope, passages)

    def _answer_offline(self, retrieved: Retrieved) -> Answer:
        """The extractive answer: offline, or in place of a failed model."""
        question = retrieved.question
        with timed(question.timings, "answer"):
            early = self._early_answer(retrieved)
            if early is not None:
                return early
            if self.config_error:
                question.notes.append(
                    message("config", question.language, reason=self.config_error)
                )
            return self._answer_extractively(retrieved)

    def _offline_chunk(self, retrieved: Retrieved) -> AnswerChunk:
        return AnswerChunk(answer=self._answer_offline(retrieved))

    def _early_answer(self, retrieved: Retrieved) -> Answer | None:
        """The answer when there is nothing for an answerer to do: a
        courtesy, a follow-up with nothing to refer to, or no passages."""
        request = retrieved.question.request
        language = retrieved.question.language
        courtesy = small_talk(request.question)
        if courtesy is not None:
            # "Terima kasih", "Selamat pagi": nothing to look up, in a
            # conversation or not; any passage would be an unrelated citation.
            return self._result(retrieved, message(courtesy, language), [], "extractive")
        if off_topic(request.question):
            # "Siapa yang membuatmu?", "Berapa 2 tambah 2?": the articles
            # hold neither; a passage found for it was cited as the answer.
            return self._result(retrieved, message("off_topic", language), [], "extractive")
        if not request.history and is_referring_only(request.question):
            # "Kapan itu terjadi?" with no conversation: any passage
            # retrieved for it would be an unrelated guess. Ask back.
            text = message("unclear_reference", language, question=request.question)
            return self._result(retrieved, text, [], "extractive")
        if not retrieved.passages:
            return self._result(retrieved, message("no_passages", language), [], "extractive")
        return None

    def _answer_with_model(self, retrieved: Retrieved) -> Iterator[AnswerChunk]:
        """The model's answer, checked, as it is written; `ModelAnswerRejected`
        to fall back to the extractive one."""
        assert self._answer_llm is not None
        early = self._early_answer(retrieved)
        if early is not None:
            yield AnswerChunk(answer=early)
            return
        stream = _CheckedStream(self, retrieved)
        with timed(retrieved.question.timings, "answer"):
            try:
                for token in self._answer_llm.stream(self._model_inputs(retrieved)):
                    yield from stream.feed(token)
            except Exception as exc:
                yield stream.failed(exc)
                return
            last = stream.finish()
        yield last

    async def _aanswer_with_model(self, retrieved: Retrieved) -> AsyncIterator[AnswerChunk]:
        """`_answer_with_model` for `astream`/`ainvoke`: the model streamed asynchronously."""
        assert self._answer_llm is not None
        early = self._early_answer(retrieved)
        if early is not None:
            yield AnswerChunk(answer=early)
            return
        stream = _CheckedStream(self, retrieved)
        with timed(retrieved.question.timings, "answer"):
            try:
                async for token in self._answer_llm.astream(self._model_inputs(retrieved)):
                    for chunk in stream.feed(token):
                        yield chunk
            except Exception as exc:
                yield stream.failed(exc)
                return
            last = stream.finish()
        yield last

    def _model_inputs(self, retrieved: Retrieved) -> dict[str, str]:
        question = retrieved.question
        return {
            "language": LANGUAGE_NAMES[question.language],
            "passages": format_passages(retrieved.passages),
            "question": question.text,
        }

    def _after_model_failure(
        self, retrieved: Retrieved, exc: Exception, *, streamed: bool
    ) -> AnswerChunk:
        """Notes why the model gave no answer, then raises for the chain's fallback."""
        language = retrieved.question.language
        reason = redact(describe_failure(exc, self.settings))
        log.warning("the model %s failed: %s (%r)", self.model_spec, reason, exc)
        retrieved.question.notes.append(
            message("unreachable", language, model=str(self.model_spec), reason=reason)
        )
        if not streamed:
            raise ModelAnswerRejected(reason) from exc
        # LangChain's fallbacks replace only a stream that has not begun: a
        # model cut off after its first checked sentence gets the same offline
        # answer here.
        return AnswerChunk(answer=self._answer_extractively(retrieved))

    def _checked_answer(
        self,
        retrieved: Retrieved,
        checker: AnswerChecker,
        gate: ClaimGate,
        checked_text: list[str],
    ) -> AnswerChunk:
        """The last chunk: the rest of the checked text and the `Answer`;
        `ModelAnswerRejected` if the answer cites none of the passages."""
        language = retrieved.question.language
        notes = retrieved.question.notes
        checked = checker.finish()
        if checked.dropped_markers:
            log.info("dropped citation markers that match no passage: %s", checked.dropped_markers)
        # A claim (a number, a name) its cited passage does not make was
        # dropped before it was shown, with a note (issue 12).
        if gate.dropped:
            log.info("dropped unsupported claims: %s", gate.dropped)
            notes.append(message("unsupported", language, n=str(len(gate.dropped))))
        if not checked.grounded:
            if checked.said_not_found and not gate.dropped:
                return AnswerChunk(
                    answer=self._result(retrieved, message("not_found", language), [], "llm")
                )
            if gate.dropped:
                # nothing supported is left: the offline answer instead
                raise ModelAnswerRejected("no claim of the model's answer is supported")
            notes.append(message("ungrounded", language))
            raise ModelAnswerRejected("the model's answer cited none of the passages")
        uncited = [s for s in checked.dropped_sentences if s not in gate.dropped]
        if uncited:
            log.info("dropped uncited sentences of the model's answer: %r", uncited)
            notes.append(message("dropped_sentences", language, count=str(len(uncited))))
        answer = self._result(retrieved, checked.text, checked.citations, "llm", found=True)
        return AnswerChunk(text="".join(checked_text), answer=answer)

    def _answer_extractively(self, retrieved: Retrieved) -> Answer:
        language = retrieved.question.language
        passages = retrieved.passages
        extract = self.extractive.answer(
            retrieved.scope.search_question, passages, read_as=retrieved.scope.read_question
        )
        scope = retrieved.scope
        if scope.unfiltered is not None:
            # No article is dated in the period asked: a quote from dated
            # articles about another year is not that year's figure
            # ("inflasi ... Desember 2023" for "Desember 2022?").
            dated = bool(extract.chosen) and all(s.sentence.passage.date for s in extract.chosen)
            years = (
                contradicted_years(
                    scope,
                    extract.text,
                    retrieved.question.text,
                    [s.sentence.passage.date or "" for s in extract.chosen],
                )
                if extract.found and dated
                else []
            )
            if years or not extract.found:
                note_unanswered_period(scope, retrieved.question.notes, language, years)
                return self._result(retrieved, message("not_found", language), [], "extractive")
        if extract.found and (years_asked := years_named(retrieved.question.text, scope)):
            # "Siapa juara Liga 1 2022?" over "menjuarai Liga 1 musim
            # 2023/2024": the year names an edition no quoted article speaks of.
            quoted = {s.sentence.passage.n: s.sentence.passage for s in extract.chosen}
            if years := of_other_years(years_asked, list(quoted.values())):
                retrieved.question.notes.append(
                    NOTES(
                        "other_years",
                        language,
                        asked=", ".join(map(str, years_asked)),
                        years=", ".join(map(str, years)),
                    )
                )
                return self._result(retrieved, message("not_found", language), [], "extractive")
        if not extract.found:
            return self._result(retrieved, message("not_found", language), [], "extractive")
        cited = cite(extract.text, passages, extract.spans)
        answer = self._result(retrieved, cited.text, cited.citations, "extractive", found=True)
        # A topic or a request ("Bali", "tolong jelaskan soal gempa Cianjur")
        # gets the passage, not a phrase of it in bold as if it answered.
        asked = asks_something(plain_question(retrieved.question.request.question))
        answer.answer_span = extract.answer_span if asked else None
        return answer

    def _result(
        self,
        retrieved: Retrieved,
        text: str,
        citations: list[Citation],
        mode: str,
        *,
        found: bool = False,
    ) -> Answer:
        question = retrieved.question
        asked = question.request.question
        name_other_outlets(self.index, citations)
        return Answer(
            question=asked,
            answer=text,
            found=found,
            citations=citations,
            mode="llm" if mode == "llm" else "extractive",
            timings_ms=question.timings,
            standalone_question=question.text if question.text != asked else None,
            notes=question.notes,
            passages=retrieved.passages,
            time_filter=retrieved.scope.time_filter,
            attribution=attribution(citations, question.language),
        )


def years_asked(retrieved: Retrieved) -> list[int]:
    """The years a question asks about that its search did not filter by:
    an edition's ("Liga 1 2022", `years_named`), and those of a period no
    article is dated in ("tahun 2022", "tahun lalu"). A model's claims are
    held to them (`ClaimGate`)."""
    scope = retrieved.scope
    return sorted({*years_named(retrieved.question.text, scope), *period_years(scope)})


class _CheckedStream:
    """A model's answer as it streams, through the checks (`AnswerChecker`,
    with the claim check as its per-sentence test): what the sync and async
    paths of `Answerer` share. Only checked sentences reach the user, while
    streaming and at the end."""

    def __init__(self, answerer: Answerer, retrieved: Retrieved) -> None:
        self.answerer, self.retrieved = answerer, retrieved
        self.checked_text: list[str] = []
        self.gate = ClaimGate(answerer.extractive, years_asked(retrieved))
        self.checker = AnswerChecker(
            retrieved.passages, self.checked_text.append, extra_check=self.gate
        )
        self.streamed = False  # a checked sentence has gone out

    def feed(self, token: str) -> list[AnswerChunk]:
        """The model's next token in; the sentences it completed and that
        passed, as chunks to yield."""
        self.checker.feed(token)
        chunks = [AnswerChunk(text=text) for text in self.checked_text]
        self.checked_text.clear()
        self.streamed = self.streamed or bool(chunks)
        return chunks

    def failed(self, exc: Exception) -> AnswerChunk:
        return self.answerer._after_model_failure(self.retrieved, exc, streamed=self.streamed)

    def finish(self) -> AnswerChunk:
        return self.answerer._checked_answer(
            self.retrieved, self.checker, self.gate, self.checked_text
        )
