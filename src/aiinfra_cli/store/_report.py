"""cost-report's aggregations, run in PostgreSQL over the team store.

The same questions as :class:`aiinfra_cli.report._query.Queries` asks DuckDB, answered with the
same cells, so the report (pricing, analysis, document) is built by the same code from either
source. Only aggregates cross the wire: PostgreSQL adds up token counts per (day, model,
provider, batch, long-context tier, flags) and per attribution value; the long-context tier of
each request is decided in SQL from its own input tokens; Python prices the sums with Decimal.

The window is read twice, at the same time on two connections: one pass sums it once at the
finest grain the report needs and rolls that up into the cells, the breakdown over the period
and the budget usage (:data:`._report_sql.ONE_PASS`); the percentile statement sorts the
per-request costs of the period (an exact rank needs every value). The pass starts when the
percentiles name the period, so the breakdown is summed over it in SQL.

The SQL is kept to what both PostgreSQL and Citus run across nodes: no GROUPING SETS (the
per-dimension breakdown unpivots with a LATERAL VALUES list instead), no window functions,
no recursive CTEs, aggregates as plain sum/count. Only ``percentile_disc`` is computed on the
coordinator by Citus (it is not split across nodes).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
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
    epoch_day,
    from_epoch_day,
    usage_cell,
)
from aiinfra_cli.store._background import Background, session
from aiinfra_cli.store._report_sql import (
    CELL,
    DIM,
    EVENTS,
    ONE_PASS,
    values,
)
from aiinfra_cli.usage import epoch_us, from_epoch_us

if TYPE_CHECKING:
    from collections.abc import Iterable
    from zoneinfo import ZoneInfo

    import psycopg

    from aiinfra_cli.report import Source

    Conn = psycopg.Connection[tuple[Any, ...]]


def _sum_by(
    rows: Iterable[tuple[tuple[Any, ...], tuple[Any, ...]]],
) -> dict[tuple[Any, ...], list[int]]:
    """Integer sums of the second tuple per value of the first (a NULL sum counts 0)."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    for key, numbers in rows:
        totals = sums.get(key)
        if totals is None:
            sums[key] = [int(v or 0) for v in numbers]
        else:
            for i, v in enumerate(numbers):
                totals[i] += int(v or 0)
    return sums


class StoreQueries:
    """The report's queries over the store's events in ``[lo_us, hi_us)`` (UTC µs)."""

    def __init__(
        self,
        conn: Conn,
        *,
        lo_us: int,
        hi_us: int,
        day_sql: str,
        pricer: Pricer,
        zone: ZoneInfo,
        side: Conn | None = None,
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
        self._cells: list[Cell] = []
        self._dims: list[tuple[Any, ...]] = []
        self._budgets: list[tuple[Any, ...]] = []
        self._rebuilt = False
        self._side = side
        self._pass: Background | None = None
        self._period: tuple[int, int] | None = None
        for each in (conn, side):
            if each is not None:
                session(each)
        self._prepare(self._pairs(scan=False))
        if not self._pkeys:
            self._prepare(self._pairs(scan=True))

    def _pairs(self, *, scan: bool) -> list[tuple[str, str]]:
        """(model, provider) pairs with events in the window: from usage_models (kept by the
        ingest function), or by scanning the events when rows bypassed it."""
        if scan:
            sql = f"SELECT DISTINCT model, provider FROM ({EVENTS}) e ORDER BY 1, 2"
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
            f"WITH keyed AS (SELECT e.*, CASE {match} END AS key_id FROM ({EVENTS}) e),"
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

    def _one_pass(self, *, every_row: bool) -> tuple[bytes | None, dict[str, Any]]:
        if not self._pkeys or self._period is None:
            return None, {}
        params = {**self._params(), "first_day": self._period[0], "last_day": self._period[1]}
        return (self._base(every_row=every_row) + ONE_PASS).encode(), params

    def _start(self, first_day: int, last_day: int) -> None:
        """Start the one pass for a report over days ``first_day..last_day``: on the side
        connection when there is one (the caller's percentile sort, the other full read of
        the window, then runs in PostgreSQL at the same time), else now."""
        self._period = (first_day, last_day)
        self._pass = Background(self._side or self.conn, *self._one_pass(every_row=True))
        if self._side is None:
            self._pass.join()

    def _finish(self, first_day: int | None = None, last_day: int | None = None) -> None:
        """Wait for the one pass and split its rows; without a pass yet, run one (over
        ``first_day..last_day`` when given, else every day of the window).

        Rows written around ingest_events are missing from usage_models: a row of a model the
        list lacks shows as a cell without a key, and the list is then rebuilt from the events
        and the pass run again (and the percentiles, see :meth:`percentiles`), so no row is
        ever left out."""
        if self._pass is None:
            if first_day is None or last_day is None:  # every day of the window
                first_day = epoch_day(self.lo.astimezone(self.zone).date())
                last_day = epoch_day(
                    (self.hi - timedelta(microseconds=1)).astimezone(self.zone).date()
                )
            self._start(first_day, last_day)
        assert self._pass is not None
        if self._pass.rows is not None:
            return
        rows = self._pass.join()
        if any(r[0] == CELL and r[2] is None for r in rows):
            self._prepare(self._pairs(scan=True))
            self._rebuilt = True
            sql, params = self._one_pass(every_row=False)
            rows = self.conn.execute(sql, params).fetchall() if sql else []
        self._pass.rows = rows
        for r in rows:
            if r[0] == CELL:
                self._cells.append(usage_cell(self.keys, r[1:10] + r[12:13] + r[15:]))
            elif r[0] == DIM:
                self._dims.append(r)
            else:
                self._budgets.append(r)

    def cells(self) -> list[Cell]:
        """Usage by local day, price key, batch, tier and outcome flags over the whole window."""
        self._finish()
        return self._cells

    def dimensions(self, dims: tuple[str, ...], first_day: int, last_day: int) -> list[Cell]:
        """Usage per value of each attribution dimension, for days ``first_day..last_day``
        (the one pass sums them over the report's period)."""
        self._finish(first_day, last_day)
        if self._period != (first_day, last_day):  # not the period the pass summed: again
            self._pass, self._dims, self._cells, self._budgets = None, [], [], []
            self._finish(first_day, last_day)
        return [
            dimension_cell(self.keys, (r[10], r[11], *r[2:5], *r[12:21]), 2, str(r[10]), r[11])
            for r in self._dims
            if r[10] in dims
        ]

    def budget_cells(self, first_day: int, last_day: int) -> list[Cell]:
        """Usage by feature and config model id, for the month-to-date budget checks: the one
        pass's per-day budget rows summed over those days."""
        self._finish()
        sums = _sum_by(
            ((r[10], r[11], *r[2:5], r[8]), r[12:13] + r[15:21])
            for r in self._budgets
            if first_day <= r[1] <= last_day
        )
        return [budget_cell(self.keys, (*key, *totals)) for key, totals in sums.items()]

    def percentiles(
        self, first_day: int, last_day: int, quantiles: tuple[float, ...]
    ) -> tuple[int, list[int]]:
        """How many successful priced requests, and their per-request cost at each quantile
        (nearest rank, as DuckDB's quantile_disc; 1e-18 USD units)."""
        if self._pass is None:
            self._start(first_day, last_day)
        rebuilt = self._rebuilt
        try:
            found = self._percentiles(first_day, last_day, quantiles)
        except BaseException:  # an error or Ctrl-C: stop the pass before its connection closes
            if self._pass is not None:
                self._pass.abandon()
            raise
        self._finish()
        if self._rebuilt and not rebuilt:  # the key list grew while they ran
            found = self._percentiles(first_day, last_day, quantiles)
        return found

    def _percentiles(
        self, first_day: int, last_day: int, quantiles: tuple[float, ...]
    ) -> tuple[int, list[int]]:
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
        rates = values(
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


def store_source(conn: Conn, shown: str, side: Conn | None = None) -> Source:
    """The team store as the report's source (``shown``: the store, password-free). ``side``:
    a second connection to the same store, so the report's two reads of the window run at
    the same time (without it, one after the other)."""
    from aiinfra_cli.report import Rejected, Source, Sources

    found = conn.execute("SELECT coalesce(sum(events), 0) FROM aiinfra.usage_daily").fetchone()
    return Source(
        queries=lambda lo_us, hi_us, day_sql, pricer, zone: StoreQueries(
            conn, lo_us=lo_us, hi_us=hi_us, day_sql=day_sql, pricer=pricer, zone=zone, side=side
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
