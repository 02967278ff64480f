"""Evaluation: how well tanya retrieves and answers questions whose answers
are known, measured with the same code `tanya ask` runs.

A questions file is JSONL, one object a line:

    {"question": "...", "answer": "gold span", "passage": "gold passage text"}
    {"question": "...", "answer": "...", "article_id": "id, corpus id or URL"}
    {"question": "...", "answers": ["gold", "another gold"], "article_id": "..."}
    {"question": "...", "unanswerable": true}

`answers` lists every acceptable gold answer (any one counts); `answer` alone
is one. An optional `kind` labels the question for refusal rates by kind
(default: the kind of answer the question asks for, `date`, `person`, ...).

Only `question` is required, plus something to check against (`answer`,
`passage`, `article_id` or `unanswerable: true`). A malformed line is
reported with its line number and skipped; the other lines are still
evaluated (like `tanya add`, one bad input never stops a batch).

The metrics are small pure functions, so each can be checked on a case
computed by hand:

* retrieval: recall@k and MRR of the gold article, over the ranked list of
  *articles* (a retrieved article's later chunks are dropped, so an article
  split into many chunks cannot crowd the list);
* answers: containment of a gold span (case, punctuation and spacing
  normalised), whether the first citation is the gold article, whether
  `found` is false on questions the articles cannot answer (also by kind of
  question), and, when the answer carries a short `answer_span`, its exact
  match and token F1 against the best gold;
* latency: p50/p95 of each stage the answerer reports in `timings_ms`.

A gold `passage` names the article whose cleaned text contains it (after
normalising); a gold `article_id` may be the stored id, a unique prefix of
it, the `id` the article had in a JSONL corpus, or its URL.
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from retrieval.answer.citations import without_markers
from retrieval.answer.types import Answer, Turn
from retrieval.core.json_errors import describe_json_error
from retrieval.core.models import article_id_for
from retrieval.errors import TanyaError
from retrieval.store import ArticleIndex, SearchFilters, SearchMode

# --- the questions file --------------------------------------------------------------------


class EvalInputError(TanyaError, ValueError):
    """The questions file as a whole cannot be evaluated (unreadable, empty)."""


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    answer: str | None = None
    passage: str | None = None
    article_id: str | None = None
    unanswerable: bool = False
    id: str | None = None
    line: int = 0
    answers: tuple[str, ...] = ()  # every gold answer (`answer` first); any one counts
    kind: str | None = None


@dataclass(frozen=True)
class LineProblem:
    """A line of the questions file that was skipped, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def _optional_text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f'"{key}" must be a string, got {type(value).__name__}')
    text = str(value).strip()
    return text or None


def parse_question(record: object, line: int) -> EvalQuestion:
    """One decoded JSONL line → a question; `ValueError` says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError('missing "question" (a non-empty string)')
    unanswerable = record.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise ValueError('"unanswerable" must be true or false')
    answer = _optional_text(record, "answer")
    answers = record.get("answers")
    if answers is None:
        answers = []
    if not isinstance(answers, list) or not all(
        isinstance(a, str | int) and not isinstance(a, bool) for a in answers
    ):
        raise ValueError('"answers" must be a list of strings')
    golds = [str(a).strip() for a in ([answer] if answer else []) + answers]
    golds = list(dict.fromkeys(g for g in golds if g))
    answer = golds[0] if golds else None
    passage = _optional_text(record, "passage")
    article_id = _optional_text(record, "article_id")
    if not unanswerable and not (answer or passage or article_id):
        raise ValueError(
            'nothing to check the question against: give "answer", "passage" or '
            '"article_id" (or "unanswerable": true)'
        )
    return EvalQuestion(
        question=question.strip(),
        answer=None if unanswerable else answer,
        passage=None if unanswerable else passage,
        article_id=None if unanswerable else article_id,
        unanswerable=unanswerable,
        id=_optional_text(record, "id"),
        line=line,
        answers=() if unanswerable else tuple(golds),
        kind=_optional_text(record, "kind"),
    )


def parse_questions(lines: Iterable[str]) -> tuple[list[EvalQuestion], list[LineProblem]]:
    """Questions from JSONL lines (numbered from 1), and the lines skipped.
    Blank lines are ignored."""
    questions: list[EvalQuestion] = []
    problems: list[LineProblem] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(LineProblem(number, describe_json_error(exc, number)))
            continue
        try:
            questions.append(parse_question(record, number))
        except ValueError as exc:
            problems.append(LineProblem(number, str(exc)))
    return questions, problems


def load_questions(path: Path) -> tuple[list[EvalQuestion], list[LineProblem]]:
    """Read a questions file. Raises `EvalInputError` when it holds no usable
    question at all; otherwise bad lines come back as `LineProblem`s."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise EvalInputError(f"{path}: not UTF-8 text (expected JSONL)") from None
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read it ({exc.strerror})") from None
    questions, problems = parse_questions(text.splitlines())
    if not questions:
        if problems:
            shown = "; ".join(str(p) for p in problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise EvalInputError(f"{path}: no usable question: {shown}{more}")
        raise EvalInputError(f"{path}: the file is empty (expected one JSON question a line)")
    return questions, problems


# --- metrics: small pure functions -------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text as containment compares it: Unicode-normalised, case-folded,
    punctuation replaced by spaces, spaces collapsed.

    Punctuation becomes a space (not nothing) so FacQA's tokenised
    "GA - 181 ( IAEA )" and a writer's "GA-181 (IAEA)" agree.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    return _SPACE.sub(" ", text).strip()


def contains_answer(answer: str, gold: str) -> bool:
    """Whether the normalised gold span occurs in the normalised answer, on
    word boundaries (gold "84" is not in "1984"). Bracketed numbers are no
    content on either side: the answer's are its citation markers ("[1]"
    read as a "1" the gold may be), a gold span's an article's footnotes
    ("Turki,[1][2][3] yang": contained only by an answer that cited passages
    1, 2 and 3 there, which it had no ground to)."""
    needle = normalise(without_markers(gold))
    if not needle:
        return False
    return f" {needle} " in f" {normalise(without_markers(answer))} "


def contains_any(answer: str, golds: Iterable[str]) -> bool:
    return any(contains_answer(answer, g) for g in golds)


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token F1 of two normalised strings."""
    predicted, expected = normalise(prediction).split(), normalise(gold).split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def span_scores(span: str, golds: Sequence[str]) -> tuple[bool, float]:
    """(exact match with any gold, best token F1 over the golds), normalised."""
    if not golds:
        return False, 0.0
    exact = any(normalise(span) == normalise(g) for g in golds)
    return exact, max(token_f1(span, g) for g in golds)


def unique_in_order(items: Iterable[str]) -> list[str]:
    """First occurrence of each item, order kept (chunks → their articles)."""
    return list(dict.fromkeys(items))


def gold_rank(ranked: Sequence[str], gold: Collection[str]) -> int | None:
    """1-based position of the first gold item in `ranked`, or None."""
    for position, item in enumerate(ranked, start=1):
        if item in gold:
            return position
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose gold item is within the top `k`."""
    if not ranks:
        return math.nan
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float:
    """Mean of 1/rank; a gold item not retrieved counts 0."""
    if not ranks:
        return math.nan
    return sum(1.0 / r for r in ranks if r is not None) / len(ranks)


def citation_correct(cited_articles: Sequence[str], gold: Collection[str]) -> bool:
    """Whether the answer's first citation is a gold article."""
    return bool(cited_articles) and cited_articles[0] in gold


def share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else math.nan


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100), linear between closest ranks (numpy's
    default), NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- gold articles in an index -------------------------------------------------------------------


class GoldResolver:
    """Which stored articles a question's gold `passage` or `article_id` names."""

    def __init__(self, index: ArticleIndex) -> None:
        self.index = index
        self._texts: dict[str, str] = {}  # article id → normalised text
        self._all_loaded = False

    def _text(self, article_id: str) -> str:
        if article_id not in self._texts:
            article = self.index.article(article_id)
            self._texts[article_id] = normalise(article.text) if article else ""
        return self._texts[article_id]

    def for_passage(self, passage: str) -> frozenset[str]:
        """Articles whose text contains the passage. BM25 on the passage finds
        the candidates; a full scan only runs when it finds none."""
        needle = normalise(passage)
        if not needle:
            return frozenset()
        candidates = unique_in_order(
            cid.rsplit(":", 2)[0] for cid, _ in self.index.lexical_search(passage, 20)
        )
        # Chunk ids are "<article id>:<hash>:<position>" (an article id given
        # by the corpus may itself hold ":"); confirm against the catalog.
        found = frozenset(a for a in candidates if needle in self._text(a))
        if found:
            return found
        if not self._all_loaded:
            for summary in self.index.list_articles():
                self._text(summary.id)
            self._all_loaded = True
        return frozenset(a for a, text in self._texts.items() if text and needle in text)

    def for_article_id(self, given: str) -> frozenset[str]:
        """The stored id, the `id` of a JSONL corpus line, a URL, or a unique prefix."""
        found = self.index.resolve_id(given).found
        return frozenset([found]) if found else frozenset()

    def resolve(self, question: EvalQuestion) -> frozenset[str] | None:
        """Gold articles; None when the question names none (nothing to rank)."""
        if question.unanswerable:
            return None
        if question.article_id:
            return self.for_article_id(question.article_id)
        if question.passage:
            return self.for_passage(question.passage)
        return None


def corpus_ids(paths: Iterable[str]) -> dict[str, str]:
    """Stored article id → the id the corpus gave it: a JSONL line's `id`
    (else its `url`), for every .jsonl file among `paths` (folders searched).
    Reports then name articles as the corpus does, not by internal hashes."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += sorted(path.rglob("*.jsonl"))
        elif path.suffix.lower() == ".jsonl" and path.is_file():
            files.append(path)
    out: dict[str, str] = {}
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # the loader reports unreadable files
        for raw in lines:
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict):
                continue
            given_id, url = record.get("id"), record.get("url")
            if isinstance(given_id, str | int) and str(given_id).strip():
                stored = article_id_for(explicit=str(given_id), url=None, title="", text="")
                out[stored] = str(given_id).strip()
            elif isinstance(url, str) and url.strip():
                out[article_id_for(explicit=None, url=url, title="", text="")] = url.strip()
    return out


# --- running an evaluation ------------------------------------------------------------------------


class AnswersQuestions(Protocol):
    """What `run_eval` needs of the answerer (`retrieval.answer.chain.Answerer`)."""

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> Answer: ...


@dataclass
class QuestionResult:
    line: int
    id: str | None
    question: str
    unanswerable: bool
    gold_articles: list[str] | None  # None: the question names no gold article
    rank: int | None  # of the first gold article among the retrieved articles
    retrieved: list[str]  # article ids, best first, deduplicated
    search_ms: float
    answer: str | None = None
    found: bool | None = None
    contains_answer: bool | None = None
    citation_correct: bool | None = None
    mode: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    # The corpus's own ids (a JSONL `id`, a URL) of the articles above, where
    # known; the stored id otherwise.
    gold_ids: list[str] | None = None
    retrieved_ids: list[str] = field(default_factory=list)
    cited_ids: list[str] = field(default_factory=list)
    answer_span: str | None = None
    span_exact: bool | None = None
    span_f1: float | None = None
    kind: str = "other"


@dataclass
class EvalReport:
    results: list[QuestionResult]
    k: int
    problems: list[LineProblem] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    retrieval_mode: str = "hybrid"
    answered: bool = True  # False: retrieval only, no answerer was run
    wall_s: float = 0.0

    @property
    def recall_ks(self) -> list[int]:
        return sorted({k for k in (1, 5, 10) if k <= self.k} | {self.k})

    def _ranked(self) -> list[QuestionResult]:
        return [r for r in self.results if r.gold_articles is not None]

    def retrieval(self) -> dict[str, Any]:
        ranks = [r.rank for r in self._ranked()]
        out: dict[str, Any] = {"questions": len(ranks), "k": self.k}
        for k in self.recall_ks:
            out[f"recall@{k}"] = recall_at(ranks, k)
        out["mrr"] = mean_reciprocal_rank(ranks)
        return out

    def answers(self) -> dict[str, Any]:
        done = [r for r in self.results if r.error is None and r.found is not None]
        contained = [bool(r.contains_answer) for r in done if r.contains_answer is not None]
        cited = [bool(r.citation_correct) for r in done if r.citation_correct is not None]
        unanswerable = [r for r in done if r.unanswerable]
        answerable = [r for r in done if not r.unanswerable]
        return {
            "answered": len(done),
            "errors": sum(1 for r in self.results if r.error is not None),
            "containment": share(contained),
            "containment_questions": len(contained),
            "citation_correct": share(cited),
            "citation_questions": len(cited),
            "unanswerable_not_found": share([not r.found for r in unanswerable]),
            "unanswerable_questions": len(unanswerable),
            "answerable_found": share([bool(r.found) for r in answerable]),
            "answerable_questions": len(answerable),
            "mean_answer_words": (
                sum(len((r.answer or "").split()) for r in done) / len(done) if done else math.nan
            ),
            "mean_found_answer_words": _mean(
                [len((r.answer or "").split()) for r in done if r.found]
            ),
            "modes": dict(Counter(r.mode for r in done if r.mode)),
            "span_questions": len(spans := [r for r in done if r.span_f1 is not None]),
            "span_exact": share([bool(r.span_exact) for r in spans]),
            "span_f1": _mean([r.span_f1 for r in spans if r.span_f1 is not None]),
            "by_kind": {
                kind: {
                    "answerable_found": share([bool(r.found) for r in rs if not r.unanswerable]),
                    "answerable_questions": sum(1 for r in rs if not r.unanswerable),
                    "unanswerable_not_found": share([not r.found for r in rs if r.unanswerable]),
                    "unanswerable_questions": sum(1 for r in rs if r.unanswerable),
                }
                for kind, rs in sorted(_by_kind(done).items())
            },
        }

    def latency(self) -> dict[str, dict[str, float]]:
        """p50/p95 (ms) of each stage: the answerer's `timings_ms`, and the
        evaluation's own retrieval call as `search`."""
        stages: dict[str, list[float]] = {}
        for r in self.results:
            if r.error is None:
                for stage, ms in r.timings_ms.items():
                    stages.setdefault(stage, []).append(ms)
        stages["search"] = [r.search_ms for r in self.results]
        preferred = ["retrieve", "answer", "total"]
        order = [s for s in preferred if s in stages] + sorted(
            s for s in stages if s not in preferred and s != "search"
        )
        order.append("search")
        return {
            s: {
                "p50": percentile(stages[s], 50),
                "p95": percentile(stages[s], 95),
                "n": float(len(stages[s])),
            }
            for s in order
        }

    def warnings(self) -> list[str]:
        out = []
        unresolved = [r for r in self._ranked() if not r.gold_articles]
        if unresolved:
            lines = ", ".join(str(r.line) for r in unresolved[:10])
            more = ", …" if len(unresolved) > 10 else ""
            out.append(
                f"{len(unresolved)} question(s) name a gold passage/article that is not in the "
                f"index (lines {lines}{more}); they count as retrieval misses"
            )
        errors = [r for r in self.results if r.error]
        if errors:
            out.append(
                f"{len(errors)} question(s) failed to answer, e.g. line {errors[0].line}: "
                f"{errors[0].error}"
            )
        return out

    def to_json(self, *, per_question: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "questions": len(self.results),
            "retrieval_mode": self.retrieval_mode,
            "settings": self.settings,
            "retrieval": self.retrieval(),
            "answers": self.answers() if self.answered else None,
            "latency_ms": self.latency(),
            "wall_s": self.wall_s,
            "problems": [asdict(p) for p in self.problems],
            "warnings": self.warnings(),
        }
        if per_question:
            data["per_question"] = [asdict(r) for r in self.results]
        return _json_safe(data)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _by_kind(results: Sequence[QuestionResult]) -> dict[str, list[QuestionResult]]:
    out: dict[str, list[QuestionResult]] = {}
    for r in results:
        out.setdefault(r.kind, []).append(r)
    return out


def _json_safe(value: Any) -> Any:
    """NaN (a metric with no questions to measure) → null; floats rounded."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def describe_settings(index: ArticleIndex) -> dict[str, Any]:
    """What a comparison between two runs needs to know."""
    s = index.settings
    return {
        "embedder": index.embedder_name or s.embedder,
        "fusion": s.fusion,
        "dense_weight": s.dense_weight,
        "lexical_weight": s.lexical_weight,
        "rrf_k": s.rrf_k,
        "candidates": s.candidates,
        "top_k": s.top_k,
        "llm": s.llm or "(none: extractive)",
        "chunk_tokens": s.chunk_tokens,
    }


def retrieval_depth(index: ArticleIndex, k: int) -> int:
    """Chunks to fetch to rank `k` articles. Up to 3k (an article may have
    several chunks among the best), but never more than the retriever's own
    candidates, so the ranking is the one the answerer sees."""
    return max(k, min(3 * k, index.settings.candidates))


Progress = Callable[[int, int], None]


def run_eval(
    index: ArticleIndex,
    answerer: AnswersQuestions | None,
    questions: Sequence[EvalQuestion],
    *,
    k: int = 10,
    mode: SearchMode = "hybrid",
    problems: Sequence[LineProblem] = (),
    progress: Progress | None = None,
    names: Mapping[str, str] | None = None,
) -> EvalReport:
    """Evaluate every question: rank with `index.search` (the retriever the
    answerer uses), then, given an answerer, ask it exactly as `tanya ask`
    does. `answerer=None` measures retrieval alone. `names` maps stored
    article ids to the corpus's own (see `corpus_ids`), for the report."""
    from retrieval.answer.extractive import answer_kind

    resolver = GoldResolver(index)
    known = dict(names or {})

    def name(article_id: str) -> str:
        return known.get(article_id, article_id)

    depth = retrieval_depth(index, k)
    results: list[QuestionResult] = []
    started = time.perf_counter()
    for done, q in enumerate(questions, start=1):
        gold = resolver.resolve(q)
        if gold is not None and q.article_id and len(gold) == 1:
            known.setdefault(next(iter(gold)), q.article_id)
        t0 = time.perf_counter()
        hits = index.search(q.question, k=depth, mode=mode)
        search_ms = (time.perf_counter() - t0) * 1000
        retrieved = unique_in_order(h.chunk.article_id for h in hits)[:k]
        result = QuestionResult(
            line=q.line,
            id=q.id,
            question=q.question,
            unanswerable=q.unanswerable,
            gold_articles=sorted(gold) if gold is not None else None,
            rank=gold_rank(retrieved, gold) if gold else None,
            retrieved=retrieved,
            search_ms=search_ms,
            gold_ids=[name(a) for a in sorted(gold)] if gold is not None else None,
            retrieved_ids=[name(a) for a in retrieved],
            kind=q.kind or answer_kind(q.question) or "other",
        )
        if answerer is not None:
            _answer(answerer, q, gold, result)
            result.cited_ids = [name(a) for a in result.cited_ids]
        results.append(result)
        if progress:
            progress(done, len(questions))
    return EvalReport(
        results=results,
        k=k,
        problems=list(problems),
        settings=describe_settings(index),
        retrieval_mode=mode,
        answered=answerer is not None,
        wall_s=time.perf_counter() - started,
    )


def _answer(
    answerer: AnswersQuestions,
    q: EvalQuestion,
    gold: frozenset[str] | None,
    result: QuestionResult,
) -> None:
    try:
        answer = answerer.ask(q.question)
    except Exception as exc:  # one failing question must not end the run
        result.error = f"{type(exc).__name__}: {exc}"
        return
    result.answer = answer.answer
    result.found = answer.found
    result.mode = answer.mode
    result.timings_ms = dict(answer.timings_ms)
    result.cited_ids = unique_in_order(c.article_id for c in answer.citations)
    golds = q.answers or ((q.answer,) if q.answer else ())
    if golds:
        # "Not found" with the span quoted somewhere is still not an answer.
        result.contains_answer = answer.found and contains_any(answer.answer, golds)
        span = getattr(answer, "answer_span", None)
        if answer.found and span:
            result.answer_span = span
            result.span_exact, result.span_f1 = span_scores(span, golds)
    if gold is not None:
        result.citation_correct = citation_correct([c.article_id for c in answer.citations], gold)
