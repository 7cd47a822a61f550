"""cost-report's aggregations, run in PostgreSQL over the team store.

The same questions as :class:`aiinfra_cli.report._query.Queries` asks DuckDB, answered with the
same cells, so the report (pricing, analysis, document) is built by the same code from either
source. Only aggregates cross the wire: PostgreSQL adds up token counts per (day, model,
provider, batch, long-context tier, flags) and per attribution value; the long-context tier of
each request is decided in SQL from its own input tokens; Python prices the sums with Decimal.

The SQL is kept to what both PostgreSQL and Citus run across nodes: no GROUPING SETS (the
per-dimension breakdown unpivots with a LATERAL VALUES list instead), no window functions,
no recursive CTEs, aggregates as plain sum/count. Only ``percentile_disc`` is computed on the
coordinator by Citus (it is not split across nodes).
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import reduce
from typing import TYPE_CHECKING, Any

from aiinfra_cli.report import (
    MAX_TIERS,
    REQUEST_COST,
    Cell,
    PriceKey,
    Pricer,
    budget_cell,
    day_start_us,
    dimension_cell,
    from_epoch_day,
    usage_cell,
)
from aiinfra_cli.usage import epoch_us, from_epoch_us

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import psycopg

    from aiinfra_cli.report import Source

    Conn = psycopg.Connection[tuple[Any, ...]]

WORK_MEM = "64MB"
_TOKEN_COLUMNS = ("input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning")
_SUMS = "count(*), " + ", ".join(f"sum({c})" for c in _TOKEN_COLUMNS)
# The store's columns under the names the report's queries use (as the ingest cache has them).
# Recorded costs are read as DECIMAL(38,18), as the JSONL path reads them.
_EVENTS = (
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


def _values(rows: list[tuple[int | bool, ...]], casts: tuple[str, ...]) -> str:
    """A VALUES list of typed numeric / boolean literals (never text: model and provider names
    travel as query parameters)."""
    return ", ".join(
        "(" + ", ".join(f"{str(v).lower()}::{c}" for v, c in zip(row, casts, strict=True)) + ")"
        for row in rows
    )


class StoreQueries:
    """The report's queries over the store's events in ``[lo_us, hi_us)`` (UTC µs)."""

    def __init__(
        self, conn: Conn, *, lo_us: int, hi_us: int, day_sql: str, pricer: Pricer, zone: ZoneInfo
    ) -> None:
        self.conn = conn
        self.zone = zone
        self.lo = from_epoch_us(lo_us)
        self.hi = from_epoch_us(hi_us)
        # The report's local-day expression (DuckDB's floor division, on positive µs the same as
        # PostgreSQL's integer division).
        self.day_sql = day_sql.replace(" // ", " / ")
        self.pricer = pricer
        self.keys: dict[int, PriceKey] = {}
        self.inexact_rates = False
        self.memo_hits = 0
        self._rates: list[tuple[int, bool, int, tuple[int, ...]]] = []
        # The GROUP BYs' groups are few (aggregates only) but the planner cannot know it from
        # CASE expressions: enough memory for this session keeps them hash aggregates, not
        # sorts of every row.
        conn.execute(f"SET work_mem = '{WORK_MEM}'")
        self._prepare(self._pairs(scan=False))
        self._cells = self._read_cells()

    def _pairs(self, *, scan: bool) -> list[tuple[str, str]]:
        """(model, provider) pairs with events in the window: from usage_models (kept by the
        ingest function), or by scanning the events when rows bypassed it."""
        if scan:
            sql = f"SELECT DISTINCT model, provider FROM ({_EVENTS}) e ORDER BY 1, 2"
        else:
            sql = (
                "SELECT model, provider FROM aiinfra.usage_models"
                " WHERE first_at < %(hi)s AND last_at >= %(lo)s ORDER BY 1, 2"
            )
        rows = self.conn.execute(sql, {"lo": self.lo, "hi": self.hi}).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def _prepare(self, pairs: list[tuple[str, str]]) -> None:
        self.keys = {}
        self._rates = []
        self._pkeys: list[tuple[str, str, int, int | None, int | None, int | None]] = []
        for key_id, (model, provider) in enumerate(pairs, start=1):
            price = self.pricer.price(model, provider)
            self.keys[key_id] = PriceKey(key_id, model, provider, price)
            limits = list(Pricer.thresholds(price)[:MAX_TIERS]) if price else []
            padded = (limits + [None] * MAX_TIERS)[:MAX_TIERS]
            self._pkeys.append((model, provider, key_id, padded[0], padded[1], padded[2]))
            if price is None:
                continue
            for batch in (False, True):
                for tier in range(len(limits) + 1):
                    units, exact = self.pricer.rate_units(price, batch, tier)
                    self.inexact_rates |= not exact
                    self._rates.append((key_id, batch, tier, units))

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"lo": self.lo, "hi": self.hi}
        for i, (model, provider, *_rest) in enumerate(self._pkeys):
            params[f"m{i}"] = model
            params[f"p{i}"] = provider
        return params

    def _base(self, *, every_row: bool = False) -> str:
        """``WITH base AS (...)``: the window's events with their price key and long-context
        tier, as CASE expressions (no join: the planner keeps its row estimates from the
        table's statistics, and picks hash aggregation for the GROUP BYs).
        ``every_row`` keeps rows whose model is not in the key list (key_id NULL)."""
        match = " ".join(
            f"WHEN e.model = %(m{i})s AND e.provider = %(p{i})s THEN {k[2]}"
            for i, k in enumerate(self._pkeys)
        )
        tiers = " ".join(
            f"WHEN {k[2]} THEN CASE"
            + "".join(
                f" WHEN input > {limit} THEN {n}"
                for n, limit in reversed(list(enumerate(k[3:], start=1)))
                if limit is not None
            )
            + " ELSE 0 END"
            for k in self._pkeys
            if k[3] is not None
        )
        tier = f"CASE key_id {tiers} ELSE 0 END" if tiers else "0"
        keep = "" if every_row else " WHERE key_id IS NOT NULL"
        return (
            f"WITH keyed AS (SELECT e.*, CASE {match} END AS key_id FROM ({_EVENTS}) e),"
            f" base AS (SELECT keyed.*, {tier} AS tier, {self.day_sql} AS day"
            f" FROM keyed{keep}) "
        )

    def _run(
        self, sql: str, first_day: int | None = None, last_day: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Run over the whole window, or over local days ``first_day..last_day`` of it (the
        events from local midnight to local midnight: a range the timestamp index serves)."""
        if not self._pkeys:
            return []
        params = self._params()
        if first_day is not None and last_day is not None:
            params["lo"] = max(self.lo, self._midnight(first_day))
            params["hi"] = min(self.hi, self._midnight(last_day + 1))
        return self.conn.execute(sql.encode(), params).fetchall()

    def _midnight(self, day: int) -> datetime:
        return from_epoch_us(day_start_us(from_epoch_day(day), self.zone))

    def cells(self) -> list[Cell]:
        """Usage by local day, price key, batch, tier and outcome flags over the whole window."""
        return self._cells

    def _read_cells(self) -> list[Cell]:
        """The cells, read first (at construction) so the model list is complete before any
        other query runs. Rows written around ingest_events are missing from usage_models: a
        row of a model the list lacks shows as a cell without a key, and the list is then
        rebuilt from the events (one more scan), so no row is ever left out."""
        sql = (
            "SELECT day, key_id, batch, tier, ok, attempt > 1, fallback,"
            f" cache_hit, recorded_cost IS NOT NULL, {_SUMS}, coalesce(sum(recorded_cost), 0),"
            " coalesce(sum(saved_cost), 0) FROM base GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
        )
        if not self._pkeys:
            self._prepare(self._pairs(scan=True))
        rows = self._run(self._base(every_row=True) + sql)
        if any(r[1] is None for r in rows):
            self._prepare(self._pairs(scan=True))
            rows = self._run(self._base() + sql)
        return [usage_cell(self.keys, r) for r in rows]

    def dimensions(self, dims: tuple[str, ...], first_day: int, last_day: int) -> list[Cell]:
        """Usage per value of each attribution dimension, for days ``first_day..last_day``.

        One pass: the rows are summed by every dimension at once (few groups: dimension values
        come together), and those sums unpivoted into one (dimension, value) row per dimension
        and summed again."""
        if not dims:
            return []
        quoted = ", ".join(f'"{d}"' for d in dims)
        width = len(dims)
        pivot = ", ".join(f"('{d}', \"{d}\")" for d in dims)
        billed = ", ".join(
            f"sum(CASE WHEN NOT cache_hit THEN {c} END) AS {c}" for c in _TOKEN_COLUMNS
        )
        sums = ", ".join(f"sum({c})" for c in ("n", "errors", "hits", *_TOKEN_COLUMNS))
        groups = ", ".join(str(n) for n in range(1, width + 4))
        rows = self._run(
            self._base() + f", fine AS (SELECT {quoted}, key_id, batch, tier, count(*) AS n,"
            " sum(CASE WHEN ok THEN 0 ELSE 1 END) AS errors,"
            f" sum(CASE WHEN cache_hit THEN 1 ELSE 0 END) AS hits, {billed}"
            f" FROM base GROUP BY {groups})"
            f" SELECT d.dim, d.value, key_id, batch, tier, {sums}"
            f" FROM fine CROSS JOIN LATERAL (VALUES {pivot}) AS d(dim, value)"
            " GROUP BY 1, 2, 3, 4, 5",
            first_day,
            last_day,
        )
        return [dimension_cell(self.keys, r, 2, str(r[0]), r[1]) for r in rows]

    def budget_cells(self, first_day: int, last_day: int) -> list[Cell]:
        """Usage by feature and config model id, for the month-to-date budget checks."""
        rows = self._run(
            self._base() + "SELECT feature, model_id, key_id, batch, tier, cache_hit,"
            f" {_SUMS} FROM base GROUP BY 1, 2, 3, 4, 5, 6",
            first_day,
            last_day,
        )
        return [budget_cell(self.keys, r) for r in rows]

    def percentiles(
        self, first_day: int, last_day: int, quantiles: tuple[float, ...]
    ) -> tuple[int, list[int]]:
        """How many successful priced requests, and their per-request cost at each quantile
        (nearest rank, as DuckDB's quantile_disc; 1e-18 USD units)."""
        if not self._rates:
            return 0, []
        # Rates share a large power of ten: dividing it out keeps per-request costs in bigint
        # (PostgreSQL raises on overflow, never wraps: then the exact numeric path runs).
        step = reduce(math.gcd, (u for *_k, units in self._rates for u in units), 0) or 1
        try:
            count, values = self._quantiles(first_day, last_day, quantiles, step, "bigint")
        except Exception as exc:  # psycopg.errors.NumericValueOutOfRange
            if getattr(exc, "sqlstate", None) != "22003":
                raise
            count, values = self._quantiles(first_day, last_day, quantiles, 1, "numeric")
        return count, [v * step for v in values]

    def _quantiles(
        self, first_day: int, last_day: int, quantiles: tuple[float, ...], step: int, kind: str
    ) -> tuple[int, list[int]]:
        rates = _values(
            [(k, b, t, *(u // step for u in units)) for k, b, t, units in self._rates],
            ("int", "boolean", "int", *([kind] * 6)),
        )
        qs = ", ".join(repr(q) for q in quantiles)
        rows = self._run(
            self._base() + ", prates(key_id, batch, tier, r_in, r_read, r_w5, r_w1h, r_out,"
            f" r_reason) AS (VALUES {rates}) SELECT count(*),"
            f" percentile_disc(ARRAY[{qs}]::float8[]) WITHIN GROUP (ORDER BY {REQUEST_COST})"
            " FROM base b JOIN prates r ON r.key_id = b.key_id AND r.batch = b.batch"
            " AND r.tier = b.tier"
            " WHERE b.ok AND NOT b.cache_hit",
            first_day,
            last_day,
        )
        row = rows[0] if rows else None
        if row is None or not row[0]:
            return 0, []
        return int(row[0]), [int(v) for v in row[1]]


def store_event_range(conn: Conn) -> tuple[int, int] | None:
    """(first, last) event instant in the store, UTC µs; None when it holds no events.

    Read from usage_models (one row per model): no event row is scanned."""
    row = conn.execute("SELECT min(first_at), max(last_at) FROM aiinfra.usage_models").fetchone()
    if row is None or not isinstance(row[0], datetime) or not isinstance(row[1], datetime):
        return None
    return epoch_us(row[0]), epoch_us(row[1])


def store_source(conn: Conn, shown: str) -> Source:
    """The team store as the report's source (``shown``: the store, password-free)."""
    from aiinfra_cli.report import Rejected, Source, Sources

    found = conn.execute("SELECT coalesce(sum(events), 0) FROM aiinfra.usage_daily").fetchone()
    return Source(
        queries=lambda lo_us, hi_us, day_sql, pricer, zone: StoreQueries(
            conn, lo_us=lo_us, hi_us=hi_us, day_sql=day_sql, pricer=pricer, zone=zone
        ),
        bounds=store_event_range(conn),
        rejected=Rejected(count=0, examples=(), unknown_fields=()),
        sources=Sources(
            kind="store",
            store=shown,
            logs=(),
            files=0,
            files_read=0,
            files_reused=0,
            events=int(found[0]) if found else 0,
            formats={},
            first_event_day=None,
        ),
    )
