"""Where the provider layer sends a request: the config's base_url, else the environment's
``ANTHROPIC_BASE_URL`` / ``OPENAI_BASE_URL`` (as the official SDKs read them), else the API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli.agent import AgentRequest, run
from aiinfra_cli.config import Config, check_text

if TYPE_CHECKING:
    from conftest import Setup

REQUEST = AgentRequest("cost-report", {"totals": {"cost_usd": "3.10", "requests": 41}})


def _config(root: Path, providers: str) -> Config:
    text = (
        f"version: 1\nproviders:\n{providers}"
        "models:\n"
        "  - {id: claude, provider: a, model: claude-haiku-4-5, tier: balanced}\n"
        "  - {id: gpt, provider: o, model: gpt-4o-mini, tier: fast}\n"
        "usage_log: {path: logs/ai-usage}\n"
    )
    config, problems = check_text(text, root / "config" / "ai-models.yaml")
    assert config is not None, problems
    return config


def test_the_environment_names_the_base_url_when_the_config_does_not(setup: Setup) -> None:
    providers = (
        "  a: {kind: anthropic, api_key_env: FAKE_KEY}\n"
        "  o: {kind: openai, api_key_env: FAKE_KEY}\n"
    )
    config = _config(setup.root, providers)
    # A /v1 written out of habit is dropped, as for a configured Anthropic base_url.
    env = {**setup.env, "ANTHROPIC_BASE_URL": setup.server.anthropic_base_url + "/v1/"}
    result = run(REQUEST, config, environ=env)
    assert result.status == "ok", result.reason
    assert [r.path for r in setup.server.agent_requests()] == ["/v1/messages"]


def test_openai_reads_its_own_variable(setup: Setup) -> None:
    providers = "  a: {kind: anthropic, api_key_env: UNSET_KEY}\n  o: {kind: openai, api_key_env: FAKE_KEY}\n"
    config = _config(setup.root, providers)
    env = {**setup.env, "OPENAI_BASE_URL": setup.server.openai_base_url}
    result = run(REQUEST, config, environ=env)
    assert result.status == "ok" and result.model_id == "gpt", result.reason
    assert [r.route for r in setup.server.agent_requests()] == ["openai.chat"]


def test_the_configs_base_url_wins(setup: Setup) -> None:
    providers = (
        '  a: {kind: anthropic, base_url: "http://127.0.0.1:9", api_key_env: FAKE_KEY}\n'
        "  o: {kind: openai, api_key_env: UNSET_KEY}\n"
    )
    config = _config(setup.root, providers)
    env = {**setup.env, "ANTHROPIC_BASE_URL": setup.server.anthropic_base_url}
    result = run(REQUEST, config, environ=env)
    assert result.status == "failed"
    assert "connection to http://127.0.0.1:9 failed" in (result.reason or "")
    assert setup.server.requests == []
