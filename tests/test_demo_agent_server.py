"""The demo's local stand-in for the agent's model: the Anthropic wire format through the
official SDK, its dummy key, and answers computed from the facts it is sent (not canned)."""

from __future__ import annotations

import json

import anthropic
import pytest

from aiinfra_cli.agent import parse_answer
from aiinfra_cli.agent._proposals import parse_proposals
from aiinfra_cli.demo import KEY, MODEL, DemoAgentServer, answer


def _report(top_cost: str, cheap_cost: str) -> dict[str, object]:
    return {
        "period": {"days": 30},
        "totals": {"cost_usd": "100", "requests": 2000, "errors": 0},
        "by_model": [
            {"model": "big", "priced": True, "requests": 1000, "cost_usd": top_cost},
            {"model": "small", "priced": True, "requests": 1000, "cost_usd": cheap_cost},
        ],
    }


def _ask(facts: dict[str, object], command: str = "cost-report") -> str:
    return f"Results of `aiinfra {command}`:\n{json.dumps(facts)}"


def test_the_answer_follows_the_figures_it_is_sent() -> None:
    one = answer(_ask(_report("90", "10")))
    two = answer(_ask(_report("60", "40")))
    assert one != two
    (first,) = one["recommendations"]
    assert first["title"] == "Send half of big's traffic to small"
    assert "$0.0900 a request against $0.0100 on small" in first["rationale"]
    assert first["estimated_monthly_usd"] == "40.00"  # (0.09 - 0.01) * 1000 / 2
    assert two["recommendations"][0]["estimated_monthly_usd"] == "10.00"
    for reply in (one, two):
        parsed, problems = parse_answer(json.dumps(reply))
        assert parsed is not None, problems


def test_init_answers_follow_the_agents_schema() -> None:
    facts = {
        "models": [
            {
                "model_id": "smart",
                "provider": "anthropic",
                "tier": "balanced",
                "model": "claude-sonnet-4-5",
                "output_usd_per_mtok": "15",
            },
            {
                "model_id": "quick",
                "provider": "anthropic",
                "tier": "fast",
                "model": "claude-haiku-4-5",
                "output_usd_per_mtok": "5",
            },
        ],
        "routes": [{"route": "default", "chain": ["smart"]}],
        "modules": [
            {
                "file": "src/app/tags.py",
                "route": "tags",
                "calls": 3,
                "call_sites": [{"model_id": "smart", "max_tokens": 50}],
            },
            {
                "file": "src/app/essay.py",
                "route": "essay",
                "calls": 1,
                "call_sites": [{"model_id": "smart", "max_tokens": 8000}],
            },
        ],
    }
    reply = answer(_ask(facts, "init"))
    parsed, problems = parse_proposals(json.dumps(reply))
    assert parsed is not None, problems
    # Short answers move to the fast model; a module allowing long ones keeps its own.
    assert [(r.name, r.chain) for r in parsed.routes] == [("tags-fast", ("quick", "smart"))]


@pytest.fixture
def server() -> DemoAgentServer:
    with DemoAgentServer() as made:
        yield made


def test_it_speaks_the_messages_api_through_the_sdk(server: DemoAgentServer) -> None:
    client = anthropic.Anthropic(api_key=KEY, base_url=server.base_url, max_retries=0)
    reply = client.messages.create(
        model=MODEL,
        max_tokens=2000,
        messages=[{"role": "user", "content": _ask(_report("90", "10"))}],
    )
    assert reply.stop_reason == "end_turn" and reply.model == MODEL
    assert reply.usage.input_tokens > 0 and reply.usage.output_tokens > 0
    assert json.loads(reply.content[0].text) == answer(_ask(_report("90", "10")))
    assert client.models.retrieve(MODEL).id == MODEL


def test_it_wants_its_dummy_key(server: DemoAgentServer) -> None:
    client = anthropic.Anthropic(api_key="another-key", base_url=server.base_url, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(
            model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "hi"}]
        )
