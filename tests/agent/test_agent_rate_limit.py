"""A 429 on a chain with nowhere to fall back: the agent waits what the provider asks (bounded)
and asks once more; with several models a 429 still falls back at once."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fakeprovider import Fault, first

from aiinfra_cli.agent import AgentRequest, run
from aiinfra_cli.usage import read_events

if TYPE_CHECKING:
    from conftest import Setup

REQUEST = AgentRequest("cost-report", {"totals": {"cost_usd": "12.50", "requests": 310}})
ONLY_CLAUDE = "routes:\n  agent: {chain: [claude]}\n"
CLAUDE_THEN_GPT = "routes:\n  agent: {chain: [claude, gpt]}\n"
AGENT = "agent: {route: agent}\n"


def test_a_single_model_waits_out_retry_after_then_answers(setup: Setup) -> None:
    setup.server.inject(
        Fault.rate_limited(retry_after=1), route="anthropic.messages", calls=first(1)
    )
    config = setup.config(ONLY_CLAUDE, agent=AGENT)
    started = time.monotonic()
    result = run(REQUEST, config, environ=setup.env)
    elapsed = time.monotonic() - started
    assert result.status == "ok", result.reason
    assert 1.0 <= elapsed < 5.0
    first_try, second_try = setup.server.agent_requests()
    assert second_try.at - first_try.at >= 1.0
    assert [(a.model_id, a.error) for a in result.attempts] == [
        ("claude", "rate_limited"),
        ("claude", None),
    ]
    assert "claude: rate limited; waited 1 s as it asked, then asked again" in result.notes
    (event,) = read_events([config.usage_log.path]).events
    assert (event.model_id, event.attempt) == ("claude", 2)


def test_retry_after_ms_is_read_too(setup: Setup) -> None:
    setup.server.inject(
        Fault.rate_limited(retry_after=None, retry_after_ms=200),
        route="anthropic.messages",
        calls=first(1),
    )
    result = run(REQUEST, setup.config(ONLY_CLAUDE, agent=AGENT), environ=setup.env)
    assert result.status == "ok"
    assert "claude: rate limited; waited 0.2 s as it asked, then asked again" in result.notes


def test_a_wait_beyond_the_cap_gives_up_at_once_and_says_so(setup: Setup) -> None:
    setup.server.inject(Fault.rate_limited(retry_after=30), route="anthropic.messages")
    started = time.monotonic()
    result = run(REQUEST, setup.config(ONLY_CLAUDE, agent=AGENT), environ=setup.env)
    assert time.monotonic() - started < 3.0
    assert result.status == "failed"
    assert len(setup.server.agent_requests()) == 1
    assert (result.reason or "").endswith(
        "; rate limited: claude asked to wait 30 s, more than the 10 s left by the agent's"
        " limit; try again later"
    )
    notice = result.notice()
    assert notice is not None and "\n" not in notice


def test_the_cap_is_a_parameter(setup: Setup) -> None:
    setup.server.inject(
        Fault.rate_limited(retry_after=1), route="anthropic.messages", calls=first(1)
    )
    result = run(REQUEST, setup.config(ONLY_CLAUDE, agent=AGENT), environ=setup.env, max_wait_s=0.5)
    assert result.status == "failed"
    assert "claude asked to wait 1 s, more than the 0.5 s" in (result.reason or "")


def test_the_cap_can_come_from_the_config(setup: Setup) -> None:
    setup.server.inject(
        Fault.rate_limited(retry_after=1), route="anthropic.messages", calls=first(1)
    )
    config = setup.config(ONLY_CLAUDE, agent="agent: {route: agent, max_wait_s: 0.5}\n")
    assert config.agent.max_wait_s == 0.5
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "failed"
    assert "claude asked to wait 1 s, more than the 0.5 s" in (result.reason or "")


def test_the_routes_timeout_bounds_the_wait(setup: Setup) -> None:
    setup.server.inject(Fault.rate_limited(retry_after=3), route="anthropic.messages")
    config = setup.config("routes:\n  agent: {chain: [claude], timeout_s: 2}\n", agent=AGENT)
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "failed"
    assert "left by the route's timeout_s" in (result.reason or "")


def test_several_models_fall_back_without_waiting(setup: Setup) -> None:
    setup.server.inject(Fault.rate_limited(retry_after=5), route="anthropic.messages")
    started = time.monotonic()
    result = run(REQUEST, setup.config(CLAUDE_THEN_GPT, agent=AGENT), environ=setup.env)
    assert time.monotonic() - started < 3.0
    assert result.status == "ok" and result.model_id == "gpt"
    assert not any("waited" in note for note in result.notes)


def test_every_model_rate_limited_waits_for_the_soonest(setup: Setup) -> None:
    setup.server.inject(Fault.rate_limited(retry_after=4), route="anthropic.messages")
    setup.server.inject(Fault.rate_limited(retry_after=1), route="openai.chat", calls=first(1))
    result = run(REQUEST, setup.config(CLAUDE_THEN_GPT, agent=AGENT), environ=setup.env)
    assert result.status == "ok" and result.model_id == "gpt"
    assert [(a.model_id, a.error) for a in result.attempts] == [
        ("claude", "rate_limited"),
        ("gpt", "rate_limited"),
        ("gpt", None),
    ]
    assert "gpt: rate limited; waited 1 s as it asked, then asked again" in result.notes


def test_a_429_without_a_named_wait_is_not_waited_for(setup: Setup) -> None:
    setup.server.inject(Fault.rate_limited(retry_after=None), route="anthropic.messages")
    result = run(REQUEST, setup.config(ONLY_CLAUDE, agent=AGENT), environ=setup.env)
    assert result.status == "failed"
    assert "no wait was named (Retry-After)" in (result.reason or "")
    assert len(setup.server.agent_requests()) == 1


def test_rate_limited_again_after_the_wait_gives_up(setup: Setup) -> None:
    setup.server.inject(Fault.rate_limited(retry_after=0.2), route="anthropic.messages")
    result = run(REQUEST, setup.config(ONLY_CLAUDE, agent=AGENT), environ=setup.env)
    assert result.status == "failed"
    assert len(setup.server.agent_requests()) == 2
    assert (result.reason or "").endswith("; asked again after waiting 0.2 s, in vain")
