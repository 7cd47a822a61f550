"""Building usage-event lines for the store tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def event(n: int, **fields: Any) -> dict[str, Any]:
    """A valid usage event; ``n`` varies the id and the time."""
    base: dict[str, Any] = {
        "schema_version": 1,
        "event_id": f"ev-{n}",
        "timestamp": f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:15:00.250Z",
        "provider": "anthropic",
        "request_model": "claude-sonnet-4-5",
        "input_tokens": 1000 + n,
        "output_tokens": 200,
        "cache_read_tokens": 100,
        "status": "ok",
        "cost_usd": "0.006300000000000001",
        "feature": "summarize",
        "user": f"u{n % 3}",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def write_lines(path: Path, events: list[dict[str, Any]], extra: Sequence[str] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(e) for e in events] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
