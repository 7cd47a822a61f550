"""The store shipper: the spool moves into a real PostgreSQL store, exactly once, whatever
happens to the database, the process or its children."""

from __future__ import annotations

import importlib
import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _services import Postgres
from store_runtime.store_support import spool_events, store_totals

from aiinfra_cli.store import LATEST

RATES = {
    "input_per_mtok": "0.15",
    "output_per_mtok": "0.6",
    "reasoning_per_mtok": "0.6",
    "cache_read_per_mtok": "0.075",
    "cache_write_per_mtok": "0.15",
    "cache_write_1h_per_mtok": "0.15",
}


def tracker(rt: ModuleType, spool: Path) -> Any:
    ct = rt.cost_tracker
    book = ct.PriceBook({"mini": ct.ModelPrice(ct.Rates.from_json(RATES))})
    return ct.CostTracker(ct.JsonlSink(spool), book, service="api", environment="test")


def record(track: Any, rt: ModuleType, count: int, *, start: int = 0) -> Decimal:
    total = Decimal(0)
    for i in range(start, start + count):
        cost = track.record(
            provider="openai",
            request_model="gpt-4o-mini",
            model_id="mini",
            usage=rt.Usage(input_tokens=1000 + i, output_tokens=17 * i, cache_read_tokens=i % 50),
            route="main",
            attribution=rt.Attribution(feature=f"f{i % 3}", user=f"u{i % 5}", tenant="acme"),
        )
        total += cost
    assert track.flush()
    return total


def shipper(rt: ModuleType, spool: Path, **options: Any) -> Any:
    return importlib.import_module(f"{rt.__name__}.store_shipper").StoreShipper(spool, **options)


def refused(rt: ModuleType, spool: Path) -> str | None:
    """Record a few events, ship: nothing shipped; the shipper's one-line problem."""
    record(tracker(rt, spool), rt, 3)
    ship = shipper(rt, spool)
    assert ship.ship() == 0
    problem: str | None = ship.problem
    return problem


def test_the_spool_moves_into_the_store_exactly_once(
    rt: ModuleType, store_dsn: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    total = record(tracker(rt, spool), rt, 2500)
    ship = shipper(rt, spool, batch_events=400)
    assert ship.ship() == 2500
    assert ship.inserted == 2500
    got = store_totals(store_dsn)
    assert got == {
        "rows": 2500,
        "ids": 2500,
        "cost": total,
        "daily_events": 2500,
        "daily_cost": total,
    }
    position = json.loads((spool / ".aiinfra-store-position.json").read_text())
    (log,) = spool.glob("usage-*.jsonl")
    assert position["version"] == 1
    assert position["files"] == {log.name: log.stat().st_size}
    assert position["shipped_events"] == 2500
    assert ship.spool.behind_bytes() == 0
    # Nothing new: nothing sent. A lost position file resends everything: the store ignores it.
    assert ship.ship() == 0
    (spool / ".aiinfra-store-position.json").unlink()
    assert shipper(rt, spool).ship() == 2500
    assert store_totals(store_dsn)["rows"] == 2500
    assert store_totals(store_dsn)["daily_cost"] == total


def test_events_the_store_refuses_are_kept_and_the_rest_ships(
    rt: ModuleType, store_dsn: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    record(tracker(rt, spool), rt, 3)
    (log,) = spool.glob("usage-*.jsonl")
    good = json.loads(log.read_text().splitlines()[0])
    bad_cost = {**good, "event_id": "bad-cost", "cost_usd": "lots"}
    no_id = {k: v for k, v in good.items() if k != "event_id"}
    with log.open("a") as handle:
        handle.write("{not json\n" + json.dumps(bad_cost) + "\n" + json.dumps(no_id) + "\n")
        # Looks like a tracker line (passed on unparsed) but is torn: the store finds it.
        handle.write('{"schema_version":1,"event_id":"torn","input_tokens":}\n')
    ship = shipper(rt, spool)
    assert ship.ship() == 4  # 3 + the old line without an id
    rejected = [
        json.loads(line) for line in (spool / ".aiinfra-store-rejected").read_text().splitlines()
    ]
    assert [r["reason"].split(":")[0] for r in rejected] == [
        "not a JSON object",
        "refused by the store",
        "refused by the store",
    ]
    assert rejected[-1]["line"].startswith('{"schema_version":1,"event_id":"torn"')
    assert store_totals(store_dsn)["rows"] == 4
    import psycopg

    with psycopg.connect(store_dsn) as conn:
        ids = {r[0] for r in conn.execute("SELECT event_id FROM aiinfra.usage_events")}
    assert sum(i.startswith("sha256:") for i in ids) == 1
    assert shipper(rt, spool).ship() == 0  # the position moved past the refused lines


def test_with_the_store_unreachable_events_wait_and_ship_later(
    rt: ModuleType,
    store_dsn: str,
    pg_cluster: Postgres,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    spool = tmp_path / "spool"
    total = record(tracker(rt, spool), rt, 300)
    ship = shipper(rt, spool)
    caplog.set_level(logging.WARNING)
    problems = {
        "unset": None,
        "wrong password": pg_cluster.dsn(password="not-the-password"),
        "unreachable": "postgresql://u:s3cret-pw@127.0.0.1:9/x?connect_timeout=1",
    }
    for dsn in problems.values():
        if dsn is None:
            monkeypatch.delenv("AIINFRA_STORE_DSN")
        else:
            monkeypatch.setenv("AIINFRA_STORE_DSN", dsn)
        ship._retry_at = 0.0
        assert ship.ship() == 0
        ship._retry_at = 0.0
        assert ship.ship() == 0  # the same problem again: no second line
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert "$AIINFRA_STORE_DSN is not set" in lines[0]
    assert "password authentication failed" in lines[1]
    assert "cannot connect to u@127.0.0.1:9/x" in lines[2]
    assert not any("s3cret" in line or pg_cluster.password in line for line in lines)
    assert all("\n" not in line for line in lines)
    assert store_totals(store_dsn)["rows"] == 0
    monkeypatch.setenv("AIINFRA_STORE_DSN", store_dsn)
    ship._retry_at = 0.0
    assert ship.ship() == 300
    assert store_totals(store_dsn)["cost"] == total
    assert "reachable again" in caplog.records[-1].getMessage()


def test_a_store_with_a_newer_schema_is_refused_and_nothing_written(
    rt: ModuleType, store_dsn: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import psycopg

    with psycopg.connect(store_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO aiinfra.schema_migrations VALUES (99, now(), 'future')")
    spool = tmp_path / "spool"
    assert refused(rt, spool) == (
        f"the team store's schema is version 99, newer than this runtime knows ({LATEST}):"
        " upgrade aiinfra and re-run `aiinfra init`"
    )
    assert store_totals(store_dsn)["rows"] == 0
    assert spool_events(spool) and shipper(rt, spool).spool.behind_bytes() > 0


def test_two_shippers_on_one_spool_ship_each_event_once(
    rt: ModuleType, store_dsn: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    record(tracker(rt, spool), rt, 3000)
    first, second = shipper(rt, spool, batch_events=100), shipper(rt, spool, batch_events=100)
    first.start()
    second.start()
    first.wake()
    second.wake()
    deadline = time.monotonic() + 30
    while first.shipped + second.shipped < 3000 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.close()
    second.close()
    assert first.shipped + second.shipped == 3000
    assert first.inserted + second.inserted == 3000
    assert store_totals(store_dsn)["rows"] == 3000


CHILD = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, {src!r})
import {package} as rt
settings = rt.Settings.from_dict({{
    "version": 1,
    "providers": {{"p": {{"kind": "openai-compatible", "base_url": "http://127.0.0.1:9/v1"}}}},
    "models": [{{"id": "m", "provider": "p", "model": "local"}}],
    "usage_log": {{"path": {spool!r}}},
    "store": {{"kind": "postgres", "dsn_env": "AIINFRA_STORE_DSN"}},
}}, root=Path({root!r}))
track = rt.CostTracker.from_settings(settings)
track.shipper.interval_s = 0.05
def burst(tag, n):
    for i in range(n):
        track.record(provider="p", request_model="local", usage=rt.Usage(10, i),
                     extra_tags={{"who": tag}})
burst("parent-before", 50)
track.flush()
pid = os.fork()
if pid == 0:
    burst("child", 70)
    track.flush()
    # The child's own thread ships (no explicit ship call): wait for it, then vanish
    # without exit hooks.
    deadline = time.monotonic() + 20
    while track.shipper.shipped < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    os._exit(0 if track.shipper.shipped else 3)
_, status = os.waitpid(pid, 0)
burst("parent-after", 30)
print("child", os.waitstatus_to_exitcode(status))
# Exit now: the exit hook flushes the log and ships what is left.
"""


def test_fork_and_exit_ship_everything(runtime_repo: Path, store_dsn: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    script = CHILD.format(
        src=str(runtime_repo / "src"), package="genai_rt", spool=str(spool), root=str(tmp_path)
    )
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "child 0", done.stderr
    events = spool_events(spool)
    assert len(events) == 150
    got = store_totals(store_dsn)
    assert got["rows"] == got["ids"] == 150


def test_the_runtimes_own_store_tests_skip_without_a_database_and_pass_with_one(
    runtime_repo: Path, store_dsn: str
) -> None:
    test = runtime_repo / "tests" / "genai_rt" / "test_ai_store.py"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)]
    env = {k: v for k, v in os.environ.items() if k not in ("AIINFRA_TEST_PG", "AIINFRA_STORE_DSN")}
    skipped = subprocess.run(command, cwd=runtime_repo, env=env, capture_output=True, text=True)
    assert "1 skipped" in skipped.stdout, skipped.stdout + skipped.stderr
    env["AIINFRA_TEST_PG"] = store_dsn
    ran = subprocess.run(command, cwd=runtime_repo, env=env, capture_output=True, text=True)
    assert ran.returncode == 0 and "1 passed" in ran.stdout, ran.stdout + ran.stderr


def test_a_database_without_the_store_schema_is_named_as_such(
    rt: ModuleType, pg_cluster: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIINFRA_STORE_DSN", pg_cluster.create_database())
    assert refused(rt, tmp_path / "spool") == (
        "team store: the database has no aiinfra schema (run `aiinfra store migrate`)"
    )
