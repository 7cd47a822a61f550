"""From priced cells to the report document: totals, breakdowns, change, cache, percentiles,
errors and retries, unpriced usage, anomalies, forecast and budgets.

The document (:class:`~aiinfra_cli.report._document.CostReport`, see ``docs/cost-report.md``) is
the one model every renderer reads. Money is exact: Decimal throughout, printed as decimal strings.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from aiinfra_cli import __version__
from aiinfra_cli.config import BudgetConfig, ModelConfig
from aiinfra_cli.pricing import TokenUsage, format_usd
from aiinfra_cli.report import _document as d
from aiinfra_cli.report._period import Period, epoch_day, from_epoch_day
from aiinfra_cli.report._pricing import EXACT, CellCost, Pricer, units_to_usd
from aiinfra_cli.report._query import Cell

QUANTILES = (0.5, 0.95, 0.99)
BASELINE_WINDOW = 14
BASELINE_MIN_DAYS = 7
ANOMALY_MAD_FACTOR = Decimal("3.5") * Decimal("1.4826")
ANOMALY_MIN_CHANGE = Decimal("0.5")
FORECAST_BASIS_DAYS = 7
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def usd(amount: Decimal) -> str:
    """Exact decimal string (no exponent, no trailing zeros)."""
    return format_usd(amount)


def pct(part: Decimal | int, whole: Decimal | int) -> float | None:
    """``part`` as a percentage of ``whole``, one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    value = EXACT.divide(Decimal(part) * _HUNDRED, Decimal(whole))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


@dataclass
class Agg:
    """Running totals for one group."""

    requests: int = 0
    priced_requests: int = 0
    unpriced_requests: int = 0
    errors: int = 0
    cache_hits: int = 0
    tokens: TokenUsage = field(default_factory=TokenUsage)
    unpriced_tokens: TokenUsage = field(default_factory=TokenUsage)
    cost: Decimal = _ZERO
    savings: Decimal = _ZERO
    premium: Decimal = _ZERO
    saved_by_response_cache: Decimal = _ZERO

    def add(self, cell: Cell, cost: CellCost | None) -> None:
        self.requests += cell.requests
        if cell.errors is not None:  # a mixed cell: counts of failures and cache hits inside
            self.errors += cell.errors
            self.cache_hits += cell.hits
            billed = cell.requests - cell.hits
        else:
            if not cell.ok:
                self.errors += cell.requests
            if cell.cache_hit:
                # Served from the response cache: no provider call, no tokens billed.
                self.cache_hits += cell.requests
                self.saved_by_response_cache += cell.saved_usd
                return
            billed = cell.requests
        self.tokens = self.tokens + cell.tokens
        if cost is None:
            self.unpriced_requests += billed
            self.unpriced_tokens = self.unpriced_tokens + cell.tokens
            return
        self.priced_requests += billed
        self.cost = EXACT.add(self.cost, cost.total)
        self.savings = EXACT.add(self.savings, cost.cache_savings)
        self.premium = EXACT.add(self.premium, cost.write_premium)


def _usage(agg: Agg, total: Decimal) -> d.Usage:
    return d.Usage(
        requests=agg.requests,
        tokens=agg.tokens,
        cost_usd=usd(agg.cost),
        share_pct=pct(agg.cost, total),
        errors=agg.errors,
        unpriced_requests=agg.unpriced_requests,
    )


def _ranked(groups: dict[Any, Agg]) -> list[tuple[Any, Agg]]:
    return sorted(groups.items(), key=lambda item: (-item[1].cost, -item[1].requests, str(item[0])))


@dataclass
class Inputs:
    """Everything the analysis needs, gathered by the command."""

    period: Period
    previous: Period
    cells: list[Cell]
    dimension_cells: list[Cell]
    budget_cells: list[Cell]
    percentile_count: int
    percentile_units: list[int]
    pricer: Pricer
    budgets: BudgetConfig
    config_models: Sequence[ModelConfig]
    budget_usd: Decimal | None
    top: int
    group_by: tuple[str, ...]
    covered_from: date | None
    window_from: date | None = None  # first day the cells cover
    inexact_rates: bool = False


class Analysis:
    """Prices every cell once and derives the report sections."""

    def __init__(self, inputs: Inputs) -> None:
        self.i = inputs
        self._costs: dict[int, CellCost | None] = {}
        p = inputs.period
        self.cur = (epoch_day(p.since), epoch_day(p.until))
        prev = inputs.previous
        self.prev = (epoch_day(prev.since), epoch_day(prev.until))

    def cost(self, cell: Cell) -> CellCost | None:
        key = id(cell)
        if key not in self._costs:
            price = cell.key.price
            if price is None or cell.cache_hit:
                self._costs[key] = None
            else:
                self._costs[key] = self.i.pricer.cell(price, cell.batch, cell.tier, cell.tokens)
                self.i.pricer.note(cell.key.model, price, cell.batch, cell.tier, cell.tokens)
        return self._costs[key]

    def _in(self, cell: Cell, span: tuple[int, int]) -> bool:
        return span[0] <= cell.day <= span[1]

    def total(self, cells: Iterable[Cell]) -> Agg:
        agg = Agg()
        for cell in cells:
            agg.add(cell, self.cost(cell))
        return agg

    def daily(self) -> dict[date, Agg]:
        """Every day of the whole query window that has usage."""
        days: dict[date, Agg] = {}
        for cell in self.i.cells:
            days.setdefault(from_epoch_day(cell.day), Agg()).add(cell, self.cost(cell))
        return days

    def build(
        self,
        *,
        baseline_days: dict[date, tuple[Decimal, int]],
        generated_at: str,
        rejected: d.Rejected,
        sources: d.Sources,
    ) -> d.CostReport:
        """The report: every section of the analysis plus what the ingest step saw.
        ``baseline_days``: daily totals known from earlier runs, for the anomaly baseline."""
        i = self.i
        current = [c for c in i.cells if self._in(c, self.cur)]
        totals = self.total(current)
        daily = self.daily()
        dims = self.by_dimension(totals.cost)
        budgets = self.budget_status(totals, daily)
        return d.CostReport(
            generated_at=generated_at,
            tool=d.Tool(name="aiinfra", version=__version__),
            period=self.period(),
            totals=self.totals(totals),
            previous_period=self.previous_period(totals),
            by_model=self.by_model(current, totals.cost),
            by_provider=self.by_provider(current, totals.cost),
            by_day=self.by_day(daily, totals.cost),
            by_group={
                name: dims.get(name, ())
                for name in i.group_by
                if name not in ("model", "provider", "day")
            },
            top_features=dims.get("feature", ())[: i.top],
            top_call_sites=dims.get("call_site", ())[: i.top],
            cache=self.cache(totals),
            response_cache=d.ResponseCache(
                hits=totals.cache_hits, saved_usd=usd(totals.saved_by_response_cache)
            ),
            cost_per_successful_request=self.percentiles(current),
            errors_and_retries=self.errors(current, totals.cost),
            unpriced=self.unpriced(current),
            recorded_cost=self.recorded(current),
            anomalies=self.anomalies(daily, baseline_days),
            forecast=self.forecast(daily),
            budgets=budgets,
            budget_exceeded=any(b.status == "exceeded" for b in budgets),
            pricing=d.Pricing(
                table_as_of=i.pricer.table.as_of,
                notes={model: tuple(sorted(n)) for model, n in sorted(i.pricer.notes.items())},
                percentiles_exact=not i.inexact_rates,
            ),
            rejected=rejected,
            sources=sources,
        )

    def period(self) -> d.ReportPeriod:
        p = self.i.period
        return d.ReportPeriod(
            since=p.since.isoformat(),
            until=p.until.isoformat(),
            tz=p.tz,
            days=p.days,
            timeframe=p.timeframe,
        )

    def totals(self, totals: Agg) -> d.Totals:
        return d.Totals(
            cost_usd=usd(totals.cost),
            requests=totals.requests,
            tokens=totals.tokens,
            priced_requests=totals.priced_requests,
            unpriced_requests=totals.unpriced_requests,
            errors=totals.errors,
            response_cache_hits=totals.cache_hits,
        )

    def previous_period(self, totals: Agg) -> d.PreviousPeriod:
        prev = self.i.previous
        previous = self.total(c for c in self.i.cells if self._in(c, self.prev))
        change = EXACT.subtract(totals.cost, previous.cost)
        return d.PreviousPeriod(
            since=prev.since.isoformat(),
            until=prev.until.isoformat(),
            cost_usd=usd(previous.cost),
            requests=previous.requests,
            change_usd=usd(change),
            change_pct=pct(change, previous.cost),
        )

    def by_model(self, cells: list[Cell], total: Decimal) -> tuple[d.ModelRow, ...]:
        groups: dict[tuple[str, str], Agg] = {}
        keys: dict[tuple[str, str], Cell] = {}
        for cell in cells:
            name = (cell.key.model, cell.key.provider)
            groups.setdefault(name, Agg()).add(cell, self.cost(cell))
            keys[name] = cell
        rows = []
        for (model, provider), agg in _ranked(groups):
            price = keys[(model, provider)].key.price
            usage = _usage(agg, total)
            rows.append(
                d.ModelRow(
                    model=model,
                    provider=provider,
                    priced=price is not None,
                    price_key=price.key if price else None,
                    requests=usage.requests,
                    tokens=usage.tokens,
                    # never a $0 that reads like a price
                    cost_usd=usage.cost_usd if price is not None else None,
                    share_pct=usage.share_pct if price is not None else None,
                    errors=usage.errors,
                    unpriced_requests=usage.unpriced_requests,
                )
            )
        return tuple(rows)

    def by_provider(self, cells: list[Cell], total: Decimal) -> tuple[d.Row, ...]:
        groups: dict[str, Agg] = {}
        for cell in cells:
            groups.setdefault(cell.key.provider, Agg()).add(cell, self.cost(cell))
        return tuple(d.Row(key=name, usage=_usage(agg, total)) for name, agg in _ranked(groups))

    def by_day(self, daily: dict[date, Agg], total: Decimal) -> tuple[d.Row, ...]:
        rows = []
        day = self.i.period.since
        while day <= self.i.period.until:
            rows.append(d.Row(key=day.isoformat(), usage=_usage(daily.get(day, Agg()), total)))
            day += timedelta(days=1)
        return tuple(rows)

    def by_dimension(self, total: Decimal) -> dict[str, tuple[d.Row, ...]]:
        groups: dict[str, dict[str | None, Agg]] = {}
        for cell in self.i.dimension_cells:
            groups.setdefault(cell.dim, {}).setdefault(cell.value, Agg()).add(cell, self.cost(cell))
        return {
            dim: tuple(d.Row(key=value, usage=_usage(agg, total)) for value, agg in _ranked(values))
            for dim, values in groups.items()
        }

    def cache(self, totals: Agg) -> d.Cache:
        net = EXACT.subtract(totals.savings, totals.premium)
        return d.Cache(
            hit_rate_pct=pct(totals.tokens.cache_read_tokens, totals.tokens.input_tokens),
            cache_read_tokens=totals.tokens.cache_read_tokens,
            cache_write_tokens=totals.tokens.cache_write_tokens,
            savings_usd=usd(totals.savings),
            write_premium_usd=usd(totals.premium),
            net_savings_usd=usd(net),
            cost_without_cache_usd=usd(EXACT.add(totals.cost, net)),
        )

    def percentiles(self, cells: list[Cell]) -> d.Percentiles:
        ok = self.total(c for c in cells if c.ok and not c.cache_hit and c.key.price is not None)
        values = self.i.percentile_units
        p50, p95, p99 = (usd(units_to_usd(v)) for v in values) if values else (None, None, None)
        return d.Percentiles(
            requests=self.i.percentile_count,
            mean_usd=(
                usd(EXACT.divide(ok.cost, Decimal(ok.priced_requests)))
                if ok.priced_requests
                else None
            ),
            method="nearest rank over successful, priced requests",
            p50_usd=p50,
            p95_usd=p95,
            p99_usd=p99,
        )

    def errors(self, cells: list[Cell], total: Decimal) -> d.ErrorsAndRetries:
        wasted = Agg()
        errors, retries, fallbacks = Agg(), Agg(), Agg()
        for cell in cells:
            cost = self.cost(cell)
            if not cell.ok:
                errors.add(cell, cost)
            if cell.retry:
                retries.add(cell, cost)
            if cell.fallback:
                fallbacks.add(cell, cost)
            if not cell.ok or cell.retry or cell.fallback:
                wasted.add(cell, cost)

        def part(agg: Agg) -> d.Part:
            return d.Part(requests=agg.requests, cost_usd=usd(agg.cost))

        return d.ErrorsAndRetries(
            requests=wasted.requests,
            cost_usd=usd(wasted.cost),
            share_pct=pct(wasted.cost, total),
            errors=part(errors),
            retries=part(retries),
            fallbacks=part(fallbacks),
        )

    def unpriced(self, cells: list[Cell]) -> tuple[d.UnpricedRow, ...]:
        groups: dict[tuple[str, str], Agg] = {}
        for cell in cells:
            if cell.key.price is None and not cell.cache_hit:
                groups.setdefault((cell.key.model, cell.key.provider), Agg()).add(cell, None)
        ranked = sorted(groups.items(), key=lambda item: (-item[1].requests, item[0]))
        return tuple(
            d.UnpricedRow(
                model=model,
                provider=provider,
                requests=agg.requests,
                tokens=agg.tokens,
                did_you_mean=tuple(self.i.pricer.table.suggest(model)),
            )
            for (model, provider), agg in ranked
        )

    def recorded(self, cells: list[Cell]) -> d.RecordedCost:
        agg = Agg()
        recorded = _ZERO
        for cell in cells:
            if cell.recorded and not cell.cache_hit:
                agg.add(cell, self.cost(cell))
                recorded = EXACT.add(recorded, cell.recorded_usd)
        return d.RecordedCost(
            requests=agg.requests,
            recorded_usd=usd(recorded),
            repriced_usd=usd(agg.cost),
            difference_usd=usd(EXACT.subtract(agg.cost, recorded)),
            unpriced_requests=agg.unpriced_requests,
        )

    def history(self, daily: dict[date, Agg]) -> dict[date, tuple[Decimal, int]]:
        """Daily totals the logs cover (zero days included), for the baseline file."""
        covered = self.i.covered_from
        if covered is None:
            return {}
        if self.i.window_from is not None:
            covered = max(covered, self.i.window_from)  # earlier days were not queried
        result: dict[date, tuple[Decimal, int]] = {}
        day = covered
        while day <= self.i.period.until:
            agg = daily.get(day, Agg())
            result[day] = (agg.cost, agg.requests)
            day += timedelta(days=1)
        return result

    def anomalies(
        self, daily: dict[date, Agg], baseline_days: dict[date, tuple[Decimal, int]]
    ) -> d.Anomalies:
        known = dict(baseline_days)
        known.update(self.history(daily))
        found = []
        day = self.i.period.since
        judged = 0
        while day <= self.i.period.until:
            trailing = [
                known[d][0]
                for d in (day - timedelta(days=k) for k in range(1, BASELINE_WINDOW + 1))
                if d in known
            ]
            if len(trailing) >= BASELINE_MIN_DAYS and day in known:
                judged += 1
                spent = known[day][0]
                median = _median(trailing)
                mad = _median([abs(EXACT.subtract(v, median)) for v in trailing])
                limit = max(EXACT.multiply(ANOMALY_MAD_FACTOR, mad), median * ANOMALY_MIN_CHANGE)
                change = EXACT.subtract(spent, median)
                if abs(change) > limit and abs(change) > Decimal("0.01"):
                    found.append(
                        d.Anomaly(
                            date=day.isoformat(),
                            cost_usd=usd(spent),
                            baseline_usd=usd(median),
                            change_pct=pct(change, median),
                            direction="spike" if change > 0 else "drop",
                        )
                    )
            day += timedelta(days=1)
        return d.Anomalies(
            method=(
                f"median and MAD of the {BASELINE_WINDOW} days before each day"
                f" (at least {BASELINE_MIN_DAYS} known); flagged beyond"
                " max(3.5 x 1.4826 x MAD, 50% of the median)"
            ),
            days_judged=judged,
            days=tuple(found),
        )

    def forecast(self, daily: dict[date, Agg]) -> d.Forecast:
        until = self.i.period.until
        first = until.replace(day=1)
        days_in_month = calendar.monthrange(until.year, until.month)[1]
        elapsed = until.day
        covered = self.i.covered_from
        mtd = _spent(daily, first, until)
        basis_start = max(until - timedelta(days=FORECAST_BASIS_DAYS - 1), first)
        if covered is not None:
            basis_start = max(basis_start, covered)
        # No basis when the logs start after the period (a report on days before any usage).
        basis_days = max((until - basis_start).days + 1, 0) if covered is not None else 0
        spent = _spent(daily, basis_start, until)
        rate = EXACT.divide(spent, Decimal(basis_days)) if basis_days > 0 else _ZERO
        remaining = days_in_month - elapsed
        forecast = EXACT.add(mtd, EXACT.multiply(rate, Decimal(remaining)))
        return d.Forecast(
            month=f"{until:%Y-%m}",
            month_to_date_usd=usd(mtd),
            daily_run_rate_usd=usd(rate),
            basis_days=basis_days,
            days_elapsed=elapsed,
            days_in_month=days_in_month,
            forecast_usd=usd(forecast),
        )

    def budget_status(self, totals: Agg, daily: dict[date, Agg]) -> tuple[d.Budget, ...]:
        b = self.i.budgets
        until = self.i.period.until
        month = f"{until:%Y-%m}"
        tiers = tuple(sorted(b.alert_at)) or (0.7, 0.9, 1.0)
        forecast = self.forecast(daily)
        mtd = Decimal(forecast.month_to_date_usd)
        rows: list[d.Budget] = []
        if b.monthly_usd is not None:
            rows.append(
                _budget(
                    "monthly",
                    f"month {month} to date",
                    b.monthly_usd,
                    mtd,
                    tiers,
                    forecast=forecast.forecast_usd,
                )
            )
        if b.daily_usd is not None:
            spent = daily[until].cost if until in daily else _ZERO
            rows.append(_budget("daily", f"day {until}", b.daily_usd, spent, tiers))
        if b.per_feature or b.per_model:
            by_feature: dict[str, Decimal] = {}
            by_model: dict[str, Decimal] = {}
            for cell in self.i.budget_cells:
                cost = self.cost(cell)
                if cost is None:
                    continue
                if cell.value is not None:
                    by_feature[cell.value] = EXACT.add(
                        by_feature.get(cell.value, _ZERO), cost.total
                    )
                model_id = cell.model_id or _config_id(self.i.config_models, cell.key.model)
                if model_id is not None:
                    by_model[model_id] = EXACT.add(by_model.get(model_id, _ZERO), cost.total)
            for name, limit in sorted(b.per_feature.items()):
                rows.append(
                    _budget(
                        f"feature:{name}",
                        f"month {month} to date",
                        limit,
                        by_feature.get(name, _ZERO),
                        tiers,
                    )
                )
            for name, limit in sorted(b.per_model.items()):
                rows.append(
                    _budget(
                        f"model:{name}",
                        f"month {month} to date",
                        limit,
                        by_model.get(name, _ZERO),
                        tiers,
                    )
                )
        if self.i.budget_usd is not None:
            rows.append(_budget("--budget", "report period", self.i.budget_usd, totals.cost, tiers))
        return tuple(rows)


def _spent(daily: dict[date, Agg], first: date, last: date) -> Decimal:
    """The cost of the days ``first`` to ``last`` (inclusive)."""
    total = _ZERO
    day = first
    while day <= last:
        if day in daily:
            total = EXACT.add(total, daily[day].cost)
        day += timedelta(days=1)
    return total


def _config_id(models: Sequence[ModelConfig], model: str) -> str | None:
    for entry in models:
        if entry.model == model or entry.id == model:
            return entry.id
    return None


def _budget(
    name: str,
    scope: str,
    limit: Decimal,
    spent: Decimal,
    tiers: tuple[float, ...],
    *,
    forecast: str | None = None,
) -> d.Budget:
    reached = None
    for tier in tiers:
        if spent >= EXACT.multiply(limit, Decimal(str(tier))):
            reached = tier
    exceeded = spent >= limit if limit > 0 else spent > 0
    return d.Budget(
        name=name,
        scope=scope,
        limit_usd=usd(limit),
        spent_usd=usd(spent),
        used_pct=pct(spent, limit),
        tier_reached_pct=None if reached is None else round(reached * 100),
        status="exceeded" if exceeded else ("alert" if reached is not None else "ok"),
        forecast_usd=forecast,
    )


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return EXACT.divide(EXACT.add(ordered[mid - 1], ordered[mid]), Decimal(2))
