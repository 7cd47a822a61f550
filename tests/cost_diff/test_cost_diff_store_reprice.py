"""``cost-diff --source store`` reprices max-tokens and prompt-cache changes from the store's
sums exactly as ``--usage-logs`` does call by call: the same JSON on the same events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cost_diff.conftest import base_repo
from cost_diff.test_cost_diff_reprice import BASE
from cost_diff.test_cost_diff_store import _json

from aiinfra_cli.store import connect, migrate, push, target

CONFIG = (
    "version: 1\nproviders:\n  anthropic: {kind: anthropic}\n"
    "models:\n  - {id: fast, provider: anthropic, model: claude-haiku-5-5}\n"
)
CODE = BASE.replace("claude-sonnet-4-5", "claude-haiku-5-5") + (
    "\n\ndef draft(topic: str) -> str:\n"
    "    reply = client.messages.create(\n"
    '        model="claude-haiku-5-5", max_tokens=2000,'
    ' messages=[{"role": "user", "content": topic}]\n'
    "    )\n"
    "    return reply.content[0].text\n"
    "\n\ndef polish(text: str) -> str:\n"
    "    reply = client.messages.create(\n"
    '        model="made-up-model", max_tokens=500,'
    ' messages=[{"role": "user", "content": text}]\n'
    "    )\n"
    "    return reply.content[0].text\n"
)
ANSWER = CODE.splitlines().index("def answer(question: str) -> str:") + 2
DRAFT = CODE.splitlines().index("def draft(topic: str) -> str:") + 2
POLISH = CODE.splitlines().index("def polish(text: str) -> str:") + 2
NOW = datetime.now(timezone.utc)


def _event(i: int, site: str, output: int) -> dict[str, Any]:
    """Every pricing path: two vendors' models on both sides of their long-context
    thresholds (claude-haiku-5-5 above 100k input, gpt-5.4 above 272k), reasoning above the
    new cap, 1-hour cache writes, batch, recorded costs and errors (left out)."""
    openai = i % 3 == 0
    event: dict[str, Any] = {
        "schema_version": 1,
        "event_id": f"{site}-{i}",
        "timestamp": (NOW - timedelta(hours=i * 13, seconds=i)).isoformat(),
        "provider": "openai" if openai else "anthropic",
        "request_model": "gpt-5.4" if openai else "claude-haiku-5-5",
        "input_tokens": (300_000 + i, 150_000 + i, 5_000 + i * 7, 90_000)[i % 4],
        "output_tokens": output,
        "reasoning_tokens": min(output, 500) if openai else 0,
        "cache_read_tokens": 4000 if i % 2 else 0,
        "cache_write_tokens": 0 if i % 2 else 4000,
        "cache_write_1h_tokens": 1000 if i % 6 == 2 else 0,
        "status": "error" if i % 7 == 0 else "ok",
        "batch": i % 5 == 1,
        "call_site": f"./{site}" if i % 2 else site,
    }
    if i % 8 == 3:
        event["cost_usd"] = f"0.{i:03d}5"
    return event


def _events() -> str:
    answer = [
        _event(i, f"app/answer.py:{ANSWER}", (100, 250, 900, 1000, 640)[i % 5]) for i in range(48)
    ]
    draft = [_event(i, f"app/answer.py:{DRAFT}", 300 + i * 31) for i in range(30)]
    polish = [_event(i, f"app/answer.py:{POLISH}", 600) for i in range(5)]
    old = {**answer[1], "event_id": "old", "timestamp": (NOW - timedelta(days=40)).isoformat()}
    return "".join(json.dumps(e) + "\n" for e in [*answer, *draft, *polish, old])


HEADS = {
    "cap cut": (CODE.replace("max_tokens=1000", "max_tokens=300"), "wrote more than 300"),
    "cap raise over calls that hit the cap": (
        CODE.replace("max_tokens=1000", "max_tokens=4000"),
        "not priced (8 of 41 calls stopped at the old cap of 1000",
    ),
    "cap removed": (
        CODE.replace("max_tokens=1000,", ""),
        "not priced (8 of 41 calls stopped at the old cap of 1000",
    ),
    "cap cut at a model not in the price table": (
        CODE.replace("max_tokens=500", "max_tokens=100"),
        "not priced (made-up-model is not in the price table)",
    ),
    "cap raise no call reached": (
        CODE.replace("max_tokens=2000", "max_tokens=8000"),
        "$0 (no observed call reached the old cap)",
    ),
    "cache removed": (
        CODE.replace(
            '[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]', "POLICY"
        ),
        "cache-write tokens of 41 of 41 calls repriced as plain input",
    ),
    # Its spend from the store's sums, each priced in its long-context tier.
    "call site removed": (
        CODE.replace(CODE[CODE.index("\n\ndef draft") : CODE.index("\n\ndef polish")], ""),
        None,
    ),
}


SIGNS = {"cap cut": False, "call site removed": False, "cache removed": True}


def test_store_sums_reprice_caps_and_caches_like_the_events(
    tmp_path: Path,
    pg_dsn: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = base_repo(tmp_path, CONFIG, {"app/answer.py": CODE})
    (repo / "logs" / "usage.jsonl").write_text(_events(), encoding="utf-8")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("AIINFRA_STORE_DSN", pg_dsn)
    with connect(target()) as conn:
        migrate(conn)
        assert push(conn, [repo / "logs"]).inserted == 84
    for name, (head, expected) in HEADS.items():
        (repo / "app" / "answer.py").write_text(head, encoding="utf-8")
        from_logs = _json(capsys, usage_logs=[Path("logs")])
        from_store = _json(capsys, source="store")
        [change] = from_logs["changes"]
        if expected is not None:
            assert any(expected in d for d in change["details"]), (name, change["details"])
        assert from_store == from_logs, name
        monthly = change["monthly_usd"]
        if name in SIGNS:  # priced: a saving, or a cost
            assert monthly is not None and (float(monthly) > 0) == SIGNS[name], name
