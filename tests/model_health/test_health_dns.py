"""A host name that does not resolve reads as such ("cannot resolve HOST (DNS)"), never as the
resolver's raw errno ("Unknown error -2"), on every path that talks to a provider: the light
probe (httpx), the deep probe and the live call (the official SDKs).

``.invalid`` never resolves (RFC 2606), so no network is needed: the lookup fails locally."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fakeprovider.fixtures import TEST_KEY

from aiinfra_cli.config import Config, load_config
from aiinfra_cli.providers import ProbeOptions, probe_models
from aiinfra_cli.providers._generate import GenerationFailed, generate

HOST = "nonexistent.invalid"
CONFIG = (
    "version: 1\nproviders:\n"
    f'  anthropic: {{kind: anthropic, base_url: "https://{HOST}"}}\n'
    f'  openai: {{kind: openai, base_url: "https://{HOST}/v1"}}\n'
    "models:\n"
    "  - {id: claude, provider: anthropic, model: claude-haiku-4-5}\n"
    "  - {id: gpt, provider: openai, model: gpt-4o-mini}\n"
)


@pytest.mark.parametrize("deep", [False, True], ids=["light", "deep"])
def test_probes_say_the_host_does_not_resolve(
    health_repo: Callable[[str], Config], keys: dict[str, str], deep: bool
) -> None:
    config = health_repo(CONFIG)
    results = probe_models(config, options=ProbeOptions(deep=deep, timeout_s=10), environ=keys)
    assert {r.id: (r.error_class, r.message) for r in results} == {
        model: ("connection", f"connection: cannot resolve {HOST} (DNS)")
        for model in ("claude", "gpt")
    }


def test_a_live_call_says_the_host_does_not_resolve(tmp_path: Path) -> None:
    path = tmp_path / "ai-models.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    assert config is not None
    env = {"ANTHROPIC_API_KEY": TEST_KEY, "OPENAI_API_KEY": TEST_KEY}
    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises(GenerationFailed) as caught:
        generate(config, ["claude", "gpt"], system=None, messages=messages, environ=env)
    assert [(a.model_id, a.error, a.detail) for a in caught.value.attempts] == [
        (model, "connection", f"cannot resolve {HOST} (DNS)") for model in ("claude", "gpt")
    ]
    assert "Unknown error" not in str(caught.value)
