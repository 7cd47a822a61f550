"""``aiinfra cost-diff --source store``: the same diff as ``--usage-logs`` on the same events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from _services import Postgres
from _support import run_cli

from aiinfra_cli.commands import cost_diff
from aiinfra_cli.errors import StoreError, UsageError
from aiinfra_cli.store import connect, migrate, push, target


def _more_events() -> str:
    """Events that take every pricing path at the changed call site: recorded costs, batch,
    long-context requests (claude-sonnet-4-5 above 200k input), errors, an unpriced model,
    cache tokens and a call site spelled with ./ — beside the fixture's plain traffic."""
    now = datetime.now(timezone.utc)
    out: list[dict[str, Any]] = []
    for i in range(60):
        stamp = now - timedelta(hours=i * 7, seconds=i, milliseconds=i * 13)
        event: dict[str, Any] = {
            "schema_version": 1,
            "event_id": f"more-{i}",
            "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "provider": "anthropic" if i % 3 else "openai",
            "request_model": "claude-sonnet-4-5" if i % 3 else "made-up-model",
            "input_tokens": 250_000 + i if i % 4 == 0 else 2_000 + i * 17,
            "output_tokens": 300 + i,
            "cache_read_tokens": i * 5,
            "cache_write_tokens": i * 3,
            "status": "error" if i % 5 == 0 else "ok",
            "batch": i % 6 == 1,
            "call_site": "./app/ask.py:10" if i % 2 else "app/ask.py:9",
            "route": "summarize" if i % 7 == 0 else None,
        }
        if i % 8 == 3:
            event["cost_usd"] = f"0.{i:03d}123456789"
        out.append({k: v for k, v in event.items() if v is not None})
    return "".join(json.dumps(e) + "\n" for e in out)


def _json(capsys: pytest.CaptureFixture[str], **options: Any) -> dict[str, Any]:
    assert cost_diff.run(output_format="json", **options) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_store_traffic_gives_the_same_diff_as_the_logs(
    feature_repo: Path,
    pg_dsn: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(feature_repo)
    with (feature_repo / "logs" / "usage.jsonl").open("a", encoding="utf-8") as log:
        log.write(_more_events())
    monkeypatch.setenv("AIINFRA_STORE_DSN", pg_dsn)
    with connect(target()) as conn:
        migrate(conn)
        assert push(conn, [feature_repo / "logs"]).inserted == 301
    from_logs = _json(capsys, usage_logs=[Path("logs")])
    from_store = _json(capsys, source="store")
    assert from_logs["usage_events"] == 300  # the 45-day-old event is outside the window
    changed = [c for c in from_logs["changes"] if c["kind"] == "changed"]
    assert any(c["monthly_usd"] for c in changed)
    assert from_store == from_logs
    with connect(target()) as conn:  # the window's events left the store only as sums
        conn.execute("DELETE FROM aiinfra.usage_events WHERE call_site LIKE './%'")
    assert _json(capsys, source="store") != from_logs


def test_store_errors_are_one_line_without_the_password(
    feature_repo: Path, pg_cluster: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(feature_repo)
    monkeypatch.delenv("AIINFRA_STORE_DSN", raising=False)
    with pytest.raises(StoreError, match="AIINFRA_STORE_DSN is not set"):
        cost_diff.run(source="store")
    with pytest.raises(UsageError, match="both name the traffic"):
        cost_diff.run(source="store", usage_logs=[Path("logs")])
    dsn = pg_cluster.dsn(password="wrong-pw-123")
    done = run_cli(
        "cost-diff", "--source", "store", cwd=feature_repo, env={"AIINFRA_STORE_DSN": dsn}
    )
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert 'password authentication failed for user "postgres"' in done.stderr
    assert "wrong-pw-123" not in done.stderr


def test_store_sums_price_like_the_events_one_by_one(
    feature_repo: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each call site's traffic as the scan reports it (spend, errors, cache reads, models,
    first and last call) is the same from the store's sums as from the events."""
    from aiinfra_cli.pricing import load_price_table
    from aiinfra_cli.scan import ScanOptions, scan
    from aiinfra_cli.store import store_traffic

    with (feature_repo / "logs" / "usage.jsonl").open("a", encoding="utf-8") as log:
        log.write(_more_events())
    since = datetime.now(timezone.utc) - timedelta(days=30)
    monkeypatch.setenv("AIINFRA_STORE_DSN", pg_dsn)
    with connect(target()) as conn:
        migrate(conn)
        push(conn, [feature_repo / "logs"])
        stored = store_traffic(conn, since, load_price_table())

    def traffic(**usage: Any) -> dict[str, Any]:
        options = ScanOptions(paths=[Path()], cwd=feature_repo, use_cache=False, **usage)
        return {c.key: c.traffic for c in scan(options).report.calls}

    from_logs = traffic(usage_logs=[feature_repo / "logs"], usage_since=since)
    assert from_logs == traffic(usage=stored.usage)
    assert sum(1 for t in from_logs.values() if t and t["errors"] and t["spend_usd"]) == 1
    routed = [
        e
        for e in map(json.loads, _more_events().splitlines())
        if e.get("route") and e["status"] == "ok"
    ]
    assert stored.by_route == {
        "summarize": {
            "calls": 120 + len(routed),
            "input_tokens": 120 * 3100 + sum(e["input_tokens"] for e in routed),
            "output_tokens": 120 * 410 + sum(e["output_tokens"] for e in routed),
        }
    }
