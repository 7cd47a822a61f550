"""Helpers shared by the tests: the reference config and a runner for the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

EXAMPLE_CONFIG = """\
version: 1
providers:
  anthropic: {kind: anthropic, api_key_env: ANTHROPIC_API_KEY}
  openai:    {kind: openai, api_key_env: OPENAI_API_KEY}
  local:     {kind: openai-compatible, base_url: "http://127.0.0.1:11434/v1"}
models:
  - {id: smart, provider: anthropic, model: claude-sonnet-4-5, context_window: 200000, max_output_tokens: 8192, tier: balanced}
  - {id: fast, provider: openai, model: gpt-4o-mini, context_window: 128000, max_output_tokens: 4096, tier: fast}
  - {id: llama, provider: local, model: llama3.1:8b, context_window: 8192, tier: fast,
     pricing: {input_per_mtok: 0, output_per_mtok: 0}}
routes:
  summarize: {chain: [smart, fast, llama], timeout_s: 30, max_retries: 3}
budgets:
  monthly_usd: 500
  per_feature: {summarize: 100}
  alert_at: [0.7, 0.9, 1.0]
usage_log: {path: logs/ai-usage}
"""


def _entry_point() -> list[str]:
    script = Path(sys.executable).with_name("aiinfra")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aiinfra_cli"]


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the real ``aiinfra`` entry point in a subprocess and capture its output."""
    full_env = dict(os.environ)
    full_env.update({"NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb"})
    if env:
        full_env.update(env)
    return subprocess.run(
        [*_entry_point(), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def closed_schema(schema: Any) -> Any:
    """``schema`` with every object closed (``additionalProperties: false`` where it has
    ``properties`` and says nothing else), so a key the schema does not declare is an error."""
    if isinstance(schema, list):
        return [closed_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: closed_schema(value) for key, value in schema.items()}
    if "properties" in closed and "additionalProperties" not in closed:
        closed["additionalProperties"] = False
    return closed
