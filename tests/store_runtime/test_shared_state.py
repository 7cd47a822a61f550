"""Shared rate limits and circuit breakers: several "processes" (separate states, as
separate replicas have) against one real redis-server."""

from __future__ import annotations

import importlib
import logging
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _services import Redis


def state(rt: ModuleType, redis_server: Redis, prefix: str, **options: Any) -> Any:
    module = importlib.import_module(f"{rt.__name__}.shared_state")
    return module.SharedState("AIINFRA_REDIS_URL", prefix=prefix, **options)


@pytest.fixture
def prefix(redis_server: Redis, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AIINFRA_REDIS_URL", redis_server.url)
    return f"t-{uuid.uuid4().hex[:8]}:"


def test_any_sixty_seconds_admit_at_most_the_limit_across_processes(
    rt: ModuleType, redis_server: Redis, prefix: str
) -> None:
    limiters = [state(rt, redis_server, prefix).limiter() for _ in range(4)]
    admitted = []
    for i in range(200):
        reservation = limiters[i % 4].reserve([("route:main", 60.0, None)], 10)
        admitted.append(time.time() + reservation.wait_s)
    admitted.sort()
    assert sum(t <= admitted[0] + 1 for t in admitted) == 60  # the first minute's burst
    for first, later in zip(admitted, admitted[60:], strict=False):
        assert later - first > 59.99  # the 61st after any admission is a minute later
    assert admitted[-1] - admitted[0] < 3 * 60 + 5  # and no later than that


def test_unused_reservations_and_token_estimates_are_given_back(
    rt: ModuleType, redis_server: Redis, prefix: str
) -> None:
    a, b = (state(rt, redis_server, prefix).limiter() for _ in range(2))
    limits = [("route:main", 2.0, 1000.0)]
    first = a.reserve(limits, 800)
    assert first.wait_s == 0
    assert b.reserve(limits, 800).wait_s > 50  # 1600 tokens > 1000 a minute
    # Cancel the second, settle the first at its real count: room for 800 more now.
    second = b.reserve(limits, 100)
    second.cancel()
    first.settle(100)
    assert b.reserve(limits, 100).wait_s > 50  # two requests a minute: the 3rd waits
    c = state(rt, redis_server, prefix + "x").limiter()
    assert c.reserve([("route:other", None, 1000.0)], 900).wait_s == 0
    assert c.reserve([("route:other", None, 1000.0)], 200).wait_s > 50


def test_a_breaker_opened_by_one_process_is_open_for_all(
    rt: ModuleType, redis_server: Redis, prefix: str
) -> None:
    settings = rt.model_orchestrator.BreakerSettings(
        window_s=60, min_calls=4, failure_rate=0.5, open_s=0.3, half_open_successes=2
    )
    one, two = (state(rt, redis_server, prefix).breaker("openai/gpt", settings) for _ in range(2))
    for ok in (True, False, False, False):
        assert one.allow()
        one.record(ok)
    assert not two.allow()
    snapshot = two.snapshot()
    assert (snapshot.state, snapshot.calls, snapshot.failures) == ("open", 0, 0)
    time.sleep(0.35)
    assert two.state == "half_open"
    assert two.allow()  # the one probe, across both processes
    assert not one.allow()
    two.record(True)
    assert one.allow()
    one.record(True)
    assert two.state == "closed" and one.allow() and two.allow()


def test_redis_down_falls_back_to_per_process_limits_with_one_warning(
    rt: ModuleType,
    redis_server: Redis,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setenv("AIINFRA_REDIS_URL", "redis://:pa55word@127.0.0.1:9/0")
    shared = state(rt, redis_server, prefix, retry_s=0.0)
    limiter = shared.limiter()
    waits = [limiter.reserve([("route:main", 2.0, None)], 1).wait_s for _ in range(3)]
    assert waits[:2] == [0.0, 0.0] and waits[2] > 0  # this process's own bucket
    breaker = shared.breaker("openai/gpt", rt.model_orchestrator.BreakerSettings())
    assert breaker.allow() and breaker.state == "closed"
    breaker.record(False)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1, lines
    assert lines[0].startswith("shared state: Redis at 127.0.0.1:9 unreachable (")
    assert "per process until it is back" in lines[0] and "pa55word" not in lines[0]
    monkeypatch.delenv("AIINFRA_REDIS_URL")
    limiter.reserve([("route:main", 2.0, None)], 1)
    assert "$AIINFRA_REDIS_URL is not set" in caplog.records[-1].getMessage()
    monkeypatch.setenv("AIINFRA_REDIS_URL", redis_server.url)
    assert limiter.reserve([("route:fresh", 2.0, None)], 1).wait_s == 0
    assert "reachable again" in caplog.records[-1].getMessage()


def test_the_orchestrator_shares_its_limits_and_breakers(
    rt: ModuleType, redis_server: Redis, prefix: str, tmp_path: Path
) -> None:
    settings = rt.Settings.from_dict(
        {
            "version": 1,
            "providers": {"p": {"kind": "openai-compatible", "base_url": "http://127.0.0.1:9/v1"}},
            "models": [{"id": "m", "provider": "p", "model": "local"}],
            "routes": {"main": {"chain": ["m"], "rate_limit": {"requests_per_minute": 2}}},
            "usage_log": {"path": str(tmp_path)},
            "state": {"kind": "redis"},
        },
        root=tmp_path,
    )
    replicas = [rt.Orchestrator(settings) for _ in range(2)]
    for ai in replicas:
        ai._shared.prefix = prefix
        ai._candidate(settings.models["m"]).provider.complete = lambda model, request, timeout: (
            rt.model_orchestrator.Reply(text="ok", usage=rt.Usage(3, 2))
        )
    assert type(replicas[0]._candidate(settings.models["m"]).breaker).__name__ == "SharedBreaker"
    assert replicas[0].complete("main", [{"role": "user", "content": "x"}]).text == "ok"
    assert replicas[1].complete("main", [{"role": "user", "content": "x"}]).text == "ok"
    with pytest.raises(rt.RateLimitExceededError):  # the third in a minute, on either one
        replicas[0].complete("main", [{"role": "user", "content": "x"}], timeout_s=1)
    for ai in replicas:
        ai.close()
