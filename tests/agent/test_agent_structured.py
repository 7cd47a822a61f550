"""Anthropic models get the answer's schema as structured output (``output_config.format``),
besides the instructions; a model that refuses it is asked once more with the instructions only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeprovider import Fault, first

from aiinfra_cli.agent import AgentRequest, proposals_wire_schema, run, wire_schema
from aiinfra_cli.usage import read_events

if TYPE_CHECKING:
    from conftest import Setup

FACTS = {
    "totals": {"cost_usd": "1240.50", "requests": 48210},
    "by_model": [{"model": "gpt-4o", "cost_usd": "812.20"}],
    "findings": [{"file": "src/app/summary.py", "line": 88, "code": "AIC001"}],
}
REQUEST = AgentRequest("cost-report", FACTS)


def test_anthropic_requests_carry_the_schema_as_output_config(setup: Setup) -> None:
    config = setup.config()
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok" and result.model_id == "claude", result.reason
    (request,) = setup.server.agent_requests()
    assert request.route == "anthropic.messages"
    assert request.body["output_config"] == {
        "format": {"type": "json_schema", "schema": wire_schema()}
    }
    # The instruction stays: validation and the one retry do not depend on the API's promise.
    assert "JSON Schema" in request.body["system"]
    assert "response_format" not in request.body


def test_the_init_schema_passes_the_apis_own_check(setup: Setup) -> None:
    # The fake refuses what the API refuses (an object schema without additionalProperties:
    # false), so an answer proves the proposals' schema is one the API takes.
    setup.server.replies = [
        setup.reply(
            {
                "summary": "Two modules call claude.",
                "routes": [
                    {"name": "tagging", "tier": None, "chain": ["claude"], "rationale": "3 calls"}
                ],
            }
        )
    ]
    facts = {"models": [{"model_id": "claude", "tier": "balanced"}]}
    result = run(AgentRequest("init", facts), setup.config(), environ=setup.env)
    assert result.status == "ok", result.reason
    (request,) = setup.server.agent_requests()
    assert request.body["output_config"]["format"]["schema"] == proposals_wire_schema()
    assert [r.name for r in result.routes] == ["tagging"]


def test_the_fake_refuses_a_schema_the_api_refuses(setup: Setup) -> None:
    import anthropic

    loose = {"type": "object", "properties": {"summary": {"type": "string"}}}

    client = anthropic.Anthropic(
        base_url=setup.server.anthropic_base_url, api_key=setup.env["FAKE_KEY"], max_retries=0
    )
    try:
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=10,
            messages=[{"role": "user", "content": "hi"}],
            output_config={"format": {"type": "json_schema", "schema": loose}},
        )
    except anthropic.BadRequestError as exc:
        assert "additionalProperties" in str(exc)
    else:
        raise AssertionError("the fake accepted an object schema without additionalProperties")


def test_a_model_refusing_structured_output_is_asked_again_without_it(setup: Setup) -> None:
    setup.server.unstructured_models.add("claude-haiku-4-5")
    config = setup.config()
    result = run(REQUEST, config, environ=setup.env)
    assert result.status == "ok" and result.model_id == "claude", result.reason
    refused, answered = setup.server.agent_requests()
    assert "output_config" in refused.body
    assert "output_config" not in answered.body
    assert "JSON Schema" in answered.body["system"]
    assert [(a.model_id, a.error) for a in result.attempts] == [
        ("claude", "bad_request"),
        ("claude", None),
    ]
    assert "output_config.format" in result.attempts[0].detail
    assert (
        "claude: the API refused structured output (output_config.format); asked again with"
        " the schema in the instructions only"
    ) in result.notes
    # The refused request cost nothing: one answered call, one usage event.
    assert result.calls == 1
    (event,) = read_events([config.usage_log.path]).events
    assert (event.model_id, event.attempt) == ("claude", 1)


def test_the_invalid_answer_retry_stays_without_structured_output(setup: Setup) -> None:
    setup.server.inject(
        Fault.bad_request("output_format: This model does not support structured outputs"),
        route="anthropic.messages",
        calls=first(1),
    )
    setup.server.replies = ['{"summary": "x"}', setup.reply()]
    result = run(REQUEST, setup.config(), environ=setup.env)
    assert result.status == "ok" and result.calls == 2
    bodies = [r.body for r in setup.server.agent_requests()]
    assert ["output_config" in b for b in bodies] == [True, False, False]


def test_any_other_bad_request_is_not_retried(setup: Setup) -> None:
    setup.server.inject(
        Fault.bad_request("messages.0.content: Input should be a valid string"),
        route="anthropic.messages",
    )
    result = run(REQUEST, setup.config(), environ=setup.env)
    assert result.status == "failed"
    assert len(setup.server.agent_requests()) == 1
    assert [a.error for a in result.attempts] == ["bad_request"]
