"""Where the cold cost-report's time goes: each step of a cold ingest, alone, in DuckDB.

    python bench/cost_report_floor.py --records 1000000 [--runs 5] [--data /tmp/aiinfra-bench]
    python bench/cost_report_floor.py --kind claude --records 1000000 [--runs 5]

Every strategy runs in a fresh process (``python -c``-like, via this script with ``--one``) over
the same generated files (``bench/cost_report_gen.py``), and is shown against the bare aggregate
the issue's target is measured against:

* ``bare``: 8 fields, one GROUP BY (the least work any report needs);
* ``read+validate``: all 29 fields read and the same SQL validity test the ingest applies to every
  row (what makes a malformed line a named reject instead of a silent drop);
* ``rows → cache table``: the same rows into an on-disk DuckDB table (the ingest before Parquet
  segments);
* ``rows → parquet``: the rows written as one Parquet file with the ingest's own settings
  (what a cold ingest does today, :mod:`aiinfra_cli.usage._segments`);
* ``single-pass rollup``: no rows kept: one GROUPING SETS pass producing every aggregate a report
  reads (15-minute cells, daily per-dimension sums, budgets), the "pre-aggregate on ingest" idea.

It answers whether any cache layout can meet "cold ≤ 1.5× a bare aggregate": see
``docs/benchmarks.md`` for the figures.

``--kind claude`` does the same for Claude Code session logs (bare: the same columns the ingest
reads, summed by model; read+validate; rows → parquet; the project and session, which the
ingest joins in per file, are constants here), plus ``command, no logs``: ``aiinfra
cost-report`` over an empty directory, the fixed cost of the command itself (start-up, imports,
cache, price table, rendering) that a cold run pays on top of its reading.
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

from cost_report_gen import claude, own  # noqa: E402

STRATEGIES = ("bare", "read+validate", "rows → cache table", "rows → parquet", "single-pass rollup")
CLAUDE_STRATEGIES = ("bare", "read+validate", "rows → parquet", "command, no logs")
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


def claude_bare_sql(glob: str) -> str:
    """The least a Claude Code report needs: the usage columns, repeated responses dropped,
    token sums by model (cost_report_bench's bare figure for the Claude Code runs)."""
    usage = (
        "STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT,"
        " output_tokens BIGINT, cache_creation_input_tokens BIGINT,"
        " cache_read_input_tokens BIGINT))"
    )
    return (
        "SELECT model, count(*), sum(i), sum(o), sum(w), sum(r) FROM (SELECT DISTINCT ON"
        " (coalesce(message.id || ':' || requestId, uuid)) message.model AS model,"
        " message.usage.input_tokens AS i, message.usage.output_tokens AS o,"
        " message.usage.cache_creation_input_tokens AS w,"
        " message.usage.cache_read_input_tokens AS r FROM read_ndjson('" + glob + "',"
        " columns={'uuid': 'VARCHAR', 'requestId': 'VARCHAR', 'message': '" + usage + "'},"
        " ignore_errors=true) WHERE message.usage IS NOT NULL) GROUP BY ALL"
    )


def _claude_sql(strategy: str, glob: str, out: Path) -> str:
    from aiinfra_cli.usage import _claude_code as claude
    from aiinfra_cli.usage import _ingest as ingest
    from aiinfra_cli.usage._rows import COLUMN_NAMES
    from aiinfra_cli.usage._segments import PARQUET_OPTIONS

    source = (
        "(SELECT *, epoch_us(TRY_CAST(timestamp AS TIMESTAMPTZ)) AS _ts FROM read_ndjson("
        f"'{glob}', columns={ingest._columns_literal(claude.DUCKDB_COLUMNS)}, ignore_errors=true,"
        " format='newline_delimited')) r"
    )
    if strategy == "bare":
        return (
            "SELECT message.model, count(*), sum(message.usage.input_tokens),"
            " sum(message.usage.output_tokens), sum(message.usage.cache_read_input_tokens),"
            f" sum(message.usage.cache_creation_input_tokens) FROM {source}"
            " WHERE message.usage IS NOT NULL GROUP BY ALL"
        )
    keep = f"WHERE {claude.SQL_IS_CALL} OR {claude.SQL_SUSPECT}"
    if strategy == "read+validate":
        return f"SELECT count(*), count(*) FILTER (WHERE {claude.SQL_SUSPECT}) FROM {source} {keep}"
    constants = {"b.project": "'p'", "b.session": "'s'"}
    exprs = []
    for name in COLUMN_NAMES:
        expr = claude.SQL_SELECT[name]
        for column, value in constants.items():
            expr = expr.replace(column, value)
        exprs.append(f'{expr} AS "{name}"')
    rows = f"SELECT {', '.join(exprs)}, {claude.SQL_SUSPECT} AS suspect FROM {source} {keep}"
    return f"COPY ({rows}) TO '{out / 'rows.parquet'}' ({PARQUET_OPTIONS})"


def _sql(strategy: str, glob: str, out: Path) -> str:
    from aiinfra_cli.usage import _ingest as ingest
    from aiinfra_cli.usage._formats import READERS
    from aiinfra_cli.usage._rows import COLUMN_NAMES
    from aiinfra_cli.usage._segments import PARQUET_OPTIONS

    if strategy == "bare":
        return bare_sql(glob)
    bulk = READERS["aiinfra"].bulk
    assert bulk is not None
    reader = (
        f"read_ndjson('{glob}', columns={ingest._columns_literal(bulk.columns)},"
        " ignore_errors=true, filename=true, format='newline_delimited')"
    )
    source = f"{bulk.source(reader)} r"
    rows = (
        "SELECT "
        + ", ".join(f'{bulk.select[name]} AS "{name}"' for name in COLUMN_NAMES)
        + f", {bulk.suspect} AS suspect FROM {source}"
    )
    if strategy == "read+validate":
        return f"SELECT count(*), count(*) FILTER (WHERE {bulk.suspect}) FROM {source}"
    if strategy == "rows → cache table":
        return f"CREATE TABLE events AS {rows}"
    if strategy == "rows → parquet":
        return f"COPY ({rows}) TO '{out / 'rows.parquet'}' ({PARQUET_OPTIONS})"
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


def _command_without_logs(scratch: Path) -> resource.struct_rusage:
    """``aiinfra cost-report`` over an empty directory, in a child process: its usage."""
    (scratch / "logs").mkdir()
    argv = [sys.executable, "-m", "aiinfra_cli", "cost-report", "--logs", "logs"]
    argv += ["--timeframe", "all", "--until", "2026-12-31", "--no-write", "--json"]
    subprocess.run(argv, cwd=scratch, check=True, capture_output=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN)


def one(kind: str, strategy: str, glob: str) -> None:
    """Run one strategy in this process; print wall, CPU and peak RSS as JSON."""
    started = time.perf_counter()
    import duckdb

    with tempfile.TemporaryDirectory(prefix="aiinfra-floor-") as scratch:
        out = Path(scratch)
        if strategy == "command, no logs":
            usage = _command_without_logs(out)
        else:
            con = duckdb.connect(str(out / "cache.duckdb"))
            con.execute("SET preserve_insertion_order = false")
            sql = (_claude_sql if kind == "claude" else _sql)(strategy, glob, out)
            con.execute(sql)
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
    parser.add_argument("--kind", choices=("own", "claude"), default="own")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=Path("/tmp/aiinfra-bench"))
    parser.add_argument("--one", choices=(*STRATEGIES, *CLAUDE_STRATEGIES), help=argparse.SUPPRESS)
    parser.add_argument("--glob", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.kind, args.one, args.glob)
        return
    target = args.data / f"{args.kind}-{args.records}"
    strategies = CLAUDE_STRATEGIES if args.kind == "claude" else STRATEGIES
    if args.kind == "claude":
        if not (target / "projects").exists():
            print(f"generating {args.records:,} Claude Code records under {target} …", flush=True)
            claude(target, args.records, projects=20)
        glob = str(target / "projects" / "*" / "*.jsonl")
    else:
        if not target.exists():
            print(f"generating {args.records:,} usage events under {target} …", flush=True)
            own(target, args.records, files=10)
        glob = str(target / "*.jsonl")
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in strategies}
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    for _ in range(args.runs):  # interleaved, so load on the machine hits every strategy alike
        for name in strategies:
            argv = [sys.executable, __file__, "--kind", args.kind, "--one", name, "--glob", glob]
            done = subprocess.run(argv, check=True, capture_output=True, text=True, env=env)
            figures[name].append(json.loads(done.stdout))
    base = {k: statistics.median(f[k] for f in figures["bare"]) for k in ("wall", "cpu", "rss")}
    what = "Claude Code lines" if args.kind == "claude" else "own JSONL events"
    print(f"{what}, {args.records:,} ({args.runs} runs, medians, fresh processes)")
    for name in strategies:
        wall, cpu, rss = (statistics.median(f[k] for f in figures[name]) for k in base)
        print(
            f"  {name:<20} {wall:6.2f} s wall {cpu:6.2f} s CPU {rss:7.1f} MiB"
            f"   {wall / base['wall']:5.2f}x wall {cpu / base['cpu']:5.2f}x CPU"
        )


if __name__ == "__main__":
    main()
