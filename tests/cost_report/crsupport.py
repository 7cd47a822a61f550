"""Helpers shared by the cost-report tests: the test config, log writers, a fixed clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

CONFIG = """\
version: 1
providers:
  anthropic: {kind: anthropic}
  openai: {kind: openai}
models:
  - {id: smart, provider: anthropic, model: claude-sonnet-4-5}
  - {id: mini, provider: openai, model: gpt-4o-mini}
budgets:
  monthly_usd: 50
  daily_usd: 1
  per_feature: {chat: 5}
  per_model: {mini: 100}
usage_log: {path: logs}
"""

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=timezone.utc)


# The smallest valid event of the own format (one priced gpt-4o-mini call).
MINIMAL_EVENT: dict[str, Any] = {
    "schema_version": 1,
    "timestamp": "2026-11-20T10:00:00Z",
    "provider": "openai",
    "request_model": "gpt-4o-mini",
    "input_tokens": 100,
    "output_tokens": 10,
    "status": "ok",
}


def event(**fields: Any) -> dict[str, Any]:
    """A valid usage event with sensible defaults, overridden by ``fields``."""
    base: dict[str, Any] = {
        "schema_version": 1,
        "timestamp": "2026-11-01T10:00:00Z",
        "provider": "anthropic",
        "request_model": "claude-sonnet-4-5",
        "input_tokens": 0,
        "output_tokens": 0,
        "status": "ok",
    }
    base.update(fields)
    return base


def write_jsonl(path: Path, records: list[Any]) -> Path:
    """Write records (dicts are JSON-encoded, strings written as they are) one per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


Runner = Callable[..., tuple[int, dict[str, Any]]]
