"""Golden reports on small logs whose every figure was worked out by hand.

Prices (USD per million tokens, bundled table): claude-sonnet-4-5 input 3, output 15, cache
read 0.3, 5-minute write 3.75, 1-hour write 6; gpt-4o-mini input 0.15, output 0.6, cache read
0.075. ``acme-x`` has no price.
"""

from __future__ import annotations

import json
from pathlib import Path

from cost_report.crsupport import Runner, event, write_jsonl

# E1  11-01 sonnet: 200k uncached x3 = 0.6; 600k read x0.3 = 0.18; 100k 5m write x3.75 = 0.375;
#     100k 1h write x6 = 0.6; 100k out x15 = 1.5                                  -> 3.255
#     cache saving 600k x (3 - 0.3) = 1.62; write premium 100k x 0.75 + 100k x 3 = 0.375
# E2  11-02 gpt-4o-mini: 1M uncached x0.15 = 0.15; 1M read x0.075 = 0.075; 1M out x0.6 = 0.6
#                                                                                  -> 0.825
#     cache saving 1M x (0.15 - 0.075) = 0.075
# E3  11-03 sonnet, error: 100k x3 + 10k x15 = 0.3 + 0.15                           -> 0.45
# E4  11-03 sonnet, retry (attempt 2), ok                                           -> 0.45
# E5  11-03 acme-x: unpriced, 5000 in / 100 out
# E6  = E1 again (same event_id, second file): counted once
# E7  10-31 sonnet 1M input                                                         -> 3.0 (previous period)
E1 = event(
    event_id="e1",
    timestamp="2026-11-01T10:00:00Z",
    input_tokens=1_000_000,
    cache_read_tokens=600_000,
    cache_write_tokens=200_000,
    cache_write_1h_tokens=100_000,
    output_tokens=100_000,
    feature="chat",
    user="u1",
    call_site="app/chat.py:10",
    cost_usd="3.2",
)
LOGS = [
    E1,
    event(
        event_id="e2",
        timestamp="2026-11-02T23:30:00Z",
        provider="openai",
        request_model="gpt-4o-mini",
        model_id="mini",
        input_tokens=2_000_000,
        cache_read_tokens=1_000_000,
        output_tokens=1_000_000,
        feature="search",
        user="u2",
        call_site="app/search.py:20",
    ),
    event(
        event_id="e3",
        timestamp="2026-11-03T08:00:00Z",
        input_tokens=100_000,
        output_tokens=10_000,
        status="error",
        error_class="server_error",
        feature="chat",
        user="u1",
        call_site="app/chat.py:10",
    ),
    event(
        event_id="e4",
        timestamp="2026-11-03T08:00:01Z",
        input_tokens=100_000,
        output_tokens=10_000,
        attempt=2,
        feature="chat",
        user="u1",
        call_site="app/chat.py:10",
    ),
    event(
        event_id="e5",
        timestamp="2026-11-03T09:00:00Z",
        provider="acme",
        request_model="acme-x",
        input_tokens=5000,
        output_tokens=100,
        feature="tagging",
    ),
    event(event_id="e7", timestamp="2026-10-31T12:00:00Z", input_tokens=1_000_000),
]


def _write(project: Path) -> None:
    write_jsonl(project / "logs" / "a.jsonl", LOGS)
    write_jsonl(project / "logs" / "b.jsonl", [E1])


def test_golden_totals_breakdowns_and_analysis(project: Path, report: Runner) -> None:
    _write(project)
    code, doc = report(since="2026-11-01", until="2026-11-03", budget="4")
    assert code == 0
    assert doc["period"] == {
        "since": "2026-11-01",
        "until": "2026-11-03",
        "tz": "UTC",
        "days": 3,
        "timeframe": None,
    }
    assert doc["totals"] == {
        "cost_usd": "4.98",
        "requests": 5,
        "input_tokens": 3_205_000,
        "output_tokens": 1_120_100,
        "cache_read_tokens": 1_600_000,
        "cache_write_tokens": 200_000,
        "cache_write_1h_tokens": 100_000,
        "reasoning_tokens": 0,
        "priced_requests": 4,
        "unpriced_requests": 1,
        "errors": 1,
        "response_cache_hits": 0,
    }
    assert doc["previous_period"] == {
        "since": "2026-10-29",
        "until": "2026-10-31",
        "cost_usd": "3",
        "requests": 1,
        "change_usd": "1.98",
        "change_pct": 66.0,
    }
    models = {(m["model"], m["cost_usd"], m["requests"], m["priced"]) for m in doc["by_model"]}
    assert models == {
        ("claude-sonnet-4-5", "4.155", 3, True),
        ("gpt-4o-mini", "0.825", 1, True),
        ("acme-x", None, 1, False),
    }
    assert [(d["date"], d["cost_usd"], d["requests"]) for d in doc["by_day"]] == [
        ("2026-11-01", "3.255", 1),
        ("2026-11-02", "0.825", 1),
        ("2026-11-03", "0.9", 3),
    ]
    assert [(f["feature"], f["cost_usd"]) for f in doc["by_feature"]] == [
        ("chat", "4.155"),
        ("search", "0.825"),
        ("tagging", "0"),
    ]
    assert [(c["call_site"], c["cost_usd"]) for c in doc["top_call_sites"]][:2] == [
        ("app/chat.py:10", "4.155"),
        ("app/search.py:20", "0.825"),
    ]
    assert doc["cache"] == {
        "hit_rate_pct": 49.9,
        "cache_read_tokens": 1_600_000,
        "cache_write_tokens": 200_000,
        "savings_usd": "1.695",
        "write_premium_usd": "0.375",
        "net_savings_usd": "1.32",
        "cost_without_cache_usd": "6.3",
    }
    # Successful priced requests cost 0.45, 0.825, 3.255: nearest rank p50 = 2nd, p95/p99 = 3rd.
    assert doc["cost_per_successful_request"] == {
        "requests": 3,
        "mean_usd": "1.51",
        "method": "nearest rank over successful, priced requests",
        "p50_usd": "0.825",
        "p95_usd": "3.255",
        "p99_usd": "3.255",
    }
    assert doc["errors_and_retries"] == {
        "requests": 2,
        "cost_usd": "0.9",
        "share_pct": 18.1,
        "errors": {"requests": 1, "cost_usd": "0.45"},
        "retries": {"requests": 1, "cost_usd": "0.45"},
        "fallbacks": {"requests": 0, "cost_usd": "0"},
    }
    assert doc["unpriced"] == [
        {
            "model": "acme-x",
            "provider": "acme",
            "requests": 1,
            "input_tokens": 5000,
            "output_tokens": 100,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "cache_write_1h_tokens": 0,
            "reasoning_tokens": 0,
            "did_you_mean": doc["unpriced"][0]["did_you_mean"],
        }
    ]
    # E1 recorded 3.2 at call time; re-priced 3.255.
    assert doc["recorded_cost"] == {
        "requests": 1,
        "recorded_usd": "3.2",
        "repriced_usd": "3.255",
        "difference_usd": "0.055",
        "unpriced_requests": 0,
    }
    # Month to date 4.98 over 3 days (logs start 10-31, basis 11-01..11-03): 1.66/day, 27 days left.
    assert doc["forecast"] == {
        "month": "2026-11",
        "month_to_date_usd": "4.98",
        "daily_run_rate_usd": "1.66",
        "basis_days": 3,
        "days_elapsed": 3,
        "days_in_month": 30,
        "forecast_usd": "49.8",
    }


def test_budget_tiers_and_fail_on_budget(project: Path, report: Runner) -> None:
    _write(project)
    code, doc = report(since="2026-11-01", until="2026-11-03", budget="4", fail_on_budget=True)
    budgets = {
        b["name"]: (b["spent_usd"], b["used_pct"], b["tier_reached_pct"], b["status"])
        for b in doc["budgets"]
    }
    assert budgets == {
        "monthly": ("4.98", 10.0, None, "ok"),
        "daily": ("0.9", 90.0, 90, "alert"),
        "feature:chat": ("4.155", 83.1, 70, "alert"),
        "model:mini": ("0.825", 0.8, None, "ok"),
        "--budget": ("4.98", 124.5, 100, "exceeded"),
    }
    assert doc["budget_exceeded"] is True
    assert code == 1
    code, doc = report(since="2026-11-01", until="2026-11-03", fail_on_budget=True)
    assert (code, doc["budget_exceeded"]) == (0, False)


def test_anomaly_against_remembered_baseline(project: Path, report: Runner) -> None:
    memory = project / ".multiagent" / "ai-infrastructure" / "memory" / "cost-baselines.json"
    memory.parent.mkdir(parents=True)
    days = {f"2026-10-{d:02d}": {"cost_usd": "10", "requests": 5} for d in range(18, 32)}
    memory.write_text(json.dumps({"schema_version": 1, "zones": {"UTC": days}}))
    # 11-01: 10M input on sonnet = $30, against a flat $10 history: +200 %, a spike.
    write_jsonl(
        project / "logs" / "a.jsonl",
        [event(timestamp="2026-11-01T12:00:00Z", input_tokens=10_000_000)],
    )
    code, doc = report(since="2026-11-01", until="2026-11-01", no_write=False)
    assert code == 0
    assert doc["anomalies"]["days"] == [
        {
            "date": "2026-11-01",
            "cost_usd": "30",
            "baseline_usd": "10",
            "change_pct": 200.0,
            "direction": "spike",
        }
    ]
    saved = json.loads(memory.read_text())
    assert saved["zones"]["UTC"]["2026-11-01"] == {"cost_usd": "30", "requests": 1}
    assert saved["zones"]["UTC"]["2026-10-18"] == {"cost_usd": "10", "requests": 5}


def test_corrupt_baseline_is_a_warning_not_a_crash(
    project: Path, report: Runner, consoles: tuple[object, object]
) -> None:
    memory = project / ".multiagent" / "ai-infrastructure" / "memory" / "cost-baselines.json"
    memory.parent.mkdir(parents=True)
    memory.write_text("{not json")
    write_jsonl(project / "logs" / "a.jsonl", [event(input_tokens=1000)])
    code, doc = report(since="2026-11-01", until="2026-11-01", no_write=False)
    assert code == 0
    assert doc["totals"]["requests"] == 1
    err = consoles[1].getvalue()  # type: ignore[attr-defined]
    assert "cost baselines unreadable" in err and "starting a new history" in err
    assert json.loads(memory.read_text())["zones"]["UTC"]["2026-11-01"]["requests"] == 1


def test_empty_period_is_a_clear_report(
    project: Path, report: Runner, consoles: tuple[object, object]
) -> None:
    write_jsonl(project / "logs" / "a.jsonl", [event(timestamp="2026-09-01T00:00:00Z")])
    code, doc = report(since="2026-11-01", until="2026-11-03")
    assert code == 0
    assert doc["totals"]["requests"] == 0 and doc["totals"]["cost_usd"] == "0"
    assert "no usage between 2026-11-01 and 2026-11-03 (UTC)" in consoles[1].getvalue()  # type: ignore[attr-defined]
