"""Fixtures for the agent tests: a scripted loopback provider, a config pointing at it, canaries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fakeprovider import FakeProvider
from fakeprovider.fixtures import TEST_KEY

from aiinfra_cli.config import Config, load_config

ENV = {"FAKE_KEY": TEST_KEY}
GENERATION_ROUTES = ("anthropic.messages", "openai.chat", "gemini.generate")
AGENT_MARK = "analysis agent of aiinfra"


class ScriptedProvider(FakeProvider):
    """The fake provider answering generation requests with queued replies, in order (the last
    one repeats). Faults still come first: a request answered with an error uses no reply."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies: list[str] = []

    def _answer(self, call: Any) -> None:  # the server's own dispatch, one request at a time
        if call.route in GENERATION_ROUTES and self.replies:
            rule_faults = [r for r in self.schedule.rules if r.matches(call.route, call.model)]
            faulted = any(r.calls is None or r.seen in r.calls for r in rule_faults)
            if not faulted:
                self.reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        super()._answer(call)

    def agent_requests(self) -> list[Any]:
        """The recorded requests that came from the agent (its system prompt names it)."""
        return [r for r in self.requests if AGENT_MARK in json.dumps(r.body)]


GOOD_ANSWER: dict[str, Any] = {
    "summary": "gpt-4o is 65% of the $1240.50 spent in the period.",
    "recommendations": [
        {
            "title": "Route summarize to gpt-4o-mini",
            "rationale": "gpt-4o cost $812.20 of $1240.50; summarize is 48210 requests.",
            "impact": "saving",
            "estimated_monthly_usd": "600.00",
            "action": "Put mini first in routes.summarize.chain.",
            "location": "src/app/summary.py:88",
        },
        {
            "title": "Cap output tokens",
            "rationale": "AIC001 fires on 3 calls worth $42.10 a month.",
            "impact": "risk",
            "estimated_monthly_usd": "42.10",
            "action": "Pass max_tokens=512.",
            "location": "src/invented.py:1",
        },
    ],
}


def reply(answer: dict[str, Any] | None = None) -> str:
    """A model reply carrying ``answer`` (default: :data:`GOOD_ANSWER`) as JSON."""
    return json.dumps(GOOD_ANSWER if answer is None else answer)


@pytest.fixture
def server() -> Iterator[ScriptedProvider]:
    made = ScriptedProvider(api_key=TEST_KEY, max_lifetime=120.0)
    made.replies = [reply()]
    with made:
        yield made


@dataclass
class Setup:
    """A project directory with a config for the fake provider, and what tests send and expect
    (test modules cannot import this conftest, so its helpers travel with the fixture)."""

    root: Path
    server: ScriptedProvider
    env: dict[str, str] = field(default_factory=lambda: dict(ENV))
    good_answer: dict[str, Any] = field(default_factory=lambda: json.loads(reply()))

    @staticmethod
    def reply(answer: dict[str, Any] | None = None) -> str:
        """A model reply carrying ``answer`` (default: the good answer) as JSON."""
        return reply(answer)

    def config(self, extra: str = "", *, agent: str = "") -> Config:
        text = config_text(self.server, extra=extra, agent=agent)
        path = self.root / "config" / "ai-models.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        loaded = load_config(path)
        assert loaded is not None
        return loaded


def config_text(server: FakeProvider, *, extra: str = "", agent: str = "") -> str:
    """Providers of all three protocols on the fake server; ``agent`` is the config's section."""
    return (
        "version: 1\nproviders:\n"
        f'  a: {{kind: anthropic, base_url: "{server.anthropic_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  o: {{kind: openai, base_url: "{server.openai_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  g: {{kind: gemini, base_url: "{server.gemini_base_url}", api_key_env: FAKE_KEY}}\n'
        "  nokey: {kind: anthropic, api_key_env: UNSET_KEY_FOR_AGENT_TEST}\n"
        "models:\n"
        "  - {id: claude, provider: a, model: claude-haiku-4-5, tier: balanced}\n"
        "  - {id: gpt, provider: o, model: gpt-4o, tier: powerful}\n"
        "  - {id: mini, provider: o, model: gpt-4o-mini, tier: fast}\n"
        "  - {id: gemini, provider: g, model: gemini-2.0-flash, tier: fast}\n"
        "  - {id: keyless, provider: nokey, model: claude-opus-4-1, tier: balanced}\n"
        f"{extra}"
        "usage_log: {path: logs/ai-usage}\n"
        f"{agent}"
    )


@pytest.fixture
def setup(tmp_path: Path, server: ScriptedProvider) -> Setup:
    root = tmp_path / "project"
    root.mkdir()
    return Setup(root, server)


@dataclass(frozen=True)
class Canaries:
    """Secrets and personal data planted in inputs; none may reach a provider. Every letter-
    bearing one carries the marker ``zq7`` (any case), so a partial leak shows up too."""

    anthropic_key: str = "sk-ant-" + "api03-zq7" + "Ab12Cd34Ef56Gh78Ij90"
    openai_key: str = "sk-proj-" + "zq7" + "Kl12Mn34Op56Qr78St90Uv"
    aws_key: str = "AKIA" + "ZQ7" + "ABCDEFGHIJKLM"
    github_token: str = "ghp_" + "zq7" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r"
    password: str = "zq7-Hunter2-pass"
    email: str = "zq7.person@example.org"
    user_id: str = "zq7-user-8841"
    tenant: str = "zq7-tenant-acme"
    phone: str = "+44 20 7946 0958"
    ip: str = "203.0.113.77"
    card: str = "4111 1111 1111 1111"
    prompt_text: str = "zq7 confidential: the customer's diagnosis is"

    def values(self) -> list[str]:
        return list(vars(self).values())

    def assert_absent(self, text: str) -> None:
        """None of the canaries, whole or by marker, is in ``text``."""
        leaked = [value for value in self.values() if value in text]
        assert leaked == [], f"leaked: {leaked}"
        assert "zq7" not in text.lower()
        assert "7946" not in text and "113.77" not in text and "1111 1111" not in text


@pytest.fixture
def canaries() -> Canaries:
    return Canaries()
