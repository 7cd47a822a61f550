"""cost-report over the team store equals cost-report over the same events as JSONL."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cost_report.crsupport import CONFIG
from store.storesupport import write_lines

from aiinfra_cli.config import check_text
from aiinfra_cli.pricing import load_price_table
from aiinfra_cli.report import ReportRequest, build_from, build_report, load_baselines
from aiinfra_cli.report._period import resolve_period
from aiinfra_cli.store import Target, connect, push, store_source
from aiinfra_cli.usage import ingest, open_cache

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)
MODELS = (
    ("anthropic", "claude-sonnet-4-5", None),
    ("gemini", "gemini-2.5-pro", None),  # long-context tier above 200k input tokens
    ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
    ("openai", "made-up-model", None),  # unpriced
)


def _events(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 9, 20, tzinfo=timezone.utc)
    out: list[dict[str, Any]] = []
    for n in range(count):
        provider, model, answered = rng.choice(MODELS)
        moment = start + timedelta(seconds=rng.randrange(0, 62 * 86_400))
        big = rng.random() < 0.1
        input_tokens = rng.randrange(200_001, 400_000) if big else rng.randrange(10, 50_000)
        cache_read = rng.randrange(0, input_tokens // 3)
        cache_write = rng.randrange(0, input_tokens // 3)
        output_tokens = rng.randrange(0, 4_000)
        ok = rng.random() > 0.1
        event: dict[str, Any] = {
            "schema_version": 1,
            "event_id": f"e{seed}-{n}",
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(1000):03d}Z",
            "provider": provider,
            "request_model": model,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_read_tokens": cache_read,
            "cache_write_tokens": cache_write,
            "cache_write_1h_tokens": rng.randrange(0, cache_write + 1),
            "reasoning_tokens": rng.randrange(0, output_tokens + 1),
            "status": "ok" if ok else "error",
            "feature": rng.choice(["chat", "search", "summarize", None]),
            "endpoint": rng.choice(["/a", "/b", None]),
            "user": rng.choice(["u1", "u2", "u3", None]),
            "tenant": rng.choice(["acme", "globex", None]),
            "call_site": rng.choice(["app.py:10", "jobs.py:7", None]),
            "model_id": rng.choice(["smart", "mini", None]),
            "attempt": rng.choice([1, 1, 1, 2, 3]),
            "batch": rng.random() < 0.1,
            "cache_hit": rng.random() < 0.05,
        }
        if answered:
            event["response_model"] = answered
        if not ok:
            event["error_class"] = "rate_limited"
        if rng.random() < 0.3:
            event["cost_usd"] = f"{rng.randrange(0, 10**9) / 10**9:.9f}"
        if event["cache_hit"]:
            event["saved_cost_usd"] = "0.000123456789012345678"
        if rng.random() < 0.1:
            event["fallback_from"] = "smart"
        out.append({k: v for k, v in event.items() if v is not None})
    return out


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in ("sources", "generated_at")}


@pytest.mark.parametrize(
    ("tz", "timeframe"), [("UTC", "30d"), ("America/New_York", "7d"), ("Europe/Berlin", "all")]
)
def test_store_report_equals_the_jsonl_report(
    store: Target, tmp_path: Path, tz: str, timeframe: str
) -> None:
    logs = tmp_path / "logs"
    write_lines(logs / "a.jsonl", _events(1500, seed=1))
    write_lines(logs / "b.jsonl", _events(500, seed=2))
    config, problems = check_text(CONFIG, tmp_path / "config" / "ai-models.yaml")
    assert config is not None, problems
    prices = load_price_table()
    today = NOW.astimezone(__import__("zoneinfo").ZoneInfo(tz)).date()
    period, end = resolve_period(timeframe=timeframe, since=None, until=None, tz=tz, today=today)
    request = ReportRequest(period=period, until=end, tz=tz, now=NOW)
    baselines = load_baselines(tmp_path / "none.json")

    con, _warnings, used = open_cache(tmp_path / "cache" / "c.duckdb")
    try:
        ingested = ingest(con, [str(logs)], "auto", display=str, cache_path=used)
        from_logs = build_report(
            ingested, request, prices=prices, config=config, baselines=baselines, logs=["logs"]
        ).document.to_json()
    finally:
        con.close()

    with connect(store) as conn, connect(store) as side:
        assert push(conn, [logs]).inserted == 2000
        from_store, alone = (
            build_from(
                store_source(conn, store.shown, second),
                request,
                prices=prices,
                config=config,
                baselines=load_baselines(tmp_path / "none.json"),
            ).document.to_json()
            for second in (side, None)
        )

    assert from_logs["totals"]["requests"] > 100
    assert _comparable(from_store) == _comparable(from_logs)
    assert _comparable(alone) == _comparable(from_logs)  # one connection: one read after the other
    assert from_store["sources"]["kind"] == "store"
    assert from_store["sources"]["store"] == store.shown
    assert from_store["sources"]["first_event_day"] == from_logs["sources"]["first_event_day"]
    assert json.dumps(from_store)  # a plain JSON document


def test_an_empty_store_reports_nothing(store: Target, tmp_path: Path) -> None:
    request = ReportRequest(period=None, until=date(2026, 11, 20), tz="UTC", now=NOW)
    with connect(store) as conn:
        built = build_from(
            store_source(conn, store.shown),
            request,
            prices=load_price_table(),
            config=None,
            baselines=load_baselines(tmp_path / "none.json"),
        )
    assert built.document.totals.requests == 0
    assert built.document.sources.events == 0


def test_rows_missing_from_the_model_list_are_still_reported(store: Target, tmp_path: Path) -> None:
    """Rows written around ingest_events leave usage_models short: the one pass finds them
    (a cell without a key), rebuilds the key list from the events and runs again, and the
    percentiles that ran meanwhile are computed again with the full list."""
    logs = tmp_path / "logs"
    write_lines(logs / "a.jsonl", _events(600, seed=3))
    period, end = resolve_period(
        timeframe="30d", since=None, until=None, tz="UTC", today=NOW.date()
    )
    request = ReportRequest(period=period, until=end, tz="UTC", now=NOW)
    con, _warnings, used = open_cache(tmp_path / "cache" / "c.duckdb")
    try:
        ingested = ingest(con, [str(logs)], "auto", display=str, cache_path=used)
        from_logs = build_report(
            ingested,
            request,
            prices=load_price_table(),
            config=None,  # no budgets: the percentiles run before the cells
            baselines=load_baselines(tmp_path / "none.json"),
            logs=["logs"],
        ).document.to_json()
    finally:
        con.close()
    with connect(store) as conn, connect(store) as side:
        assert push(conn, [logs]).inserted == 600
        conn.execute("DELETE FROM aiinfra.usage_models WHERE model <> 'gpt-4o-mini-2024-07-18'")
        from_store = build_from(
            store_source(conn, store.shown, side),
            request,
            prices=load_price_table(),
            config=None,  # no budgets: the percentiles run before the cells
            baselines=load_baselines(tmp_path / "none.json"),
        ).document.to_json()
    assert _comparable(from_store) == _comparable(from_logs)
    assert from_logs["cost_per_successful_request"] == from_store["cost_per_successful_request"]


def test_breakdown_for_other_days_than_the_pass_summed(store: Target, tmp_path: Path) -> None:
    """The one pass sums the breakdown over the period the percentiles named; asked for other
    days, the queries read them again rather than answer for the wrong days."""
    from zoneinfo import ZoneInfo

    from aiinfra_cli.report import Pricer, Source, epoch_day
    from aiinfra_cli.report._period import local_day_sql

    logs = tmp_path / "logs"
    write_lines(logs / "a.jsonl", _events(400, seed=4))
    first, last = date(2026, 10, 1), date(2026, 10, 31)
    lo, hi = datetime(2026, 9, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc)
    utc = ZoneInfo("UTC")

    def queries(source: Source) -> Any:
        lo_us, hi_us = int(lo.timestamp() * 1e6), int(hi.timestamp() * 1e6)
        day_sql = local_day_sql(utc, date(2026, 9, 1), last)
        return source.queries(lo_us, hi_us, day_sql, Pricer(load_price_table()), utc)

    def requests(cells: list[Any]) -> int:
        return sum(c.requests for c in cells)

    october = (epoch_day(first), epoch_day(last))
    with connect(store) as conn, connect(store) as side:
        push(conn, [logs])
        found = conn.execute(
            'SELECT count(*) FROM aiinfra.usage_events WHERE "timestamp" >= %s'
            ' AND "timestamp" < %s AND feature IS NOT NULL',
            (datetime(2026, 10, 1, tzinfo=timezone.utc), hi),
        ).fetchone()
        assert found is not None and found[0] > 0
        whole = queries(store_source(conn, store.shown, side))
        whole.percentiles(epoch_day(date(2026, 9, 1)), epoch_day(last), (0.5,))
        again = whole.dimensions(("feature",), *october)
        direct = queries(store_source(conn, store.shown)).dimensions(("feature",), *october)
    in_october = [c for c in again if c.value is not None]
    assert requests(in_october) == found[0]
    assert sorted(map(repr, again)) == sorted(map(repr, direct))


def test_a_failed_percentile_read_stops_the_pass(store: Target, tmp_path: Path) -> None:
    """When the percentile statement fails, the pass on the side connection is cancelled (or
    done) and waited for before the error goes on: its connection may then be closed."""
    from zoneinfo import ZoneInfo

    import psycopg

    from aiinfra_cli.report import Pricer

    logs = tmp_path / "logs"
    write_lines(logs / "a.jsonl", _events(300, seed=5))
    with connect(store) as conn, connect(store) as side:
        push(conn, [logs])
        utc = ZoneInfo("UTC")
        queries = store_source(conn, store.shown, side).queries(
            0, 2**51, "0", Pricer(load_price_table()), utc
        )
        with pytest.raises(psycopg.Error, match="between 0 and 1"):
            queries.percentiles(0, 30_000, (1.5,))
        assert side.execute("SELECT 1").fetchone() == (1,)
