"""cost-diff prices a call site's max-tokens and prompt-cache changes over its logged calls
(each call repriced exactly), and says "not priced (why)" where the log cannot show the cost."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from cost_diff.conftest import base_repo

from aiinfra_cli.commands import cost_diff
from aiinfra_cli.pricing import TokenUsage, cost, load_price_table

POLICY = " ".join(
    f"Rule {i}: answer politely, cite the handbook section, never guess." for i in range(300)
)
BASE = f"""\
from anthropic import Anthropic

client = Anthropic(timeout=10)
POLICY = {POLICY!r}


def answer(question: str) -> str:
    reply = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1000,
        system=[{{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}}],
        messages=[{{"role": "user", "content": question}}],
    )
    return reply.content[0].text
"""
NOW = datetime.now(timezone.utc)
OUTPUTS = [100, 250, 900, 1000] * 10  # 20 of 40 calls write more than 300 tokens
CONFIG = "version: 1\nproviders:\n  anthropic: {kind: anthropic}\nmodels:\n  - {id: smart, provider: anthropic, model: claude-sonnet-4-5}\n"


def _events() -> list[dict[str, object]]:
    return [
        {
            "schema_version": 1,
            "timestamp": (NOW - timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": "ok",
            "provider": "anthropic",
            "request_model": "claude-sonnet-4-5",
            "input_tokens": 5000,
            "cache_read_tokens": 4000 if i % 2 else 0,
            "cache_write_tokens": 0 if i % 2 else 4000,
            "output_tokens": out,
            "call_site": "app/answer.py:9",
        }
        for i, out in enumerate(OUTPUTS)
    ]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = base_repo(tmp_path, CONFIG, {"app/answer.py": BASE})
    events = _events()
    (repo / "logs" / "usage.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return repo


def _run(repo: Path, capsys: pytest.CaptureFixture[str], *logs: Path) -> dict[str, object]:
    assert cost_diff.run("main", usage_logs=list(logs), output_format="json") == 0
    document = json.loads(capsys.readouterr().out)
    [change] = document["changes"]
    assert isinstance(change, dict)
    return change


def _usage(event: dict[str, object], **changed: int) -> TokenUsage:
    fields = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
    return TokenUsage(**{f: int(changed.get(f, event[f])) for f in fields})  # type: ignore[call-overload]


def test_a_lower_cap_and_a_removed_cache_are_priced_call_by_call(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    head = BASE.replace("max_tokens=1000", "max_tokens=300").replace(
        '[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]', "POLICY"
    )
    (repo / "app" / "answer.py").write_text(head)
    monkeypatch.chdir(repo)
    change = _run(repo, capsys, Path("logs"))
    price = load_price_table().lookup("claude-sonnet-4-5")
    assert price is not None
    capped = uncached = Decimal(0)
    for event in _events():
        logged = cost(price, _usage(event)).total
        out = int(str(event["output_tokens"]))
        if out > 300:
            capped += cost(price, _usage(event, output_tokens=300)).total - logged
        plain = _usage(event, cache_read_tokens=0, cache_write_tokens=0)
        uncached += cost(price, plain).total - logged
    assert change["details"] == [
        "max_tokens 1000 → 300: 20 of 40 calls wrote more than 300 output tokens"
        " (their output above the cap repriced)",
        "prompt cache removed: 80,000 cache-read and 80,000 cache-write tokens of 40 of 40"
        " calls repriced as plain input",
    ]
    assert capped < 0 < uncached
    monthly = ((capped + uncached) * 30 / 30).quantize(Decimal("0.0001"))
    assert Decimal(str(change["monthly_usd"])) == monthly


def test_a_raised_cap_that_calls_hit_is_not_priced(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "app" / "answer.py").write_text(BASE.replace("max_tokens=1000", "max_tokens=4000"))
    monkeypatch.chdir(repo)
    change = _run(repo, capsys, Path("logs"))
    assert change["details"] == [
        "max_tokens 1000 → 4000: not priced (10 of 40 calls stopped at the old cap of 1000:"
        " how long they would have run is not in the log)"
    ]
    assert change["monthly_usd"] is None and change["note"] == "not priced: see the details"
