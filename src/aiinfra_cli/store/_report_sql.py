"""The SQL text of cost-report's reads of the team store (see :mod:`._report`)."""

from __future__ import annotations

from aiinfra_cli.report import DIMENSIONS

# Session settings for the report's statements. Their GROUP BYs have few groups (days, models,
# flags, attribution values) but the planner, estimating groups of CASE expressions without
# statistics, expects one per row: it would sort every row and aggregate in the sorted order.
# Hash aggregation (enable_sort off) reads the rows once into few groups; a negligible transfer
# cost lets parallel workers scan and evaluate the rows while the leader aggregates. work_mem:
# enough to keep the groups in memory.
SESSION_SETTINGS = (
    ("work_mem", "'64MB'"),
    ("enable_sort", "off"),
    ("parallel_tuple_cost", "0.0001"),
)
TOKEN_COLUMNS = ("input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning")
# The store's columns under the names the report's queries use (as the ingest cache has them).
# Recorded costs are read as DECIMAL(38,18), as the JSONL path reads them.
EVENTS = (
    "SELECT round(date_part('epoch', \"timestamp\") * 1000000)::bigint AS ts, provider,"
    " coalesce(response_model, request_model) AS model, model_id, feature, endpoint,"
    " \"user\", tenant, NULL::text AS session, call_site, status = 'ok' AS ok, attempt,"
    " fallback_from IS NOT NULL AS fallback, batch, cache_hit, input_tokens AS input,"
    " output_tokens AS output, cache_read_tokens AS cache_read,"
    " cache_write_tokens AS cache_write, cache_write_1h_tokens AS cache_write_1h,"
    " reasoning_tokens AS reasoning, round(cost_usd, 18) AS recorded_cost,"
    " round(saved_cost_usd, 18) AS saved_cost"
    ' FROM aiinfra.usage_events WHERE "timestamp" >= %(lo)s AND "timestamp" < %(hi)s'
)


# The one pass: the window's rows summed once at the finest grain the report needs (fine), then
# rolled up three ways from those sums, never from the rows again. Every row of the result is
#   part, day, key_id, batch, tier, ok, retry, fallback, cache_hit, recorded, text1, text2,
#   requests, errors, hits, six token sums, recorded USD, saved USD
# part 0: a cell (text1/text2 NULL); part 1: one attribution value over the report's period
# (day NULL; text1 the dimension, text2 its value; token sums without cache hits, as billed);
# part 2: budget usage per day (text1 feature, text2 config model id, cache_hit kept).
CELL, DIM, BUDGET = 0, 1, 2
_FINE_KEYS = (
    "day, key_id, batch, tier, ok, attempt > 1 AS retry, fallback, cache_hit,"
    " recorded_cost IS NOT NULL AS recorded, model_id, " + ", ".join(f'"{d}"' for d in DIMENSIONS)
)
_FINE_SUMS = ", ".join(f"sum({c}) AS {c}" for c in TOKEN_COLUMNS)
_ROLLED = ", ".join(f"sum({c})" for c in TOKEN_COLUMNS)
_BILLED = ", ".join(f"sum(CASE WHEN NOT cache_hit THEN {c} END)" for c in TOKEN_COLUMNS)
_PIVOT = ", ".join(f"('{d}', \"{d}\")" for d in DIMENSIONS)
ONE_PASS = (
    f", fine AS (SELECT {_FINE_KEYS}, count(*) AS n, {_FINE_SUMS},"
    " sum(recorded_cost) AS recorded_usd, sum(saved_cost) AS saved_usd"
    f" FROM base GROUP BY {', '.join(str(n) for n in range(1, 11 + len(DIMENSIONS)))})"
    f" SELECT {CELL}, day, key_id, batch, tier, ok, retry, fallback, cache_hit, recorded,"
    f" NULL::text, NULL::text, sum(n), 0::numeric, 0::numeric, {_ROLLED},"
    " coalesce(sum(recorded_usd), 0), coalesce(sum(saved_usd), 0)"
    " FROM fine GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10"
    f" UNION ALL SELECT {DIM}, NULL, key_id, batch, tier, NULL, NULL, NULL, NULL, NULL,"
    " d.dim, d.value, sum(n), sum(CASE WHEN ok THEN 0 ELSE n END),"
    f" sum(CASE WHEN cache_hit THEN n ELSE 0 END), {_BILLED}, NULL, NULL"
    f" FROM fine CROSS JOIN LATERAL (VALUES {_PIVOT}) AS d(dim, value)"
    " WHERE key_id IS NOT NULL AND day BETWEEN %(first_day)s AND %(last_day)s"
    " GROUP BY 3, 4, 5, 11, 12"
    f" UNION ALL SELECT {BUDGET}, day, key_id, batch, tier, NULL, NULL, NULL, cache_hit, NULL,"
    f" feature, model_id, sum(n), NULL, NULL, {_ROLLED}, NULL, NULL"
    " FROM fine WHERE key_id IS NOT NULL GROUP BY 2, 3, 4, 5, 9, 11, 12"
)


def values(rows: list[tuple[int | bool, ...]], casts: tuple[str, ...]) -> str:
    """A VALUES list of typed numeric / boolean literals (never text: model and provider names
    travel as query parameters)."""
    return ", ".join(
        "(" + ", ".join(f"{str(v).lower()}::{c}" for v, c in zip(row, casts, strict=True)) + ")"
        for row in rows
    )
