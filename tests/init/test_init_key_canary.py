"""The generated runtime never stores or raises an API key, whatever a hostile provider (or
proxy) echoes back: in the error body, its ``type`` / ``code``, or the request-id headers."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fakeprovider import FakeProvider, Fault
from init.init_support import USER

# Shaped like no vendor's key: only the exact-value scrub can hide it.
CANARY = "canary-7f3a9c1e5b2d4a6f"
KEY_ENVS = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY")


@pytest.fixture
def canary_server(rt: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    for name in KEY_ENVS:
        monkeypatch.setenv(name, CANARY)
    rt.errors.register_secret_env(KEY_ENVS)  # re-read the keys now, as loading a config does
    with FakeProvider(api_key=CANARY, max_lifetime=60) as server:
        yield server


def _orchestrator(rt: ModuleType, server: FakeProvider, log: Path) -> Any:
    config = {
        "version": 1,
        "providers": {
            "anthropic": {"kind": "anthropic", "base_url": server.anthropic_base_url},
            "openai": {"kind": "openai", "base_url": server.openai_base_url},
            "gemini": {"kind": "gemini", "base_url": server.gemini_base_url},
        },
        "models": [
            {"id": "claude", "provider": "anthropic", "model": "claude-haiku-4-5"},
            {"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"},
            {"id": "gem", "provider": "gemini", "model": "gemini-2.5-flash"},
        ],
        "routes": {
            "main": {
                "chain": ["claude", "gpt", "gem"],
                "max_retries": 1,
                "fallback_on": ["server_error", "bad_request", "auth", "timeout"],
                "timeout_s": 20,
            }
        },
        "usage_log": {"path": str(log)},
    }
    settings = rt.Settings.from_dict(config, root=log.parent)
    return rt.Orchestrator(settings, retry=rt.resilience.RetryPolicy(base_s=0.001, max_s=0.01))


def _exception_texts(exc: BaseException) -> list[str]:
    """Everything an exception shows: str, repr, every attribute, the printed traceback."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    texts += [repr(value) for value in vars(exc).values()]
    for attempt in getattr(exc, "attempts", ()):
        texts.append(repr(attempt))
    return texts


def _assert_no_key(texts: list[str]) -> None:
    for text in texts:
        assert CANARY not in text, text


@pytest.mark.parametrize("status", [400, 500])
@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
def test_a_key_echoed_in_error_bodies_codes_and_headers_is_never_kept(
    rt: ModuleType, canary_server: FakeProvider, tmp_path: Path, status: int, stream: bool
) -> None:
    log = tmp_path / "usage"
    ai = _orchestrator(rt, canary_server, log)
    canary_server.inject(Fault.echo_key_everywhere(status))  # every provider, every call
    with pytest.raises(rt.ProviderError) as raised:
        if stream:
            with ai.stream("main", USER) as answer:
                "".join(answer)
        else:
            ai.complete("main", USER)
    ai.close()
    texts = _exception_texts(raised.value)
    texts += [line for path in sorted(log.glob("*.jsonl")) for line in path.read_text().split("\n")]
    _assert_no_key(texts)
    events = [t for t in texts if '"status":"error"' in t]
    assert len(events) == (3 if status == 400 else 6)  # every attempt recorded, key-free
    assert all('"request_id"' not in event for event in events)  # the key-shaped id dropped
    assert raised.value.request_id is None and raised.value.error_type is not None


def test_a_key_echoed_as_the_request_id_of_a_good_answer_is_dropped(
    rt: ModuleType, canary_server: FakeProvider, tmp_path: Path
) -> None:
    log = tmp_path / "usage"
    ai = _orchestrator(rt, canary_server, log)
    canary_server.inject(Fault.echo_key_in_ids())
    answer = ai.complete("main", USER)
    with ai.stream("main", USER) as streamed:
        "".join(streamed)
    ai.close()
    assert answer.request_id is None and answer.text
    assert streamed.completion is not None and streamed.completion.request_id is None
    lines = [line for path in sorted(log.glob("*.jsonl")) for line in path.read_text().split()]
    assert len(lines) == 2
    _assert_no_key(lines)


def test_observe_scrubs_what_a_direct_sdk_call_raises(
    rt: ModuleType, canary_server: FakeProvider, tmp_path: Path
) -> None:
    import openai

    canary_server.inject(Fault.echo_key_everywhere(400))
    tracker = rt.CostTracker(rt.cost_tracker.JsonlSink(tmp_path / "usage"), rt.PriceBook({}))
    client = openai.OpenAI(api_key=CANARY, base_url=canary_server.openai_base_url, max_retries=0)
    with (
        pytest.raises(openai.BadRequestError),
        tracker.observe("openai", "gpt-4o-mini") as call,
    ):
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=USER))
    tracker.close()
    lines = (tmp_path / "usage").glob("*.jsonl")
    texts = [path.read_text() for path in lines]
    assert texts and '"status":"error"' in texts[0]
    _assert_no_key(texts)


@pytest.mark.parametrize(
    "form",
    [CANARY + "\r", CANARY + "\u200b"],
    ids=["crlf", "zero-width-space"],
)
def test_escaped_and_repr_forms_of_a_configured_key_are_redacted(
    rt: ModuleType, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", form)
    rt.errors.register_secret_env(["OPENAI_API_KEY"])  # as loading a config does
    escaped = [repr(form), repr(form.encode()), form.encode("unicode_escape").decode()]
    for text in escaped:
        error = rt.ProviderError(f"Illegal header value {text}", error_class="bad_request",
                                 error_type=text, request_id=form)  # fmt: skip
        _assert_no_key(_exception_texts(error))
        assert error.error_type is None and error.request_id is None


@pytest.mark.parametrize(
    "text",
    [
        "sk-ant-api03-" + "A" * 40,
        "sk-proj-" + "b" * 40,
        "AIza" + "c" * 35,
        "Authorization: Bearer abc.def-123456",
    ],
)
def test_key_shaped_strings_are_redacted_whoever_owns_them(rt: ModuleType, text: str) -> None:
    error = rt.ProviderError(f"upstream said {text}", error_class="auth")
    secret = text.split()[-1]
    assert secret not in str(error) and "[REDACTED]" in str(error)
    if not text.startswith("Authorization"):
        assert rt.errors.safe_request_id(secret) is None
