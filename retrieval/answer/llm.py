"""The chat model named by `TANYA_LLM` (`provider:model`), built with
LangChain's `init_chat_model`, and plain words for why a call failed.

Only the provider package the user picked must be installed; a missing one
is an `LLMConfigError` that names the `pip install 'tanya[...]'` to run.
`TANYA_LLM_BASE_URL` points the OpenAI client at any OpenAI-compatible
server (vLLM, llama.cpp, LM Studio, Groq, OpenRouter, ...).

Timeouts and retries (with exponential backoff) are the provider clients'
own, configured from `TANYA_LLM_TIMEOUT` and `TANYA_LLM_MAX_RETRIES`: a
request is retried until its reply starts, never after (tokens already
streamed to the user cannot be taken back). Ollama's client has a timeout
but no retries. Whatever still fails, the chain answers offline instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrieval.core.settings import Settings

if TYPE_CHECKING:  # imported when a model is loaded: not on the offline path
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)


class LLMConfigError(RuntimeError):
    """`TANYA_LLM` cannot be used as set (unknown provider, package missing)."""


# provider → the tanya extra that installs its LangChain package.
EXTRAS = {
    "openai": "openai",
    "azure_openai": "openai",
    "ollama": "ollama",
    "anthropic": "anthropic",
    "google_genai": "google",
}

# Providers whose LangChain class takes `timeout` and `max_retries` (the
# client then retries with exponential backoff on its own).
_CLIENT_RETRIES = frozenset(
    [
        "openai",
        "azure_openai",
        "anthropic",
        "google_genai",
        "groq",
        "mistralai",
        "deepseek",
        "xai",
        "fireworks",
        "together",
    ]
)


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


def parse_llm_setting(value: str, base_url: str | None) -> ModelSpec | None:
    """`TANYA_LLM` → provider and model; None when no model is configured.

    With a base URL and no provider ("qwen2.5-7b-instruct"), the server is
    taken to be OpenAI-compatible.
    """
    value = value.strip()
    if not value:
        if base_url:
            raise LLMConfigError(
                "TANYA_LLM_BASE_URL is set but TANYA_LLM is empty: set TANYA_LLM to the model "
                "the server serves, e.g. TANYA_LLM=openai:qwen2.5-7b-instruct"
            )
        return None
    provider, sep, model = value.partition(":")
    if not sep:
        if base_url:
            return ModelSpec("openai", value)
        raise LLMConfigError(
            f"TANYA_LLM={value!r} names no provider: write provider:model, e.g. "
            "openai:gpt-4o-mini, ollama:qwen2.5, anthropic:claude-3-5-haiku-latest, "
            "google_genai:gemini-2.0-flash"
        )
    provider = provider.strip().lower()
    model = model.strip()
    if not model:
        raise LLMConfigError(f"TANYA_LLM={value!r} names no model after '{provider}:'")
    return ModelSpec(provider, model)


def _provider_kwargs(spec: ModelSpec, settings: Settings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"temperature": settings.llm_temperature}
    if spec.provider in _CLIENT_RETRIES:
        kwargs["timeout"] = settings.llm_timeout
        kwargs["max_retries"] = settings.llm_max_retries
    elif spec.provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": settings.llm_timeout}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if spec.provider == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if key:
            kwargs["api_key"] = key
        elif settings.llm_base_url:
            # Local OpenAI-compatible servers accept any key, but the client wants one.
            kwargs["api_key"] = "not-needed"
    return kwargs


def load_chat_model(settings: Settings) -> tuple[ModelSpec, BaseChatModel] | None:
    """The configured chat model, or None for offline (extractive) answers."""
    spec = parse_llm_setting(settings.llm, settings.llm_base_url)
    if spec is None:
        return None
    from langchain.chat_models import init_chat_model

    try:
        model = init_chat_model(
            spec.model, model_provider=spec.provider, **_provider_kwargs(spec, settings)
        )
    except ImportError as exc:
        extra = EXTRAS.get(spec.provider)
        fix = (
            f"pip install 'tanya[{extra}]'"
            if extra
            else f"pip install langchain-{spec.provider.replace('_', '-')}"
        )
        raise LLMConfigError(
            f"TANYA_LLM={spec} needs the {spec.provider} provider package, which is not "
            f"installed: {fix}"
        ) from exc
    except ValueError as exc:
        if "provider" in str(exc).lower():
            raise LLMConfigError(
                f"TANYA_LLM={spec}: unknown provider {spec.provider!r} (e.g. openai, ollama, "
                "anthropic, google_genai; or set TANYA_LLM_BASE_URL for an OpenAI-compatible "
                "server)"
            ) from exc
        raise LLMConfigError(f"TANYA_LLM={spec}: {exc}") from exc
    except Exception as exc:  # the provider class refused its settings (e.g. no API key)
        raise LLMConfigError(f"TANYA_LLM={spec} cannot be set up: {_first_line(exc)}") from exc
    return spec, model


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """Why a model call failed, in words a user can act on."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    where = f" at {settings.llm_base_url}" if settings.llm_base_url else ""
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return f"no reply within {settings.llm_timeout:g} s{where}"
    if status in (401, 403) or "Authentication" in name or "PermissionDenied" in name:
        return "the provider refused the API key (check OPENAI_API_KEY or the provider's key)"
    if status == 429 or "RateLimit" in name:
        return "the provider is rate-limiting requests (HTTP 429)"
    if status == 404 or "NotFound" in name:
        return f"the provider does not know this model (HTTP 404){where}"
    if isinstance(status, int):
        return f"the provider answered HTTP {status}{where}"
    if "Connection" in name or isinstance(exc, ConnectionError):
        return f"could not connect{where}"
    return f"{name}: {_first_line(exc)}"
