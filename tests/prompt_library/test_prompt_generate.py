"""The live call behind ``test --live``: one request per model through the official SDKs (and
Gemini's REST API) against the loopback fake provider, with fallback over the chain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeprovider import FakeProvider, Fault, first
from fakeprovider.fixtures import TEST_KEY

from aiinfra_cli.config import load_config
from aiinfra_cli.providers._generate import GenerationFailed, generate

REPLY = "Four short words here."


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(api_key=TEST_KEY, reply=REPLY) as made:
        yield made


@pytest.fixture
def config(server: FakeProvider, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "config" / "ai-models.yaml"
    path.parent.mkdir()
    path.write_text(
        "version: 1\nproviders:\n"
        f'  a: {{kind: anthropic, base_url: "{server.anthropic_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  o: {{kind: openai, base_url: "{server.openai_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  g: {{kind: gemini, base_url: "{server.gemini_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  local: {{kind: openai-compatible, base_url: "{server.openai_base_url}", api_key_env: FAKE_KEY}}\n'
        "  nokey: {kind: anthropic, api_key_env: UNSET_KEY_FOR_TEST}\n"
        "models:\n"
        "  - {id: claude, provider: a, model: claude-haiku-4-5}\n"
        "  - {id: gpt, provider: o, model: gpt-4o-mini}\n"
        "  - {id: gemini, provider: g, model: gemini-2.0-flash}\n"
        "  - {id: llama, provider: local, model: gpt-4o}\n"
        "  - {id: keyless, provider: nokey, model: claude-haiku-4-5}\n",
        encoding="utf-8",
    )
    return load_config(path)


ENV = {"FAKE_KEY": TEST_KEY}
MESSAGES = [{"role": "user", "content": "Say four words."}]


@pytest.mark.parametrize(
    ("model", "route", "field"),
    [
        ("claude", "anthropic.messages", "system"),
        ("gpt", "openai.chat", "messages"),
        ("gemini", "gemini.generate", "systemInstruction"),
        ("llama", "openai.chat", "messages"),
    ],
)
def test_each_protocol_answers_with_usage(
    config, server, model: str, route: str, field: str
) -> None:  # type: ignore[no-untyped-def]
    answer = generate(
        config,
        [model],
        system="Be brief.",
        messages=MESSAGES,
        parameters={"max_tokens": 50, "temperature": 0.1, "stop": ["END"]},
        environ=ENV,
    )
    assert (answer.text, answer.model_id) == (REPLY, model)
    assert answer.usage is not None and answer.usage.output_tokens == 4
    assert answer.latency_ms > 0
    (request,) = server.requests_for(route)
    assert field in request.body
    assert "Be brief." in str(request.body)
    body = request.body
    if model == "claude":
        assert (body["max_tokens"], body["temperature"], body["stop_sequences"]) == (
            50,
            0.1,
            ["END"],
        )
    elif model == "gpt":
        assert body["max_completion_tokens"] == 50 and "max_tokens" not in body
    elif model == "llama":
        assert body["max_tokens"] == 50
    else:
        assert body["generationConfig"] == {
            "maxOutputTokens": 50,
            "temperature": 0.1,
            "stopSequences": ["END"],
        }


def test_fallback_on_rate_limit_and_server_error(config, server) -> None:  # type: ignore[no-untyped-def]
    server.inject(Fault.rate_limited(), route="anthropic.messages", calls=first(1))
    server.inject(Fault.server_error(), route="openai.chat", calls=first(1))
    answer = generate(
        config, ["claude", "gpt", "gemini"], system=None, messages=MESSAGES, environ=ENV
    )
    assert answer.model_id == "gemini"
    assert [(a.model_id, a.error) for a in answer.attempts] == [
        ("claude", "rate_limited"),
        ("gpt", "server_error"),
        ("gemini", None),
    ]


def test_auth_failure_stops_and_never_shows_the_key(config, server) -> None:  # type: ignore[no-untyped-def]
    server.inject(Fault.unauthorized(echo_key=True), route="openai.chat")
    with pytest.raises(GenerationFailed) as caught:
        generate(config, ["gpt", "claude"], system=None, messages=MESSAGES, environ=ENV)
    assert [(a.model_id, a.error) for a in caught.value.attempts] == [("gpt", "auth")]
    assert TEST_KEY not in str(caught.value) and TEST_KEY not in caught.value.attempts[0].detail
    assert server.requests_for("anthropic.messages") == []


def test_missing_key_is_reported_without_a_request(config, server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GenerationFailed) as caught:
        generate(config, ["keyless"], system=None, messages=MESSAGES, environ={})
    assert str(caught.value) == "no model answered (keyless: auth: $UNSET_KEY_FOR_TEST is not set)"


def test_a_hang_times_out_and_falls_back(config, server) -> None:  # type: ignore[no-untyped-def]
    server.inject(Fault.hang(5), route="openai.chat", calls=first(1))
    answer = generate(
        config, ["gpt", "claude"], system=None, messages=MESSAGES, environ=ENV, timeout_s=0.5
    )
    assert answer.model_id == "claude"
    assert answer.attempts[0].error == "timeout"
    assert answer.attempts[0].detail.startswith("timed out waiting for http://127.0.0.1:")
