"""The pieces of model-health that need no server: error classification, header parsing, local
server detection, the history file, and the dashboard's exact rendering."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from aiinfra_cli.config import ModelConfig, ProviderConfig
from aiinfra_cli.health import (
    HISTORY_SCHEMA,
    SCHEMA,
    HeadroomEntry,
    HealthDocument,
    HistoryEntry,
    Latency,
    ModelEntry,
    RouteEntry,
    Summary,
    TrendEntry,
    append_line,
    dashboard,
    percentile,
    read_history,
)
from aiinfra_cli.providers import classify_http, headroom, retry_after
from aiinfra_cli.providers._target import resolve
from aiinfra_cli.vocabulary import HealthStatus


@pytest.mark.parametrize(
    ("status", "body", "kind", "expected"),
    [
        (401, {"type": "error", "error": {"type": "authentication_error"}}, "anthropic", "auth"),
        (
            403,
            {"error": {"message": "not allowed", "type": "invalid_request_error"}},
            "openai",
            "auth",
        ),
        (
            400,
            {"error": {"status": "INVALID_ARGUMENT", "details": [{"reason": "API_KEY_INVALID"}]}},
            "gemini",
            "auth",
        ),
        (404, {"error": {"code": "model_not_found"}}, "openai", "not_found"),
        (429, {"error": {"type": "rate_limit_error"}}, "anthropic", "rate_limited"),
        (429, {"type": "insufficient_quota", "code": "insufficient_quota"}, "openai", "quota"),
        (
            429,
            {"error": {"message": "check your plan and billing details"}},
            "gemini",
            "rate_limited",
        ),
        (400, {"error": {"message": "Your credit balance is too low"}}, "anthropic", "quota"),
        (402, {"error": {"type": "billing_error"}}, "anthropic", "quota"),
        (400, {"error": {"code": "context_length_exceeded"}}, "openai", "context_overflow"),
        (400, {"error": {"message": "prompt is too long: 1 > 0"}}, "anthropic", "context_overflow"),
        (400, {"error": {"code": "content_filter"}}, "openai", "content_filter"),
        (400, {"object": "error", "message": "bad"}, "openai-compatible", "bad_request"),
        (422, b"not json", "openai-compatible", "bad_request"),
        (500, {"error": "boom"}, "openai-compatible", "server_error"),
        (529, {"error": {"type": "overloaded_error"}}, "anthropic", "server_error"),
        (503, "<html>down</html>", "openai", "server_error"),
        (504, None, "anthropic", "timeout"),
        (408, None, "openai", "timeout"),
    ],
)
def test_classify_http(status: int, body: object, kind: str, expected: str) -> None:
    assert classify_http(status, body, kind=kind) == expected


def test_headroom_from_anthropic_headers() -> None:
    reset = (datetime.now(timezone.utc) + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    room = headroom(
        {
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "4",
            "anthropic-ratelimit-requests-reset": reset,
            "anthropic-ratelimit-tokens-limit": "40000",
            "anthropic-ratelimit-tokens-remaining": "39000",
            "Retry-After": "12",
        }
    )
    assert room is not None
    assert room.fraction == pytest.approx(0.08)
    assert room.tightest == "requests"
    assert room.retry_after_s == 12
    reset_s = room.limits["requests"].reset_s
    assert reset_s is not None and 25 <= reset_s <= 30


def test_headroom_from_openai_headers() -> None:
    room = headroom(
        {
            "x-ratelimit-limit-requests": "500",
            "x-ratelimit-remaining-requests": "499",
            "x-ratelimit-reset-requests": "120ms",
            "x-ratelimit-limit-tokens": "30000",
            "x-ratelimit-remaining-tokens": "29000",
            "x-ratelimit-reset-tokens": "6m0s",
        }
    )
    assert room is not None
    assert room.limits["requests"].reset_s == 0.12
    assert room.limits["tokens"].reset_s == 360
    assert room.tightest == "tokens"
    assert headroom({"content-type": "application/json"}) is None


def test_retry_after_forms() -> None:
    assert retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after({"retry-after": "2"}) == 2
    http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 20))
    seconds = retry_after({"Retry-After": http_date})
    assert seconds is not None and 15 <= seconds <= 20
    assert retry_after({"retry-after": "soon"}) is None


def test_targets_resolve_keys_and_local_health_endpoints() -> None:
    ollama = ProviderConfig(
        name="ollama", kind="openai-compatible", base_url="http://localhost:11434/v1"
    )
    vllm = ProviderConfig(
        name="vllm",
        kind="openai-compatible",
        base_url="http://gpu-box:8000/v1",
        health_url="http://gpu-box:8000/health",
    )
    gemini = ProviderConfig(name="gemini", kind="gemini", api_key_env="GEMINI_API_KEY")
    model = ModelConfig(id="m", provider="x", provider_kind="openai-compatible", model="m")
    assert resolve(model, ollama, {}).health_url == "http://localhost:11434/api/tags"
    assert resolve(model, ollama, {}).missing_key is None  # local servers need no key
    assert resolve(model, vllm, {}).health_url == "http://gpu-box:8000/health"
    target = resolve(model, gemini, {"GEMINI_API_KEY": ""})
    assert target.missing_key == "GEMINI_API_KEY"
    assert target.endpoint == "https://generativelanguage.googleapis.com"
    habit = ProviderConfig(name="a", kind="anthropic", base_url="https://proxy.example/v1/")
    assert resolve(model, habit, {}).base_url == "https://proxy.example"
    secret = ProviderConfig(name="p", kind="openai", base_url="https://user:pw@host:8443/v1?x=1")
    assert resolve(model, secret, {}).endpoint == "https://host:8443"


# --- history ---------------------------------------------------------------------------------


def run_line(*models: tuple[str, str, float | None]) -> str:
    record = {
        "schema": HISTORY_SCHEMA,
        "at": "2026-01-01T00:00:00.000Z",
        "deep": False,
        "models": [
            {
                "id": i,
                "provider": "p",
                "model": i,
                "status": s,
                "error_class": None,
                "latency_ms": lat,
            }
            for i, s, lat in models
        ],
    }
    return json.dumps(record) + "\n"


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.50) == 10.0
    assert percentile(values, 0.95) == 19.0


def test_history_uptime_and_latency(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    for latency in (10.0, 20.0, 30.0):
        append_line(path, run_line(("a", "healthy", latency), ("b", "unhealthy", None)))
    append_line(path, run_line(("a", "degraded", 400.0), ("b", "healthy", 5.0)))
    history = read_history(path)
    assert (history.runs, history.corrupt_lines) == (4, 0)
    a, b = history.trends["a"], history.trends["b"]
    assert (a.runs, a.uptime, a.p50_ms, a.p95_ms) == (4, 1.0, 20.0, 400.0)
    assert (b.runs, b.uptime, b.p50_ms) == (4, 0.25, 5.0)
    window = read_history(path, window=2)
    assert window.trends["a"].runs == 2


def test_history_counts_corrupt_lines_and_heals_a_torn_one(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(
        b'\xff\xfe\n{"schema": "other"}\n[1, 2]\n' + run_line(("a", "healthy", 1.0)).encode()
    )
    with path.open("ab") as handle:
        handle.write(b'{"schema": "aiinfra.model-health.history/1", "models": [')  # torn
    append_line(path, run_line(("a", "healthy", 2.0)))
    history = read_history(path)
    assert (history.runs, history.corrupt_lines) == (2, 4)
    assert path.read_bytes().endswith(b"\n")
    assert read_history(tmp_path / "absent.jsonl").runs == 0


# --- dashboard -------------------------------------------------------------------------------


_LATENCY = Latency(
    connect=20.0, tls=30.0, first_byte=210.0, total=212.4, ttft=None, generation=None
)


def model_entry(model_id: str, status: HealthStatus, **fields: Any) -> ModelEntry:
    entry = ModelEntry(
        id=model_id,
        provider="anthropic",
        provider_kind="anthropic",
        model="claude-haiku-4-5",
        endpoint="https://api.anthropic.com",
        status=status,
        error_class=None,
        message=None,
        reasons=(),
        notes=(),
        http_status=200,
        request_id=None,
        model_available=True,
        server=None,
        latency_ms=_LATENCY,
        headroom=None,
        generation=None,
        history=TrendEntry(runs=4, uptime=0.75, p50_ms=205.0, p95_ms=420.0),
    )
    return dataclasses.replace(entry, **fields)


def headroom_of(fraction: float) -> HeadroomEntry:
    return HeadroomEntry(fraction=fraction, retry_after_s=None, limits={})


def route(name: str, chain: tuple[str, ...], status: HealthStatus, first: str | None) -> RouteEntry:
    return RouteEntry(
        name=name,
        chain=chain,
        probed=chain,
        status=status,
        healthy=status == "healthy",
        first_usable=first,
    )


def test_dashboard_renders_exactly() -> None:
    document = HealthDocument(
        schema=SCHEMA,
        generated_at="2026-05-01T09:30:00.123Z",
        config="config/ai-models.yaml",
        deep=False,
        timeout_s=10.0,
        elapsed_ms=431.0,
        summary=Summary(models=3, healthy=1, degraded=1, unhealthy=1, ok=False),
        models=(
            model_entry("smart", "healthy", headroom=headroom_of(0.99)),
            model_entry(
                "fast",
                "degraded",
                provider="openai",
                model="gpt-4o-mini",
                message="degraded: rate-limit headroom 4% of requests (under 10%)",
                headroom=headroom_of(0.04),
            ),
            model_entry(
                "llama",
                "unhealthy",
                provider="ollama",
                model="llama3.1:8b",
                endpoint="http://127.0.0.1:11434",
                error_class="connection",
                message="connection: cannot connect to http://127.0.0.1:11434: Connection refused",
                latency_ms=Latency(
                    connect=None, tls=None, first_byte=None, total=None, ttft=None, generation=None
                ),
                history=None,
            ),
        ),
        routes=(
            route("summarize", ("smart", "fast", "llama"), "healthy", "smart"),
            route("local", ("llama",), "unhealthy", None),
        ),
        history=HistoryEntry(path=".multiagent/health/history.jsonl", runs=4, corrupt_lines=1),
    )
    buffer = StringIO()
    Console(file=buffer, width=100, color_system=None).print(dashboard(document))
    assert buffer.getvalue() == (
        "                                                                            \n"
        " Model   Provider    Status      Latency   Headroom     Uptime      p50/p95 \n"
        " ────────────────────────────────────────────────────────────────────────── \n"
        " smart   anthropic   healthy      212 ms        99%   75% of 4   205/420 ms \n"
        " fast    openai      degraded     212 ms         4%   75% of 4   205/420 ms \n"
        " llama   ollama      unhealthy         —          —          —            — \n"
        "                                                                            \n"
        "  fast: degraded: rate-limit headroom 4% of requests (under 10%)\n"
        "  llama: connection: cannot connect to http://127.0.0.1:11434: Connection refused (model \n"
        "llama3.1:8b)\n"
        "route summarize: ok via smart (smart → fast → llama)\n"
        "route local: DOWN, no usable model (llama)\n"
        "3 models: 1 healthy, 1 degraded, 1 unhealthy in 0.43 s (light probe, timeout 10 s); history: 4 runs \n"
        "in .multiagent/health/history.jsonl (1 corrupt line skipped)\n"
    )
