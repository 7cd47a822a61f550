"""The report's queries over rows in memory: what :mod:`._query`'s SQL computes, in Python.

The small-input path (:mod:`aiinfra_cli.usage._small`) never imports DuckDB; this module gives
:func:`._build.build_from` the same cells from its rows: the same de-duplication (the first of
each dedupe key by file order, then time, then line), the same price keys and long-context
tiers, local days from the same UTC offsets (:func:`._period.offset_changes`), recorded costs
at DuckDB's ``DECIMAL(38,18)`` (rounded half away from zero), and the same nearest-rank
percentiles (``quantile_disc``). Tests run both paths over the same logs and compare the
reports byte for byte.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from math import floor
from typing import TYPE_CHECKING, Any, TypeVar

from aiinfra_cli.report._period import offset_changes
from aiinfra_cli.report._pricing import Pricer, Tokens
from aiinfra_cli.report._query import Cell, price_keys

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from aiinfra_cli.usage import Row

_DAY_US = 86_400_000_000
_SCALE = Decimal("1E-18")
_WIDE = Context(prec=60)
_ZERO = Decimal(0).quantize(_SCALE)
# The group a row falls in, at the finest grain any query needs: (day, key id, batch, tier, ok,
# retry, fallback, cache hit, recorded) and (feature, endpoint, user, tenant, session, call site,
# model id).
_Usage = tuple[int, int, bool, int, bool, bool, bool, bool, bool]
_Labels = tuple["str | None", "str | None", "str | None", "str | None", "str | None",
                "str | None", "str | None"]  # fmt: skip
_DIM_AT = {"feature": 0, "endpoint": 1, "user": 2, "tenant": 3, "session": 4, "call_site": 5}
_MODEL_ID = 6


class _Sums:
    """Requests and the six token sums (``counts``), recorded and saved USD of one group."""

    __slots__ = ("counts", "recorded", "saved")

    def __init__(self) -> None:
        self.counts = [0] * 7
        self.recorded = _ZERO
        self.saved = _ZERO

    def merge(self, other: _Sums) -> None:
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.recorded = _WIDE.add(self.recorded, other.recorded)
        self.saved = _WIDE.add(self.saved, other.saved)

    @property
    def tokens(self) -> Tokens:
        return Tokens(*self.counts[1:])


def _decimal(value: Decimal | None) -> Decimal:
    """A recorded amount as DuckDB's DECIMAL(38,18) holds it."""
    return _ZERO if value is None else value.quantize(_SCALE, ROUND_HALF_UP, _WIDE)


def _trunc_div(value: int, by: int) -> int:
    """Integer division rounding toward zero (SQL's ``//`` on integers)."""
    return value // by if value >= 0 else -(-value // by)


def deduplicated(per_file: Sequence[Sequence[Row]]) -> list[Row]:
    """Every row except those repeating an earlier row's dedupe key: earlier by file order (the
    order the logs were given in), then time, then line."""
    best: dict[str, tuple[int, int, int]] = {}
    repeated = False
    for at, rows in enumerate(per_file):
        for line, row in enumerate(rows):
            key = row.dedupe_key
            if key is None:
                continue
            seen = best.get(key)
            here = (at, row.ts, line)
            if seen is None:
                best[key] = here
            else:
                repeated = True
                if here < seen:
                    best[key] = here
    if not repeated:
        return [row for rows in per_file for row in rows]
    return [
        row
        for at, rows in enumerate(per_file)
        for line, row in enumerate(rows)
        if row.dedupe_key is None or best[row.dedupe_key] == (at, row.ts, line)
    ]


def quantile_index(count: int, quantile: float) -> int:
    """The 0-based rank DuckDB's ``quantile_disc`` picks among ``count`` sorted values (the
    quantile read as the decimal it is written as)."""
    q = Fraction(repr(quantile))
    return max(1, count - floor(count * (1 - q))) - 1


class RowQueries:
    """:class:`aiinfra_cli.report.ReportQueries` over rows already de-duplicated, for events in
    ``lo_us``..``hi_us`` (exclusive), local days in ``tz``."""

    def __init__(
        self, rows: Iterable[Row], *, lo_us: int, hi_us: int, pricer: Pricer, tz: ZoneInfo
    ) -> None:
        self.pricer = pricer
        window = [r for r in rows if lo_us <= r.ts < hi_us]
        changes = offset_changes(tz, lo_us // 1_000_000, hi_us // 1_000_000)
        self._starts = [second * 1_000_000 for second, _ in changes]
        self._shifts = [offset * 1_000_000 for _, offset in changes]
        self._fine: dict[tuple[_Usage, _Labels], _Sums] = {}
        self._costs: list[tuple[int, int]] = []  # (day, cost in 1e-18 USD) of priced successes
        found = price_keys(pricer, sorted({(r.model, r.provider) for r in window}))
        self.keys, self.inexact_rates, self._units = found.keys, found.inexact, found.units
        limits = {
            (key.model, key.provider): (key_id, found.thresholds[key_id])
            for key_id, key in found.keys.items()
        }
        for row in window:
            self._add(row, *limits[(row.model, row.provider)])

    def _day(self, ts: int) -> int:
        if len(self._shifts) == 1:  # no offset change in the window (UTC, or no DST then)
            shifted = ts + self._shifts[0]
            return shifted // _DAY_US if shifted >= 0 else _trunc_div(shifted, _DAY_US)
        at = bisect_right(self._starts, ts) - 1
        return _trunc_div(ts + self._shifts[max(at, 0)], _DAY_US)

    def _add(self, r: Row, key_id: int, limits: tuple[int, ...]) -> None:
        tier = 0
        for number in range(len(limits), 0, -1):
            if r.input > limits[number - 1]:
                tier = number
                break
        day = self._day(r.ts)
        recorded = r.recorded_cost is not None
        usage = (day, key_id, r.batch, tier, r.ok, r.attempt > 1, r.fallback, r.cache_hit, recorded)
        labels = (r.feature, r.endpoint, r.user, r.tenant, r.session, r.call_site, r.model_id)
        sums = self._fine.get((usage, labels))
        if sums is None:
            sums = self._fine[(usage, labels)] = _Sums()
        counts = sums.counts
        counts[0] += 1
        counts[1] += r.input
        counts[2] += r.output
        counts[3] += r.cache_read
        counts[4] += r.cache_write
        counts[5] += r.cache_write_1h
        counts[6] += r.reasoning
        if recorded:
            sums.recorded = _WIDE.add(sums.recorded, _decimal(r.recorded_cost))
        if r.saved_cost is not None:
            sums.saved = _WIDE.add(sums.saved, _decimal(r.saved_cost))
        units = self._units.get((key_id, r.batch, tier))
        if units is not None and r.ok and not r.cache_hit:
            cost = (
                (r.input - r.cache_read - r.cache_write) * units[0]
                + r.cache_read * units[1]
                + (r.cache_write - r.cache_write_1h) * units[2]
                + r.cache_write_1h * units[3]
                + (r.output - r.reasoning) * units[4]
                + r.reasoning * units[5]
            )
            self._costs.append((day, cost))

    def cells(self) -> list[Cell]:
        """Usage by local day, price key, batch, tier and outcome flags over the whole window."""
        merged: dict[_Usage, _Sums] = {}
        for (usage, _labels), sums in self._fine.items():
            _merge(merged, usage, sums)
        return [
            self._cell(
                (key_id, batch, tier),
                s,
                ok=ok,
                retry=retry,
                fallback=fallback,
                cache_hit=hit,
                recorded=recorded,
                recorded_usd=s.recorded,
                saved_usd=s.saved,
                day=day,
            )
            for (day, key_id, batch, tier, ok, retry, fallback, hit, recorded), s in merged.items()
        ]

    def _cell(self, price: tuple[int, bool, int], sums: _Sums, **fields: Any) -> Cell:
        """A cell of summed usage at one price (key id, batch, tier)."""
        key_id, batch, tier = price
        return Cell(
            key=self.keys[key_id],
            batch=batch,
            tier=tier,
            requests=sums.counts[0],
            tokens=sums.tokens,
            **fields,
        )

    def _in_days(self, first_day: int, last_day: int) -> Iterator[tuple[_Usage, _Labels, _Sums]]:
        for (usage, labels), sums in self._fine.items():
            if first_day <= usage[0] <= last_day:
                yield usage, labels, sums

    def dimensions(self, dims: tuple[str, ...], first_day: int, last_day: int) -> list[Cell]:
        """Usage per value of each attribution dimension, for days ``first_day..last_day``."""
        cells: list[Cell] = []
        for dim in dims:
            at = _DIM_AT[dim]
            # (value, key id, batch, tier) -> requests, six billed token sums, errors, hits
            merged: dict[tuple[str | None, int, bool, int], list[int]] = {}
            for usage, labels, sums in self._in_days(first_day, last_day):
                group = (labels[at], usage[1], usage[2], usage[3])
                found = merged.get(group)
                if found is None:
                    found = merged[group] = [0] * 9
                n = sums.counts[0]
                found[0] += n
                found[7] += 0 if usage[4] else n
                if usage[7]:  # response-cache hits: their tokens were not billed
                    found[8] += n
                    continue
                for i in range(1, 7):
                    found[i] += sums.counts[i]
            cells += [
                Cell(
                    key=self.keys[key_id],
                    batch=batch,
                    tier=tier,
                    requests=s[0],
                    errors=s[7],
                    hits=s[8],
                    tokens=Tokens(*s[1:7]),
                    dim=dim,
                    value=value,
                )
                for (value, key_id, batch, tier), s in merged.items()
            ]
        return cells

    def budget_cells(self, first_day: int, last_day: int) -> list[Cell]:
        """Usage by feature and config model id, for the month-to-date budget checks."""
        merged: dict[tuple[str | None, str | None, int, bool, int, bool], _Sums] = {}
        for usage, labels, sums in self._in_days(first_day, last_day):
            group = (labels[0], labels[_MODEL_ID], usage[1], usage[2], usage[3], usage[7])
            _merge(merged, group, sums)
        return [
            self._cell((key_id, batch, tier), s, cache_hit=hit, value=feature, model_id=model_id)
            for (feature, model_id, key_id, batch, tier, hit), s in merged.items()
        ]

    def percentiles(
        self, first_day: int, last_day: int, quantiles: tuple[float, ...]
    ) -> tuple[int, list[int]]:
        """How many successful priced requests, and their per-request cost at each quantile
        (nearest rank; 1e-18 USD units)."""
        costs = sorted(cost for day, cost in self._costs if first_day <= day <= last_day)
        if not costs:
            return 0, []
        return len(costs), [costs[quantile_index(len(costs), q)] for q in quantiles]


_G = TypeVar("_G", bound=Hashable)


def _merge(into: dict[_G, _Sums], group: _G, sums: _Sums) -> None:
    found = into.get(group)
    if found is None:
        found = into[group] = _Sums()
    found.merge(sums)
