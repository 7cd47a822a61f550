"""A loopback HTTP server speaking the providers' protocols, with a per-test fault schedule."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from fakeprovider import _faults as F
from fakeprovider._faults import Fault, Rule, Schedule
from fakeprovider._wire import (
    DEFAULT_MODELS,
    Anthropic,
    Gemini,
    Json,
    Ollama,
    OpenAI,
    RateLimits,
    count_input,
    split_reply,
)

_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "x-goog-api-key"})
REDACTED = "[REDACTED]"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; credentials are replaced by ``[REDACTED]``.

    ``key_sent`` says whether any credential came with it; ``key_ok`` whether it was the server's
    ``api_key`` (None when the server checks no key or the route needs none).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    route: str
    model: str | None
    headers: dict[str, str]
    body: Any
    key_sent: bool
    key_ok: bool | None
    at: float


class _Stop(Exception):
    """The response is over: the connection has been dropped or reset on purpose."""


@dataclass
class _Call:
    """A request being answered."""

    handler: BaseHTTPRequestHandler
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    route: str = ""
    protocol: str = ""
    model: str | None = None
    stream: bool = False
    key: str | None = None
    fault: Fault | None = None
    extra: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 drops the SYNs of a burst of concurrent clients, which then
    # retry a second later: a fake latency the probes would measure.
    request_queue_size = 256

    def __init__(self, owner: FakeProvider) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        if self.owner.tls is not None:
            # The handshake happens here, in the connection's thread, not in the accept loop.
            try:
                request = self.owner.tls.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError):
                self.shutdown_request(request)
                return
        self.owner._track(request, threading.current_thread(), add=True)
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.owner._track(request, threading.current_thread(), add=False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-response are part of the tests; stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30  # an idle keep-alive connection is closed after this many seconds

    def do_GET(self) -> None:
        self.server.owner._serve(self, "GET")

    def do_POST(self) -> None:
        self.server.owner._serve(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:
        return


class FakeProvider:
    """A local test server speaking Anthropic, OpenAI, Gemini and Ollama protocols.

    Start it with ``with FakeProvider() as server:`` (or the ``fake_provider`` fixture); it listens
    on 127.0.0.1 on an ephemeral port, serves each connection in a daemon thread, and stops when
    the block ends or after ``max_lifetime`` seconds, whichever comes first (hung responses end
    when it stops). Point SDKs at ``anthropic_base_url`` / ``openai_base_url`` /
    ``gemini_base_url``. ``api_key`` set: requests must carry it (else each protocol's 401/400).
    ``tls_cert``/``tls_key`` (PEM files): serve HTTPS instead of HTTP.
    ``models`` is the catalogue: unknown models get each protocol's real "model not found".
    Anthropic structured outputs (``output_config.format``) are checked as the API checks them
    (a JSON Schema whose objects all set ``additionalProperties: false``); models listed in
    ``unstructured_models`` refuse them with a 400, as models without the feature do.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        models: Iterable[str] = DEFAULT_MODELS,
        reply: str = "Hello from the fake provider.",
        rate_limits: RateLimits | None = None,
        latency: float = 0.0,
        max_lifetime: float = 300.0,
        tls_cert: str | None = None,
        tls_key: str | None = None,
    ) -> None:
        self.api_key = api_key
        self.tls: ssl.SSLContext | None = None
        if tls_cert is not None:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(tls_cert, tls_key)
        self.models: list[str] = list(models)
        self.reply = reply
        self.rate_limits = rate_limits or RateLimits()
        self.latency = latency
        self.usage_overrides: dict[str, Json] = {}
        self.unstructured_models: set[str] = set()
        self.schedule = Schedule()
        self.requests: list[RecordedRequest] = []
        self.max_lifetime = max_lifetime
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: dict[int, socket.socket] = {}
        self._threads: set[threading.Thread] = set()
        self._counter = 0
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeProvider:
        """Bind and serve in a background thread."""
        self._httpd = _Server(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(self.max_lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving, end hung responses, close every connection; idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._timer is not None:
            self._timer.cancel()
        httpd = self._httpd
        if httpd is None:
            return
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections.values())
            threads = list(self._threads)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        deadline = time.monotonic() + 2.0
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self._httpd is not None, "start the server first"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https`` with ``tls_cert``; no trailing slash)."""
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def anthropic_base_url(self) -> str:
        """``base_url`` for the anthropic SDK (it appends ``/v1/messages``)."""
        return self.url

    @property
    def openai_base_url(self) -> str:
        """``base_url`` for the openai SDK (``…/v1``)."""
        return self.url + "/v1"

    @property
    def gemini_base_url(self) -> str:
        """The Gemini REST root (requests go to ``/v1beta/models/…``)."""
        return self.url

    # --- test-facing helpers -----------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        route: str | None = None,
        model: str | None = None,
        calls: Iterable[int] | None = None,
    ) -> Rule:
        """Schedule ``fault`` for requests on ``route`` (e.g. ``"anthropic"``,
        ``"openai.chat"``; None: all) for ``model`` (None: any), at call indices ``calls``
        counted per rule (None: every call). The first matching rule wins."""
        return self.schedule.add(fault, route=route, model=model, calls=calls)

    def requests_for(self, route: str) -> list[RecordedRequest]:
        """The recorded requests whose route is ``route`` or below it."""
        with self._lock:
            return [r for r in self.requests if r.route == route or r.route.startswith(route + ".")]

    # --- internals ---------------------------------------------------------------------------

    def _track(self, conn: socket.socket, thread: threading.Thread, *, add: bool) -> None:
        if add:
            # Headers and body go out in separate sends: with Nagle's algorithm here and delayed
            # ACKs in the client, every response would wait ~40 ms on loopback.
            with contextlib.suppress(OSError):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if add:
                self._connections[id(conn)] = conn
                self._threads.add(thread)
            else:
                self._connections.pop(id(conn), None)
                self._threads.discard(thread)

    def _next_id(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        call = _Call(handler, method, unquote(parts.path), parse_qs(parts.query), headers, body)
        self._route(call)
        self._record(call)
        try:
            self._answer(call)
        except _Stop:
            handler.close_connection = True
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            handler.close_connection = True

    def _route(self, call: _Call) -> None:
        path, method, body = call.path, call.method, call.body
        is_json = isinstance(body, dict)
        model = body.get("model") if is_json else None
        call.model = model if isinstance(model, str) else None
        call.stream = bool(body.get("stream")) if is_json else False
        anthropic = "anthropic-version" in call.headers or "x-api-key" in call.headers
        if method == "POST" and path == "/v1/messages":
            call.route, call.protocol = "anthropic.messages", "anthropic"
        elif method == "GET" and path in ("/v1/models", "/v1/models/"):
            call.route, call.protocol = (
                ("anthropic" if anthropic else "openai") + ".models",
                ("anthropic" if anthropic else "openai"),
            )
        elif method == "GET" and path.startswith("/v1/models/"):
            call.protocol = "anthropic" if anthropic else "openai"
            call.route = call.protocol + ".model"
            call.model = path[len("/v1/models/") :]
        elif method == "GET" and path == "/openai/models":  # Azure OpenAI's data plane
            call.route, call.protocol = "openai.models", "openai"
        elif method == "POST" and path == "/v1/chat/completions":
            call.route, call.protocol = "openai.chat", "openai"
        elif (
            method == "POST"
            and path.startswith("/openai/deployments/")
            and path.endswith("/chat/completions")
        ):
            call.route, call.protocol = "openai.chat", "openai"
            call.model = path.split("/")[3]
        elif method == "POST" and path == "/v1/responses":
            call.route, call.protocol = "openai.responses", "openai"
        elif method == "GET" and path == "/api/tags":
            call.route, call.protocol = "ollama.tags", "ollama"
        elif method == "GET" and path == "/api/version":
            call.route, call.protocol = "ollama.version", "ollama"
        elif method == "GET" and path == "/health":
            call.route, call.protocol = "health", "health"
        elif method == "GET" and path.rstrip("/") == "/v1beta/models":
            call.route, call.protocol = "gemini.models", "gemini"
        elif path.startswith("/v1beta/models/"):
            name = path[len("/v1beta/models/") :]
            call.protocol = "gemini"
            if ":" in name and method == "POST":
                call.model, action = name.rsplit(":", 1)
                call.route = (
                    "gemini.stream" if action == "streamGenerateContent" else "gemini.generate"
                )
                call.stream = action == "streamGenerateContent"
            else:
                call.route, call.model = "gemini.model", name
        else:
            call.route, call.protocol = "unknown", "health"
        call.key = self._credential(call)

    def _credential(self, call: _Call) -> str | None:
        h = call.headers
        if "x-api-key" in h:
            return h["x-api-key"]
        if "x-goog-api-key" in h:
            return h["x-goog-api-key"]
        if "api-key" in h:
            return h["api-key"]
        auth = h.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        keys = call.query.get("key")
        return keys[0] if keys else None

    def _needs_key(self, call: _Call) -> bool:
        return self.api_key is not None and call.protocol in ("anthropic", "openai", "gemini")

    def _record(self, call: _Call) -> None:
        headers = {k: (REDACTED if k in _SECRET_HEADERS else v) for k, v in call.headers.items()}
        query = {k: ([REDACTED] if k == "key" else v) for k, v in call.query.items()}
        record = RecordedRequest(
            method=call.method,
            path=call.path,
            query=query,
            route=call.route,
            model=call.model,
            headers=headers,
            body=call.body,
            key_sent=call.key is not None,
            key_ok=(call.key == self.api_key) if self._needs_key(call) else None,
            at=time.time(),
        )
        with self._lock:
            self.requests.append(record)

    # --- answering ---------------------------------------------------------------------------

    def _answer(self, call: _Call) -> None:
        fault = self.schedule.pick(call.route, call.model)
        call.fault = fault
        rid = f"req_fake_{self._next_id():06d}"
        call.extra = {"request-id": rid} if call.protocol == "anthropic" else {}
        if call.protocol == "openai":
            call.extra = {"x-request-id": rid, "openai-processing-ms": "1"}
        if self.latency:
            self._sleep(self.latency)
        if fault is not None:
            if fault.kind == F.HANG:
                self._sleep(fault.seconds)
                self._drop(call, reset=False)
            if fault.kind == F.RESET:
                self._drop(call, reset=True)
            if fault.kind == F.SLOW_FIRST_BYTE:
                self._sleep(fault.seconds)
        if self._needs_key(call) and call.key != self.api_key:
            echo = call.key if fault is not None and fault.echo_key else None
            # Gemini answers a missing key with 403 and a wrong one with 400 API_KEY_INVALID.
            missing = call.key is None and call.protocol == "gemini"
            self._error(call, "permission" if missing else "auth", 401, echo, rid)
            return
        if fault is not None and fault.kind == F.STATUS:
            assert fault.error is not None and fault.status is not None
            echo = call.key if fault.echo_key else None
            self._error(call, fault.error, fault.status, echo, rid, fault.message)
            return
        if fault is not None and fault.kind == F.ECHO_IDS and call.key is not None:
            call.extra = {name: call.key for name in ("request-id", "x-request-id")}
            rid = call.key
        if fault is not None and fault.kind == F.GARBAGE:
            page = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
            self._send(call, 200, page, "application/json")
            return
        getattr(self, "_" + call.route.replace(".", "_"))(call, rid)

    def _sleep(self, seconds: float) -> None:
        # Bounded by the server's life: a hung response ends when the server stops.
        self._stopping.wait(seconds)

    def _drop(self, call: _Call, *, reset: bool) -> None:
        sock = call.handler.connection
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if not reset:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        raise _Stop

    def _headers_for(self, call: _Call, *, limits: bool) -> dict[str, str]:
        headers = dict(call.extra)
        if limits:
            if call.protocol == "anthropic":
                headers.update(Anthropic.rate_limit_headers(self.rate_limits))
            elif call.protocol == "openai":
                headers.update(OpenAI.rate_limit_headers(self.rate_limits))
        return headers

    def _send(
        self,
        call: _Call,
        status: int,
        payload: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        h = call.handler
        fault = call.fault
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(payload)))
        for name, value in (headers if headers is not None else call.extra).items():
            h.send_header(name, value)
        h.end_headers()
        if fault is not None and fault.kind == F.CUT_STREAM:
            h.wfile.write(payload[: len(payload) // 2])
            self._drop(call, reset=False)
        h.wfile.write(payload)

    def _json(
        self, call: _Call, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        fault = call.fault
        if fault is not None and fault.kind == F.INVALID_JSON:
            payload = json.dumps(body).encode()[:-7] + b"<!--"
        else:
            payload = json.dumps(body).encode()
        self._send(call, status, payload, "application/json", headers)

    def _error(
        self,
        call: _Call,
        kind: str,
        status: int,
        echo: str | None,
        rid: str,
        message: str | None = None,
    ) -> None:
        renderers: dict[str, Callable[..., tuple[int, Json]]] = {
            "anthropic": Anthropic.error,
            "openai": OpenAI.error,
            "gemini": Gemini.error,
            "ollama": Ollama.error,
        }
        render = renderers.get(call.protocol)
        if render is None:
            self._send(call, status, f"{kind}\n".encode(), "text/plain")
            return
        code, body = render(kind, status, call.model, echo, rid)
        if message is not None and isinstance(body.get("error"), dict):
            body["error"]["message"] = message
        headers = self._headers_for(call, limits=code == 429)
        fault = call.fault
        if fault is not None and fault.echo_everywhere and echo is not None:
            error = body["error"] if isinstance(body.get("error"), dict) else body
            error.update(type=echo, code=echo, status=echo, message=f"bad key {echo!r}")
            headers.update({"request-id": echo, "x-request-id": echo})
        if fault is not None and fault.retry_after is not None:
            headers["retry-after"] = _seconds(fault.retry_after)
        if fault is not None and fault.retry_after_ms is not None:
            headers["retry-after-ms"] = _seconds(fault.retry_after_ms)
        if code == 529 or kind == "overloaded":
            headers.setdefault("x-should-retry", "true")
        for name, value in fault.headers if fault is not None else ():
            headers[name] = value
        call.fault = None  # an error body is never cut or garbled on top
        self._json(call, code, body, headers)

    def _stream(
        self,
        call: _Call,
        events: list[bytes],
        invalid: bytes,
        headers: dict[str, str],
        *,
        first_token: int,
    ) -> None:
        h = call.handler
        fault = call.fault
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        if fault is not None and fault.kind == F.INVALID_JSON:
            at = 1 if len(events) > 1 else 0
            events = [*events[:at], invalid, *events[at:]]
        # A stream shorter than the cut point is cut before its last event: the cut always lands.
        cut_at = min(fault.after_events, len(events) - 1) if fault is not None else -1
        for index, event in enumerate(events):
            if fault is not None and fault.kind == F.CUT_STREAM and index == cut_at:
                self._drop(call, reset=False)
            if fault is not None and fault.kind == F.SLOW_FIRST_TOKEN and index == first_token:
                self._sleep(fault.seconds)
            h.wfile.write(f"{len(event):X}\r\n".encode() + event + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")

    def _known(self, call: _Call) -> bool:
        if call.model is None or call.model in self.models:
            return True
        self._error(call, "model_not_found", 404, None, call.extra.get("request-id", ""))
        return False

    def _models(self) -> list[str]:
        return list(self.models)

    # --- routes ------------------------------------------------------------------------------

    def _anthropic_models(self, call: _Call, rid: str) -> None:
        self._json(call, 200, Anthropic.models_page(self._models()), self._model_headers(call))

    def _anthropic_model(self, call: _Call, rid: str) -> None:
        if self._known(call):
            assert call.model is not None
            self._json(call, 200, Anthropic.model_object(call.model), self._model_headers(call))

    def _openai_models(self, call: _Call, rid: str) -> None:
        self._json(call, 200, OpenAI.models_page(self._models()), self._model_headers(call))

    def _openai_model(self, call: _Call, rid: str) -> None:
        if self._known(call):
            assert call.model is not None
            self._json(call, 200, OpenAI.model_object(call.model), self._model_headers(call))

    def _model_headers(self, call: _Call) -> dict[str, str]:
        return self._headers_for(call, limits=self.rate_limits.on_models)

    def _anthropic_messages(self, call: _Call, rid: str) -> None:
        body = call.body if isinstance(call.body, dict) else {}
        if call.model is None:
            self._error(call, "other", 400, None, rid)
            return
        if not self._known(call):
            return
        refusal = Anthropic.output_config_problem(
            body.get("output_config"), call.model in self.unstructured_models
        )
        if refusal is not None:
            self._error(call, "other", 400, None, rid, refusal)
            return
        max_tokens = body.get("max_tokens")
        chunks = split_reply(self.reply, max_tokens if isinstance(max_tokens, int) else None)
        full = split_reply(self.reply, None)
        stop = "max_tokens" if len(chunks) < len(full) else "end_turn"
        msg_id = "msg_fake_" + rid[-6:]
        inputs = count_input(body.get("messages"))
        extra = self.usage_overrides.get("anthropic", {})
        headers = self._headers_for(call, limits=True)
        if call.stream:
            events = Anthropic.stream(msg_id, call.model, chunks, inputs, stop, extra)
            self._stream(call, events, Anthropic.invalid_stream_event(), headers, first_token=3)
        else:
            message = Anthropic.message(msg_id, call.model, chunks, inputs, stop, extra)
            self._json(call, 200, message, headers)

    def _openai_chat(self, call: _Call, rid: str) -> None:
        body = call.body if isinstance(call.body, dict) else {}
        if call.model is None:
            self._error(call, "other", 400, None, rid)
            return
        if not self._known(call):
            return
        cap = body.get("max_completion_tokens", body.get("max_tokens"))
        chunks = split_reply(self.reply, cap if isinstance(cap, int) else None)
        stop = "length" if len(chunks) < len(split_reply(self.reply, None)) else "stop"
        cid = "chatcmpl-fake" + rid[-6:]
        inputs = count_input(body.get("messages"))
        extra = self.usage_overrides.get("openai", {})
        headers = self._headers_for(call, limits=True)
        if call.stream:
            options = body.get("stream_options") or {}
            include = bool(options.get("include_usage")) if isinstance(options, dict) else False
            events = OpenAI.chat_stream(cid, call.model, chunks, inputs, stop, extra, include)
            self._stream(call, events, OpenAI.invalid_stream_event(), headers, first_token=1)
        else:
            self._json(
                call, 200, OpenAI.completion(cid, call.model, chunks, inputs, stop, extra), headers
            )

    def _openai_responses(self, call: _Call, rid: str) -> None:
        body = call.body if isinstance(call.body, dict) else {}
        if call.model is None:
            self._error(call, "other", 400, None, rid)
            return
        if not self._known(call):
            return
        cap = body.get("max_output_tokens")
        chunks = split_reply(self.reply, cap if isinstance(cap, int) else None)
        status = "incomplete" if len(chunks) < len(split_reply(self.reply, None)) else "completed"
        resp_id = "resp_fake" + rid[-6:]
        inputs = count_input(body.get("input"))
        extra = self.usage_overrides.get("openai_responses", {})
        headers = self._headers_for(call, limits=True)
        if call.stream:
            events = OpenAI.responses_stream(resp_id, call.model, chunks, inputs, status, extra)
            self._stream(call, events, OpenAI.invalid_stream_event(), headers, first_token=4)
        else:
            self._json(
                call,
                200,
                OpenAI.response(resp_id, call.model, chunks, inputs, status, extra),
                headers,
            )

    def _gemini_models(self, call: _Call, rid: str) -> None:
        self._json(call, 200, Gemini.models_page(self._models()))

    def _gemini_model(self, call: _Call, rid: str) -> None:
        if self._known(call):
            assert call.model is not None
            self._json(call, 200, Gemini.model_object(call.model))

    def _gemini_generate(self, call: _Call, rid: str) -> None:
        if not self._known(call):
            return
        assert call.model is not None
        body = call.body if isinstance(call.body, dict) else {}
        config = body.get("generationConfig") or {}
        cap = config.get("maxOutputTokens") if isinstance(config, dict) else None
        chunks = split_reply(self.reply, cap if isinstance(cap, int) else None)
        finish = "MAX_TOKENS" if len(chunks) < len(split_reply(self.reply, None)) else "STOP"
        inputs = count_input(body.get("contents"))
        extra = self.usage_overrides.get("gemini", {})
        if call.stream:
            events = Gemini.stream(call.model, chunks, inputs, finish, extra)
            self._stream(call, events, Gemini.invalid_stream_event(), {}, first_token=0)
        else:
            self._json(call, 200, Gemini.generation(call.model, chunks, inputs, finish, extra))

    _gemini_stream = _gemini_generate

    def _ollama_tags(self, call: _Call, rid: str) -> None:
        self._json(call, 200, Ollama.tags(self._models()))

    def _ollama_version(self, call: _Call, rid: str) -> None:
        self._json(call, 200, {"version": Ollama.version})

    def _health(self, call: _Call, rid: str) -> None:
        self._send(call, 200, b"", "text/plain")

    def _unknown(self, call: _Call, rid: str) -> None:
        self._send(call, 404, b'{"detail":"Not Found"}', "application/json")


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
