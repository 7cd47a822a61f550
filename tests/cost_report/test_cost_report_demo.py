"""``aiinfra demo``: sample logs → the real cost report, deterministic for a fixed clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from _support import run_cli
from rich.console import Console

from aiinfra_cli.commands import demo
from aiinfra_cli.config import load_config
from aiinfra_cli.errors import UsageError
from aiinfra_cli.pricing import cost, load_price_table, overrides_from_config
from aiinfra_cli.usage import read_events

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
EXPECTED = """\
demo repo: 60 days of sample LLM usage (5 models, 4 features, a spike, retries, fallbacks, an
unpriced model, 2 broken lines); no key, no network
AI cost report 2026-10-24 → 2026-11-22 (UTC), 1 log file(s)
total $38.51 over 3,390 requests, 265 unpriced; +2.6 % vs the previous 30 days (+$0.9773)
cache hit rate 36.2 %, net saving $11.85; per successful request p50 $0.0080 p95 $0.0385 p99 $0.0600
errors/retries/fallbacks $1.25 (3.3 %); forecast 2026-11 $38.84 (to date $28.88)
model              requests   input  output      cost   share
claude-sonnet-4-6     1,154    8.1M  606.2k    $23.75  61.7 %
o4-mini                 408    5.9M  846.8k     $9.05  23.5 %
claude-haiku-4-5      1,444    4.1M  512.1k     $5.56  14.4 %
gemini-2.5-flash         67  183.5k   22.7k   $0.0977   0.3 %
gpt-4o-mini              51  338.5k   25.7k   $0.0548   0.1 %
acme-tagger-v2          265  238.0k   13.1k  unpriced       —
llama3.1:8b               1    4.9k     224     $0.00   0.0 %
budget monthly (month 2026-11 to date): $28.88 of $150.00 = 19.3 % ok
budget feature:chat (month 2026-11 to date): $4.21 of $40.00 = 10.5 % ok
budget feature:summarize (month 2026-11 to date): $17.01 of $60.00 = 28.4 % ok
anomaly 2026-11-02: $3.53 vs baseline $1.39 (+154.7 %, spike)
unpriced acme-tagger-v2 (acme): 265 requests, 238,027 input / 13,065 output tokens — no price known,
not counted as $0
rejected 2 line(s)/file(s):
  logs/ai-usage/usage-2026-11-22.jsonl:6669: not valid JSON: Unterminated string starting at (column
36)
  logs/ai-usage/usage-2026-11-22.jsonl:6670: input_tokens: must be at least 0, got -20
report written to demo/.multiagent/reports/ai-cost-report-2026-11-23.md and
ai-cost-report-2026-11-23.json
demo repo kept at {root}
"""


def test_demo_output_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    buffer = StringIO()
    code = demo.run(
        keep=Path("demo"), now=NOW, console=Console(file=buffer, width=100, color_system=None)
    )
    assert code == 0
    root = tmp_path / "demo"
    shown = "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
    assert shown == EXPECTED.format(root=root)
    reports = root / ".multiagent" / "reports"
    assert sorted(p.name for p in reports.iterdir()) == [
        "ai-cost-report-2026-11-23.json",
        "ai-cost-report-2026-11-23.md",
    ]
    doc = json.loads((reports / "ai-cost-report-2026-11-23.json").read_text())
    # The report's total equals pricing every event one by one, independently of DuckDB.
    config = load_config(root / "config" / "ai-models.yaml", required=True)
    assert config is not None
    prices = load_price_table().with_overrides(overrides_from_config(config))
    result = read_events([root / "logs"])
    lo = datetime(2026, 10, 24, tzinfo=timezone.utc)
    hi = datetime(2026, 11, 23, tzinfo=timezone.utc)
    total = Decimal(0)
    for event in result.events:
        price = prices.lookup(event.model, event.provider)
        if lo <= event.timestamp < hi and price is not None:
            total += cost(price, event.token_usage(), batch=event.batch).total
    assert Decimal(doc["totals"]["cost_usd"]) == total


def test_keep_must_be_empty(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is not empty"):
        demo.run(keep=tmp_path, now=NOW)


def test_demo_entry_point_needs_no_key_or_network(tmp_path: Path) -> None:
    result = run_cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "AI cost report" in result.stdout
    assert "report written to" in result.stdout
    assert "the demo repo is temporary" in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("days_later", range(7))
def test_the_demo_shows_its_spike_whatever_the_weekday(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days_later: int
) -> None:
    # The sample traffic ends yesterday: run the demo on each day of a week, the spike must be
    # found every time (on a weekend day it would stay within a weekday's volume).
    monkeypatch.chdir(tmp_path)
    now = NOW + timedelta(days=days_later)
    code = demo.run(keep=Path("demo"), now=now, console=Console(file=StringIO()))
    assert code == 0
    (report,) = (tmp_path / "demo" / ".multiagent" / "reports").glob("*.json")
    anomalies = json.loads(report.read_text(encoding="utf-8"))["anomalies"]["days"]
    assert [a["direction"] for a in anomalies].count("spike") == 1


def test_demo_reconciles_with_a_bill_that_holds_a_key_the_tracker_never_saw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiinfra_cli._jsonschema import validate
    from aiinfra_cli.billing import json_schema
    from aiinfra_cli.demo import DARK_KEY_ID, DARK_WORKSPACE

    monkeypatch.chdir(tmp_path)
    assert demo.run(keep=Path("demo"), now=NOW, console=Console(file=StringIO())) == 0
    root = tmp_path / "demo"
    for provider in ("anthropic", "openai"):
        lines = (root / ".multiagent" / "billing" / f"{provider}.jsonl").read_text().splitlines()
        assert lines
        assert all(validate(json.loads(line), json_schema()) == [] for line in lines)
    reports = root / ".multiagent" / "reports"
    recon = json.loads((reports / "ai-cost-report-2026-11-23.json").read_text())["reconciliation"]
    assert (recon["since"], recon["until"]) == ("2026-10-24", "2026-11-22")
    assert recon["coverage_pct"] < 100
    (dark,) = [k for k in recon["by_api_key"] if k["dark"]]
    assert (dark["key_id"], dark["workspace"], dark["tracked_calls"]) == (
        DARK_KEY_ID,
        DARK_WORKSPACE,
        0,
    )
    # The bill is the tracked traffic at list price plus the dark job: every tracked key's bill
    # equals what the tracker priced, and the untracked dollars are exactly the dark key's.
    assert Decimal(recon["untracked_usd"]) == Decimal(dark["billed_at_list_usd"]) > 0
    assert Decimal(recon["over_tracked_usd"]) == 0
    for key in recon["by_api_key"]:
        if not key["dark"]:
            assert Decimal(key["billed_at_list_usd"]) == Decimal(key["tracked_usd"])
    billed, tracked = Decimal(recon["billed_usd"]), Decimal(recon["tracked_usd"])
    assert recon["coverage_pct"] == float(round(tracked / billed * 100, 1))
    markdown = (reports / "ai-cost-report-2026-11-23.md").read_text()
    assert "## Billed vs tracked" in markdown
    assert (
        f"to key `{DARK_KEY_ID}` (workspace `{DARK_WORKSPACE}`) that no tracked call used"
        in markdown
    )
    assert f"| {recon['coverage_pct']:.1f} % |" in markdown
