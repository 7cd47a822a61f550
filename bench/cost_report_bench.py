"""Benchmarks for ``aiinfra cost-report`` (medians of several runs; figures printed side by side).

    python bench/cost_report_bench.py claude --records 1000000 [--runs 5] [--ccusage PATH]
    python bench/cost_report_bench.py own --records 1000000 [--runs 5]

``claude``: the same generated Claude Code logs through ``ccusage claude daily --json --offline
-z UTC`` (peer, ``CLAUDE_CONFIG_DIR`` pointing at the data) and ``aiinfra cost-report --logs
DIR --timeframe all --no-write --json``: wall time and peak RSS of each process, cold (empty
ingest cache) and warm (unchanged logs), and both totals to the cent.

"warm" re-runs over unchanged logs with the same options (ingest cache and query memo hit);
"warm, query memo dropped" re-runs the queries over the cached rows (what a re-run with other
options, or after one log file changed, costs).

``own``: the tracker's JSONL: cold and warm ``aiinfra cost-report`` against a bare DuckDB
aggregate over the same files (a fresh ``python -c`` process running one ``read_ndjson`` GROUP BY
of the token counts by model: the least work any report needs).

Data is generated deterministically under ``--data`` (default /tmp/aiinfra-bench), never in the
repository. Install the peer outside the repo first:
``npm install --prefix /tmp/ccusage-bench ccusage@20.0.24``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cost_report_floor import bare_sql, claude_bare_sql  # noqa: E402
from cost_report_gen import claude, own  # noqa: E402

AIINFRA = str(Path(sys.executable).with_name("aiinfra"))
DEFAULT_CCUSAGE = "/tmp/ccusage-bench/node_modules/.bin/ccusage"


TIME = "/usr/bin/time"
ENGINE = "AIINFRA_REPORT_ENGINE"
SMALL_RECORDS = 200_000


def measure(
    argv: list[str], *, env: dict[str, str] | None = None, cwd: Path
) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS (MiB), CPU seconds (user + system) and stdout of one run.

    The run is started by ``/usr/bin/time`` (GNU time), a small process: Linux carries a
    process's peak RSS across fork and exec, so a child forked straight from this (large) bench
    process would report the bench's own peak, the same for every run."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CI", None)  # the command's CI defaults (--no-cache) are measured explicitly
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled modules are cached
    with tempfile.NamedTemporaryFile(prefix="aiinfra-bench-time-", suffix=".txt") as report:
        start = time.perf_counter()
        proc = subprocess.run(
            [TIME, "-f", "%M %U %S %x", "-o", report.name, *argv],
            cwd=cwd,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - start
        peak_kib, user, system, status = Path(report.name).read_text().split()[-4:]
    if int(status) not in (0, 1):
        raise SystemExit(f"{argv[0]} failed with status {status}")
    cpu = float(user) + float(system)
    return wall, int(peak_kib) / 1024, cpu, proc.stdout.decode("utf-8")


def median_runs(
    argv: list[str],
    runs: int,
    *,
    env: dict[str, str] | None = None,
    cwd: Path,
    before: object = None,
) -> tuple[float, float, float, str]:
    walls, rss, cpus = [], [], []
    out = ""
    for _ in range(runs):
        if callable(before):
            before()
        wall, peak, cpu, out = measure(argv, env=env, cwd=cwd)
        walls.append(wall)
        rss.append(peak)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(rss), statistics.median(cpus), out


def _forget_memo(work: Path) -> None:
    """Drop memoised query results so the next run queries the cached rows again."""
    import duckdb

    con = duckdb.connect(str(work / ".multiagent" / "cache" / "usage-ingest.duckdb"))
    con.execute("DELETE FROM memo")
    con.close()


def _row(
    name: str, got: tuple[float, float, float, str], base: tuple[float, float, float, str]
) -> str:
    wall, rss, cpu, _ = got
    return (
        f"  {name:<34} {wall:7.3f} s wall {cpu:7.3f} s CPU {rss:7.1f} MiB"
        f"   {wall / base[0]:6.3f}x wall {cpu / base[2]:6.3f}x CPU {rss / base[1]:6.3f}x RSS"
    )


def _report(logs: Path) -> list[str]:
    """``aiinfra cost-report`` over every event of ``logs``, JSON on stdout, nothing written."""
    options = ["--timeframe", "all", "--until", "2026-12-31", "--no-write", "--json"]
    return [AIINFRA, "cost-report", "--logs", str(logs), *options]


def _bare(target: Path) -> list[str]:
    """The least work any Claude Code report needs, as its own process: import DuckDB, read the
    usage columns of every session log, drop repeated responses, sum tokens by model."""
    sql = claude_bare_sql(str(target / "projects" / "**" / "*.jsonl"))
    return [sys.executable, "-c", f"import duckdb; print(duckdb.sql({sql!r}).fetchall())"]


def interleaved(
    programs: dict[str, tuple[list[str], dict[str, str] | None, object]], runs: int, *, cwd: Path
) -> dict[str, tuple[float, float, float, str]]:
    """Each program once per round (A B C A B C …), ``runs`` rounds; medians per program.
    A program is (argv, environment, a callable run before each of its runs or None)."""
    got: dict[str, list[tuple[float, float, float, str]]] = {name: [] for name in programs}
    for _ in range(runs):
        for name, (argv, env, before) in programs.items():
            if callable(before):
                before()
            got[name].append(measure(argv, env=env, cwd=cwd))
    return {
        name: (
            statistics.median(r[0] for r in rows),
            statistics.median(r[1] for r in rows),
            statistics.median(r[2] for r in rows),
            rows[-1][3],
        )
        for name, rows in got.items()
    }


def bench_claude(data: Path, records: int, runs: int, ccusage: str) -> None:
    target = data / f"claude-s200-{records}"
    if not (target / "projects").exists():
        print(f"generating {records:,} Claude Code records under {target} …", flush=True)
        claude(target, records, projects=20)
    work = Path(tempfile.mkdtemp(prefix="aiinfra-bench-"))
    cache = work / ".multiagent"

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    ours = _report(target)
    empty = work / "empty.jsonl"
    empty.write_text("")
    python, duck = {ENGINE: "python"}, {ENGINE: "duckdb"}
    pyfloor = [sys.executable, str(HERE / "cost_report_pyfloor.py"), str(target / "projects")]
    # Forcing the small-input engine past its threshold holds every row in memory: up to
    # SMALL_RECORDS only (the auto row shows what the command picks).
    forced = records <= SMALL_RECORDS
    got = interleaved(
        {
            "peer": ([ccusage, "claude", "daily", "--json", "--offline", "-z", "UTC"],
                     {"CLAUDE_CONFIG_DIR": str(target)}, None),
            "bare": (_bare(target), None, None),
            "pyfloor": (pyfloor, None, None),
            "fixed-py": ([*_report(empty), "--no-cache"], python, None),
            "fixed-duck": ([*_report(empty), "--no-cache"], duck, None),
            "auto": ([*ours, "--no-cache"], None, cold),
            **({"python": ([*ours, "--no-cache"], python, cold)} if forced else {}),
            "duckdb": ([*ours, "--no-cache"], duck, cold),
            "cold": (ours, duck, cold),
        },
        runs,
        cwd=work,
    )  # fmt: skip
    peer_run = got["peer"]
    warm_run = median_runs(ours, runs, env=duck, cwd=work)
    rows_run = median_runs(ours, runs, env=duck, cwd=work, before=lambda: _forget_memo(work))
    peer_total = Decimal(str(json.loads(peer_run[3])["totals"]["totalCost"]))
    totals = {
        name: Decimal(json.loads(got[name][3])["totals"]["cost_usd"])
        for name in ("auto", "python", "duckdb")
        if name in got
    }
    print(f"Claude Code logs, {records:,} lines ({runs} runs interleaved, medians;"
          f" load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    print(_row("ccusage 20.0.24 daily --offline", peer_run, peer_run))
    print(_row("bare DuckDB read+dedupe+aggregate", got["bare"], peer_run))
    print(_row("bare stdlib json read+dedupe+sum", got["pyfloor"], peer_run))
    print(_row("aiinfra fixed cost, python engine", got["fixed-py"], peer_run))
    print(_row("aiinfra fixed cost, duckdb engine", got["fixed-duck"], peer_run))
    print(_row("aiinfra --no-cache (auto engine)", got["auto"], peer_run))
    if forced:
        print(_row("aiinfra --no-cache, python engine", got["python"], peer_run))
    print(_row("aiinfra --no-cache, duckdb engine", got["duckdb"], peer_run))
    print(_row("aiinfra duckdb, cold cache", got["cold"], peer_run))
    print(_row("aiinfra duckdb, warm cache", warm_run, peer_run))
    print(_row("aiinfra (warm, query memo dropped)", rows_run, peer_run))
    print(
        f"  cache tax on a cold run: {got['cold'][0] / got['duckdb'][0] - 1:+.1%} wall,"
        f" {got['cold'][2] / got['duckdb'][2] - 1:+.1%} CPU"
    )
    cents = Decimal("0.01")
    same = all(peer_total.quantize(cents) == t.quantize(cents) for t in totals.values())
    shown = "  ".join(f"{name} {total}" for name, total in totals.items())
    print(f"  total cost: ccusage {peer_total}  aiinfra {shown}  same to the cent: {same}")
    shutil.rmtree(work, ignore_errors=True)


def bench_own(data: Path, records: int, runs: int) -> None:
    target = data / f"own-{records}"
    if not target.exists():
        print(f"generating {records:,} usage events under {target} …", flush=True)
        own(target, records, files=10)
    work = Path(tempfile.mkdtemp(prefix="aiinfra-bench-"))
    cache = work / ".multiagent"

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    sql = bare_sql(str(target / "*.jsonl"))
    bare = [sys.executable, "-c", f"import duckdb; print(duckdb.sql({sql!r}).fetchall())"]
    ours = _report(target)
    duck = {ENGINE: "duckdb"}  # the cache rows are the DuckDB engine's
    bare_run = median_runs(bare, runs, cwd=work)
    nocache_run = median_runs([*ours, "--no-cache"], runs, env=duck, cwd=work, before=cold)
    cold_run = median_runs(ours, runs, env=duck, cwd=work, before=cold)
    warm_run = median_runs(ours, runs, env=duck, cwd=work)
    rows_run = median_runs(ours, runs, env=duck, cwd=work, before=lambda: _forget_memo(work))
    daily = sorted(target.glob("*.jsonl"))[-1]
    original = daily.read_bytes()
    tail = original[original.rstrip(b"\n").rfind(b"\n") + 1 :]

    def append() -> None:
        with daily.open("ab") as handle:  # the tracker's daily file grows by one event
            handle.write(tail)

    appended_run = median_runs(ours, runs, env=duck, cwd=work, before=append)
    daily.write_bytes(original)
    doc = json.loads(warm_run[3])
    print(f"Own JSONL, {records:,} events in 10 files ({runs} runs, medians)")
    print(_row("bare DuckDB aggregate (python -c)", bare_run, bare_run))
    print(_row("aiinfra cost-report --no-cache", nocache_run, bare_run))
    print(_row("aiinfra cost-report (cold cache)", cold_run, bare_run))
    print(_row("aiinfra cost-report (warm cache)", warm_run, bare_run))
    print(_row("aiinfra (warm, query memo dropped)", rows_run, bare_run))
    print(_row("aiinfra (one file appended to)", appended_run, bare_run))
    print(
        f"  cache tax on a cold run: {cold_run[0] / nocache_run[0] - 1:+.1%} wall,"
        f" {cold_run[2] / nocache_run[2] - 1:+.1%} CPU"
    )
    print(f"  report total {doc['totals']['cost_usd']} over {doc['totals']['requests']:,} requests")
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("claude", "own"))
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=Path("/tmp/aiinfra-bench"))
    parser.add_argument("--ccusage", default=DEFAULT_CCUSAGE)
    args = parser.parse_args()
    if args.kind == "claude":
        bench_claude(args.data, args.records, args.runs, args.ccusage)
    else:
        bench_own(args.data, args.records, args.runs)


if __name__ == "__main__":
    main()
