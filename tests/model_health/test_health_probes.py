"""The provider layer's probes against the loopback server: every status, every error class,
the one deadline, and the deep probe through the real SDKs."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import anthropic  # noqa: F401  (imported here so no timed probe pays for the first import)
import openai  # noqa: F401
import pytest
from fakeprovider import FakeProvider, Fault, RateLimits
from fakeprovider._wire import count_input
from fakeprovider.fixtures import TEST_KEY

from aiinfra_cli._jsondoc import to_json
from aiinfra_cli.config import Config
from aiinfra_cli.health import ModelEntry
from aiinfra_cli.pricing import TokenUsage, load_price_table
from aiinfra_cli.providers import ProbeOptions, ProbeResult, Thresholds, probe_models

Repo = Callable[[str], Config]
Standard = Callable[..., str]
# The target is one timeout + 0.3 s (bench/model_health_bench.py measures it); tests allow a
# little more because they share two cores with the rest of the suite.
# Generous: the machine is shared and loaded; hangs last 30 s, so any bound below that (and below
# the sum of several timeouts) still proves the probes ran concurrently under one deadline.
MARGIN_S = 2.0


def by_id(results: list[ProbeResult]) -> dict[str, ProbeResult]:
    return {r.id: r for r in results}


def light(config: Config, env: dict[str, str], **options: Any) -> dict[str, ProbeResult]:
    return by_id(probe_models(config, options=ProbeOptions(**options), environ=env))


def deep(config: Config, env: dict[str, str], **options: Any) -> dict[str, ProbeResult]:
    return light(config, env, deep=True, **options)


def test_light_probe_of_healthy_providers(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Standard, keys: dict[str, str]
) -> None:
    results = light(health_repo(standard_config(fake_provider)), keys)
    assert {r.status for r in results.values()} == {"healthy"}
    for result in results.values():
        assert result.error_class is None and result.message is None
        assert result.model_available is True
        assert result.endpoint == fake_provider.url
        assert result.timings.connect_ms is not None and result.timings.connect_ms >= 0
        assert result.timings.total_ms is not None and result.timings.total_ms > 0
        assert result.generation is None
    assert sorted(r.route for r in fake_provider.requests) == [
        "anthropic.model",
        "gemini.model",
        "openai.model",
    ]
    assert all(r.key_ok for r in fake_provider.requests)
    assert results["claude"].request_id is not None and results["claude"].request_id.startswith(
        "req_fake_"
    )


# What each fault on a provider's light-probe route becomes: (class, status) per provider.
LIGHT_FAULTS = [
    ("unauthorized", Fault.unauthorized(), ("auth",) * 3),
    ("forbidden", Fault.forbidden(), ("auth",) * 3),
    ("model_not_found", Fault.model_not_found(), ("not_found",) * 3),
    ("rate_limited", Fault.rate_limited(retry_after=3), ("rate_limited",) * 3),
    # Gemini's free-tier minute limits also say "quota": a Gemini 429 is a rate limit.
    ("quota", Fault.quota(), ("quota", "quota", "rate_limited")),
    ("billing", Fault.billing(), ("quota", "quota", "rate_limited")),
    ("server_error", Fault.server_error(), ("server_error",) * 3),
    ("unavailable", Fault.unavailable(), ("server_error",) * 3),
    ("overloaded", Fault.overloaded(), ("server_error",) * 3),
    ("context_length", Fault.context_length(), ("bad_response",) * 3),
    ("garbage", Fault.garbage(), ("bad_response",) * 3),
    ("invalid_json", Fault.invalid_json(), ("bad_response",) * 3),
    ("reset", Fault.reset(), ("connection",) * 3),
    ("cut_mid_body", Fault.cut_stream(), ("connection",) * 3),
]


@pytest.mark.parametrize(
    ("name", "fault", "expected"), LIGHT_FAULTS, ids=[f[0] for f in LIGHT_FAULTS]
)
def test_light_probe_classifies_each_fault(
    fake_provider: FakeProvider,
    health_repo: Repo,
    standard_config: Standard,
    keys: dict[str, str],
    name: str,
    fault: Fault,
    expected: tuple[str, str, str],
) -> None:
    config = health_repo(standard_config(fake_provider))
    for model_id, route, error_class in zip(
        ("claude", "gpt", "gemini"), ("anthropic", "openai", "gemini"), expected, strict=True
    ):
        fake_provider.schedule.clear()
        fake_provider.inject(fault, route=route)
        results = light(config, keys, timeout_s=5)
        result = results[model_id]
        assert result.error_class == error_class, (model_id, result.message)
        assert result.status == ("degraded" if error_class == "rate_limited" else "unhealthy")
        assert result.message is not None and result.message.startswith(f"{error_class}: ")
        assert TEST_KEY not in result.message
        others = [r for r in results.values() if r.id != model_id]
        assert [r.status for r in others] == ["healthy", "healthy"]
        if error_class == "not_found":
            assert result.model_available is False


def test_rate_limit_reports_retry_after_and_headroom(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Standard, keys: dict[str, str]
) -> None:
    fake_provider.rate_limits = RateLimits(requests_limit=100, requests_remaining=0)
    fake_provider.inject(Fault.rate_limited(retry_after=3, retry_after_ms=2500), route="openai")
    result = light(health_repo(standard_config(fake_provider)), keys)["gpt"]
    assert (result.status, result.error_class, result.http_status) == (
        "degraded",
        "rate_limited",
        429,
    )
    assert result.reasons == ("rate limited",)
    assert result.message == (
        "rate_limited: HTTP 429 rate_limit_exceeded: Rate limit reached for gpt-4o-mini in"
        " organization org-fake on requests per min (RPM): Limit 500, Used 500, Requested 1."
        " Please t… (retry after 2.5 s)"  # the provider's words are cut at 160 characters
    )
    assert result.headroom is not None
    assert result.headroom.retry_after_s == 2.5  # retry-after-ms wins: it is the precise one
    assert result.headroom.limits["requests"].remaining == 0
    assert result.headroom.fraction == 0.0


def test_hanging_provider_costs_one_timeout(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Standard, keys: dict[str, str]
) -> None:
    fake_provider.inject(Fault.hang(30), route="anthropic")
    config = health_repo(standard_config(fake_provider))
    started = time.perf_counter()
    results = light(config, keys, timeout_s=0.6)
    elapsed = time.perf_counter() - started
    assert elapsed <= 0.6 + MARGIN_S
    assert results["claude"].error_class == "timeout"
    assert results["claude"].message == f"timeout: no answer from {fake_provider.url} within 0.6 s"
    assert results["gpt"].status == results["gemini"].status == "healthy"


def test_many_hanging_providers_still_cost_one_timeout(
    fake_provider: FakeProvider, health_repo: Repo, keys: dict[str, str]
) -> None:
    fake_provider.inject(Fault.hang(30))
    models = "".join(f"  - {{id: m{i}, provider: openai, model: gpt-4o}}\n" for i in range(8))
    config = health_repo(
        f'version: 1\nproviders:\n  openai: {{kind: openai, base_url: "{fake_provider.openai_base_url}"}}\n'
        f"models:\n{models}"
    )
    started = time.perf_counter()
    results = light(config, keys, timeout_s=0.5)
    assert time.perf_counter() - started <= 0.5 + MARGIN_S
    assert {r.error_class for r in results.values()} == {"timeout"}


def test_provider_timeout_is_tighter_than_the_run(
    fake_provider: FakeProvider, health_repo: Repo, keys: dict[str, str]
) -> None:
    fake_provider.inject(Fault.hang(30))
    config = health_repo(
        "version: 1\nproviders:\n"
        f'  openai: {{kind: openai, base_url: "{fake_provider.openai_base_url}", timeout_s: 0.3}}\n'
        "models:\n  - {id: gpt, provider: openai, model: gpt-4o}\n"
    )
    started = time.perf_counter()
    result = light(config, keys, timeout_s=5)["gpt"]
    assert time.perf_counter() - started < 0.3 + MARGIN_S
    assert result.message == f"timeout: no answer from {fake_provider.url} within 0.3 s"


def test_closed_port_is_a_connection_error(health_repo: Repo, keys: dict[str, str]) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = health_repo(
        "version: 1\nproviders:\n"
        f'  openai: {{kind: openai, base_url: "http://127.0.0.1:{port}/v1"}}\n'
        "models:\n  - {id: gpt, provider: openai, model: gpt-4o}\n"
    )
    result = light(config, keys)["gpt"]
    assert result.error_class == "connection"
    assert result.message == (
        f"connection: cannot connect to http://127.0.0.1:{port}: Connection refused"
    )


def test_missing_key_is_a_status_without_a_request(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Standard, keys: dict[str, str]
) -> None:
    env = {k: v for k, v in keys.items() if k != "ANTHROPIC_API_KEY"}
    results = light(health_repo(standard_config(fake_provider)), env, deep=True)
    claude = results["claude"]
    assert (claude.status, claude.error_class) == ("unhealthy", "auth")
    assert claude.message == "auth: missing key ANTHROPIC_API_KEY"
    assert fake_provider.requests_for("anthropic") == []
    assert results["gpt"].status == "healthy"


def test_echoed_key_never_reaches_a_result(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Standard
) -> None:
    canary = "canary-7f3a9c1e5b2d4a6f"  # shaped like no known key: only exact scrubbing hides it
    fake_provider.inject(Fault.unauthorized(echo_key=True))
    env = {"ANTHROPIC_API_KEY": canary, "OPENAI_API_KEY": canary, "GEMINI_API_KEY": canary}
    results = probe_models(
        health_repo(standard_config(fake_provider)), options=ProbeOptions(), environ=env
    )
    assert {r.error_class for r in results} == {"auth"}
    assert any("[REDACTED]" in (r.message or "") for r in results)
    assert canary not in json.dumps([to_json(ModelEntry.of(r, None)) for r in results])


# --- deep probes -----------------------------------------------------------------------------


def test_deep_probe_measures_and_prices_one_token(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Standard, keys: dict[str, str]
) -> None:
    results = deep(health_repo(standard_config(fake_provider)), keys)
    assert {r.status for r in results.values()} == {"healthy"}
    table = load_price_table()
    generation_routes = {
        "claude": "anthropic.messages",
        "gpt": "openai.chat",
        "gemini": "gemini.stream",
    }
    for model_id, route in generation_routes.items():
        result = results[model_id]
        (request,) = fake_provider.requests_for(route)  # max_retries=0: one probe, one request
        assert result.timings.ttft_ms is not None and result.timings.generation_ms is not None
        assert 0 < result.timings.ttft_ms <= result.timings.generation_ms
        generation = result.generation
        assert generation is not None and generation.output_tokens == 1
        assert generation.tokens_per_s is not None and generation.tokens_per_s > 0
        field = {"claude": "messages", "gpt": "messages", "gemini": "contents"}[model_id]
        inputs = count_input(request.body[field])
        assert generation.input_tokens == inputs
        priced = table.cost_of(result.model, TokenUsage(inputs, 1), provider=result.provider_kind)
        assert priced is not None and generation.cost_usd == priced.total > Decimal(0)
    claude_body = fake_provider.requests_for("anthropic.messages")[0].body
    assert (claude_body["max_tokens"], claude_body["stream"]) == (1, True)
    gpt_body = fake_provider.requests_for("openai.chat")[0].body
    assert gpt_body["max_completion_tokens"] == 1 and "max_tokens" not in gpt_body
    assert gpt_body["stream_options"] == {"include_usage": True}
    assert results["claude"].headroom is not None
    assert results["claude"].headroom.limits["requests"].remaining == 999
    assert results["gpt"].headroom is not None and results["gpt"].headroom.fraction == 0.99
    assert results["claude"].request_id is not None


def test_deep_probe_degraded_by_headroom_and_slowness(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Standard, keys: dict[str, str]
) -> None:
    config = health_repo(standard_config(fake_provider))
    fake_provider.rate_limits = RateLimits(tokens_limit=100_000, tokens_remaining=5_000)
    results = deep(config, keys)
    assert results["claude"].status == "degraded"
    assert results["claude"].message == ("degraded: rate-limit headroom 5% of tokens (under 10%)")
    assert results["gemini"].status == "healthy"  # Gemini sends no rate-limit headers
    fake_provider.rate_limits = RateLimits()
    fake_provider.inject(Fault.slow_first_token(0.3), route="openai.chat")
    fast = Thresholds(slow_ttft_ms=150)
    results = deep(config, keys, thresholds=fast)
    assert results["gpt"].status == "degraded"
    assert results["gpt"].reasons[0].startswith("slow first token: ")
    fake_provider.schedule.clear()
    fake_provider.inject(Fault.slow_first_byte(0.3), route="gemini.model")
    results = light(config, keys, thresholds=Thresholds(slow_ms=150))
    assert results["gemini"].status == "degraded"
    assert results["gemini"].reasons[0].startswith("slow: ")


DEEP_FAULTS = [
    ("server_error", Fault.server_error(), "server_error"),
    ("overloaded", Fault.overloaded(), "server_error"),
    ("rate_limited", Fault.rate_limited(retry_after=2), "rate_limited"),
    ("quota", Fault.quota(), "quota"),
    ("context_length", Fault.context_length(), "bad_response"),
    ("unauthorized", Fault.unauthorized(echo_key=True), "auth"),
    ("cut_stream", Fault.cut_stream(after_events=2), "connection"),
    ("invalid_json", Fault.invalid_json(), "bad_response"),
    ("garbage", Fault.garbage(), "bad_response"),
    ("reset", Fault.reset(), "connection"),
    ("hang", Fault.hang(30), "timeout"),
]


@pytest.mark.parametrize(
    ("name", "fault", "expected"), DEEP_FAULTS, ids=[f[0] for f in DEEP_FAULTS]
)
@pytest.mark.parametrize("model_id", ["claude", "gpt", "gemini"])
def test_deep_probe_classifies_generation_faults(
    fake_provider: FakeProvider,
    health_repo: Repo,
    standard_config: Standard,
    keys: dict[str, str],
    name: str,
    fault: Fault,
    expected: str,
    model_id: str,
) -> None:
    route = {"claude": "anthropic.messages", "gpt": "openai.chat", "gemini": "gemini.stream"}[
        model_id
    ]
    if model_id == "gemini" and name == "quota":
        expected = "rate_limited"
    fake_provider.inject(fault, route=route)
    timeout = 0.6 if name == "hang" else 10.0  # only the hang should ever meet the deadline
    started = time.perf_counter()
    result = deep(health_repo(standard_config(fake_provider)), keys, timeout_s=timeout)[model_id]
    assert time.perf_counter() - started < timeout + MARGIN_S
    assert result.error_class == expected, result.message
    assert result.model_available is True  # the light probe found it; generating failed
    assert result.message is not None and TEST_KEY not in result.message
    assert len(fake_provider.requests_for(route)) == 1  # no SDK retries
    if expected == "rate_limited":
        assert result.status == "degraded"
    if name == "rate_limited":
        assert result.headroom is not None and result.headroom.retry_after_s == 2


# --- local servers and Azure -----------------------------------------------------------------


def test_local_servers_health_endpoints_and_model_lists(
    health_repo: Repo, keys: dict[str, str]
) -> None:
    with FakeProvider(models=["llama3.1:8b", "qwen2.5"]) as local:
        root = local.url
        config = health_repo(
            f"""\
version: 1
providers:
  ollama: {{kind: openai-compatible, base_url: "{root}/v1", health_url: "{root}/api/tags"}}
  vllm: {{kind: openai-compatible, base_url: "{root}/v1", health_url: "{root}/health"}}
  lmstudio: {{kind: openai-compatible, base_url: "{root}/v1"}}
models:
  - {{id: llama, provider: ollama, model: llama3.1:8b}}
  - {{id: qwen, provider: ollama, model: qwen2.5}}
  - {{id: missing, provider: ollama, model: mistral:7b}}
  - {{id: served, provider: vllm, model: qwen2.5}}
  - {{id: studio, provider: lmstudio, model: llama3.1:8b}}
"""
        )
        results = light(config, keys)
        assert results["llama"].status == results["qwen"].status == "healthy"
        assert results["llama"].server == "ollama 0.5.7"
        assert results["missing"].error_class == "not_found"
        assert results["missing"].message == (
            f"not_found: model 'mistral:7b' is not served by {root}"
        )
        assert results["served"].status == results["studio"].status == "healthy"
        # One health check and one listing per server, shared by its models.
        assert len(local.requests_for("ollama.tags")) == 1
        assert len(local.requests_for("health")) == 1
        assert len(local.requests_for("openai.models")) == 3

        local.inject(Fault.unavailable(), route="health")
        assert light(config, keys)["served"].error_class == "server_error"
        local.schedule.clear()
        local.inject(Fault.http(404), route="openai.models")
        served = light(config, keys)["served"]
        assert (served.status, served.model_available) == ("healthy", None)
        assert served.notes == ("no /models listing",)

        deep_results = deep(config, keys)
        assert deep_results["llama"].status == "healthy"
        chat = local.requests_for("openai.chat")[0].body
        assert chat["max_tokens"] == 1 and "max_completion_tokens" not in chat
        assert deep_results["llama"].generation is not None
        assert deep_results["llama"].generation.cost_usd is None
        assert deep_results["llama"].generation.cost_note is not None


def test_azure_openai_deployment(fake_provider: FakeProvider, health_repo: Repo) -> None:
    config = health_repo(
        "version: 1\nproviders:\n"
        f'  azure: {{kind: azure-openai, base_url: "{fake_provider.url}", api_version: "2024-10-21"}}\n'
        "models:\n  - {id: prod, provider: azure, model: gpt-4o, price_as: gpt-4o}\n"
    )
    env = {"AZURE_OPENAI_API_KEY": TEST_KEY}
    assert light(config, env)["prod"].notes == ("deployment checked by --deep only",)
    result = deep(config, env)["prod"]
    assert result.status == "healthy", result.message
    (chat,) = fake_provider.requests_for("openai.chat")
    assert chat.path == "/openai/deployments/gpt-4o/chat/completions"
    assert chat.query["api-version"] == ["2024-10-21"]


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 made by the openssl command-line tool."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def test_tls_is_timed_and_verified(
    health_repo: Repo,
    standard_config: Standard,
    keys: dict[str, str],
    self_signed: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = self_signed
    with FakeProvider(api_key=TEST_KEY, tls_cert=cert, tls_key=key) as server:
        config = health_repo(standard_config(server))
        untrusted = light(config, keys)
        assert {r.error_class for r in untrusted.values()} == {"connection"}
        assert untrusted["claude"].message is not None
        assert untrusted["claude"].message == (
            f"connection: TLS handshake with {server.url}: certificate verify failed:"
            " self-signed certificate"
        )
        monkeypatch.setenv("SSL_CERT_FILE", cert)  # trust the test certificate, and only it
        results = deep(config, keys)
        assert {r.status for r in results.values()} == {"healthy"}, [
            r.message for r in results.values()
        ]
        for result in results.values():
            assert result.endpoint.startswith("https://")
            assert result.timings.tls_ms is not None and result.timings.tls_ms > 0
