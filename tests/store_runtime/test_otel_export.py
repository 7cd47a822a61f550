"""OTLP export: each usage event reaches an OTLP/HTTP receiver (in this process, decoding
the real protobuf) as a GenAI span, and aiinfra's own OTLP reader reads it back."""

from __future__ import annotations

import base64
import gzip
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from store_runtime.test_store_shipper import RATES

from aiinfra_cli.usage._otel import row_from_span


class Receiver(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver: decodes each request, keeps its spans and headers."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], ExportTraceServiceRequest]] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def spans(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(span, resource attributes) pairs in OTLP JSON form, as aiinfra's reader takes."""
        found = []
        for _, request in self.requests:
            document = MessageToDict(request)
            for resource_spans in document["resourceSpans"]:
                resource = {a["key"]: a["value"] for a in resource_spans["resource"]["attributes"]}
                for scope in resource_spans["scopeSpans"]:
                    found.extend((span, resource) for span in scope["spans"])
        return found


class _Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version = "HTTP/1.1"  # the exporter keeps its connection open

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        assert self.path == "/v1/traces"
        assert self.headers["Content-Type"] == "application/x-protobuf"
        self.server.requests.append((dict(self.headers), request))
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def attrs(span: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for item in span["attributes"]:
        ((kind, value),) = item["value"].items()
        out[item["key"]] = int(value) if kind == "intValue" else value
    return out


def test_each_event_is_a_genai_span_with_the_exact_cost(
    rt: ModuleType, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_OTLP_HEADERS", "x-api-key=s%20ecret,x-team=ai")
    settings = rt.Settings.from_dict(
        {
            "version": 1,
            "providers": {"p": {"kind": "anthropic"}},
            "models": [{"id": "mini", "provider": "p", "model": "claude-haiku-4-5"}],
            "usage_log": {
                "path": str(tmp_path / "logs"),
                "otlp": {"endpoint": receiver.endpoint, "headers_env": "TEAM_OTLP_HEADERS"},
            },
        },
        root=tmp_path,
    )
    ct = rt.cost_tracker
    book = ct.PriceBook({"mini": ct.ModelPrice(ct.Rates.from_json(RATES))})
    tracker = ct.CostTracker.from_settings(settings, prices=book, service="checkout")
    (export,) = tracker._listeners
    cost = tracker.record(
        provider="anthropic",
        request_model="claude-haiku-4-5",
        response_model="claude-haiku-4-5-20251001",
        model_id="mini",
        usage=rt.Usage(input_tokens=1234, output_tokens=56, cache_read_tokens=1000,
                       cache_write_tokens=200, reasoning_tokens=6),
        latency_ms=250.0,
        request_id="msg_01",
        route="main",
        attribution=rt.Attribution(feature="search", user="u-7", tenant="acme",
                                   call_site="app/search.py:42",
                                   trace_id="0af7651916cd43dd8448eb211c80319c",
                                   span_id="b7ad6b7169203331"),
    )  # fmt: skip
    tracker.record(
        provider="anthropic",
        request_model="claude-haiku-4-5",
        model_id="mini",
        usage=rt.Usage(),
        status="error",
        error_class="rate_limited",
        error_type="RateLimitError",
        http_status=429,
        attribution=rt.Attribution(call_site="app/jobs.py:7"),
    )
    assert export.flush()
    headers = receiver.requests[0][0]
    assert headers["x-api-key"] == "s ecret" and headers["x-team"] == "ai"
    (ok, ok_resource), (failed, _) = receiver.spans()
    assert ok_resource["service.name"] == {"stringValue": "checkout"}
    assert ok["name"] == "chat claude-haiku-4-5"
    assert ok["kind"] == "SPAN_KIND_CLIENT"
    # The event's trace and span ids make it a child of the caller's span.
    assert base64.b64decode(ok["traceId"]).hex() == "0af7651916cd43dd8448eb211c80319c"
    assert base64.b64decode(ok["parentSpanId"]).hex() == "b7ad6b7169203331"
    assert int(ok["endTimeUnixNano"]) - int(ok["startTimeUnixNano"]) == 250_000_000
    got = attrs(ok)
    assert got["aiinfra.cost_usd"] == ct.format_usd(cost) == "0.0001437"
    assert Decimal(got["aiinfra.cost_usd"]) == cost
    assert {k: got[k] for k in got if k.startswith(("gen_ai.", "code."))} == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-haiku-4-5",
        "gen_ai.response.model": "claude-haiku-4-5-20251001",
        "gen_ai.response.id": "msg_01",
        "gen_ai.usage.input_tokens": 1234,
        "gen_ai.usage.output_tokens": 56,
        "gen_ai.usage.cache_read.input_tokens": 1000,
        "gen_ai.usage.cache_creation.input_tokens": 200,
        "gen_ai.usage.reasoning.output_tokens": 6,
        "code.file.path": "app/search.py",
        "code.line.number": 42,
    }
    assert got["user.id"] == "u-7" and got["tenant.id"] == "acme"
    assert "error.type" not in got
    bad = attrs(failed)
    assert bad["error.type"] == "RateLimitError"
    assert failed["status"]["code"] == "STATUS_CODE_ERROR"
    # aiinfra's OTLP reader takes the spans back as the same call.
    row = row_from_span(ok, ok_resource)
    assert row is not None
    assert (row.provider, row.model, row.input, row.output) == (
        "anthropic", "claude-haiku-4-5-20251001", 1234, 56,
    )  # fmt: skip
    assert (row.cache_read, row.cache_write, row.reasoning) == (1000, 200, 6)
    assert (row.feature, row.user, row.tenant, row.call_site) == (
        "search", "u-7", "acme", "app/search.py:42",
    )  # fmt: skip
    failed_row = row_from_span(failed, ok_resource)
    assert failed_row is not None and not failed_row.ok
    export.close()


def test_a_collector_that_is_down_never_breaks_the_call(rt: ModuleType, tmp_path: Path) -> None:
    module = __import__(f"{rt.__name__}.otel_export", fromlist=["SpanExport"])
    export = module.SpanExport("http://127.0.0.1:9", max_queue=3)
    ct = rt.cost_tracker
    tracker = ct.CostTracker(ct.JsonlSink(tmp_path), ct.PriceBook({}))
    tracker.add_listener(export)
    export._thread = threading.current_thread()  # keep the queue for the assertion below
    for _ in range(5):
        tracker.record(provider="openai", request_model="m", usage=rt.Usage(1, 1))
    assert export.dropped == 2 and len(export._queue) == 3
    started = time.monotonic()
    export.flush(timeout=1.0)  # a refused connection: no exception, bounded wait
    assert time.monotonic() - started < 8  # the exporter gives up after 3 s
    assert export.exported == 3
    assert tracker.flush() and len(list(tmp_path.glob("*.jsonl"))) == 1
    export.close()
