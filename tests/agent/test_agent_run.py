"""One agent run against the loopback provider through the official SDKs: structured answers,
the retry, the cost cap, fallback, missing keys, dead providers and the usage event."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fakeprovider import Fault, first

from aiinfra_cli.agent import FEATURE, AgentRequest, run, wire_schema
from aiinfra_cli.pricing import TokenUsage
from aiinfra_cli.providers._cost import ProbePricer
from aiinfra_cli.usage import read_events

if TYPE_CHECKING:
    from conftest import Setup

FACTS = {
    "totals": {"cost_usd": "1240.50", "requests": 48210},
    "by_model": [{"model": "gpt-4o", "cost_usd": "812.20"}],
    "findings": [{"file": "src/app/summary.py", "line": 88, "code": "AIC001"}],
}
REQUEST = AgentRequest("cost-report", FACTS)


def _route(chain: str, extra: str = "") -> str:
    return f"routes:\n  agent: {{chain: [{chain}]{extra}}}\n"


def test_default_chain_asks_the_balanced_model_and_records_one_event(setup: Setup) -> None:
    config = setup.config()
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok", result.reason
    assert (result.model_id, result.model, result.calls) == ("claude", "claude-haiku-4-5", 1)
    assert [r.title for r in result.recommendations] == [
        "Route summarize to gpt-4o-mini",
        "Cap output tokens",
    ]
    first_rec, second_rec = result.recommendations
    assert first_rec.estimated_monthly_usd == Decimal("600.00")
    assert first_rec.location == "src/app/summary.py:88"
    # A location the input does not hold is dropped, and the note says so.
    assert second_rec.location is None
    assert "recommendation 2: location src/invented.py:1 is not in the input" in result.notes
    assert "keyless: $UNSET_KEY_FOR_AGENT_TEST is not set" in result.notes

    (request,) = setup.server.agent_requests()
    assert request.route == "anthropic.messages"
    assert request.body["max_tokens"] == 2000
    assert "JSON Schema" in request.body["system"] and "response_format" not in request.body
    assert "1240.50" in request.body["messages"][0]["content"]

    read = read_events([config.usage_log.path])
    assert read.rejects == [] and read.unknown_fields == {}
    (event,) = read.events
    assert (event.feature, event.endpoint, event.model_id, event.status) == (
        FEATURE,
        "cost-report",
        "claude",
        "ok",
    )
    assert (event.input_tokens, event.output_tokens) == (result.input_tokens, result.output_tokens)
    expected, _ = ProbePricer(config).price(
        config.models[0], TokenUsage(event.input_tokens, event.output_tokens)
    )
    assert event.cost_usd == expected == result.cost
    assert result.usage_log is not None and result.usage_log.endswith(".jsonl")


def test_openai_models_get_the_schema_as_response_format(setup: Setup) -> None:
    config = setup.config(_route("gpt"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok" and result.route == "agent"
    (request,) = setup.server.agent_requests()
    assert request.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "aiinfra_recommendations", "strict": True, "schema": wire_schema()},
    }
    assert request.body["max_completion_tokens"] == 2000
    schema = request.body["response_format"]["json_schema"]["schema"]
    item = schema["properties"]["recommendations"]["items"]
    assert item["additionalProperties"] is False and set(item["required"]) == set(
        item["properties"]
    )


def test_gemini_gets_the_schema_in_the_instructions(setup: Setup) -> None:
    config = setup.config(_route("gemini"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok"
    (request,) = setup.server.agent_requests()
    assert request.route == "gemini.generate"
    assert "JSON Schema" in request.body["systemInstruction"]["parts"][0]["text"]


def test_invalid_answer_is_retried_once_then_accepted(setup: Setup) -> None:
    broken = dict(
        setup.good_answer,
        recommendations=[dict(setup.good_answer["recommendations"][0], impact="huge")],
    )
    setup.server.replies = [setup.reply(broken), "```json\n" + setup.reply() + "\n```"]
    config = setup.config()
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok" and result.calls == 2
    retry = setup.server.agent_requests()[1].body["messages"]
    assert [m["role"] for m in retry] == ["user", "assistant", "user"]
    assert "recommendations[0].impact: 'huge' is not one of: saving, risk" in retry[2]["content"]
    events = read_events([config.usage_log.path]).events
    assert [e.attempt for e in events] == [1, 2]


def test_invalid_twice_gives_up_with_the_reason(setup: Setup) -> None:
    setup.server.replies = ["Here are my thoughts: cut costs.", '{"summary": "x"}']
    result = run(REQUEST, setup.config(), environ=setup.env)
    assert result.status == "invalid" and result.calls == 2
    assert result.reason == (
        "the answer did not follow the schema, twice (recommendations: is required)"
    )
    assert result.notice() == f"agent: no recommendations: {result.reason}"
    assert result.recommendations == ()


def test_over_the_cap_is_refused_before_any_request(setup: Setup) -> None:
    config = setup.config(agent="agent: {max_cost_usd: 0.0001}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "refused"
    assert re.fullmatch(
        r"it could cost up to \$0\.0\d+ on gpt \(\d+ input \+ 2000 output tokens\),"
        r" more than the \$0\.0001 cap \(agent\.max_cost_usd\)",
        result.reason or "",
    )
    assert result.estimated_cost is not None and result.max_cost == Decimal("0.0001")
    assert setup.server.requests == []
    assert not config.usage_log.path.exists()
    # The command line's cap wins over the config's.
    assert run(REQUEST, config, max_cost=Decimal(1), environ=setup.env).status == "ok"


def test_the_bound_is_the_dearest_model_of_the_chain(setup: Setup) -> None:
    config = setup.config(_route("mini, gpt"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, max_cost=Decimal("0.005"), environ=setup.env)
    assert result.status == "refused" and " on gpt (" in (result.reason or "")
    assert setup.server.requests == []


def test_route_cap_applies_too(setup: Setup) -> None:
    config = setup.config(
        _route("claude", ", max_cost_usd: 0.0002"), agent="agent: {route: agent}\n"
    )
    result = run(REQUEST, config, max_cost=Decimal(5), environ=setup.env)
    assert result.status == "refused"
    assert (result.reason or "").endswith("(routes.agent.max_cost_usd)")


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.server_error(), "server_error"), (Fault.rate_limited(), "rate_limited")],
)
def test_falls_back_when_the_first_model_fails(setup: Setup, fault: Fault, error: str) -> None:
    setup.server.inject(fault, route="anthropic.messages", calls=first(1))
    config = setup.config(_route("claude, gpt"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok" and result.model_id == "gpt"
    assert [(a.model_id, a.error) for a in result.attempts] == [("claude", error), ("gpt", None)]
    (event,) = read_events([config.usage_log.path]).events
    assert (event.model_id, event.fallback_from, event.attempt) == ("gpt", "claude", 1)


def test_a_slow_primary_times_out_and_falls_back(setup: Setup) -> None:
    setup.server.inject(Fault.slow_first_byte(3.0), route="anthropic.messages")
    config = setup.config(
        _route("claude, gpt", ", attempt_timeout_s: 0.3"), agent="agent: {route: agent}\n"
    )
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok" and result.model_id == "gpt"
    assert result.attempts[0].error == "timeout"


def test_a_dead_provider_is_a_reason_not_an_exception(setup: Setup) -> None:
    setup.server.inject(Fault.server_error(), route="anthropic.messages")
    setup.server.inject(Fault.reset(), route="openai.chat")
    config = setup.config(_route("claude, gpt"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "failed" and result.calls == 0 and result.cost is None
    assert (result.reason or "").startswith("no model answered (claude: server_error: HTTP 500")
    assert "gpt: connection:" in (result.reason or "")
    assert not config.usage_log.path.exists()


def test_auth_failure_stops_the_chain(setup: Setup) -> None:
    setup.server.inject(Fault.unauthorized(echo_key=True), route="anthropic.messages")
    config = setup.config(_route("claude, gpt"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "failed"
    assert [a.model_id for a in result.attempts] == ["claude"]
    assert setup.env["FAKE_KEY"] not in json.dumps(result.as_dict())


def test_missing_keys_are_named_and_nothing_is_sent(setup: Setup) -> None:
    result = run(REQUEST, setup.config(), environ={})
    assert result.status == "unavailable"
    assert result.reason == (
        "no model of the agent's chain has its key: set $FAKE_KEY or $UNSET_KEY_FOR_AGENT_TEST"
    )
    assert result.notice() == f"agent: not run: {result.reason}"
    assert setup.server.requests == []


def test_a_keyless_model_in_the_route_is_skipped(setup: Setup) -> None:
    config = setup.config(_route("keyless, mini"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok" and result.model_id == "mini"
    assert result.notes[0] == "keyless: $UNSET_KEY_FOR_AGENT_TEST is not set"


def test_unpriced_models_are_skipped_because_the_cap_cannot_be_checked(setup: Setup) -> None:
    extra = "  - {id: mystery, provider: o, model: gpt-4o-mini-unreleased}\n"
    config = setup.config(extra + _route("mystery"), agent="agent: {route: agent}\n")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "unavailable"
    assert (result.reason or "").startswith("no usable model: mystery: unpriced")
    assert setup.server.requests == []


def test_without_a_config_nothing_happens(setup: Setup) -> None:
    result = run(REQUEST, None, environ=setup.env)
    assert result.status == "unavailable" and "config/ai-models.yaml" in (result.reason or "")
    assert setup.server.requests == []


def test_an_unwritable_usage_log_is_a_note(setup: Setup) -> None:
    config = setup.config()
    blocker = config.usage_log.path
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the log directory should be", encoding="utf-8")
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok"
    assert any(n.startswith("usage event not recorded:") for n in result.notes)


def test_a_jsonl_usage_log_path_is_appended_to(setup: Setup, tmp_path: Path) -> None:
    config = setup.config()
    log = tmp_path / "one.jsonl"
    log.write_text('{"schema_version": 1}\n', encoding="utf-8")
    from dataclasses import replace

    moved = replace(config, usage_log=replace(config.usage_log, path=log))
    run(REQUEST, moved, environ=setup.env)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["feature"] == FEATURE


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="agent kind must be one of"):
        AgentRequest("costs", {})
