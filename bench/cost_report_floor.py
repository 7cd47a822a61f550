"""Where the cold cost-report's time goes: each step of an own-format ingest, alone, in DuckDB.

    python bench/cost_report_floor.py --records 1000000 [--runs 5] [--data /tmp/aiinfra-bench]

Every strategy runs in a fresh process (``python -c``-like, via this script with ``--one``) over
the same generated files (``bench/cost_report_gen.py``), and is shown against the bare aggregate
the issue's target is measured against:

* ``bare``: 8 fields, one GROUP BY (the least work any report needs);
* ``read+validate``: all 29 fields read and the same SQL validity test the ingest applies to every
  row (what makes a malformed line a named reject instead of a silent drop);
* ``rows → cache table``: what the ingest does today (rows into the on-disk DuckDB cache);
* ``rows → parquet``: the same rows written as one zstd Parquet file instead (a columnar cache);
* ``single-pass rollup``: no rows kept: one GROUPING SETS pass producing every aggregate a report
  reads (15-minute cells, daily per-dimension sums, budgets), the "pre-aggregate on ingest" idea.

It answers whether any cache layout can meet "cold ≤ 1.5× a bare aggregate": see
``docs/benchmarks.md`` for the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cost_report_gen import own  # noqa: E402

STRATEGIES = ("bare", "read+validate", "rows → cache table", "rows → parquet", "single-pass rollup")
_BARE_COLUMNS = (
    "{'provider': 'VARCHAR', 'request_model': 'VARCHAR', 'response_model': 'VARCHAR',"
    " 'input_tokens': 'BIGINT', 'output_tokens': 'BIGINT', 'cache_read_tokens': 'BIGINT',"
    " 'cache_write_tokens': 'BIGINT', 'reasoning_tokens': 'BIGINT'}"
)
_DIMS = ("feature", "endpoint", "user", "tenant", "session", "call_site")


def bare_sql(glob: str) -> str:
    """The bare aggregate every cold figure is measured against (also cost_report_bench's)."""
    return (
        "SELECT coalesce(response_model, request_model) AS model, provider, count(*),"
        " sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
        f" sum(cache_write_tokens), sum(reasoning_tokens) FROM read_ndjson('{glob}',"
        f" columns={_BARE_COLUMNS}) GROUP BY ALL"
    )


def _sql(strategy: str, glob: str, out: Path) -> str:
    from aiinfra_cli.usage import _ingest as ingest
    from aiinfra_cli.usage._rows import COLUMN_NAMES

    if strategy == "bare":
        return bare_sql(glob)
    source = (
        "(SELECT *, epoch_us(TRY_CAST(timestamp AS TIMESTAMPTZ)) AS _ts FROM read_ndjson("
        f"'{glob}', columns={ingest._columns_literal(ingest._OWN_COLUMNS)}, ignore_errors=true,"
        " format='newline_delimited')) r"
    )
    rows = (
        "SELECT "
        + ", ".join(f'{ingest._OWN_SELECT[name]} AS "{name}"' for name in COLUMN_NAMES)
        + f", {ingest._OWN_SUSPECT} AS suspect FROM {source}"
    )
    if strategy == "read+validate":
        return f"SELECT count(*), count(*) FILTER (WHERE {ingest._OWN_SUSPECT}) FROM {source}"
    if strategy == "rows → cache table":
        return f"CREATE TABLE events AS {rows}"
    if strategy == "rows → parquet":
        return f"COPY ({rows}) TO '{out / 'rows.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
    key = "provider, model, batch"
    sets = [
        f"(bucket, {key}, ok, retry, fallback, cache_hit, recorded, big_input)",
        *(f'(day, "{d}", {key}, big_input, ok, cache_hit)' for d in _DIMS),
        f"(day, feature, model_id, {key}, big_input, cache_hit)",
    ]
    return (
        "CREATE TABLE rollup AS SELECT count(*), sum(input), sum(output), sum(cache_read),"
        " sum(cache_write), sum(cache_write_1h), sum(reasoning), sum(recorded_cost),"
        " sum(saved_cost), count(*) FILTER (WHERE suspect) FROM (SELECT *,"
        " ts // 900000000 AS bucket, ts // 86400000000 AS day, attempt > 1 AS retry,"
        " recorded_cost IS NOT NULL AS recorded,"
        " CASE WHEN input > 32768 THEN input END AS big_input"
        f" FROM ({rows})) GROUP BY GROUPING SETS ({', '.join(sets)})"
    )


def one(strategy: str, glob: str) -> None:
    """Run one strategy in this process; print wall, CPU and peak RSS as JSON."""
    started = time.perf_counter()
    import duckdb

    with tempfile.TemporaryDirectory(prefix="aiinfra-floor-") as scratch:
        out = Path(scratch)
        con = duckdb.connect(str(out / "cache.duckdb"))
        con.execute("SET preserve_insertion_order = false")
        con.execute(_sql(strategy, glob, out))
        con.close()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(
            json.dumps(
                {
                    "wall": time.perf_counter() - started,
                    "cpu": usage.ru_utime + usage.ru_stime,
                    "rss": usage.ru_maxrss / 1024,
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=Path("/tmp/aiinfra-bench"))
    parser.add_argument("--one", choices=STRATEGIES, help=argparse.SUPPRESS)
    parser.add_argument("--glob", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one, args.glob)
        return
    target = args.data / f"own-{args.records}"
    if not target.exists():
        print(f"generating {args.records:,} usage events under {target} …", flush=True)
        own(target, args.records, files=10)
    glob = str(target / "*.jsonl")
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in STRATEGIES}
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    for _ in range(args.runs):  # interleaved, so load on the machine hits every strategy alike
        for name in STRATEGIES:
            argv = [sys.executable, __file__, "--one", name, "--glob", glob]
            done = subprocess.run(argv, check=True, capture_output=True, text=True, env=env)
            figures[name].append(json.loads(done.stdout))
    base = {k: statistics.median(f[k] for f in figures["bare"]) for k in ("wall", "cpu", "rss")}
    print(f"own JSONL, {args.records:,} events ({args.runs} runs, medians, fresh processes)")
    for name in STRATEGIES:
        wall, cpu, rss = (statistics.median(f[k] for f in figures[name]) for k in base)
        print(
            f"  {name:<20} {wall:6.2f} s wall {cpu:6.2f} s CPU {rss:7.1f} MiB"
            f"   {wall / base['wall']:5.2f}x wall {cpu / base['cpu']:5.2f}x CPU"
        )


if __name__ == "__main__":
    main()
