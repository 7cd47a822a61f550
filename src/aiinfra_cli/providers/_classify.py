"""Provider error answers -> one error class of ``config.ERROR_CLASSES``, and a short message.

Each provider spells the same failure differently (what the rules below absorb):

=============  ==================================  ========================================
failure        Anthropic                           OpenAI / Gemini
=============  ==================================  ========================================
bad key        401 authentication_error            401 invalid_api_key / 400 API_KEY_INVALID
no credit      400 "credit balance is too low",    429 insufficient_quota / (Gemini: 429
               402 billing_error                   RESOURCE_EXHAUSTED is its rate limit)
overloaded     529 overloaded_error                503
long prompt    400 "prompt is too long"            400 context_length_exceeded /
                                                   "exceeds the maximum number of tokens"
=============  ==================================  ========================================
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiinfra_cli.redact import redact, scrub_values

_MESSAGE_LIMIT = 160


@dataclass(frozen=True)
class ErrorBody:
    """The useful parts of a provider's error JSON (any of the providers' shapes)."""

    type: str | None = None
    code: str | None = None
    message: str | None = None
    reasons: tuple[str, ...] = ()


def parse_error_body(body: object) -> ErrorBody:
    """Read ``{"error": {...}}`` (OpenAI, Gemini), ``{"type": "error", "error": {...}}``
    (Anthropic), ``{"error": "text"}`` (Ollama, TGI), ``{"message": ...}`` (vLLM) or a bare
    inner object (what the openai SDK keeps)."""
    if isinstance(body, bytes | str):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            body = json.loads(text)
        except ValueError:
            return ErrorBody(message=text.strip()[:_MESSAGE_LIMIT] or None)
    if not isinstance(body, dict):
        return ErrorBody()
    inner: Any = body.get("error", body)
    if isinstance(inner, str):
        return ErrorBody(message=inner, type=_text(body.get("error_type")))
    if not isinstance(inner, dict):
        return ErrorBody()
    reasons = tuple(
        reason
        for detail in inner.get("details") or ()
        if isinstance(detail, dict) and isinstance(reason := detail.get("reason"), str)
    )
    return ErrorBody(
        type=_text(inner.get("type")) or _text(inner.get("status")),
        # Gemini's numeric "code" repeats the HTTP status; only a named code says more.
        code=code if isinstance(code := inner.get("code"), str) and code else None,
        message=_text(inner.get("message")),
        reasons=reasons,
    )


def _text(value: object) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def classify_http(status: int, body: object, *, kind: str) -> str:
    """The error class of an HTTP error answer from a provider of config kind ``kind``."""
    error = parse_error_body(body)
    words = " ".join(filter(None, (error.type, error.code, error.message))).lower()
    if status in (401, 407):
        return "auth"
    if status == 403:
        return "auth"
    if status == 402 or "billing_error" in words:
        return "quota"
    if status == 404:
        return "not_found"
    if status == 408:
        return "timeout"
    if status == 429:
        # Gemini's per-minute limits also say "check your plan and billing details".
        if "insufficient_quota" in words or ("billing" in words and kind != "gemini"):
            return "quota"
        return "rate_limited"
    if status == 400:
        if "api_key_invalid" in (r.lower() for r in error.reasons) or "api key not valid" in words:
            return "auth"
        if "credit balance" in words:
            return "quota"
        if _is_context_overflow(words):
            return "context_overflow"
        if "content_filter" in words or "content_policy" in words or "safety" in words:
            return "content_filter"
        return "bad_request"
    if status in (413, 422) or 400 <= status < 500:
        return "bad_request"
    if status == 504:
        return "timeout"
    if status >= 500:
        return "server_error"
    return "bad_response"


def _is_context_overflow(words: str) -> bool:
    return any(
        marker in words
        for marker in (
            "context_length_exceeded",
            "prompt is too long",
            "maximum context length",
            "exceeds the maximum number of tokens",
            "context window",
        )
    )


def describe_http(status: int, body: object, secrets: Iterable[str]) -> str:
    """``HTTP 429 rate_limit_error: This request would exceed …``, free of ``secrets`` and of
    anything shaped like a key, then shortened (in that order: a key cut by the limit would
    otherwise slip past the scrub less its last character)."""
    error = parse_error_body(body)
    label = error.code or error.type
    text = f"HTTP {status}"
    if label:
        text += f" {label}"
    if error.message:
        text += f": {error.message}"
    return clean(text, secrets)


def shorten(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    """One line, at most ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` without any of ``secrets`` (in every escaped form) and without anything shaped
    like a key.

    Providers echo keys back (OpenAI masks most of it; a proxy may not), so every message that
    came from the other side passes through here before it is kept.
    """
    return redact(scrub_values(text, secrets))


def clean(text: str, secrets: Iterable[str]) -> str:
    """:func:`scrub`, then :func:`shorten`: the one order that never keeps part of a key."""
    return shorten(scrub(text, secrets))
