"""Mid-stream fallback: on a route with ``continue_on_stream_error: true`` a stream that breaks
after text was delivered continues on the next model that accepts an assistant prefill, both
attempts recorded; otherwise ``StreamInterruptedError`` carries the partial text."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fakeprovider import FakeProvider, Fault, first
from init.init_support import USER

from aiinfra_cli.usage import read_events


def _orchestrator(rt: ModuleType, server: FakeProvider, log: Path, **route: Any) -> Any:
    config = {
        "version": 1,
        "providers": {
            "anthropic": {"kind": "anthropic", "base_url": server.anthropic_base_url},
            "openai": {"kind": "openai", "base_url": server.openai_base_url},
        },
        "models": [
            {"id": "haiku", "provider": "anthropic", "model": "claude-haiku-4-5"},
            {"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"},
            {"id": "sonnet", "provider": "anthropic", "model": "claude-sonnet-4-5"},
        ],
        "routes": {"main": {"chain": ["haiku", "gpt", "sonnet"], "max_retries": 0, **route}},
        "usage_log": {"path": str(log)},
    }
    return rt.Orchestrator(rt.Settings.from_dict(config, root=log.parent))


def _cut_haiku(server: FakeProvider) -> None:
    server.inject(Fault.cut_stream(5), route="anthropic.messages", model="claude-haiku-4-5",
                  calls=first(1))  # fmt: skip


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_broken_stream_continues_on_the_next_model_that_takes_a_prefill(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path, asynchronous: bool
) -> None:
    log = tmp_path / "usage"
    ai = _orchestrator(rt, fake_provider, log, continue_on_stream_error=True)
    _cut_haiku(fake_provider)
    if asynchronous:

        async def consume() -> tuple[list[str], Any]:
            async with ai.astream("main", USER) as stream:
                return [text async for text in stream], stream

        parts, stream = asyncio.run(consume())
    else:
        with ai.stream("main", USER) as stream:
            parts = list(stream)
    ai.close()
    requests = fake_provider.requests_for("anthropic.messages")
    # gpt is passed over: OpenAI takes no assistant prefill.
    assert [r.model for r in requests] == ["claude-haiku-4-5", "claude-sonnet-4-5"]
    prefill = requests[1].body["messages"][-1]
    assert prefill["role"] == "assistant" and prefill["content"]
    assert "".join(parts).startswith(prefill["content"])
    assert stream.completion.text == "".join(parts) and stream.completion.model_id == "sonnet"
    events = read_events([log]).events
    assert [(e.model_id, e.status, e.fallback_from) for e in events] == [
        ("haiku", "error", None),
        ("sonnet", "ok", "haiku"),
    ]
    raw = [line for path in log.glob("*.jsonl") for line in path.read_text().splitlines()]
    assert ['"stream_continued":true' in line for line in raw] == [False, True]


@pytest.mark.parametrize("route", [{}, {"continue_on_stream_error": True, "chain": ["haiku", "gpt"]}],
                         ids=["not opted in", "no model takes a prefill"])  # fmt: skip
def test_otherwise_the_partial_text_is_raised(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path, route: dict[str, Any]
) -> None:
    ai = _orchestrator(rt, fake_provider, tmp_path / "usage", **route)
    _cut_haiku(fake_provider)
    parts: list[str] = []
    with pytest.raises(rt.StreamInterruptedError) as raised, ai.stream("main", USER) as stream:
        parts.extend(stream)
    ai.close()
    assert raised.value.partial_text == "".join(parts) != ""
    assert [r.model for r in fake_provider.requests_for("anthropic.messages")] == [
        "claude-haiku-4-5"
    ]
