"""Fixtures for the model-health tests: the fake provider, and a repo configured to use it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fakeprovider import FakeProvider
from fakeprovider.fixtures import TEST_KEY, fake_provider

from aiinfra_cli.config import Config, load_config

__all__ = ["fake_provider", "health_repo", "keys", "standard_config"]


@pytest.fixture
def keys() -> dict[str, str]:
    """The environment that holds the fake provider's key for every hosted provider."""
    return {"ANTHROPIC_API_KEY": TEST_KEY, "OPENAI_API_KEY": TEST_KEY, "GEMINI_API_KEY": TEST_KEY}


@pytest.fixture
def standard_config() -> Callable[..., str]:
    """``standard_config(server, extra_providers=..., extra_models=...)`` -> config text."""
    return _standard_config


def _standard_config(
    server: FakeProvider, *, extra_providers: str = "", extra_models: str = ""
) -> str:
    """Three hosted providers on ``server``, one model each, and a route over two of them."""
    return f"""\
version: 1
providers:
  anthropic: {{kind: anthropic, base_url: "{server.anthropic_base_url}"}}
  openai: {{kind: openai, base_url: "{server.openai_base_url}"}}
  gemini: {{kind: gemini, base_url: "{server.gemini_base_url}"}}
{extra_providers}models:
  - {{id: claude, provider: anthropic, model: claude-haiku-4-5}}
  - {{id: gpt, provider: openai, model: gpt-4o-mini}}
  - {{id: gemini, provider: gemini, model: gemini-2.0-flash}}
{extra_models}routes:
  main: {{chain: [claude, gpt]}}
"""


@pytest.fixture
def health_repo(git_repo: Path) -> Callable[[str], Config]:
    """Write ``config/ai-models.yaml`` into a real git repo and load it."""

    def write(text: str) -> Config:
        path = git_repo / "config" / "ai-models.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        config = load_config(path)
        assert config is not None
        return config

    return write
