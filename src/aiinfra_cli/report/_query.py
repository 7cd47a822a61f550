"""The report's SQL: integer token sums from the ingest cache, grouped so Python can price them.

DuckDB adds up token counts per (day, model, provider, batch, long-context tier, flags) and per
attribution dimension; Python prices those sums with Decimal (:mod:`._pricing`). Rows are
de-duplicated here (the first of each dedupe key, by file, time, then line, wins; only keys the
ingest found repeating pay for it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiinfra_cli.pricing import ModelPrice
from aiinfra_cli.report._pricing import Pricer, Tokens

if TYPE_CHECKING:
    import duckdb

DIMENSIONS = ("feature", "endpoint", "user", "tenant", "session", "call_site")
MAX_TIERS = 3
MEMO_KEEP = 64


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": format(value, "f")}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return Decimal(value["$d"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


@dataclass(frozen=True)
class PriceKey:
    """A (model, provider) seen in the logs and its price (None: unpriced)."""

    key_id: int
    model: str
    provider: str
    price: ModelPrice | None


@dataclass(frozen=True)
class Cell:
    """Summed usage sharing one price (key, batch, tier) and one set of flags."""

    key: PriceKey
    batch: bool
    tier: int
    requests: int
    tokens: Tokens
    ok: bool = True
    retry: bool = False
    fallback: bool = False
    cache_hit: bool = False
    day: int = 0
    recorded: bool = False
    recorded_usd: Decimal = Decimal(0)
    saved_usd: Decimal = Decimal(0)
    dim: str = ""
    value: str | None = None
    model_id: str | None = None
    # Set on "mixed" cells (the dimension breakdowns): how many of ``requests`` failed, and how
    # many were response-cache hits (``tokens`` then cover only the requests that were billed).
    errors: int | None = None
    hits: int = 0


@dataclass
class PriceKeys:
    """The (model, provider) pairs of a window numbered from 1 in sorted order (the ids both
    engines group by), their long-context thresholds and integer rates per (id, batch, tier)."""

    keys: dict[int, PriceKey]
    thresholds: dict[int, tuple[int, ...]]
    units: dict[tuple[int, bool, int], tuple[int, ...]]
    inexact: bool  # some rate is not a whole number of 1e-18 USD per token


def price_keys(pricer: Pricer, pairs: list[tuple[str, str]]) -> PriceKeys:
    """Number ``pairs`` (sorted) and resolve their prices and tier rates."""
    found = PriceKeys({}, {}, {}, inexact=False)
    for key_id, (model, provider) in enumerate(pairs, start=1):
        price = pricer.price(model, provider)
        found.keys[key_id] = PriceKey(key_id, model, provider, price)
        limits = Pricer.thresholds(price)[:MAX_TIERS] if price else ()
        found.thresholds[key_id] = limits
        if price is None:
            continue
        for batch in (False, True):
            for tier in range(len(limits) + 1):
                units, exact = pricer.rate_units(price, batch, tier)
                found.inexact |= not exact
                found.units[(key_id, batch, tier)] = units
    return found


def _ids(file_ids: list[int]) -> str:
    return ", ".join(str(i) for i in file_ids) or "NULL"


def _tokens(row: tuple[Any, ...], at: int) -> Tokens:
    return Tokens(*(int(v or 0) for v in row[at : at + 6]))


# One request's cost in 1e-18 USD: its tokens (b) at its tier's integer rates (r).
REQUEST_COST = (
    "(b.input - b.cache_read - b.cache_write) * r.r_in + b.cache_read * r.r_read"
    " + (b.cache_write - b.cache_write_1h) * r.r_w5 + b.cache_write_1h * r.r_w1h"
    " + (b.output - b.reasoning) * r.r_out + b.reasoning * r.r_reason"
)
_SUMS = (
    "count(*), sum(input), sum(output), sum(cache_read), sum(cache_write),"
    " sum(cache_write_1h), sum(reasoning)"
)


def usage_cell(keys: dict[int, PriceKey], r: Any) -> Cell:
    """A row of :meth:`Queries.cells`: day, key_id, batch, tier, ok, retry, fallback, cache_hit,
    recorded, count, the six token sums, recorded and saved USD."""
    return Cell(
        key=keys[int(r[1])],
        batch=bool(r[2]),
        tier=int(r[3]),
        ok=bool(r[4]),
        retry=bool(r[5]),
        fallback=bool(r[6]),
        cache_hit=bool(r[7]),
        recorded=bool(r[8]),
        requests=int(r[9]),
        tokens=_tokens(r, 10),
        recorded_usd=Decimal(r[16]),
        saved_usd=Decimal(r[17]),
        day=int(r[0]),
    )


def dimension_cell(keys: dict[int, PriceKey], r: Any, at: int, dim: str, value: Any) -> Cell:
    """A breakdown row from ``at``: key_id, batch, tier, count, errors, hits, six token sums."""
    return Cell(
        key=keys[int(r[at])],
        batch=bool(r[at + 1]),
        tier=int(r[at + 2]),
        requests=int(r[at + 3]),
        errors=int(r[at + 4]),
        hits=int(r[at + 5]),
        tokens=_tokens(r, at + 6),
        dim=dim,
        value=None if value is None else str(value),
    )


def budget_cell(keys: dict[int, PriceKey], r: Any) -> Cell:
    """A row of :meth:`Queries.budget_cells`: feature, model_id, key_id, batch, tier,
    cache_hit, count, the six token sums."""
    return Cell(
        key=keys[int(r[2])],
        batch=bool(r[3]),
        tier=int(r[4]),
        cache_hit=bool(r[5]),
        requests=int(r[6]),
        tokens=_tokens(r, 7),
        value=None if r[0] is None else str(r[0]),
        model_id=None if r[1] is None else str(r[1]),
    )


class Queries:
    """Queries over one run's files and time window (``lo_us`` inclusive, ``hi_us`` exclusive)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        file_ids: list[int],
        *,
        lo_us: int,
        hi_us: int,
        day_sql: str,
        pricer: Pricer,
    ) -> None:
        self.con = con
        self.ids = _ids(file_ids)
        self._order = ", ".join(f"({i}, {n})" for n, i in enumerate(file_ids)) or "(NULL, 0)"
        self.lo_us = lo_us
        self.hi_us = hi_us
        self.day_sql = day_sql
        self.pricer = pricer
        self.keys: dict[int, PriceKey] = {}
        self.inexact_rates = False
        self.memo_hits = 0
        self._losers_ready = False
        # No dedupe key repeats anywhere in the cache: no row can lose, skip the anti-join.
        found = con.execute("SELECT count(*) > 0 FROM twins").fetchone()
        self._twins = bool(found and found[0])
        files = con.execute(
            f"SELECT file_id, path, size, mtime_ns, inode, mode FROM files WHERE file_id IN"
            f" ({self.ids}) ORDER BY file_id"
        ).fetchall()
        # The ids in run order too: it decides which copy of a duplicate counts.
        self._digest = hashlib.sha256(
            json.dumps([files, self.ids, lo_us, hi_us, day_sql], default=str).encode()
        ).hexdigest()
        self._prepare()

    def _run(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        """Execute ``sql``, or return the rows memoised for the same files and inputs.

        Re-running a report over unchanged logs with the same options then reads no event row
        at all; any change to the files clears the memo (the ingest step does that)."""
        key = hashlib.sha256(
            json.dumps([self._digest, sql, params], default=str).encode()
        ).hexdigest()
        found = self.con.execute("SELECT value FROM memo WHERE key = ?", [key]).fetchone()
        if found is not None:
            self.memo_hits += 1
            return list(_decode(json.loads(found[0])))
        if not self._losers_ready and "losers" in sql:
            self._make_losers()
        rows = self.con.execute(sql, params or []).fetchall()
        self.con.execute("INSERT INTO memo VALUES (?, ?)", [key, json.dumps(_encode(rows))])
        self.con.execute(
            "DELETE FROM memo WHERE rowid NOT IN"
            f" (SELECT rowid FROM memo ORDER BY rowid DESC LIMIT {MEMO_KEEP})"
        )
        return [list(r) for r in rows]

    def _make_losers(self) -> None:
        # Rows that repeat an earlier row's dedupe key (only keys the ingest found repeating can):
        # earlier by the run's file order (the order the logs were given in), then time, then
        # line (NULL only where copies at one instant are alike: any of them will do).
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE losers AS SELECT rid FROM (SELECT e.uid AS rid,"
            " row_number() OVER (PARTITION BY e.dedupe_key"
            " ORDER BY o.ord, e.ts, e.line, e.uid) AS rn"
            f" FROM events e JOIN (VALUES {self._order}) o(file_id, ord) ON o.file_id = e.file_id"
            " WHERE e.dedupe_key IN (SELECT dedupe_key FROM twins)) WHERE rn > 1"
        )
        self._losers_ready = True

    def _prepare(self) -> None:
        pairs = self._run(
            f"SELECT DISTINCT model, provider FROM events WHERE file_id IN ({self.ids})"
            " AND ts >= ? AND ts < ? ORDER BY model, provider",
            [self.lo_us, self.hi_us],
        )
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE pkeys(model VARCHAR, provider VARCHAR, key_id INTEGER,"
            " t1 BIGINT, t2 BIGINT, t3 BIGINT)"
        )
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE prates(key_id INTEGER, batch BOOLEAN, tier INTEGER,"
            " r_in HUGEINT, r_read HUGEINT, r_w5 HUGEINT, r_w1h HUGEINT, r_out HUGEINT,"
            " r_reason HUGEINT)"
        )
        found = price_keys(self.pricer, [(str(m), str(p)) for m, p in pairs])
        self.keys, self.inexact_rates = found.keys, found.inexact
        key_rows: list[list[Any]] = [
            [key.model, key.provider, key_id, *(list(limits) + [None] * MAX_TIERS)[:MAX_TIERS]]
            for (key_id, key), limits in zip(
                found.keys.items(), found.thresholds.values(), strict=True
            )
        ]
        rate_rows = [[key_id, batch, tier, *u] for (key_id, batch, tier), u in found.units.items()]
        if key_rows:
            self.con.executemany("INSERT INTO pkeys VALUES (?, ?, ?, ?, ?, ?)", key_rows)
        if rate_rows:
            self.con.executemany("INSERT INTO prates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rate_rows)
        # What the queries below see of prices: part of their memo keys.
        self._digest = hashlib.sha256(
            json.dumps([self._digest, key_rows, rate_rows], default=str).encode()
        ).hexdigest()

    def _base(self) -> str:
        tier = (
            "CASE WHEN e.input > k.t3 THEN 3 WHEN e.input > k.t2 THEN 2"
            " WHEN e.input > k.t1 THEN 1 ELSE 0 END"
        )
        return (
            f"WITH base AS (SELECT e.*, k.key_id, {tier} AS tier, {self.day_sql} AS day"
            " FROM events e JOIN pkeys k ON k.model = e.model AND k.provider = e.provider"
            f" WHERE e.file_id IN ({self.ids}) AND e.ts >= {self.lo_us} AND e.ts < {self.hi_us}"
            + (" AND e.uid NOT IN (SELECT rid FROM losers)" if self._twins else "")
            + ") "
        )

    def cells(self) -> list[Cell]:
        """Usage by local day, price key, batch, tier and outcome flags over the whole window."""
        rows = self._run(
            self._base() + "SELECT day, key_id, batch, tier, ok, attempt > 1, fallback, cache_hit,"
            f" recorded_cost IS NOT NULL, {_SUMS}, coalesce(sum(recorded_cost), 0),"
            " coalesce(sum(saved_cost), 0) FROM base GROUP BY ALL"
        )
        return [usage_cell(self.keys, r) for r in rows]

    def dimensions(self, dims: tuple[str, ...], first_day: int, last_day: int) -> list[Cell]:
        """Usage per value of each attribution dimension, for days ``first_day..last_day``."""
        if not dims:
            return []
        quoted = [f'"{d}"' for d in dims]
        sets = ", ".join(f"({q}, key_id, batch, tier)" for q in quoted)
        grouping = ", ".join(f"GROUPING({q})" for q in quoted)
        billed = " FILTER (WHERE NOT cache_hit)"
        sums = ", ".join(
            f"sum({c}){billed}"
            for c in ("input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning")
        )
        rows = self._run(
            self._base() + f"SELECT [{grouping}], {', '.join(quoted)}, key_id, batch, tier,"
            " count(*), count(*) FILTER (WHERE NOT ok), count(*) FILTER (WHERE cache_hit),"
            f" {sums} FROM base WHERE day BETWEEN {first_day} AND {last_day}"
            f" GROUP BY GROUPING SETS ({sets})"
        )
        cells: list[Cell] = []
        width = len(dims)
        for r in rows:
            which = list(r[0]).index(0)
            at = 1 + width
            cells.append(dimension_cell(self.keys, r, at, dims[which], r[1 + which]))
        return cells

    def budget_cells(self, first_day: int, last_day: int) -> list[Cell]:
        """Usage by feature and config model id, for the month-to-date budget checks."""
        rows = self._run(
            self._base() + "SELECT feature, model_id, key_id, batch, tier, cache_hit,"
            f" {_SUMS} FROM base WHERE day BETWEEN {first_day} AND {last_day} GROUP BY ALL"
        )
        return [budget_cell(self.keys, r) for r in rows]

    def percentiles(
        self, first_day: int, last_day: int, quantiles: tuple[float, ...]
    ) -> tuple[int, list[int]]:
        """How many successful priced requests, and their per-request cost at each quantile
        (nearest rank; 1e-18 USD units)."""
        qs = ", ".join(repr(q) for q in quantiles)
        rows = self._run(
            self._base() + f"SELECT count(*), quantile_disc({REQUEST_COST}, [{qs}]) FROM base b"
            " JOIN prates r ON r.key_id = b.key_id AND r.batch = b.batch AND r.tier = b.tier"
            f" WHERE b.ok AND NOT b.cache_hit AND b.day BETWEEN {first_day} AND {last_day}"
        )
        row = rows[0] if rows else None
        if row is None or not row[0]:
            return 0, []
        return int(row[0]), [int(v) for v in row[1]]


def event_range(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> tuple[int, int] | None:
    """(first, last) event instant over the files, UTC µs; None when they hold no events.

    Read from the per-file bounds the ingest step recorded: no event row is scanned."""
    row = con.execute(
        f"SELECT min(first_ts), max(last_ts) FROM files WHERE file_id IN ({_ids(file_ids)})"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1])
