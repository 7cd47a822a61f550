"""The generated tracker writes what aiinfra reads: usage events end to end, from calls made
through the generated orchestrator (real SDKs, fake provider) to ``aiinfra cost-report``."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from _support import run_cli
from fakeprovider import FakeProvider, Fault, first
from init.init_support import USER, matrix_config

from aiinfra_cli.pricing import TokenUsage, cost, load_price_table
from aiinfra_cli.usage import read_events


def orchestrator(rt: ModuleType, server: FakeProvider, log: Path, **route: Any) -> Any:
    settings = rt.Settings.from_dict(matrix_config(server, log, **route), root=log.parent)
    return rt.Orchestrator(settings, retry=rt.resilience.RetryPolicy(base_s=0.001, max_s=0.01))


def test_every_kind_of_event_reads_back_with_zero_rejects(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    log = tmp_path / "usage"
    ai = orchestrator(rt, fake_provider, log, cache={"enabled": True, "ttl_s": 60})
    fake_provider.inject(Fault.server_error(), route="anthropic.messages", calls=first(2))
    ai.complete("main", USER, feature="search", user="u-1", tenant="acme")  # 2 errors, fallback
    ai.complete("main", USER, temperature=0, endpoint="/ask")  # ok
    ai.complete("main", USER, temperature=0, endpoint="/ask")  # cache hit
    with ai.stream("main", USER, tags={"ab": "b"}) as stream:
        "".join(stream)
    with ai.tracker.observe("openai", "gpt-4o-mini", model_id="gpt") as call:
        call.set_usage(rt.Usage(input_tokens=1000, output_tokens=100, cache_read_tokens=800))
    ai.close()
    result = read_events([log])
    assert result.rejects == [] and not result.unknown_fields
    events = result.events
    assert len({e.event_id for e in events}) == len(events) == 7
    assert [(e.model_id, e.status, e.error_class, e.attempt, e.cache_hit) for e in events] == [
        ("claude", "error", "server_error", 1, False),  # retried,
        ("claude", "error", "server_error", 2, False),
        ("gpt", "ok", None, 1, False),  # then fell back
        ("claude", "ok", None, 1, False),
        ("claude", "ok", None, 1, True),  # the same deterministic request again
        ("claude", "ok", None, 1, False),  # streamed
        ("gpt", "ok", None, 1, False),  # a direct SDK call, observed
    ]
    fallback = events[2]
    assert (fallback.fallback_from, fallback.feature, fallback.tenant) == (
        "claude",
        "search",
        "acme",
    )
    assert fallback.call_site is not None and fallback.call_site.startswith(
        "test_init_usage_events"
    )
    hit = next(e for e in events if e.cache_hit)
    assert hit.input_tokens == 0 and hit.cost_usd == 0 and hit.saved_cost_usd
    streamed = next(e for e in events if e.streaming)
    assert streamed.ttft_ms is not None and streamed.tags == {"ab": "b"}
    observed = events[-1]
    assert (observed.input_tokens, observed.cache_read_tokens) == (1000, 800)
    table = load_price_table()
    for event in events:
        if event.status == "ok" and not event.cache_hit:
            price = table.lookup(event.request_model)
            assert price is not None
            assert event.cost_usd == cost(price, event.token_usage()).total, event


def test_cost_report_reads_the_log_and_agrees_with_the_tracker(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    log = tmp_path / "usage"
    ai = orchestrator(rt, fake_provider, log, cache={"enabled": True})
    spent = Decimal(0)
    for index in range(4):
        answer = ai.complete("main", USER, temperature=0 if index else None, feature="qa")
        spent += answer.cost_usd
    ai.close()
    report = run_cli(
        "cost-report", "--logs", str(log), "--no-write", "--json", "--timeframe", "7d",
        cwd=tmp_path,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    document = json.loads(report.stdout)
    assert document["rejected"]["count"] == 0
    assert Decimal(document["totals"]["cost_usd"]) == spent
    assert document["totals"]["requests"] == 4
    assert document["response_cache"]["hits"] == 2
    assert document["recorded_cost"]["difference_usd"] == "0"


def test_an_unwritable_log_never_breaks_or_slows_a_call(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    ai = orchestrator(rt, fake_provider, blocker / "usage")  # a directory under a file
    ai.complete("main", USER)  # warm-up: SDK client, connection
    started = time.perf_counter()
    for _ in range(20):
        assert ai.complete("main", USER).text
    per_call = (time.perf_counter() - started) / 20
    ai.tracker.flush()
    assert ai.tracker.sink.written == 0 and ai.tracker.sink.dropped == 21
    assert per_call < 0.05
    ai.close()
    if os.geteuid() != 0:  # a read-only directory too (root can write anywhere)
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        other = orchestrator(rt, fake_provider, locked)
        assert other.complete("main", USER).text
        other.tracker.flush()
        assert other.tracker.sink.dropped == 1
        other.close()


def test_usage_is_normalised_like_aiinfra_does(rt: ModuleType) -> None:
    from aiinfra_cli.pricing import from_anthropic, from_gemini, from_openai_chat

    anthropic_usage = {
        "input_tokens": 1200,
        "output_tokens": 300,
        "cache_creation_input_tokens": 2000,
        "cache_read_input_tokens": 10000,
        "cache_creation": {"ephemeral_1h_input_tokens": 500, "ephemeral_5m_input_tokens": 1500},
    }
    openai_usage = {
        "prompt_tokens": 12000,
        "completion_tokens": 3500,
        "prompt_tokens_details": {"cached_tokens": 10240},
        "completion_tokens_details": {"reasoning_tokens": 2816},
    }
    gemini_usage = {
        "promptTokenCount": 5000,
        "cachedContentTokenCount": 4000,
        "candidatesTokenCount": 700,
        "thoughtsTokenCount": 300,
        "totalTokenCount": 6000,
    }
    pairs = [
        (rt.cost_tracker.usage_from_anthropic(anthropic_usage), from_anthropic(anthropic_usage)),
        (rt.cost_tracker.usage_from_openai(openai_usage), from_openai_chat(openai_usage)),
        (rt.cost_tracker.usage_from_gemini(gemini_usage), from_gemini(gemini_usage)),
    ]
    for ours, theirs in pairs:
        assert (
            TokenUsage(
                ours.input_tokens,
                ours.output_tokens,
                ours.cache_read_tokens,
                ours.cache_write_tokens,
                ours.cache_write_1h_tokens,
                ours.reasoning_tokens,
            )
            == theirs
        )
