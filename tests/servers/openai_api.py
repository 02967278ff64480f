"""A loopback OpenAI-compatible chat-completions server for testing the LLM answer path.

tanya reaches LLMs through LangChain's OpenAI client, which takes a
``base_url``; pointed at :attr:`OpenAIServer.base_url` it talks real HTTP to
this server, plain or streamed (server-sent events), so timeouts, retries,
error statuses and broken streams behave as they would against a provider.

Tests script the model's replies with :meth:`OpenAIServer.reply_with` (a queue
of :class:`Reply`) or :attr:`OpenAIServer.responder` (a function of the
request), and read the prompts the application sent from
:attr:`OpenAIServer.requests`.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.servers import Exchange, LoopbackServer

__all__ = ["DEFAULT_REPLY", "OpenAIServer", "Reply"]

DEFAULT_REPLY = "Jawaban dari model [1]."

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")

# (type, code, message) as OpenAI words them, per status.
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Forbidden."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests. Please try again in 20ms.",
    ),
    500: (
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


@dataclass
class Reply:
    """What the model answers to one request.

    ``status`` other than 200 sends OpenAI's error JSON instead (the openai
    client retries 408/409/429/5xx up to ``max_retries`` times, and each retry
    takes the next reply). ``delay`` holds back the whole response;
    ``chunk_delay`` spaces streamed chunks; ``drop_midstream`` closes the
    connection halfway through a stream.
    """

    text: str = ""
    status: int = 200
    delay: float = 0.0
    chunk_delay: float = 0.0
    drop_midstream: bool = False
    finish_reason: str = "stop"
    #: [{"name": ..., "arguments": dict | str, "id": optional}] -> assistant tool_calls
    tool_calls: list[dict[str, Any]] | None = None
    error_message: str | None = None
    error_code: str | None = None
    error_type: str | None = None
    #: extra response headers, e.g. {"retry-after-ms": "10"} to make client retries quick
    headers: dict[str, str] = field(default_factory=dict)


def _default_responder(request: dict[str, Any]) -> Reply | str:
    return DEFAULT_REPLY


def _pieces(text: str) -> list[str]:
    """Split text the way streams arrive: a word (with its trailing space) at a time."""
    return re.findall(r"\S+\s*|\s+", text)


def _count_tokens(text: str) -> int:
    # A rough count; usage numbers only need to be plausible and consistent.
    return max(1, len(text.split())) if text else 0


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


class OpenAIServer(LoopbackServer):
    """``/v1/chat/completions`` and ``/v1/models`` on 127.0.0.1."""

    def __init__(self, *, model: str = "gpt-test", require_key: str | None = None) -> None:
        super().__init__()
        self.model = model
        #: when set, only ``Authorization: Bearer <require_key>`` is accepted
        self.require_key = require_key
        #: called with the request JSON when no queued reply is left
        self.responder: Callable[[dict[str, Any]], Reply | str] = _default_responder
        #: JSON bodies of the chat-completion requests received, in order
        self.requests: list[dict[str, Any]] = []
        #: the headers of those requests (same order), names lower-cased
        self.request_headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        """For ``ChatOpenAI(base_url=...)`` / ``openai.OpenAI(base_url=...)``."""
        return f"{self.origin}/v1"

    def reply_with(self, *replies: Reply | str) -> None:
        """Queue replies; each chat-completion request takes the next one."""
        with self._lock:
            self._queue.extend(Reply(text=r) if isinstance(r, str) else r for r in replies)

    @property
    def queued(self) -> int:
        """Replies still waiting in the queue."""
        with self._lock:
            return len(self._queue)

    @property
    def last_request(self) -> dict[str, Any]:
        if not self.requests:
            raise AssertionError("the model received no request")
        return self.requests[-1]

    def wait_for_requests(self, n: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until at least ``n`` requests arrived; return all of them."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < n:
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"expected {n} chat-completion request(s) within {timeout}s, "
                    f"got {len(self.requests)}"
                )
            time.sleep(0.02)
        return list(self.requests)

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, exchange: Exchange) -> None:
        path = exchange.url_path.rstrip("/")
        if exchange.command == "GET" and path == "/v1/models":
            self._json(exchange, 200, {"object": "list", "data": [self._model_card()]})
            return
        if exchange.command == "GET" and path == f"/v1/models/{self.model}":
            self._json(exchange, 200, self._model_card())
            return
        if exchange.command != "POST" or path != "/v1/chat/completions":
            exchange.body()
            self._error(
                exchange,
                404,
                message=f"Invalid URL ({exchange.command} {exchange.url_path})",
                code=None,
            )
            return
        body = exchange.body()
        if not self._authorised(exchange):
            return
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if not isinstance(request, dict):
            self._error(
                exchange,
                400,
                message="We could not parse the JSON body of your request. (HINT: This likely "
                "means you aren't using your HTTP library correctly. The OpenAI API expects a "
                "JSON payload, but what was sent was not valid JSON.)",
                code=None,
            )
            return
        problem = self._validate(request)
        if problem:
            self._error(exchange, 400, message=problem[0], code=problem[1], param=problem[2])
            return
        with self._lock:
            self.requests.append(request)
            self.request_headers.append(exchange.header_dict)
            reply = self._queue.popleft() if self._queue else None
        if reply is None:
            answer = self.responder(copy.deepcopy(request))
            reply = Reply(text=answer) if isinstance(answer, str) else answer
        if reply.delay and not self.pause(reply.delay):
            exchange.abort()
            return
        if reply.status != 200:
            self._error(
                exchange,
                reply.status,
                message=reply.error_message,
                code=reply.error_code,
                kind=reply.error_type,
                headers=reply.headers,
            )
            return
        if request.get("stream"):
            self._stream(exchange, request, reply)
        else:
            self._json(exchange, 200, self._completion(request, reply), reply.headers)

    def _authorised(self, exchange: Exchange) -> bool:
        header = exchange.headers.get("Authorization", "")
        key = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
        if not key:
            self._error(
                exchange,
                401,
                message="You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code=None,
            )
            return False
        if self.require_key is not None and key != self.require_key:
            shown = key[:3] + "*" * 4 + key[-4:] if len(key) > 8 else key
            self._error(
                exchange,
                401,
                message=f"Incorrect API key provided: {shown}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
            return False
        return True

    @staticmethod
    def _validate(request: dict[str, Any]) -> tuple[str, str | None, str | None] | None:
        if not request.get("model"):
            return "you must provide a model parameter", None, None
        messages = request.get("messages")
        if messages is None:
            return (
                "Missing required parameter: 'messages'.",
                "missing_required_parameter",
                "messages",
            )
        if not isinstance(messages, list):
            return "Invalid type for 'messages': expected an array.", "invalid_type", "messages"
        if not messages:
            return (
                "Invalid 'messages': empty array. Expected an array with minimum length 1, "
                "but got an empty array instead.",
                "empty_array",
                "messages",
            )
        for index, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            if role not in _ROLES:
                return (
                    f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', "
                    "'user', 'function', 'tool', and 'developer'.",
                    "invalid_value",
                    f"messages[{index}].role",
                )
            if "content" not in message and not message.get("tool_calls"):
                return (
                    f"Missing required parameter: 'messages[{index}].content'.",
                    "missing_required_parameter",
                    f"messages[{index}].content",
                )
        return None

    def _model_card(self) -> dict[str, Any]:
        return {"id": self.model, "object": "model", "created": 1_700_000_000, "owned_by": "tanya"}

    @staticmethod
    def _json(
        exchange: Exchange, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        exchange.reply(status, body, "application/json", headers)

    def _error(
        self,
        exchange: Exchange,
        status: int,
        *,
        message: str | None,
        code: str | None,
        kind: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_kind, default_code, default_message = _ERRORS.get(
            status, ("server_error", None, f"Error {status}.")
        )
        error = {
            "message": message or default_message,
            "type": kind or default_kind,
            "param": param,
            "code": code if code is not None or message else default_code,
        }
        self._json(exchange, status, {"error": error}, headers)

    def _usage(self, request: dict[str, Any], text: str) -> dict[str, Any]:
        prompt = sum(
            _count_tokens(_content_text(m.get("content"))) + 3
            for m in request.get("messages", [])
            if isinstance(m, dict)
        )
        completion = _count_tokens(text)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }

    def _tool_calls(self, reply: Reply, completion_id: str) -> list[dict[str, Any]]:
        calls = []
        for index, call in enumerate(reply.tool_calls or []):
            arguments = call.get("arguments", {})
            if not isinstance(arguments, str):
                arguments = json.dumps(arguments, ensure_ascii=False)
            calls.append(
                {
                    "id": call.get("id") or f"call_{completion_id[-8:]}_{index}",
                    "type": "function",
                    "function": {"name": call["name"], "arguments": arguments},
                }
            )
        return calls

    def _finish_reason(self, reply: Reply) -> str:
        if reply.tool_calls and reply.finish_reason == "stop":
            return "tool_calls"
        return reply.finish_reason

    def _completion(self, request: dict[str, Any], reply: Reply) -> dict[str, Any]:
        completion_id = f"chatcmpl-test{next(self._ids):06d}"
        message: dict[str, Any] = {
            "role": "assistant",
            "content": reply.text if reply.text or not reply.tool_calls else None,
            "refusal": None,
            "annotations": [],
        }
        if reply.tool_calls:
            message["tool_calls"] = self._tool_calls(reply, completion_id)
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": self._finish_reason(reply),
                }
            ],
            "usage": self._usage(request, reply.text),
            "service_tier": "default",
            "system_fingerprint": "fp_tanya_test",
        }

    def _stream(self, exchange: Exchange, request: dict[str, Any], reply: Reply) -> None:
        completion_id = f"chatcmpl-test{next(self._ids):06d}"
        created = int(time.time())
        options = request.get("stream_options") or {}
        include_usage = bool(isinstance(options, dict) and options.get("include_usage"))

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            payload: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": request.get("model", self.model),
                "service_tier": "default",
                "system_fingerprint": "fp_tanya_test",
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            if include_usage:
                payload["usage"] = None
            return payload

        events: list[dict[str, Any]] = [
            chunk({"role": "assistant", "content": "", "refusal": None})
        ]
        content = [chunk({"content": piece}) for piece in _pieces(reply.text)]
        events += content
        for index, call in enumerate(self._tool_calls(reply, completion_id)):
            arguments = call["function"]["arguments"]
            events.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "id": call["id"],
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                            }
                        ]
                    }
                )
            )
            for piece in re.findall(r".{1,16}", arguments, flags=re.S):
                events.append(
                    chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                )
        events.append(chunk({}, self._finish_reason(reply)))
        if include_usage:
            final = chunk({})
            final["choices"] = []
            final["usage"] = self._usage(request, reply.text)
            events.append(final)
        # Dropping after half the content means the client has seen some text first.
        drop_at = 1 + len(content) // 2 if reply.drop_midstream else None

        exchange.start_chunked(
            200,
            "text/event-stream; charset=utf-8",
            {"Cache-Control": "no-cache", **reply.headers},
        )
        for number, event in enumerate(events):
            if drop_at is not None and number == drop_at:
                exchange.abort()
                return
            if number and reply.chunk_delay and not self.pause(reply.chunk_delay):
                exchange.abort()
                return
            data = json.dumps(event, ensure_ascii=False)
            exchange.write_chunk(f"data: {data}\n\n".encode())
        exchange.write_chunk(b"data: [DONE]\n\n")
        exchange.end_chunked()
