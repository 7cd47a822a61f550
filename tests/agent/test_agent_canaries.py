"""Canary secrets and personal data planted in a command's results, in a usage log and in code:
none of them reaches the request body the provider received, while the figures do."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiinfra_cli.agent import AgentRequest, run
from aiinfra_cli.usage import read_events

if TYPE_CHECKING:
    from conftest import Canaries, Setup


def _sent(setup: Setup, kind: str, facts: dict[str, Any], safe: tuple[str, ...] = ()) -> str:
    """Run the agent on ``facts``; everything it sent (every request body) as JSON."""
    result = run(AgentRequest(kind, facts, safe_fields=safe), setup.config(), environ=setup.env)
    assert result.status == "ok", result.reason
    bodies = [json.dumps(r.body, ensure_ascii=False) for r in setup.server.agent_requests()]
    assert bodies, "the agent sent nothing"
    return "\n".join(bodies)


def test_a_careless_cost_report_leaks_nothing(setup: Setup, canaries: Canaries) -> None:
    c = canaries
    facts: dict[str, Any] = {
        "totals": {"cost_usd": "1240.50", "requests": 48210},
        "by_model": [{"model": "gpt-4o", "cost_usd": "812.20"}],
        "by_user": {c.email: {"cost_usd": "300.10"}, c.user_id: {"cost_usd": "20.00"}},
        "by_tenant": {c.tenant: "320.10"},
        "top_users": [{"user": c.user_id, "email": c.email, "cost_usd": "20.00"}],
        "anomalies": [
            {
                "day": "2026-10-12",
                "feature": "summarize",
                "cost_usd": "210.00",
                "message": f"spike from {c.ip} using {c.anthropic_key}; call {c.phone};"
                f" password={c.password}; card {c.card}",
            }
        ],
        "sample": {"prompt": c.prompt_text, "messages": [{"content": c.prompt_text}]},
        "notes": [f"ask {c.email}", c.openai_key],
        "config": {"api_key": c.openai_key, "aws": c.aws_key, "token": c.github_token},
    }
    sent = _sent(setup, "cost-report", facts, ("message",))
    c.assert_absent(sent)
    for kept in ("1240.50", "48210", "gpt-4o", "812.20", "2026-10-12", "summarize", "user-1"):
        assert kept in sent
    # The safe message keeps its words; each planted value is replaced by what it was.
    assert (
        "spike from [ip] using [REDACTED]; call [phone]; password=[REDACTED]; card [card]" in sent
    )


def test_a_usage_log_with_planted_data_leaks_nothing(setup: Setup, canaries: Canaries) -> None:
    c = canaries
    log = setup.root / "logs" / "planted.jsonl"
    log.parent.mkdir(parents=True)
    event = {
        "schema_version": 1,
        "timestamp": "2026-10-12T09:15:00.250Z",
        "provider": "anthropic",
        "request_model": "claude-haiku-4-5",
        "input_tokens": 12000,
        "output_tokens": 800,
        "status": "ok",
        "feature": "summarize",
        "call_site": "/home/zq7dev/app/src/app/summary.py:88",
        "user": c.email,
        "tenant": c.tenant,
        "prompt": "summarize@1.0.0",
        "request_id": c.user_id,
        "tags": {"api_key": c.anthropic_key, "customer_phone": c.phone, "note": c.prompt_text},
    }
    log.write_text(json.dumps(event) + "\n", encoding="utf-8")
    read = read_events([log])
    assert read.rejects == [] and len(read.events) == 1
    # A caller that hands whole events over, tags and all.
    facts = {"events": [e.to_json() for e in read.events], "total_cost_usd": "0.048"}
    sent = _sent(setup, "cost-report", facts)
    c.assert_absent(sent)
    for kept in ("12000", "claude-haiku-4-5", "summarize@1.0.0", ".../src/app/summary.py:88"):
        assert kept in sent


def test_code_snippets_and_findings_leak_nothing(setup: Setup, canaries: Canaries) -> None:
    c = canaries
    code = f'client = anthropic.Anthropic(api_key="{c.anthropic_key}")  # owner {c.email}\n'
    facts = {
        "findings": [
            {
                "code": "AIC011",
                "rule": "hardcoded-api-key",
                "file": "src/keys.py",
                "line": 3,
                "message": f"hard-coded Anthropic API key in api_key=: {c.anthropic_key}",
                "snippet": code,
                "source_code": code,
                "fix": code,
                "estimated_monthly_usd": "0",
            },
            {
                "code": "AIC001",
                "file": "src/app/summary.py",
                "line": 88,
                "message": "no max_tokens: output is unbounded",
                "tokens": 5200,
                "estimated_monthly_usd": "42.10",
            },
        ],
        "file_contents": {"src/keys.py": code},
    }
    sent = _sent(setup, "optimize-context", facts, ("message",))
    c.assert_absent(sent)
    assert "Anthropic(" not in sent
    for kept in ("AIC011", "AIC001", "src/keys.py", "src/app/summary.py", "42.10", "5200"):
        assert kept in sent
    assert "no max_tokens: output is unbounded" in sent
