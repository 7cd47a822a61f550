"""The loopback test server, checked with the official anthropic and openai SDKs as clients
(sync, async and streaming), plus Gemini REST and the local-server endpoints over httpx."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import anthropic
import httpx
import openai
import pytest

from fakeprovider import FakeProvider, Fault, RateLimits, first, on_calls
from fakeprovider.fixtures import TEST_KEY

USER = [{"role": "user", "content": "Say hello"}]
CLAUDE = "claude-haiku-4-5"
GPT = "gpt-4o-mini"


def claude(server: FakeProvider, **options: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        base_url=server.anthropic_base_url, api_key=TEST_KEY, max_retries=0, **options
    )


def gpt(server: FakeProvider, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=server.openai_base_url, api_key=TEST_KEY, max_retries=0, **options
    )


# --- Anthropic -------------------------------------------------------------------------------


def test_anthropic_message_usage_and_headers(fake_provider: FakeProvider) -> None:
    raw = claude(fake_provider).messages.with_raw_response.create(
        model=CLAUDE, max_tokens=64, messages=USER
    )
    message = raw.parse()
    assert message.content[0].type == "text"
    assert message.content[0].text == "Hello from the fake provider."
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == 5
    assert message.usage.input_tokens > 0
    assert raw.headers["request-id"].startswith("req_fake_")
    assert raw.headers["anthropic-ratelimit-requests-limit"] == "1000"
    assert raw.headers["anthropic-ratelimit-requests-remaining"] == "999"
    assert raw.headers["anthropic-ratelimit-tokens-remaining"] == "99000"
    assert raw.headers["anthropic-ratelimit-requests-reset"].endswith("Z")
    (seen,) = fake_provider.requests_for("anthropic.messages")
    assert seen.model == CLAUDE
    assert seen.body["max_tokens"] == 64
    assert seen.headers["authorization"] == "[REDACTED]"  # this SDK sends the key as a bearer
    assert seen.key_sent and seen.key_ok
    assert TEST_KEY not in json.dumps(seen.headers)


def test_anthropic_stream_has_the_real_event_sequence(fake_provider: FakeProvider) -> None:
    stream = claude(fake_provider).messages.create(
        model=CLAUDE, max_tokens=2, messages=USER, stream=True
    )
    events = [event.type for event in stream]  # the SDK skips "ping"
    assert events == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    with claude(fake_provider).messages.stream(model=CLAUDE, max_tokens=2, messages=USER) as s:
        final = s.get_final_message()
    assert final.content[0].text == "Hello from"  # type: ignore[union-attr]
    assert final.stop_reason == "max_tokens"
    assert final.usage.output_tokens == 2


def test_anthropic_async_stream_reads_usage_and_headers(fake_provider: FakeProvider) -> None:
    async def main() -> tuple[dict[str, str], list[str], int]:
        client = anthropic.AsyncAnthropic(
            base_url=fake_provider.anthropic_base_url, api_key=TEST_KEY, max_retries=0
        )
        raw = await client.messages.with_raw_response.create(
            model=CLAUDE, max_tokens=100, messages=USER, stream=True
        )
        texts, output = [], 0
        async for event in await raw.parse():
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                texts.append(event.delta.text)
            if event.type == "message_delta":
                output = event.usage.output_tokens
        await client.close()
        return dict(raw.headers), texts, output

    headers, texts, output = asyncio.run(main())
    assert "".join(texts) == "Hello from the fake provider."
    assert output == 5
    assert headers["content-type"].startswith("text/event-stream")


def test_anthropic_models_list_and_retrieve(fake_provider: FakeProvider) -> None:
    client = claude(fake_provider)
    ids = [m.id for m in client.models.list()]
    assert CLAUDE in ids and "gpt-4o" in ids
    assert client.models.retrieve("claude-haiku-4-5").id == "claude-haiku-4-5"
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.models.retrieve("claude-nonexistent")
    assert caught.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    assert [r.route for r in fake_provider.requests] == [
        "anthropic.models",
        "anthropic.model",
        "anthropic.model",
    ]


# --- OpenAI ----------------------------------------------------------------------------------


def test_openai_chat_usage_and_rate_limit_headers(fake_provider: FakeProvider) -> None:
    raw = gpt(fake_provider).chat.completions.with_raw_response.create(model=GPT, messages=USER)
    completion = raw.parse()
    assert completion.choices[0].message.content == "Hello from the fake provider."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == 5
    assert raw.headers["x-request-id"].startswith("req_fake_")
    assert raw.headers["x-ratelimit-limit-requests"] == "1000"
    assert raw.headers["x-ratelimit-remaining-requests"] == "999"
    assert raw.headers["x-ratelimit-reset-requests"] == "1m0s"
    assert raw.headers["x-ratelimit-remaining-tokens"] == "99000"
    (seen,) = fake_provider.requests_for("openai.chat")
    assert seen.headers["authorization"] == "[REDACTED]"


def test_openai_stream_ends_with_usage_chunk(fake_provider: FakeProvider) -> None:
    stream = gpt(fake_provider).chat.completions.create(
        model=GPT,
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
        max_completion_tokens=1,
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].delta.content for c in chunks[1:-2]] == ["Hello"]
    assert chunks[-2].choices[0].finish_reason == "length"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 1
    without = list(
        gpt(fake_provider).chat.completions.create(model=GPT, messages=USER, stream=True)
    )
    assert all(c.usage is None for c in without)


def test_openai_async_stream(fake_provider: FakeProvider) -> None:
    async def main() -> tuple[str, int | None]:
        client = openai.AsyncOpenAI(
            base_url=fake_provider.openai_base_url, api_key=TEST_KEY, max_retries=0
        )
        stream = await client.chat.completions.create(
            model=GPT, messages=USER, stream=True, stream_options={"include_usage": True}
        )
        text, usage = "", None
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
            if chunk.usage:
                usage = chunk.usage.total_tokens
        await client.close()
        return text, usage

    text, total = asyncio.run(main())
    assert text == "Hello from the fake provider."
    assert total is not None and total > 5


def test_openai_responses_api(fake_provider: FakeProvider) -> None:
    client = gpt(fake_provider)
    response = client.responses.create(model=GPT, input="Say hello")
    assert response.output_text == "Hello from the fake provider."
    assert response.usage is not None and response.usage.output_tokens == 5
    with client.responses.stream(model=GPT, input="Say hello") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output_text == "Hello from the fake provider."
    assert final.usage is not None and final.usage.output_tokens == 5
    capped = client.responses.create(model=GPT, input="Say hello", max_output_tokens=2, stream=True)
    events = [event.type for event in capped]
    assert events[-1] == "response.incomplete"
    assert events.count("response.output_text.delta") == 2


def test_openai_models_and_azure_deployment(fake_provider: FakeProvider) -> None:
    client = gpt(fake_provider)
    assert GPT in [m.id for m in client.models.list()]
    assert client.models.retrieve("gpt-4o").id == "gpt-4o"
    azure = openai.AzureOpenAI(
        azure_endpoint=fake_provider.url,
        api_key=TEST_KEY,
        api_version="2024-10-21",
        max_retries=0,
    )
    reply = azure.chat.completions.create(model="gpt-4o", messages=USER)
    assert reply.choices[0].message.content == "Hello from the fake provider."
    assert fake_provider.requests[-1].headers["api-key"] == "[REDACTED]"


# --- faults through the SDKs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "anthropic_error", "anthropic_status", "openai_error", "openai_status"),
    [
        (Fault.unauthorized(), anthropic.AuthenticationError, 401, openai.AuthenticationError, 401),
        (
            Fault.forbidden(),
            anthropic.PermissionDeniedError,
            403,
            openai.PermissionDeniedError,
            403,
        ),
        (Fault.model_not_found(), anthropic.NotFoundError, 404, openai.NotFoundError, 404),
        (Fault.context_length(), anthropic.BadRequestError, 400, openai.BadRequestError, 400),
        (Fault.rate_limited(), anthropic.RateLimitError, 429, openai.RateLimitError, 429),
        (Fault.quota(), anthropic.BadRequestError, 400, openai.RateLimitError, 429),
        (Fault.server_error(), anthropic.InternalServerError, 500, openai.InternalServerError, 500),
        (Fault.unavailable(), anthropic.APIStatusError, 503, openai.InternalServerError, 503),
        (Fault.overloaded(), anthropic.APIStatusError, 529, openai.InternalServerError, 503),
    ],
    ids=lambda v: v.error if isinstance(v, Fault) else None,
)
def test_status_faults_raise_each_sdks_own_error(
    fake_provider: FakeProvider,
    fault: Fault,
    anthropic_error: type[Exception],
    anthropic_status: int,
    openai_error: type[Exception],
    openai_status: int,
) -> None:
    fake_provider.inject(fault)
    with pytest.raises(anthropic_error) as a:
        claude(fake_provider).messages.create(model=CLAUDE, max_tokens=1, messages=USER)
    with pytest.raises(openai_error) as o:
        gpt(fake_provider).chat.completions.create(model=GPT, messages=USER)
    assert getattr(a.value, "status_code", None) == anthropic_status
    assert getattr(o.value, "status_code", None) == openai_status
    assert a.value.response.headers["request-id"].startswith("req_fake_")  # type: ignore[attr-defined]


def test_error_bodies_are_each_providers_real_shape(fake_provider: FakeProvider) -> None:
    fake_provider.inject(Fault.quota())
    with pytest.raises(anthropic.BadRequestError) as a:
        claude(fake_provider).messages.create(model=CLAUDE, max_tokens=1, messages=USER)
    assert a.value.body == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "Your credit balance is too low to access the Anthropic API. Please go"
            " to Plans & Billing to upgrade or purchase credits.",
        },
        "request_id": a.value.response.headers["request-id"],
    }
    with pytest.raises(openai.RateLimitError) as o:
        gpt(fake_provider).chat.completions.create(model=GPT, messages=USER)
    assert o.value.code == "insufficient_quota"
    assert o.value.type == "insufficient_quota"
    fake_provider.schedule.clear()
    fake_provider.inject(Fault.context_length())
    with pytest.raises(openai.BadRequestError) as too_long:
        gpt(fake_provider).chat.completions.create(model=GPT, messages=USER)
    assert too_long.value.code == "context_length_exceeded"
    with pytest.raises(anthropic.BadRequestError) as too_long_a:
        claude(fake_provider).messages.create(model=CLAUDE, max_tokens=1, messages=USER)
    assert "prompt is too long" in str(too_long_a.value)


def test_rate_limit_sends_retry_after_and_headroom_headers(fake_provider: FakeProvider) -> None:
    fake_provider.rate_limits = RateLimits(requests_limit=50, requests_remaining=0)
    fake_provider.inject(Fault.rate_limited(retry_after=7, retry_after_ms=6500))
    with pytest.raises(openai.RateLimitError) as o:
        gpt(fake_provider).chat.completions.create(model=GPT, messages=USER)
    headers = o.value.response.headers
    assert headers["retry-after"] == "7"
    assert headers["retry-after-ms"] == "6500"
    assert headers["x-ratelimit-remaining-requests"] == "0"
    with pytest.raises(anthropic.RateLimitError) as a:
        claude(fake_provider).messages.create(model=CLAUDE, max_tokens=1, messages=USER)
    assert a.value.response.headers["anthropic-ratelimit-requests-limit"] == "50"


def test_schedule_by_call_index_lets_the_sdk_retry_succeed(fake_provider: FakeProvider) -> None:
    fake_provider.inject(
        Fault.rate_limited(retry_after=None, retry_after_ms=10), route="anthropic", calls=first(2)
    )
    client = anthropic.Anthropic(
        base_url=fake_provider.anthropic_base_url, api_key=TEST_KEY, max_retries=2
    )
    message = client.messages.create(model=CLAUDE, max_tokens=1, messages=USER)
    assert message.content[0].text == "Hello"  # type: ignore[union-attr]
    assert len(fake_provider.requests_for("anthropic.messages")) == 3


def test_schedule_by_model_and_route(fake_provider: FakeProvider) -> None:
    rule = fake_provider.inject(
        Fault.server_error(), route="openai.chat", model="gpt-4o", calls=on_calls(1)
    )
    client = gpt(fake_provider)
    client.chat.completions.create(model="gpt-4o", messages=USER)  # call 0: fine
    client.chat.completions.create(model=GPT, messages=USER)  # another model: not counted
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=USER)  # call 1
    client.chat.completions.create(model="gpt-4o", messages=USER)
    assert (rule.seen, rule.hits) == (3, 1)


def test_wrong_or_missing_key_is_refused(fake_provider: FakeProvider) -> None:
    wrong = anthropic.Anthropic(
        base_url=fake_provider.anthropic_base_url, api_key="wrong-key", max_retries=0
    )
    with pytest.raises(anthropic.AuthenticationError):
        wrong.messages.create(model=CLAUDE, max_tokens=1, messages=USER)
    assert fake_provider.requests[-1].key_ok is False
    echo = openai.OpenAI(base_url=fake_provider.openai_base_url, api_key="echo-me", max_retries=0)
    fake_provider.inject(Fault.unauthorized(echo_key=True))
    with pytest.raises(openai.AuthenticationError) as caught:
        echo.chat.completions.create(model=GPT, messages=USER)
    assert "echo-me" in str(caught.value)  # a hostile provider: the client must scrub it


def test_transport_faults(fake_provider: FakeProvider) -> None:
    fast = claude(fake_provider, timeout=0.5)
    fake_provider.inject(Fault.reset(), calls=first(1))
    with pytest.raises(anthropic.APIConnectionError):
        fast.messages.create(model=CLAUDE, max_tokens=5, messages=USER)
    fake_provider.schedule.clear()

    fake_provider.inject(Fault.cut_stream(after_events=3), calls=first(1))
    stream = fast.messages.create(model=CLAUDE, max_tokens=5, messages=USER, stream=True)
    seen = []
    with pytest.raises(Exception, match=r"incomplete chunked read|peer closed"):
        for event in stream:
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start"]  # the ping is not an SDK event
    fake_provider.schedule.clear()

    fake_provider.inject(Fault.invalid_json(), calls=first(2))
    with pytest.raises(json.JSONDecodeError):
        fast.messages.create(model=CLAUDE, max_tokens=5, messages=USER)
    with pytest.raises(json.JSONDecodeError):
        list(gpt(fake_provider).chat.completions.create(model=GPT, messages=USER, stream=True))
    fake_provider.schedule.clear()

    fake_provider.inject(Fault.garbage(), calls=first(1))
    with pytest.raises(json.JSONDecodeError):
        fast.messages.create(model=CLAUDE, max_tokens=5, messages=USER)


def test_hang_past_the_timeout_and_slow_answers(fake_provider: FakeProvider) -> None:
    fake_provider.inject(Fault.hang(30), calls=first(1))
    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        claude(fake_provider, timeout=0.3).messages.create(
            model=CLAUDE, max_tokens=1, messages=USER
        )
    assert time.monotonic() - started < 2
    fake_provider.schedule.clear()

    fake_provider.inject(Fault.slow_first_byte(0.3), calls=first(1))
    started = time.monotonic()
    gpt(fake_provider).chat.completions.create(model=GPT, messages=USER)
    assert time.monotonic() - started >= 0.3
    fake_provider.schedule.clear()

    fake_provider.inject(Fault.slow_first_token(0.6), calls=first(1))
    started = time.monotonic()
    stream = gpt(fake_provider).chat.completions.create(model=GPT, messages=USER, stream=True)
    first_chunk = next(iter(stream))
    opened = time.monotonic() - started
    rest = list(stream)
    assert first_chunk.choices[0].delta.role == "assistant"
    assert opened < 0.6 <= time.monotonic() - started
    assert rest[0].choices[0].delta.content == "Hello"


def test_stopping_the_server_ends_a_hung_response() -> None:
    server = FakeProvider().start()
    server.inject(Fault.hang(60))
    outcome: list[str] = []

    def call() -> None:
        try:
            httpx.get(server.url + "/health", timeout=30)
            outcome.append("answered")
        except httpx.HTTPError as exc:
            outcome.append(type(exc).__name__)

    thread = threading.Thread(target=call)
    thread.start()
    while not server.requests:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 3
    assert outcome == ["RemoteProtocolError"]


# --- Gemini REST, Ollama, vLLM/TGI -----------------------------------------------------------


def test_gemini_generate_and_stream(fake_provider: FakeProvider) -> None:
    url = fake_provider.gemini_base_url + "/v1beta/models/gemini-2.0-flash"
    headers = {"x-goog-api-key": TEST_KEY}
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    answer = httpx.post(url + ":generateContent", json=body, headers=headers).json()
    assert answer["candidates"][0]["content"]["parts"][0]["text"] == "Hello from the fake provider."
    assert answer["usageMetadata"]["candidatesTokenCount"] == 5
    capped = {**body, "generationConfig": {"maxOutputTokens": 2}}
    with httpx.stream(
        "POST", url + ":streamGenerateContent?alt=sse", json=capped, headers=headers
    ) as response:
        events = [
            json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:")
        ]
    assert [e["candidates"][0]["content"]["parts"][0]["text"] for e in events] == ["Hello", " from"]
    assert events[-1]["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert events[-1]["usageMetadata"]["candidatesTokenCount"] == 2
    listing = httpx.get(fake_provider.url + "/v1beta/models", headers=headers).json()
    assert "models/gemini-2.5-pro" in [m["name"] for m in listing["models"]]
    (recorded,) = [r for r in fake_provider.requests if r.route == "gemini.stream"]
    assert recorded.headers["x-goog-api-key"] == "[REDACTED]"


def test_gemini_key_errors(fake_provider: FakeProvider) -> None:
    url = fake_provider.url + "/v1beta/models/gemini-2.0-flash"
    missing = httpx.get(url)
    assert missing.status_code == 403
    assert missing.json()["error"]["status"] == "PERMISSION_DENIED"
    wrong = httpx.get(url, params={"key": "nope"})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert fake_provider.requests[-1].query == {"key": ["[REDACTED]"]}


def test_local_server_endpoints() -> None:
    with FakeProvider(models=["llama3.1:8b", "qwen2.5:7b"]) as server:
        tags = httpx.get(server.url + "/api/tags").json()
        assert [m["name"] for m in tags["models"]] == ["llama3.1:8b", "qwen2.5:7b"]
        assert httpx.get(server.url + "/api/version").json() == {"version": "0.5.7"}
        assert httpx.get(server.url + "/health").status_code == 200
        local = openai.OpenAI(base_url=server.openai_base_url, api_key="unused", max_retries=0)
        assert [m.id for m in local.models.list()] == ["llama3.1:8b", "qwen2.5:7b"]
        server.inject(Fault.unavailable(), route="health")
        assert httpx.get(server.url + "/health").status_code == 503
        assert all(r.key_ok is None for r in server.requests)
