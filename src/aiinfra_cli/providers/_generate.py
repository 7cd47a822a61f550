"""One generation with fallback over a chain of configured models (used by prompt tests).

Each model of the chain gets one request through its official SDK (Anthropic; OpenAI, Azure
OpenAI and OpenAI-compatible servers) or Gemini's REST API, with SDK retries off
(``max_retries=0``). A failure whose error class is in the route's ``fallback_on`` moves on to
the next model; any other failure (a bad key, a bad request) stops the chain. Every SDK and
transport exception is translated here into an :class:`AttemptFailure` (with the wait the
provider asked for, when it rate-limits); keys never leave it.

Where each model is reached (config ``base_url``, else the SDK's own environment variable, else
the public API) is decided once, in :func:`aiinfra_cli.providers._target.resolve`.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiinfra_cli.config import DEFAULT_FALLBACK_ON, Config
from aiinfra_cli.pricing import TokenUsage, from_anthropic, from_gemini, from_openai_chat
from aiinfra_cli.providers._classify import (
    classify_http,
    clean,
    describe_http,
    dns_failure,
)
from aiinfra_cli.providers._headers import wait_hint
from aiinfra_cli.providers._target import AZURE_API_VERSION, Target, resolve

DEFAULT_TIMEOUT_S = 60.0
# Anthropic requires max_tokens; without one in the prompt's parameters this is sent.
DEFAULT_MAX_TOKENS = 1024
# output_config carries structured outputs ({"format": {"type": "json_schema", "schema": …}}).
_ANTHROPIC_PARAMS = {
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "metadata",
    "output_config",
}
_OPENAI_PARAMS = {
    "temperature",
    "top_p",
    "stop",
    "seed",
    "response_format",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "n",
    "user",
    "reasoning_effort",
}


@dataclass(frozen=True)
class GenerationAttempt:
    """One request to one model: ``error`` is an error class, None when it answered;
    ``retry_after_s`` the wait a rate-limited answer asked for (None: it named none)."""

    model_id: str
    error: str | None = None
    detail: str = ""
    latency_ms: float = 0.0
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Completion:
    """The answer of the first model of the chain that answered."""

    text: str
    model_id: str
    usage: TokenUsage | None
    latency_ms: float
    attempts: tuple[GenerationAttempt, ...]


class AttemptFailure(Exception):
    """One model failed; ``error_class`` is one of ``config.ERROR_CLASSES``; ``retry_after_s``
    the wait the provider asked for (``Retry-After`` and kin), if any."""

    def __init__(self, error_class: str, detail: str, retry_after_s: float | None = None) -> None:
        super().__init__(detail)
        self.error_class = error_class
        self.detail = detail
        self.retry_after_s = retry_after_s


class GenerationFailed(Exception):
    """No model of the chain answered; ``attempts`` says what each one did."""

    def __init__(self, message: str, attempts: tuple[GenerationAttempt, ...]) -> None:
        super().__init__(message)
        self.attempts = attempts


def generate(
    config: Config,
    chain: Sequence[str],
    *,
    system: str | None,
    messages: Sequence[Mapping[str, str]],
    parameters: Mapping[str, Any] | None = None,
    fallback_on: Sequence[str] | None = None,
    timeout_s: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> Completion:
    """Ask the chain's models in order until one answers; raise :class:`GenerationFailed`."""
    env = os.environ if environ is None else environ
    moves_on = tuple(fallback_on) if fallback_on is not None else DEFAULT_FALLBACK_ON
    attempts: list[GenerationAttempt] = []
    for model_id in chain:
        model = config.model(model_id)
        if model is None:
            attempts.append(
                GenerationAttempt(model_id, "not_found", f"'{model_id}' is not a configured model")
            )
            continue
        target = resolve(model, config.providers[model.provider], env)
        limit = timeout_s or target.provider.timeout_s or DEFAULT_TIMEOUT_S
        _preload(target.kind)  # an SDK's import time is not the model's latency
        started = time.perf_counter()
        try:
            if target.missing_key:
                raise AttemptFailure("auth", f"${target.missing_key} is not set")
            text, usage = _call(target, _Request(system, messages, dict(parameters or {}), limit))
        except AttemptFailure as failure:
            elapsed = (time.perf_counter() - started) * 1000
            attempts.append(
                GenerationAttempt(
                    model_id, failure.error_class, failure.detail, elapsed, failure.retry_after_s
                )
            )
            if failure.error_class not in moves_on:
                break
            continue
        elapsed = (time.perf_counter() - started) * 1000
        attempts.append(GenerationAttempt(model_id, None, "", elapsed))
        return Completion(text, model_id, usage, elapsed, tuple(attempts))
    last = attempts[-1] if attempts else None
    reason = f"{last.model_id}: {last.error}: {last.detail}" if last else "the chain is empty"
    raise GenerationFailed(f"no model answered ({reason})", tuple(attempts))


def _preload(kind: str) -> None:
    if kind == "anthropic":
        import anthropic  # noqa: F401
    elif kind == "gemini":
        import httpx  # noqa: F401
    else:
        import openai  # noqa: F401


@dataclass(frozen=True)
class _Request:
    """One generation request, as every backend receives it."""

    system: str | None
    messages: Sequence[Mapping[str, str]]
    parameters: Mapping[str, Any]
    timeout_s: float


def _call(target: Target, request: _Request) -> tuple[str, TokenUsage | None]:
    secrets = [s for s in (target.key, target.organization) if s]
    backend = _BACKENDS.get(target.kind, _openai)  # the rest speak OpenAI's chat API
    try:
        return backend(target, request)
    except AttemptFailure:
        raise
    except Exception as exc:
        raise _translate(exc, target, request.timeout_s, secrets) from None


def _keywords(method: Any, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for an SDK method: what its signature names goes as is, the rest in
    ``extra_body`` (SDK releases drop typed parameters the API still accepts, e.g. temperature)."""
    try:
        known = set(inspect.signature(method).parameters)
    except (TypeError, ValueError):
        known = set()
    kwargs = {k: v for k, v in parameters.items() if k in known}
    extra = {k: v for k, v in parameters.items() if k not in known}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _max_tokens(parameters: Mapping[str, Any]) -> int | None:
    for key in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
        value = parameters.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _stop_list(stop: Any) -> list[Any]:
    """OpenAI's ``stop`` (a string or a list) as the list Anthropic and Gemini take."""
    return [stop] if isinstance(stop, str) else list(stop)


def _anthropic(target: Target, request: _Request) -> tuple[str, TokenUsage | None]:
    import anthropic

    extra = {k: v for k, v in request.parameters.items() if k in _ANTHROPIC_PARAMS}
    if "stop" in request.parameters and "stop_sequences" not in extra:
        extra["stop_sequences"] = _stop_list(request.parameters["stop"])
    if request.system:
        extra["system"] = request.system
    with anthropic.Anthropic(
        api_key=target.key, base_url=target.base_url, max_retries=0, timeout=request.timeout_s
    ) as client:
        create = client.messages.create
        # Recorded by the caller: the agent and live prompt tests append a usage event each.
        reply = create(  # aiinfra: ignore[AIC012]
            model=target.model.model,
            max_tokens=_max_tokens(request.parameters) or DEFAULT_MAX_TOKENS,
            messages=[{"role": m["role"], "content": m["content"]} for m in request.messages],  # type: ignore[misc]
            **_keywords(create, extra),
        )
    text = "".join(getattr(block, "text", "") for block in reply.content)
    usage = reply.usage.model_dump() if reply.usage is not None else None
    return text, None if usage is None else from_anthropic(usage)


def _openai(target: Target, request: _Request) -> tuple[str, TokenUsage | None]:
    import openai

    client: openai.OpenAI
    if target.kind == "azure-openai":
        client = openai.AzureOpenAI(
            api_key=target.key,
            azure_endpoint=target.base_url,
            api_version=target.provider.api_version or AZURE_API_VERSION,
            max_retries=0,
            timeout=request.timeout_s,
        )
    else:
        client = openai.OpenAI(
            # Local servers take no key, but the SDK insists on one; they ignore it.
            api_key=target.key or "no-key",
            base_url=target.base_url,
            organization=target.organization,
            max_retries=0,
            timeout=request.timeout_s,
        )
    chat: list[dict[str, str]] = []
    if request.system:
        chat.append({"role": "system", "content": request.system})
    chat.extend({"role": m["role"], "content": m["content"]} for m in request.messages)
    extra = {k: v for k, v in request.parameters.items() if k in _OPENAI_PARAMS}
    cap = _max_tokens(request.parameters)
    if cap is not None:
        # Official OpenAI wants max_completion_tokens (reasoning models require it); local
        # servers and older deployments know max_tokens.
        official = target.kind in ("openai", "azure-openai")
        extra["max_completion_tokens" if official else "max_tokens"] = cap
    with client:
        create = client.chat.completions.create
        # Recorded by the caller: the agent and live prompt tests append a usage event each.
        reply = create(  # aiinfra: ignore[AIC012]
            model=target.model.model,
            messages=chat,  # type: ignore[arg-type]
            **_keywords(create, extra),
        )
    choice = reply.choices[0] if reply.choices else None
    text = (choice.message.content or "") if choice is not None else ""
    return text, None if reply.usage is None else from_openai_chat(reply.usage)


def _gemini(target: Target, request: _Request) -> tuple[str, TokenUsage | None]:
    import httpx

    name = quote(target.model.model.removeprefix("models/"), safe=":")
    url = f"{target.base_url}/v1beta/models/{name}:generateContent"
    config: dict[str, Any] = {}
    cap = _max_tokens(request.parameters)
    if cap is not None:
        config["maxOutputTokens"] = cap
    for ours, theirs in (("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK")):
        if ours in request.parameters:
            config[theirs] = request.parameters[ours]
    if "stop" in request.parameters:
        config["stopSequences"] = _stop_list(request.parameters["stop"])
    body: dict[str, Any] = {
        "contents": [
            {
                "role": "model" if m["role"] == "assistant" else "user",
                "parts": [{"text": m["content"]}],
            }
            for m in request.messages
        ],
        "generationConfig": config,
    }
    if request.system:
        body["systemInstruction"] = {"parts": [{"text": request.system}]}
    headers = {"x-goog-api-key": target.key} if target.key else {}
    with httpx.Client(timeout=request.timeout_s) as client:
        response = client.post(url, json=body, headers=headers)
    if response.status_code >= 300:
        secrets = [target.key] if target.key else []
        raise AttemptFailure(
            classify_http(response.status_code, response.content, kind="gemini"),
            describe_http(response.status_code, response.content, secrets),
            wait_hint(response.headers) if response.status_code == 429 else None,
        )
    data = response.json()
    parts = ((data.get("candidates") or [{}])[0].get("content") or {}).get("parts") or []
    text = "".join(p.get("text", "") for p in parts if isinstance(p, dict))
    usage = data.get("usageMetadata")
    return text, None if usage is None else from_gemini(usage)


_BACKENDS: dict[str, Callable[[Target, _Request], tuple[str, TokenUsage | None]]] = {
    "anthropic": _anthropic,
    "gemini": _gemini,
}


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _translate(
    exc: Exception, target: Target, timeout_s: float, secrets: Sequence[str]
) -> AttemptFailure:
    """An SDK or transport exception as an :class:`AttemptFailure` (one line, no secrets)."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and getattr(exc, "response", None) is not None:
        body = getattr(exc, "body", None)
        if status < 300:
            return AttemptFailure(
                "bad_response", f"HTTP {status} but the body does not match the API"
            )
        headers = getattr(getattr(exc, "response", None), "headers", None)
        return AttemptFailure(
            classify_http(status, body, kind=target.kind),
            describe_http(status, body, secrets),
            wait_hint(headers) if status == 429 and headers is not None else None,
        )
    names = _names(exc)
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        names |= _names(cause)
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout"}:
        return AttemptFailure(
            "timeout", f"timed out waiting for {target.endpoint} ({timeout_s:g} s)"
        )
    if names & {"APIConnectionError", "TransportError", "NetworkError", "ConnectError"}:
        unresolved = dns_failure(exc, target.endpoint)
        if unresolved is not None:
            return AttemptFailure("connection", unresolved)
        reason = clean(str(cause or exc), secrets)
        return AttemptFailure("connection", f"connection to {target.endpoint} failed: {reason}")
    reason = clean(f"{type(exc).__name__}: {exc}", secrets)
    return AttemptFailure("bad_response", f"unreadable answer from {target.endpoint}: {reason}")
