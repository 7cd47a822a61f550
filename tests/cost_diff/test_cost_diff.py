"""``aiinfra cost-diff``: changes between BASE and the working tree, priced on real traffic."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from _support import run_cli

from aiinfra_cli.commands import cost_diff
from aiinfra_cli.errors import ConfigError, UsageError
from aiinfra_cli.pricing import TokenUsage, cost, load_price_table


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def _per_call(model: str, tokens_in: int, tokens_out: int) -> Decimal:
    price = load_price_table().lookup(model)
    assert price is not None
    return cost(price, TokenUsage(input_tokens=tokens_in, output_tokens=tokens_out)).total


def test_changes_are_priced_on_observed_traffic(
    feature_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(feature_repo)
    assert cost_diff.run(usage_logs=[Path("logs")], output_format="json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["base"] == git(feature_repo, "rev-parse", "main").strip()
    assert document["base_label"] == "merge base with main"
    assert document["usage_events"] == 240  # the 45-day-old event is outside the window
    changes = {(c["kind"], c["where"]): c for c in document["changes"]}
    model = changes[("changed", "app/ask.py:9")]
    assert model["details"] == ["model gpt-4o-mini → gpt-4o"]
    assert model["calls_per_month"] == 120
    delta = _per_call("gpt-4o", 3000, 400) - _per_call("gpt-4o-mini", 3000, 400)
    assert Decimal(model["monthly_usd"]) == (delta * 120).quantize(Decimal("0.0001"))
    route = changes[("route", "config/ai-models.yaml")]
    assert route["subject"] == "`summarize` route now starts on gpt-4o-mini (was claude-sonnet-4-5)"
    assert (route["calls_per_month"], route["avg_input_tokens"], route["avg_output_tokens"]) == (
        120,
        3100,
        410,
    )
    runtime = changes[("changed", "app/ask.py:16")]
    assert runtime["monthly_usd"] is None and runtime["note"] == "priced with its route below"
    added = changes[("added", "app/ask.py:20")]
    assert added["monthly_usd"] is None and added["note"].startswith("no traffic yet")
    assert Decimal(added["per_call_usd"]) > 0
    total = Decimal(model["monthly_usd"]) + Decimal(route["monthly_usd"])
    assert Decimal(document["total_monthly_usd"]) == total


def test_gate_from_flag_and_pyproject(
    feature_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(feature_repo)
    # The route change saves more than the model change costs: the total is negative.
    assert cost_diff.run("main", usage_logs=[Path("logs")], max_monthly_delta="$0") == 0
    assert "within the gate of $0/month" in capsys.readouterr().out
    (feature_repo / "pyproject.toml").write_text(
        "[tool.aiinfra]\ncost_gate = { max_monthly_delta = 0 }\n", encoding="utf-8"
    )
    assert cost_diff.run("main", usage_logs=[Path("logs")], output_format="markdown") == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("<!-- aiinfra-cost-diff -->\n### aiinfra cost-diff: -$")
    assert "**within the gate of $0/month**" in markdown
    assert "| Change | Where | Monthly | Per call | Traffic |" in markdown
    config = (feature_repo / "config" / "ai-models.yaml").read_text(encoding="utf-8")
    (feature_repo / "config" / "ai-models.yaml").write_text(
        config.replace("chain: [fast, smart, llama]", "chain: [smart, fast, llama]"),
        encoding="utf-8",
    )
    assert cost_diff.run("main", usage_logs=[Path("logs")]) == 1
    assert "over the gate of $0/month" in capsys.readouterr().out
    (feature_repo / "pyproject.toml").write_text(
        "[tool.aiinfra]\ncost_gate = { max_monthly_delta = 'lots' }\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="cost_gate must be a table"):
        cost_diff.run("main")


def test_bad_usage_is_one_line(feature_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(feature_repo)
    with pytest.raises(UsageError, match="unknown --source 'cloud'"):
        cost_diff.run(source="cloud")
    with pytest.raises(UsageError, match="unknown git ref 'nope'"):
        cost_diff.run("nope")
    with pytest.raises(UsageError, match="not a USD amount"):
        cost_diff.run(max_monthly_delta="ten")
    done = run_cli("cost-diff", "--format", "yaml", cwd=feature_repo)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "aiinfra: error: unknown --format 'yaml' (use one of text, json, markdown)\n"
    )
