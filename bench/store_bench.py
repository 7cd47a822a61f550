"""Benchmarks for the team store (medians of several runs; figures printed side by side).

    python bench/store_bench.py report --events 10000000 [--runs 3] [--dsn DSN --reuse]
    python bench/store_bench.py push --events 200000 [--runs 3]
    python bench/store_bench.py diff-calls --events 2000000 [--runs 5]

``report``: ``aiinfra cost-report --source store --timeframe 30d --no-write --json`` over
``--events`` events spread over 30 days, against the bare aggregate SQL of the same report
dimensions run with ``psql`` (the floor: one GROUP BY of the token counts by day, model,
provider, feature, endpoint, user, tenant and call site over the same window, results to
/dev/null), and, for reference, that SQL after the session settings the report's connections
use (hash aggregation instead of a sort). Wall time and peak RSS of each process, interleaved
run by run.

The events are generated in PostgreSQL with ``generate_series`` (loading 10M events through
JSON on two shared cores would take far longer than the report): the rows, the usage_daily
rollup and usage_models are written with the same values ``ingest_events`` would write.

``push``: ``aiinfra store push --logs FILE`` of ``--events`` JSONL events into an empty
migrated store, in events per second (each run into a fresh database).

``diff-calls``: what ``cost-diff --source store`` reads, over ``--events`` generated events:
the per-call-site and per-route traffic (``store_traffic``) against the repricing sums of
two changed call sites holding 40 % of the events (``site_calls``), interleaved in one
connection, medians in seconds.

Without ``--dsn`` a throwaway PostgreSQL cluster is started (the tests' fixture code, as the
``postgres`` user) with the same settings for both sides, and removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from cost_report_bench import measure  # noqa: E402

MODELS = (
    ("anthropic", "claude-sonnet-4-5"),
    ("openai", "gpt-4o-mini"),
    ("gemini", "gemini-2.5-pro"),
    ("anthropic", "claude-haiku-4-5"),
    ("openai", "gpt-4o"),
    ("openai", "o4-mini"),
)
SETTINGS = (
    "shared_buffers = '1GB'",
    "work_mem = '64MB'",
    "max_parallel_workers_per_gather = 2",
    "jit = off",
)
BARE = (
    "SELECT (\"timestamp\" AT TIME ZONE 'UTC')::date, coalesce(response_model, request_model),"
    ' provider, feature, endpoint, "user", tenant, call_site, count(*), sum(input_tokens),'
    " sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),"
    " sum(cache_write_1h_tokens), sum(reasoning_tokens) FROM aiinfra.usage_events"
    " WHERE \"timestamp\" >= '{lo}' AND \"timestamp\" < '{hi}' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
)


def _tuned(sql: str) -> str:
    """``sql`` after the session settings the report's connections use (hash aggregation)."""
    from aiinfra_cli.store import SESSION_SETTINGS

    return "".join(f"SET {name} = {value}; " for name, value in SESSION_SETTINGS) + sql


def _aiinfra() -> str:
    return str(Path(sys.executable).with_name("aiinfra"))


@contextlib.contextmanager
def cluster(dsn: str | None) -> Iterator[tuple[str, object]]:
    """(DSN of the postgres database, the cluster or None)."""
    if dsn:
        yield dsn, None
        return
    from _services import (  # type: ignore[import-not-found]
        postgres_bindir,
        start_postgres,
        stop_postgres,
    )

    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (initdb not found)")
    pg, root = start_postgres(bindir)
    try:
        for setting in SETTINGS:
            pg.psql(f"ALTER SYSTEM SET {setting.replace(' = ', ' TO ')}")
        pg.stop()
        pg.start()
        yield pg.dsn(), pg
    finally:
        stop_postgres(pg, root)


def _database(admin_dsn: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return admin_dsn.rsplit("/", 1)[0] + "/" + name


def _migrate(dsn: str) -> None:
    subprocess.run(
        [_aiinfra(), "store", "migrate"], env={**os.environ, "AIINFRA_STORE_DSN": dsn}, check=True
    )


def _generate(dsn: str, events: int, since: date, days: int) -> float:
    """Write ``events`` rows over ``days`` days from ``since`` (UTC); seconds taken."""
    import psycopg

    models = ", ".join(f"('{p}', '{m}')" for p, m in MODELS)
    span = days * 86_400
    start = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        first = since.replace(day=1)
        month = first
        while month <= since + timedelta(days=days):
            conn.execute("SELECT aiinfra.ensure_month(%s)", (month,))
            month = (month + timedelta(days=32)).replace(day=1)
        step = 1_000_000
        for lo in range(0, events, step):
            hi = min(events, lo + step)
            conn.execute(
                "WITH m(provider, model, n) AS (SELECT p, m, row_number() OVER () - 1 FROM"
                f" (VALUES {models}) v(p, m))"
                ' INSERT INTO aiinfra.usage_events (event_id, "timestamp", provider,'
                " request_model, model_id, input_tokens, output_tokens, cache_read_tokens,"
                " cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, status,"
                ' cost_usd, feature, endpoint, "user", tenant, call_site, attempt, batch,'
                " cache_hit)"
                " SELECT 'g-' || i,"
                f" '{since.isoformat()}T00:00:00Z'::timestamptz"
                f" + ((i::bigint * {span}) / {events}) * interval '1 s'"
                " + (i % 1000) * interval '1 ms', m.provider, m.model,"
                " CASE WHEN i % 3 = 0 THEN 'smart' END,"
                " CASE WHEN i % 97 = 0 THEN 250000 + i % 1000 ELSE 500 + (i * 7919) % 30000 END,"
                " (i * 104729) % 2000, (i * 31) % 400, (i * 17) % 100, (i * 17) % 20,"
                " least((i * 13) % 50, (i * 104729) % 2000),"  # reasoning is part of output
                " CASE WHEN i % 41 = 0 THEN 'error' ELSE 'ok' END,"
                " CASE WHEN i % 4 = 0 THEN ((i % 9973) * 0.000001)::numeric END,"
                " 'feature-' || (i % 5), '/api/' || (i % 5 % 4), 'user-' || (i % 50),"
                " 'tenant-' || (i % 50 % 5), 'app/f' || (i % 5) || '.py:' || (10 + i % 5 % 2),"
                " 1 + (i % 29 = 0)::int, i % 23 = 0, i % 37 = 0"
                f" FROM generate_series({lo}::bigint, {hi - 1}) i JOIN m ON m.n = i % 6"
            )
            print(f"  generated {hi:,} events", file=sys.stderr)
        conn.execute(
            "INSERT INTO aiinfra.usage_daily SELECT (\"timestamp\" AT TIME ZONE 'UTC')::date,"
            " provider, request_model, coalesce(model_id, ''), coalesce(route, ''),"
            " coalesce(feature, ''), coalesce(\"user\", ''), coalesce(tenant, ''),"
            " coalesce(service, ''), coalesce(environment, ''), status, count(*),"
            " sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
            " sum(cache_write_tokens), coalesce(sum(cost_usd), 0) FROM aiinfra.usage_events"
            " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11"
        )
        conn.execute(
            "INSERT INTO aiinfra.usage_models SELECT provider,"
            ' coalesce(response_model, request_model), min("timestamp"), max("timestamp")'
            " FROM aiinfra.usage_events GROUP BY 1, 2"
        )
        conn.execute("VACUUM ANALYZE aiinfra.usage_events")
    return time.perf_counter() - start


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _generated(admin_dsn: str, name: str, events: int) -> date | None:
    """The first day of a database ``name`` a previous ``--reuse`` run generated with
    ``events`` events, or None."""
    import psycopg

    dsn = admin_dsn.rsplit("/", 1)[0] + "/" + name
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            row = conn.execute("SELECT sum(events), min(day) FROM aiinfra.usage_daily").fetchone()
    except psycopg.Error:
        return None
    if row is None or row[0] is None or int(row[0]) != events:
        return None
    return row[1] if isinstance(row[1], date) else None


def bench_report(admin_dsn: str, pg: object, events: int, runs: int, *, reuse: bool) -> None:
    name = f"bench_report_{events}" if reuse else "bench_report"
    since = _generated(admin_dsn, name, events) if reuse else None
    if since is None:
        dsn = _database(admin_dsn, name)
        _migrate(dsn)
        since = date.today() - timedelta(days=29)
        took = _generate(dsn, events, since, 30)
        print(f"generated {events:,} events over 30 days in {took:.1f} s", file=sys.stderr)
    else:
        dsn = admin_dsn.rsplit("/", 1)[0] + "/" + name
        print(f"reusing {events:,} events generated from {since}", file=sys.stderr)
    until = since + timedelta(days=29)
    if runs == 0:
        return
    lo, hi = since.isoformat() + "T00:00:00Z", (until + timedelta(days=1)).isoformat() + "T00:00Z"
    psql = str(getattr(pg, "bindir", Path("/usr/bin")) / "psql") if pg else "psql"
    bare = [psql, "-X", "-q", "-A", "-t", "-o", "/dev/null", "-d", dsn, "-c"]
    tuned = [*bare, _tuned(BARE.format(lo=lo, hi=hi))]
    bare.append(BARE.format(lo=lo, hi=hi))
    report = [
        _aiinfra(), "cost-report", "--source", "store", "--timeframe", "30d",
        "--until", until.isoformat(), "--no-write", "--json",
    ]  # fmt: skip
    env = {"AIINFRA_STORE_DSN": dsn}
    work = Path(tempfile.mkdtemp(prefix="aiinfra-store-bench-"))
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    rows: dict[str, list[tuple[float, float, float]]] = {"bare": [], "tuned": [], "report": []}
    total = ""
    measure(bare, cwd=work)  # warm the cache once: every run below reads the same pages
    for _ in range(runs):
        rows["bare"].append(measure(bare, cwd=work)[:3])
        wall, rss, cpu, out = measure(report, env=env, cwd=work)
        rows["report"].append((wall, rss, cpu))
        total = json.loads(out)["totals"]["cost_usd"]
        rows["tuned"].append(measure(tuned, cwd=work)[:3])
    load = os.getloadavg()
    floor = _median([r[0] for r in rows["bare"]])
    print(f"\n{events:,} events, 30 days, medians of {runs} (wall, peak RSS, CPU of the client):")
    for name, label in (
        ("bare", "bare aggregate SQL (psql)"),
        ("tuned", "the same, report's settings"),
        ("report", "cost-report --source store"),
    ):
        wall = _median([r[0] for r in rows[name]])
        rss = _median([r[1] for r in rows[name]])
        cpu = _median([r[2] for r in rows[name]])
        print(f"  {label:30} {wall:7.2f} s  {rss:6.0f} MiB  {cpu:6.2f} s  {wall / floor:5.2f}x")
    print(
        f"  report total: {total} USD; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )


def _jsonl(path: Path, events: int) -> None:
    start = date.today() - timedelta(days=20)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(events):
            provider, model = MODELS[i % len(MODELS)]
            day = start + timedelta(days=i % 20)
            clock = f"{i % 24:02d}:{i % 60:02d}:{i % 59:02d}.{i % 1000:03d}"
            event = {
                "schema_version": 1,
                "event_id": f"p-{i}",
                "timestamp": f"{day.isoformat()}T{clock}Z",
                "provider": provider,
                "request_model": model,
                "input_tokens": 500 + (i * 7919) % 30000,
                "output_tokens": (i * 104729) % 2000,
                "cache_read_tokens": (i * 31) % 400,
                "status": "ok",
                "cost_usd": f"0.{i % 9973:06d}",
                "feature": f"feature-{i % 5}",
                "user": f"user-{i % 50}",
            }
            handle.write(json.dumps(event, separators=(",", ":")) + "\n")


def bench_push(admin_dsn: str, events: int, runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="aiinfra-store-push-"))
    log = work / "usage.jsonl"
    _jsonl(log, events)
    rates: list[float] = []
    rss: list[float] = []
    for n in range(runs):
        dsn = _database(admin_dsn, f"bench_push_{n}")
        _migrate(dsn)
        wall, peak, _cpu, _out = measure(
            [_aiinfra(), "store", "push", "--logs", str(log), "--json"],
            env={"AIINFRA_STORE_DSN": dsn},
            cwd=work,
        )
        rates.append(events / wall)
        rss.append(peak)
    print(
        f"\nstore push of {events:,} JSONL events into an empty store, medians of {runs}:"
        f" {_median(rates):,.0f} events/s, peak RSS {_median(rss):.0f} MiB"
    )


def bench_diff_calls(admin_dsn: str, events: int, runs: int) -> None:
    import psycopg

    from aiinfra_cli.pricing import load_price_table
    from aiinfra_cli.store import CallsAsk, site_calls, store_traffic
    from aiinfra_cli.store._traffic import thresholds

    dsn = _database(admin_dsn, "bench_diff_calls")
    _migrate(dsn)
    _generate(dsn, events, date.today() - timedelta(days=29), 29)
    table = load_price_table()
    limits = [t + 1 for t in thresholds(table)]
    since = datetime.now(timezone.utc) - timedelta(days=30)
    asks = [CallsAsk(("app/f0.py:10",), 1500, 300), CallsAsk(("app/f1.py:11",), None, None)]
    traffic: list[float] = []
    calls: list[float] = []
    with psycopg.connect(dsn) as conn:
        for _ in range(runs):
            start = time.perf_counter()
            store_traffic(conn, since, table)
            traffic.append(time.perf_counter() - start)
            start = time.perf_counter()
            found = site_calls(conn, since, limits, asks)
            calls.append(time.perf_counter() - start)
    counted = sum(s.calls for sums in found for s in sums)
    print(f"events {events:,}, load average {os.getloadavg()[0]:.2f}")
    print(f"store_traffic (every site and route): median {_median(traffic):.3f} s")
    print(f"site_calls (2 changed sites, {counted:,} calls): median {_median(calls):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("what", choices=("report", "push", "diff-calls"))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dsn", help="an existing cluster's admin DSN (default: start one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --dsn: keep the generated events in the cluster and reuse them next time",
    )
    args = parser.parse_args()
    with cluster(args.dsn) as (dsn, pg):
        if args.what == "report":
            bench_report(dsn, pg, args.events, args.runs, reuse=args.reuse)
        elif args.what == "diff-calls":
            bench_diff_calls(dsn, args.events, args.runs)
        else:
            bench_push(dsn, args.events, args.runs)


if __name__ == "__main__":
    main()
