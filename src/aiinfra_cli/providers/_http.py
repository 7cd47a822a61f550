"""Light probes over plain HTTP (httpx): reachability, connect/TLS time, auth, model availability.

One GET per model where the provider has a per-model endpoint (Anthropic and OpenAI
``/v1/models/{id}``, Gemini ``/v1beta/models/{id}``); one models listing per local server
(OpenAI-compatible ``/models``, plus its health endpoint: Ollama's ``/api/tags`` and
``/api/version``, vLLM/TGI ``/health``), shared by that server's models.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

from aiinfra_cli.providers._classify import (
    classify_http,
    clean,
    describe_http,
    shorten,
)
from aiinfra_cli.providers._headers import headroom, request_id
from aiinfra_cli.providers._target import ANTHROPIC_VERSION, AZURE_API_VERSION, Target
from aiinfra_cli.providers._types import Headroom, ProbeFailure, Timings

USER_AGENT = "aiinfra-model-health"


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer and how long its parts took."""

    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str
    timings: Timings


@dataclass(frozen=True)
class Light:
    """What a light probe found."""

    timings: Timings
    http_status: int | None = None
    request_id: str | None = None
    headroom: Headroom | None = None
    model_available: bool | None = None
    server: str | None = None
    notes: tuple[str, ...] = ()


@dataclass
class HttpSession:
    """The HTTP side of one probe run: one TLS context, one client per probe (so each measures
    its own connect time), and lookups shared by the models of one local server."""

    timeout_s: float
    secrets: tuple[str, ...] = ()
    _ssl: ssl.SSLContext | None = None
    _shared: dict[str, asyncio.Task[Any]] = field(default_factory=dict)

    def prepare(self) -> ssl.SSLContext:
        """Load the TLS trust store now (~35 ms of CPU), not inside the deadline."""
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def client(self) -> httpx.AsyncClient:
        """A new client (cheap: the TLS context is shared); the caller closes it."""
        return httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout_s),
            verify=self.prepare(),
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
        )

    async def shared(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``make()`` once per ``key`` and let every caller await the same result."""
        task = self._shared.get(key)
        if task is None:
            task = asyncio.ensure_future(make())
            self._shared[key] = task
        # shield: one waiter being cancelled must not cancel the lookup the others wait on.
        return await asyncio.shield(task)

    def tasks(self) -> list[asyncio.Future[Any]]:
        """Every shared lookup started in this session, finished or not."""
        return list(self._shared.values())

    def running(self) -> set[asyncio.Task[Any]]:
        """Shared lookups still in flight (cancelled by the caller at the deadline)."""
        return {task for task in self._shared.values() if not task.done()}

    async def fetch(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], *, endpoint: str
    ) -> Fetched:
        """GET ``url``; transport failures become :class:`ProbeFailure` (timeout, connection)."""
        marks: dict[str, float] = {}

        async def trace(name: str, info: dict[str, Any]) -> None:
            marks[name] = time.perf_counter()

        start = time.perf_counter()
        try:
            response = await client.get(url, headers=headers, extensions={"trace": trace})
        except httpx.HTTPError as exc:
            raise transport_failure(exc, endpoint, self.timeout_s, self.secrets) from None
        end = time.perf_counter()
        timings = Timings(
            connect_ms=_span(marks, "connection.connect_tcp"),
            tls_ms=_span(marks, "connection.start_tls"),
            first_byte_ms=_since(
                start,
                next(
                    (
                        t
                        for n, t in marks.items()
                        if n.endswith("receive_response_headers.complete")
                    ),
                    None,
                ),
            ),
            total_ms=(end - start) * 1000,
        )
        return Fetched(
            status=response.status_code,
            headers=dict(response.headers),
            body=response.content,
            content_type=response.headers.get("content-type", ""),
            timings=timings,
        )


def _span(marks: dict[str, float], name: str) -> float | None:
    started, done = marks.get(name + ".started"), marks.get(name + ".complete")
    return None if started is None or done is None else (done - started) * 1000


def _since(start: float, moment: float | None) -> float | None:
    return None if moment is None else (moment - start) * 1000


def transport_failure(
    exc: Exception, endpoint: str, timeout_s: float, secrets: Iterable[str]
) -> ProbeFailure:
    """An httpx transport exception as a :class:`ProbeFailure`."""
    reason = root_reason(exc)
    if isinstance(exc, httpx.TimeoutException):
        what = "connecting to" if isinstance(exc, httpx.ConnectTimeout) else "waiting for"
        return ProbeFailure("timeout", f"timed out {what} {endpoint} (limit {timeout_s:g} s)")
    if isinstance(exc, httpx.ConnectError):
        tls = any(isinstance(cause, ssl.SSLError) for cause in _causes(exc))
        prefix = "TLS handshake with" if tls else "cannot connect to"
        return ProbeFailure("connection", clean(f"{prefix} {endpoint}: {reason}", secrets))
    if isinstance(exc, httpx.RemoteProtocolError):
        return ProbeFailure(
            "connection", clean(f"{endpoint} closed the connection: {reason}", secrets)
        )
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return ProbeFailure(
            "connection", clean(f"connection to {endpoint} broken: {reason}", secrets)
        )
    return ProbeFailure("connection", clean(f"{endpoint}: {reason}", secrets))


def root_reason(exc: BaseException) -> str:
    """The most telling words for a transport failure: the operating system's own reason (e.g.
    "Connection refused") when the chain of causes holds one, else the exception's text."""
    for seen in _causes(exc):
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"certificate verify failed: {seen.verify_message}"
        if isinstance(seen, ssl.SSLError):  # an OSError whose errno is OpenSSL's, not the OS's
            return str(seen.reason or seen)
        if isinstance(seen, OSError) and seen.errno:
            return os.strerror(seen.errno)
    return str(exc) or type(exc).__name__


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    return chain


def failure_from(fetched: Fetched, kind: str, secrets: Iterable[str]) -> ProbeFailure:
    """An HTTP error answer as a :class:`ProbeFailure` with its class, message and headers."""
    return ProbeFailure(
        classify_http(fetched.status, fetched.body, kind=kind),
        describe_http(fetched.status, fetched.body, secrets),
        http_status=fetched.status,
        headers=fetched.headers,
        timings=fetched.timings,
    )


def parse_json(fetched: Fetched) -> Any:
    """The JSON body of a 2xx answer, or a ``bad_response`` failure saying what came instead."""
    try:
        return json.loads(fetched.body)
    except ValueError:
        sample = fetched.body[:40].decode("utf-8", "replace")
        kind = fetched.content_type.split(";")[0] or "no content type"
        raise ProbeFailure(
            "bad_response",
            shorten(f"HTTP {fetched.status} but the body is not JSON ({kind}: {sample!r})"),
            http_status=fetched.status,
            headers=fetched.headers,
            timings=fetched.timings,
        ) from None


def _ok(fetched: Fetched, target: Target, session: HttpSession) -> Any:
    if not 200 <= fetched.status < 300:
        raise failure_from(fetched, target.kind, session.secrets)
    return parse_json(fetched)


def _light(fetched: Fetched, *, available: bool | None, notes: tuple[str, ...] = ()) -> Light:
    return Light(
        timings=fetched.timings,
        http_status=fetched.status,
        request_id=request_id(fetched.headers),
        headroom=headroom(fetched.headers),
        model_available=available,
        notes=notes,
    )


def _model_object(body: Any, fetched: Fetched) -> None:
    if not isinstance(body, dict) or not (body.get("id") or body.get("name")):
        raise ProbeFailure(
            "bad_response",
            f"HTTP {fetched.status} but the body is not a model object",
            http_status=fetched.status,
            timings=fetched.timings,
        )


async def light_probe(target: Target, session: HttpSession) -> Light:
    """Probe ``target`` without generating anything."""
    kind = target.kind
    if kind == "openai-compatible":
        return await _local(target, session)
    async with session.client() as client:
        if kind == "anthropic":
            url = f"{target.base_url}/v1/models/{quote(target.model.model, safe=':')}"
            headers = {"anthropic-version": ANTHROPIC_VERSION}
            if target.key:
                headers["x-api-key"] = target.key
        elif kind == "gemini":
            name = target.model.model.removeprefix("models/")
            url = f"{target.base_url}/v1beta/models/{quote(name, safe=':')}"
            headers = {"x-goog-api-key": target.key} if target.key else {}
        elif kind == "azure-openai":
            version = target.provider.api_version or AZURE_API_VERSION
            url = f"{target.base_url}/openai/models?api-version={quote(version)}"
            headers = {"api-key": target.key} if target.key else {}
        else:
            url = f"{target.base_url}/models/{quote(target.model.model, safe=':')}"
            headers = _bearer(target)
        fetched = await session.fetch(client, url, headers, endpoint=target.endpoint)
        body = _ok(fetched, target, session)
        if kind == "azure-openai":
            # The data plane lists base models, not deployments: a deep probe checks the deployment.
            return _light(fetched, available=None, notes=("deployment checked by --deep only",))
        _model_object(body, fetched)
        return _light(fetched, available=True)


def _bearer(target: Target) -> dict[str, str]:
    headers = {"authorization": f"Bearer {target.key}"} if target.key else {}
    if target.organization:
        headers["openai-organization"] = target.organization
    return headers


@dataclass(frozen=True)
class _Catalogue:
    light: Light
    names: frozenset[str] | None


async def _local(target: Target, session: HttpSession) -> Light:
    catalogue: _Catalogue = await session.shared(
        f"catalogue:{target.provider.name}", lambda: _local_catalogue(target, session)
    )
    if catalogue.names is None:
        return catalogue.light
    wanted = target.model.model
    aliases = {wanted, wanted if ":" in wanted else wanted + ":latest"}
    if aliases & catalogue.names:
        return replace(catalogue.light, model_available=True)
    raise ProbeFailure(
        "not_found",
        shorten(f"model '{wanted}' is not served by {target.endpoint}"),
        http_status=catalogue.light.http_status,
        timings=catalogue.light.timings,
    )


async def _local_catalogue(target: Target, session: HttpSession) -> _Catalogue:
    """A local server's health endpoint (if any) and model list, fetched once per server."""
    start = time.perf_counter()
    fetches: list[Fetched] = []
    async with session.client() as client:
        names: set[str] | None = None
        server: str | None = None
        health = target.health_url
        version_task: asyncio.Future[Fetched] | None = None
        if health is not None and health.endswith("/api/tags"):
            version_task = asyncio.ensure_future(
                session.fetch(
                    client, target.server_root + "/api/version", {}, endpoint=target.endpoint
                )
            )
            # Its failure only costs the version string; never leave its exception unread.
            version_task.add_done_callback(lambda t: t.cancelled() or t.exception())
        try:
            if health is not None:
                fetches.append(await session.fetch(client, health, {}, endpoint=target.endpoint))
                if not 200 <= fetches[-1].status < 300:
                    raise failure_from(fetches[-1], target.kind, session.secrets)
                names = _ollama_names(fetches[-1])
            if version_task is not None:
                server = await _ollama_version(version_task)
            listing = await session.fetch(
                client, f"{target.base_url}/models", _bearer(target), endpoint=target.endpoint
            )
        finally:
            if version_task is not None and not version_task.done():
                version_task.cancel()
        fetches.append(listing)
        timings = _combined(fetches, start)
        if listing.status in (404, 405) and health is not None:
            notes = ("no /models listing",) if names is None else ()
            light = _light(replace(fetches[0], timings=timings), available=None, notes=notes)
        else:
            body = _ok(replace(listing, timings=timings), target, session)
            listed = _openai_names(body)
            if listed is None:
                raise ProbeFailure(
                    "bad_response",
                    "the /models answer is not a model list",
                    http_status=listing.status,
                    timings=timings,
                )
            names = listed | (names or set())
            light = _light(replace(listing, timings=timings), available=None)
        return _Catalogue(
            replace(light, server=server), None if names is None else frozenset(names)
        )


def _combined(fetches: list[Fetched], start: float) -> Timings:
    """Several requests on one connection as one probe: the connection's set-up times, the
    first answer's first byte, and the whole sequence's total."""
    return Timings(
        connect_ms=next((f.timings.connect_ms for f in fetches if f.timings.connect_ms), None),
        tls_ms=next((f.timings.tls_ms for f in fetches if f.timings.tls_ms), None),
        first_byte_ms=fetches[0].timings.first_byte_ms,
        total_ms=(time.perf_counter() - start) * 1000,
    )


def _ollama_names(fetched: Fetched) -> set[str] | None:
    try:
        body = json.loads(fetched.body)
    except ValueError:
        return None
    models = body.get("models") if isinstance(body, dict) else None
    if not isinstance(models, list):
        return None
    return {
        name
        for entry in models
        if isinstance(entry, dict)
        for name in (entry.get("name"), entry.get("model"))
        if isinstance(name, str)
    }


def _openai_names(body: Any) -> set[str] | None:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return None
    return {
        entry["id"]
        for entry in data
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    }


async def _ollama_version(task: asyncio.Future[Fetched]) -> str | None:
    try:
        fetched = await task
        body = json.loads(fetched.body)
    except (ProbeFailure, ValueError):
        return None
    version = body.get("version") if isinstance(body, dict) else None
    return f"ollama {version}" if isinstance(version, str) else None
