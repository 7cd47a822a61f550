"""The team store under faults, its cost on the call path, and limits shared across processes.

Everything real and on loopback: a throwaway PostgreSQL 15 cluster and a redis-server (the test
fixtures' code, ``tests/_services.py``), the generated runtime rendered by ``aiinfra init``, the
official openai SDK against the fake provider in a process of its own (``bench/init_server.py``).
The store's schema is the one ``aiinfra store migrate`` creates.

Parts (``--part``, default all):

* ``faults``: 8 processes x 5,000 calls through the orchestrator with ``store:``; PostgreSQL is
  stopped for 10 s mid-run and started again; one process is SIGKILLed while its spool is
  behind, and its spool is pushed afterwards by a fresh shipper. Checks: rows in the store =
  events in the spools, 0 duplicates, cost totals (events and daily rollup) equal to the
  micro-dollar.
* ``overhead``: median per ``CostTracker.record`` call, JSONL only vs with the store configured
  (its shipper shipping in the same process meanwhile), interleaved; and the shipping
  throughput of one shipper over a 200,000-event spool.
* ``limits``: 4 processes under one ``requests_per_minute: 60`` route sharing Redis, calling as
  fast as they are let for 130 s (a real 60-s window, not scaled): the most admitted in any
  60-s window.
* ``budget``: 4 processes under one ``monthly_usd`` budget with ``store.refresh_s: 2``, calling
  until refused: measured overshoot against the documented bound, N x one process's spend in
  (refresh_s + shipping interval).
* ``bad``: DSN env unset, unreachable host, wrong password, schema too new, Redis down: the
  warning lines, calls that still succeed, and the events kept in the spool.

Usage: ``python bench/store_faults.py [--part faults|overhead|limits|budget|bad]``. Offline.
"""

from __future__ import annotations

import argparse
import calendar
import collections
import importlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "test-key-not-a-secret"
PACKAGE = "genai_rt"

# One worker process: builds the orchestrator from a JSON config and makes calls.
WORKER = """
import json, logging, os, sys, time
from pathlib import Path
logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
source, package, raw = sys.argv[1:4]
job = json.loads(raw)
sys.path.insert(0, source)
import importlib
rt = importlib.import_module(package)
os.environ["OPENAI_API_KEY"] = "test-key-not-a-secret"
settings = rt.Settings.from_dict(job["config"], root=Path(job["root"]))
ai = rt.Orchestrator(settings)
if ai.tracker.shipper is not None:
    ai.tracker.shipper.interval_s = job.get("ship_interval_s", 1.0)
ok = refused = failed = 0
started = time.perf_counter()
deadline = time.monotonic() + job.get("seconds", 1e9)
for i in range(job["calls"]):
    if time.monotonic() > deadline:
        break
    try:
        ai.complete("main", [{"role": "user", "content": "hi"}], feature="bench",
                    user=f"u{i % 7}", max_tokens=16)
        ok += 1
    except rt.BudgetExceededError:
        refused += 1
        break
    except rt.AIError as exc:
        failed += 1
        print("call failed:", exc, file=sys.stderr)
    if i == 0:
        print("started", flush=True)
elapsed = time.perf_counter() - started
ai.close()
print(json.dumps({"ok": ok, "refused": refused, "failed": failed, "seconds": elapsed,
                  "spent": str(ai.tracker.spent_usd)}), flush=True)
"""


def _setup() -> tuple[Any, Any, Any]:
    sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]
    services: Any = importlib.import_module("_services")
    support: Any = importlib.import_module("init.init_support")
    store: Any = importlib.import_module("store_runtime.store_support")
    return services, support, store


class Bench:
    """The shared pieces: services, the rendered runtime, the fake provider."""

    def __init__(self, scratch: Path, pg: Any, redis: Any, urls: dict[str, str]) -> None:
        self.scratch = scratch
        self.pg = pg
        self.redis = redis
        self.urls = urls
        _, support, self.store = _setup()
        self.root = support.render_repo(scratch / "repo", package_dir=f"src/{PACKAGE}")

    def database(self) -> str:
        dsn = str(self.pg.create_database())
        self.store.create_store_schema(dsn)
        return dsn

    def config(self, spool: Path, **extra: Any) -> dict[str, Any]:
        route = {"chain": ["gpt"], "timeout_s": 300, **extra.pop("route", {})}
        return {
            "version": 1,
            "providers": {"openai": {"kind": "openai", "base_url": self.urls["openai"]}},
            "models": [{"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"}],
            "routes": {"main": route},
            "usage_log": {"path": str(spool)},
            **extra,
        }

    def worker(self, job: dict[str, Any], env: dict[str, str]) -> subprocess.Popen[str]:
        job.setdefault("root", str(self.scratch))
        argv = [sys.executable, "-c", WORKER, str(self.root / "src"), PACKAGE, json.dumps(job)]
        full = {**os.environ, **env}
        return subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full
        )

    def shipper(self, spool: Path) -> Any:
        sys.path.insert(0, str(self.root / "src"))
        return importlib.import_module(f"{PACKAGE}.store_shipper").StoreShipper(spool)


def _result(proc: subprocess.Popen[str]) -> tuple[dict[str, Any] | None, str]:
    out, err = proc.communicate(timeout=1800)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return (json.loads(lines[-1]) if lines else None), err


def _spool_totals(spools: list[Path]) -> tuple[int, set[str], Decimal]:
    count, ids, cost = 0, set(), Decimal(0)
    for spool in spools:
        for path in spool.glob("usage-*.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    event = json.loads(line)
                    count += 1
                    ids.add(event["event_id"])
                    cost += Decimal(event.get("cost_usd") or 0)
    return count, ids, cost


def part_faults(bench: Bench, processes: int, calls: int) -> bool:
    """8 x 5,000 calls; PostgreSQL down 10 s; one process SIGKILLed; its spool pushed."""
    dsn = bench.database()
    spools = [bench.scratch / f"faults-{n}" for n in range(processes)]
    procs = [
        bench.worker(
            {
                "config": bench.config(spool, store={"kind": "postgres"}),
                "calls": calls,
            },
            {"AIINFRA_STORE_DSN": dsn, "OTEL_SERVICE_NAME": "faults"},
        )
        for spool in spools
    ]
    for proc in procs:  # every process has made its first call
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started", proc.stderr
    started = time.monotonic()
    time.sleep(3)
    bench.pg.stop()
    print(f"PostgreSQL stopped at {time.monotonic() - started:.1f} s")
    time.sleep(10)
    bench.pg.start()
    print(f"PostgreSQL started at {time.monotonic() - started:.1f} s")
    victim = procs[-1]
    time.sleep(1.5)
    shipper = bench.shipper(spools[-1])
    behind = shipper.spool.behind_bytes()
    while behind < 20_000 and victim.poll() is None:  # kill it while it has a batch to ship
        time.sleep(0.005)
        behind = shipper.spool.behind_bytes()
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    print(
        f"process {processes} SIGKILLed at {time.monotonic() - started:.1f} s"
        f" with {behind:,} spool bytes not yet in the store"
    )
    results = [_result(proc) for proc in procs[:-1]]
    wall = time.monotonic() - started
    warnings = collections.Counter(
        line for _, err in results for line in err.splitlines() if "team store" in line
    )
    before = bench.store.store_totals(dsn)
    os.environ["AIINFRA_STORE_DSN"] = dsn
    pushed = shipper.ship()
    after = bench.store.store_totals(dsn)
    count, ids, cost = _spool_totals(spools)
    done = [r for r, _ in results if r is not None]
    print(
        f"{len(done)} processes finished {sum(r['ok'] for r in done):,} calls"
        f" ({sum(r['failed'] for r in done)} failed) in {wall:.1f} s"
    )
    for line, times in warnings.items():
        print(f"  warning x{times}: {line}")
    print(
        f"store before the push: {before['rows']:,} rows; pushed {pushed:,} from the killed"
        f" process's spool"
    )
    print(f"spools: {count:,} events, {len(ids):,} unique ids, cost {cost}")
    print(
        f"store:  {after['rows']:,} rows, {after['ids']:,} unique ids, cost {after['cost']};"
        f" rollup {after['daily_events']:,} events, cost {after['daily_cost']}"
    )
    ok = (
        after["rows"] == after["ids"] == count == len(ids) == after["daily_events"]
        and after["cost"] == after["daily_cost"] == cost
    )
    print("faults:", "OK" if ok else "MISMATCH")
    return bool(ok)


def part_overhead(bench: Bench, runs: int, calls: int) -> bool:
    """Median per record() call: JSONL only vs with the store's shipper at work."""
    dsn = bench.database()
    os.environ["AIINFRA_STORE_DSN"] = dsn
    sys.path.insert(0, str(bench.root / "src"))
    rt: Any = importlib.import_module(PACKAGE)
    plain = rt.Settings.from_dict(bench.config(bench.scratch / "plain"), root=bench.scratch)
    stored = rt.Settings.from_dict(
        bench.config(bench.scratch / "stored", store={"kind": "postgres"}), root=bench.scratch
    )
    trackers = {
        "jsonl": rt.CostTracker.from_settings(plain),
        "store": rt.CostTracker.from_settings(stored),
    }
    trackers["store"].shipper.interval_s = 0.05  # ships while the calls run
    usage = rt.Usage(input_tokens=1200, output_tokens=80, cache_read_tokens=1000)
    medians: dict[str, list[float]] = {name: [] for name in trackers}
    for run in range(runs):
        order = list(trackers) if run % 2 == 0 else list(reversed(trackers))
        for name in order:
            tracker, times = trackers[name], []
            for _ in range(calls):
                t0 = time.perf_counter_ns()
                _record(tracker, usage)
                times.append(time.perf_counter_ns() - t0)
            medians[name].append(statistics.median(times) / 1000)
            tracker.flush()
    jsonl, store = statistics.median(medians["jsonl"]), statistics.median(medians["store"])
    shipped = trackers["store"].shipper.shipped
    print(
        f"record() p50 over {runs} runs x {calls:,} calls: JSONL only {jsonl:.2f} us,"
        f" with the store {store:.2f} us (added {store - jsonl:+.2f} us, ratio"
        f" {store / jsonl:.2f}); shipped meanwhile: {shipped:,}"
    )
    for tracker in trackers.values():
        tracker.close()
    big = bench.scratch / "throughput"
    tracker = rt.CostTracker(rt.cost_tracker.JsonlSink(big), trackers["store"].prices)
    for _ in range(200_000):
        _record(tracker, usage)
    tracker.flush()
    shipper = bench.shipper(big)
    clock = time.perf_counter()
    moved = shipper.ship()
    elapsed = time.perf_counter() - clock
    print(
        f"shipping: {moved:,} events in {elapsed:.2f} s = {moved / elapsed:,.0f} events/s"
        f" (batches of {shipper.spool.batch_events})"
    )
    return bool(store - jsonl <= 20 and moved == 200_000)


def _record(tracker: Any, usage: Any) -> None:
    tracker.record(
        provider="openai", request_model="gpt-4o-mini", model_id="gpt", usage=usage, route="main"
    )


def part_limits(bench: Bench, seconds: float) -> bool:
    """4 processes, one rpm-60 route in Redis: the most admitted in any 60-s window."""
    spools = [bench.scratch / f"limits-{n}" for n in range(4)]
    route = {"rate_limit": {"requests_per_minute": 60}}
    procs = [
        bench.worker(
            {
                "config": bench.config(spool, route=route, state={"kind": "redis"}),
                "calls": 10**6,
                "seconds": seconds,
            },
            {"AIINFRA_REDIS_URL": bench.redis.url},
        )
        for spool in spools
    ]
    slots = _admissions(bench.redis.url, "aiinfra:rate:route:main:requests", procs)
    results = [_result(proc) for proc in procs]
    sent = sorted(
        calendar.timegm(time.strptime(e["timestamp"][:19], "%Y-%m-%dT%H:%M:%S"))
        + int(e["timestamp"][20:23]) / 1000
        for spool in spools
        for e in bench.store.spool_events(spool)
    )
    per = [r["ok"] if r else None for r, _ in results]
    print(f"limits: 4 processes x {seconds:.0f} s under rpm 60 (Redis): {len(sent)} calls {per}")
    most_admitted = _most_in_a_minute(sorted(slots))
    most_sent = _most_in_a_minute(sent)
    print(
        f"  admitted by the limiter (its Redis log, {len(slots)} entries): most in any 60-s"
        f" window {most_admitted}; smallest gap to the 61st after {_gap(sorted(slots)):.3f} s"
    )
    print(
        f"  as sent (the events' timestamps): most in any 60-s window {most_sent}; smallest"
        f" gap to the 61st after {_gap(sent):.3f} s"
    )
    return most_admitted <= 60 and len(slots) == len(sent)


def _most_in_a_minute(stamps: list[float]) -> int:
    return max(sum(1 for t in stamps[i:] if t < start + 60.0) for i, start in enumerate(stamps))


def _gap(stamps: list[float]) -> float:
    return min(later - first for first, later in zip(stamps, stamps[60:], strict=False))


def _admissions(url: str, key: str, procs: list[subprocess.Popen[str]]) -> list[float]:
    """Every admission time the limiter wrote, polled from Redis until the workers end (an
    entry stays at least 60 s, the poll runs every 2 s)."""
    import redis

    client = redis.Redis.from_url(url)
    seen: dict[Any, float] = {}
    while True:
        running = any(proc.poll() is None for proc in procs)
        rows: Any = client.zrange(key, 0, -1, withscores=True)
        seen.update((member, float(score)) for member, score in rows)
        if not running:
            return list(seen.values())
        time.sleep(2)


def part_budget(bench: Bench, budget: Decimal, refresh_s: float) -> bool:
    """4 processes under one monthly_usd budget: overshoot vs N x one interval's spend."""
    dsn = bench.database()
    spools = [bench.scratch / f"budget-{n}" for n in range(4)]
    store = {"kind": "postgres", "refresh_s": refresh_s}
    procs = [
        bench.worker(
            {
                "config": bench.config(spool, store=store, budgets={"monthly_usd": str(budget)}),
                "calls": 10**6,
            },
            {"AIINFRA_STORE_DSN": dsn, "OTEL_SERVICE_NAME": "budget"},
        )
        for spool in spools
    ]
    results = [r for r, _ in (_result(proc) for proc in procs) if r is not None]
    total = bench.store.store_totals(dsn)["cost"]
    interval = refresh_s + 1.0  # + the shipper's interval
    rates = [Decimal(r["spent"]) / Decimal(str(r["seconds"])) for r in results]
    bound = sum(rate * Decimal(str(interval)) for rate in rates)
    overshoot = total - budget
    print(
        f"budget ${budget}, 4 processes, refresh_s {refresh_s}: spent ${total}"
        f" (calls {[r['ok'] for r in results]}); overshoot ${overshoot:.6f}"
        f" = {overshoot / budget:.1%} of the budget; documented bound N x one"
        f" {interval:.0f}-s interval's spend = ${bound:.6f}"
    )
    return len(results) == 4 and overshoot <= bound


def part_bad(bench: Bench) -> bool:
    """Bad input: one line each, calls keep working, nothing lost."""
    good = bench.database()
    newer = bench.database()
    bench.pg.psql(
        "INSERT INTO aiinfra.schema_migrations VALUES (99, now(), 'future')",
        database=newer.rsplit("/", 1)[1],
    )
    cases = {
        "DSN env unset": ({"kind": "postgres"}, {}),
        "unreachable host": (
            {"kind": "postgres"},
            {"AIINFRA_STORE_DSN": "postgresql://app:pw@127.0.0.1:9/ai"},
        ),
        "wrong password": (
            {"kind": "postgres"},
            {"AIINFRA_STORE_DSN": bench.pg.dsn(good.rsplit("/", 1)[1], password="wrong")},
        ),
        "schema too new": ({"kind": "postgres"}, {"AIINFRA_STORE_DSN": newer}),
        "Redis down": (None, {"AIINFRA_REDIS_URL": "redis://127.0.0.1:9/0"}),
    }
    ok = True
    for name, (store, env) in cases.items():
        spool = bench.scratch / f"bad-{name.replace(' ', '-')}"
        extra: dict[str, Any] = (
            {"store": store}
            if store
            else {
                "state": {"kind": "redis"},
                "route": {"rate_limit": {"requests_per_minute": 6000}},
            }
        )
        os.environ.pop("AIINFRA_STORE_DSN", None)
        result, err = _result(
            bench.worker({"config": bench.config(spool, **extra), "calls": 50}, env)
        )
        lines = [line for line in err.splitlines() if line.strip()]
        kept = len(bench.store.spool_events(spool))
        calls = result["ok"] if result else 0
        print(
            f"{name}: {calls}/50 calls ok, {kept} events kept in the spool;"
            f" {len(lines)} line(s): {lines}"
        )
        leaked = any("pw@" in line or bench.pg.password in line for line in lines)
        ok = ok and calls == 50 and kept == 50 and len(set(lines)) == 1 and not leaked
    return ok


def main() -> int:
    """Run the parts asked for; exit 1 when a check fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", action="append", choices=["faults", "overhead", "limits", "budget", "bad"]
    )
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--limit-seconds", type=float, default=130.0)
    args = parser.parse_args()
    parts = args.part or ["faults", "overhead", "limits", "budget", "bad"]
    services, _, _ = _setup()
    server = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "init_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    ok = True
    try:
        assert server.stdout is not None
        urls = json.loads(server.stdout.readline())
        with (
            tempfile.TemporaryDirectory() as scratch,
            services.running_postgres() as pg,
            services.running_redis() as redis,
        ):
            bench = Bench(Path(scratch), pg, redis, urls)
            checks = {
                "faults": lambda: part_faults(bench, args.processes, args.calls),
                "overhead": lambda: part_overhead(bench, 5, 20_000),
                "limits": lambda: part_limits(bench, args.limit_seconds),
                "budget": lambda: part_budget(bench, Decimal("0.05"), 2.0),
                "bad": lambda: part_bad(bench),
            }
            for part in parts:
                passed = checks[part]()
                print(f"== {part}: {'OK' if passed else 'FAILED'}", flush=True)
                ok = ok and passed
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
