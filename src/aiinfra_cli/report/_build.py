"""One report, start to finish: ingest the logs, query, price, analyse; no printing, no writing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from aiinfra_cli.config import BudgetConfig, Config
from aiinfra_cli.pricing import PriceTable
from aiinfra_cli.report._analysis import (
    BASELINE_WINDOW,
    QUANTILES,
    Analysis,
    Inputs,
)
from aiinfra_cli.report._baseline import Baselines, merge
from aiinfra_cli.report._document import (
    CostReport,
    Rejected,
    RejectedLine,
    Sources,
    UnknownField,
)
from aiinfra_cli.report._period import (
    Period,
    epoch_day,
    local_day_sql,
    zone,
)
from aiinfra_cli.report._pricing import Pricer
from aiinfra_cli.report._query import DIMENSIONS, Cell, Queries, event_range
from aiinfra_cli.report._rowagg import RowQueries, deduplicated
from aiinfra_cli.usage import LogRows

if TYPE_CHECKING:
    from aiinfra_cli.usage import Ingested

MAX_REJECT_EXAMPLES = 50
GROUPS = (
    "model",
    "provider",
    "feature",
    "endpoint",
    "user",
    "tenant",
    "session",
    "call_site",
    "day",
)
DEFAULT_GROUPS = ("model", "provider", "feature", "endpoint", "user", "day")


@dataclass
class ReportRequest:
    """What to report on (already validated)."""

    period: Period | None  # None: --timeframe all (since = first event)
    until: date
    tz: str
    group_by: tuple[str, ...] = DEFAULT_GROUPS
    top: int = 10
    budget_usd: Decimal | None = None
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class Built:
    """The document plus what the caller needs to persist the baseline history."""

    document: CostReport
    history: dict[date, tuple[Decimal, int]]
    period: Period


def _local_day(us: int, tz: str) -> date:
    return datetime.fromtimestamp(us / 1_000_000, timezone.utc).astimezone(zone(tz)).date()


class ReportQueries(Protocol):
    """What the report asks of its source: DuckDB over the logs (:class:`._query.Queries`) or
    PostgreSQL over the team store (:class:`aiinfra_cli.store.StoreQueries`)."""

    inexact_rates: bool

    def cells(self) -> list[Cell]: ...

    def dimensions(self, dims: tuple[str, ...], first_day: int, last_day: int) -> list[Cell]: ...

    def budget_cells(self, first_day: int, last_day: int) -> list[Cell]: ...

    def percentiles(
        self, first_day: int, last_day: int, quantiles: tuple[float, ...]
    ) -> tuple[int, list[int]]: ...


@dataclass
class Source:
    """Where the events come from: queries over a window, the events' (first, last) instant
    in UTC µs, and the document's ``rejected`` and ``sources`` sections (``first_event_day``
    is filled in by :func:`build_from`)."""

    # (lo_us, hi_us, day_sql, pricer, zone): the window, its local-day SQL and its time zone
    queries: Callable[[int, int, str, Pricer, ZoneInfo], ReportQueries]
    bounds: tuple[int, int] | None
    rejected: Rejected
    sources: Sources


def build_report(
    read: Ingested | LogRows,
    request: ReportRequest,
    *,
    prices: PriceTable,
    config: Config | None,
    baselines: Baselines,
    logs: Sequence[str],
) -> Built:
    """Run the queries and the analysis over the logs as read: the ingest cache's rows
    (:class:`Ingested`, queried in DuckDB) or rows in memory (:class:`LogRows`, the small-input
    path, aggregated in Python to the same cells)."""
    source = Source(
        queries=_rows_queries(read) if isinstance(read, LogRows) else _cache_queries(read),
        bounds=_bounds(read),
        rejected=_rejected(read),
        sources=_sources(read, logs),
    )
    return build_from(source, request, prices=prices, config=config, baselines=baselines)


_Queries = Callable[[int, int, str, Pricer, ZoneInfo], ReportQueries]


def _cache_queries(ingested: Ingested) -> _Queries:
    con, ids = ingested.con, ingested.file_ids
    return lambda lo_us, hi_us, day_sql, pricer, _zone: Queries(
        con, ids, lo_us=lo_us, hi_us=hi_us, day_sql=day_sql, pricer=pricer
    )


def _rows_queries(read: LogRows) -> _Queries:
    rows = deduplicated(read.rows)
    return lambda lo_us, hi_us, _day_sql, pricer, tz: RowQueries(
        rows, lo_us=lo_us, hi_us=hi_us, pricer=pricer, tz=tz
    )


def _bounds(read: Ingested | LogRows) -> tuple[int, int] | None:
    if not isinstance(read, LogRows):
        return event_range(read.con, read.file_ids)
    stamps = [row.ts for rows in read.rows for row in rows]
    return (min(stamps), max(stamps)) if stamps else None


def build_from(
    source: Source,
    request: ReportRequest,
    *,
    prices: PriceTable,
    config: Config | None,
    baselines: Baselines,
) -> Built:
    """Run the queries and the analysis over ``source``."""
    bounds = source.bounds
    period = request.period
    if period is None:
        first = _local_day(bounds[0], request.tz) if bounds else request.until
        period = Period(min(first, request.until), request.until, request.tz, "all")
    previous = period.previous()
    covered_from = _local_day(bounds[0], request.tz) if bounds else None
    lo_day = min(
        previous.since,
        period.since - timedelta(days=BASELINE_WINDOW),
        period.until.replace(day=1),
    )
    tz = period.zone
    lo_us = Period(lo_day, period.until, request.tz).start_us()
    hi_us = period.end_us()
    pricer = Pricer(prices)
    queries = source.queries(lo_us, hi_us, local_day_sql(tz, lo_day, period.until), pricer, tz)
    first_day, last_day = epoch_day(period.since), epoch_day(period.until)
    dims = tuple(d for d in DIMENSIONS if d in request.group_by)
    if "feature" not in dims:
        dims = ("feature", *dims)  # top features are always reported
    if "call_site" not in dims:
        dims = (*dims, "call_site")
    # The percentiles first: they name the period, and the team store starts its one pass over
    # the window (cells, breakdown, budgets) for that period while their sort runs.
    count, units = queries.percentiles(first_day, last_day, QUANTILES)
    budgets = config.budgets if config is not None else BudgetConfig()
    month_first = epoch_day(period.until.replace(day=1))
    budget_cells = (
        queries.budget_cells(month_first, last_day)
        if budgets.per_feature or budgets.per_model
        else []
    )
    inputs = Inputs(
        period=period,
        previous=previous,
        cells=queries.cells(),
        dimension_cells=queries.dimensions(dims, first_day, last_day),
        budget_cells=budget_cells,
        percentile_count=count,
        percentile_units=units,
        pricer=pricer,
        budgets=budgets,
        config_models=config.models if config is not None else (),
        budget_usd=request.budget_usd,
        top=request.top,
        group_by=request.group_by,
        covered_from=covered_from,
        window_from=lo_day,
        inexact_rates=queries.inexact_rates,
    )
    analysis = Analysis(inputs)
    history = merge(baselines, request.tz, analysis.history(analysis.daily()), covered_from)
    document = analysis.build(
        baseline_days=history,
        generated_at=request.now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        rejected=source.rejected,
        sources=replace(
            source.sources, first_event_day=covered_from.isoformat() if covered_from else None
        ),
    )
    return Built(document, history, period)


def _rejected(ingested: Ingested | LogRows) -> Rejected:
    return Rejected(
        count=len(ingested.rejects),
        examples=tuple(
            RejectedLine(file=r.file, line=r.line, reason=r.reason)
            for r in ingested.rejects[:MAX_REJECT_EXAMPLES]
        ),
        unknown_fields=tuple(
            UnknownField(
                field=name,
                count=n,
                file=ingested.unknown_first.get(name, ("", 0))[0],
                line=ingested.unknown_first.get(name, ("", 0))[1],
            )
            for name, n in sorted(ingested.unknown_fields.items())
        ),
    )


def _sources(ingested: Ingested | LogRows, logs: Sequence[str]) -> Sources:
    formats = Counter(f.format for f in ingested.files)
    return Sources(
        logs=tuple(logs),
        files=len(ingested.files),
        files_read=len(ingested.read),
        files_reused=len(ingested.reused),
        events=sum(f.events for f in ingested.files),
        formats=dict(sorted(formats.items())),
        first_event_day=None,
    )
