"""Deep probes: a streamed 1-token generation through the official SDK (Anthropic, OpenAI and
OpenAI-compatible, Azure OpenAI) or Gemini's REST API, measuring time to first token, total
time and the tokens it was billed for.

SDK retries are off (``max_retries=0``): one probe is one request. Every SDK and transport
exception is translated here into a :class:`ProbeFailure`; nothing of the SDKs leaks out.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from aiinfra_cli.pricing import TokenUsage, from_anthropic, from_gemini, from_openai_chat
from aiinfra_cli.providers._classify import (
    classify_http,
    clean,
    describe_http,
    shorten,
)
from aiinfra_cli.providers._http import HttpSession, root_reason, transport_failure
from aiinfra_cli.providers._target import AZURE_API_VERSION, Target
from aiinfra_cli.providers._types import ProbeFailure

PROMPT = "ping"


@dataclass(frozen=True)
class Deep:
    """What the generation measured. ``usage`` is None when the server reported none."""

    ttft_ms: float | None
    generation_ms: float
    usage: TokenUsage | None
    headers: dict[str, str]


class _Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first: float | None = None

    def token(self) -> None:
        if self.first is None:
            self.first = time.perf_counter()

    def done(self, usage: TokenUsage | None, headers: dict[str, str]) -> Deep:
        end = time.perf_counter()
        ttft = None if self.first is None else (self.first - self.start) * 1000
        return Deep(ttft, (end - self.start) * 1000, usage, headers)


class SdkClients:
    """One official SDK client per provider, shared by its models' probes.

    A client built the default way loads a TLS trust store (~40 ms of CPU, in the event loop):
    twenty probes each building their own would spend most of a one-second deadline on it. So
    they share the run's TLS context and are built by :meth:`prepare` before the deadline.
    """

    def __init__(self, timeout_s: float, tls: ssl.SSLContext) -> None:
        self.timeout_s = timeout_s
        self.tls = tls
        self._clients: dict[str, Any] = {}

    def prepare(self, targets: Iterable[Target]) -> None:
        """Build the clients the deep probes of ``targets`` will use."""
        for target in targets:
            if target.kind != "gemini" and not target.missing_key:
                self.client(target)

    def client(self, target: Target) -> Any:
        """The client for ``target``'s provider (built on first use)."""
        name = target.provider.name
        if name not in self._clients:
            self._clients[name] = _build_client(target, self.timeout_s, self.tls)
        return self._clients[name]

    async def aclose(self) -> None:
        """Close every client (their connection pools)."""
        for client in self._clients.values():
            with contextlib.suppress(Exception):
                await client.close()
        self._clients.clear()


def _build_client(target: Target, timeout_s: float, tls: ssl.SSLContext) -> Any:
    if target.kind == "anthropic":
        import anthropic

        return anthropic.AsyncAnthropic(
            api_key=target.key,
            base_url=target.base_url,
            max_retries=0,
            timeout=timeout_s,
            http_client=anthropic.DefaultAsyncHttpxClient(verify=tls),
        )
    import openai

    http_client = openai.DefaultAsyncHttpxClient(verify=tls)
    if target.kind == "azure-openai":
        return openai.AsyncAzureOpenAI(
            api_key=target.key,
            azure_endpoint=target.base_url,
            api_version=target.provider.api_version or AZURE_API_VERSION,
            max_retries=0,
            timeout=timeout_s,
            http_client=http_client,
        )
    return openai.AsyncOpenAI(
        # Local servers take no key, but the SDK insists on one; they ignore it.
        api_key=target.key or "no-key",
        base_url=target.base_url,
        organization=target.organization,
        max_retries=0,
        timeout=timeout_s,
        http_client=http_client,
    )


async def deep_probe(target: Target, session: HttpSession, clients: SdkClients) -> Deep:
    """Generate one token from ``target``, streaming."""
    try:
        if target.kind == "anthropic":
            return await _anthropic(target, clients.client(target))
        if target.kind == "gemini":
            return await _gemini(target, session)
        return await _openai(target, clients.client(target))
    except ProbeFailure:
        raise
    except Exception as exc:
        failure = _translate(exc, target, session.timeout_s, session.secrets)
        if failure is None:
            raise
        raise failure from None


async def _anthropic(target: Target, client: Any) -> Deep:
    clock = _Clock()
    raw = await client.messages.with_raw_response.create(
        model=target.model.model,
        max_tokens=1,
        messages=[{"role": "user", "content": PROMPT}],
        stream=True,
    )
    headers = dict(raw.headers)
    stream = await raw.parse()
    usage: dict[str, Any] = {}
    started = False
    event: Any
    async for event in stream:
        kind = getattr(event, "type", None)
        if kind == "message_start":
            started = True
            usage.update(_present(event.message.usage))
        elif kind == "content_block_delta":
            clock.token()
        elif kind == "message_delta":
            usage.update(_present(event.usage))
    if not started:
        raise _empty_stream(headers, "message_start")
    return clock.done(from_anthropic(usage), headers)


async def _openai(target: Target, client: Any) -> Deep:
    import openai

    # Official OpenAI takes max_completion_tokens (required by reasoning models); local servers
    # and older deployments know max_tokens.
    official = target.kind in ("openai", "azure-openai")
    clock = _Clock()
    raw = await client.chat.completions.with_raw_response.create(
        model=target.model.model,
        messages=[{"role": "user", "content": PROMPT}],
        stream=True,
        stream_options={"include_usage": True},
        max_completion_tokens=1 if official else openai.omit,
        max_tokens=openai.omit if official else 1,
    )
    headers = dict(raw.headers)
    stream = raw.parse()  # openai's raw response parses synchronously
    usage: Any = None
    chunks = 0
    chunk: Any
    async for chunk in stream:
        chunks += 1
        choices = getattr(chunk, "choices", None) or []
        if choices and getattr(choices[0].delta, "content", None):
            clock.token()
        if getattr(chunk, "usage", None) is not None:
            usage = chunk.usage
    if chunks == 0:
        raise _empty_stream(headers, "chunk")
    return clock.done(None if usage is None else from_openai_chat(usage), headers)


async def _gemini(target: Target, session: HttpSession) -> Deep:
    name = quote(target.model.model.removeprefix("models/"), safe=":")
    url = f"{target.base_url}/v1beta/models/{name}:streamGenerateContent?alt=sse"
    body = {
        "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
        "generationConfig": {"maxOutputTokens": 1},
    }
    headers = {"x-goog-api-key": target.key} if target.key else {}
    async with session.client() as client:
        clock = _Clock()
        try:
            async with client.stream("POST", url, json=body, headers=headers) as response:
                got = dict(response.headers)
                if response.status_code >= 300:
                    await response.aread()
                    raise ProbeFailure(
                        classify_http(response.status_code, response.content, kind="gemini"),
                        describe_http(response.status_code, response.content, session.secrets),
                        http_status=response.status_code,
                        headers=got,
                    )
                usage: Any = None
                events = 0
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    events += 1
                    data = json.loads(line[5:])
                    if _gemini_text(data):
                        clock.token()
                    if isinstance(data, dict) and data.get("usageMetadata"):
                        usage = data["usageMetadata"]
        except httpx.HTTPError as exc:
            raise transport_failure(
                exc, target.endpoint, session.timeout_s, session.secrets
            ) from None
        if events == 0:
            raise _empty_stream(got, "data event")
        return clock.done(None if usage is None else from_gemini(usage), got)


def _gemini_text(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    for candidate in data.get("candidates") or ():
        parts = (
            (candidate.get("content") or {}).get("parts") if isinstance(candidate, dict) else None
        )
        if any(isinstance(p, dict) and p.get("text") for p in parts or ()):
            return True
    return False


def _present(usage: Any) -> dict[str, Any]:
    """A usage object's fields that are set (message_delta repeats only some of them)."""
    if usage is None:
        return {}
    data = usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
    return {key: value for key, value in data.items() if value is not None}


def _empty_stream(headers: dict[str, str], wanted: str) -> ProbeFailure:
    content_type = headers.get("content-type", "no content type").split(";")[0]
    return ProbeFailure(
        "bad_response",
        f"HTTP 200 but the stream held no {wanted} ({content_type})",
        headers=headers,
    )


def _transport_names(exc: BaseException) -> set[str]:
    # The SDKs' HTTP library (httpx or its successor) raises its own transport errors from inside
    # a stream; they are recognised by name so no version of either library has to be imported.
    return {
        cls.__name__
        for cls in type(exc).__mro__
        if cls.__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "httpcore2")
    }


def _translate(
    exc: Exception, target: Target, timeout_s: float, secrets: Iterable[str]
) -> ProbeFailure | None:
    """An SDK or transport exception as a :class:`ProbeFailure` (None: not one we know)."""
    endpoint = target.endpoint
    status = getattr(exc, "status_code", None)
    response = getattr(exc, "response", None)
    if isinstance(status, int) and response is not None and _is_sdk_error(exc):
        headers = dict(getattr(response, "headers", {}) or {})
        body = getattr(exc, "body", None)
        if status < 300:  # a 2xx the SDK could not validate
            return ProbeFailure(
                "bad_response",
                f"HTTP {status} but the body does not match the API",
                http_status=status,
            )
        return ProbeFailure(
            classify_http(status, body, kind=target.kind),
            describe_http(status, body, secrets),
            http_status=status,
            headers=headers,
        )
    names = _transport_names(exc) | {type(exc).__name__}
    cause = exc.__cause__ or exc.__context__
    reason = clean(root_reason(cause or exc), secrets)
    if "APITimeoutError" in names or "TimeoutException" in names:
        return ProbeFailure("timeout", f"timed out waiting for {endpoint} (limit {timeout_s:g} s)")
    if "APIConnectionError" in names or "TransportError" in names or "NetworkError" in names:
        if cause is not None and "TimeoutException" in _transport_names(cause):
            return ProbeFailure(
                "timeout", f"timed out waiting for {endpoint} (limit {timeout_s:g} s)"
            )
        return ProbeFailure("connection", shorten(f"connection to {endpoint} failed: {reason}"))
    if isinstance(exc, ValueError):  # json.JSONDecodeError inside the stream, among others
        return ProbeFailure("bad_response", shorten(f"unreadable answer from {endpoint}: {reason}"))
    if _is_sdk_error(exc):
        return ProbeFailure("bad_response", shorten(f"{type(exc).__name__}: {reason}"))
    return None


def _is_sdk_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("anthropic", "openai")
