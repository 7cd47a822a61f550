"""Tracked against billed: what the tracker recorded, set against the provider's own bill.

Cells are day × provider × model (the model as the price table resolves it, so a dated id on
the bill meets its alias in the log). In each cell, billed USD comes from the provider's cost
endpoint and tracked USD from the usage events priced by the price engine; the two are
compared, never added. ``untracked_usd`` sums what the bill holds beyond the tracker in each
cell (calls the tracker never saw), ``over_tracked_usd`` what the tracker holds beyond the bill
(double counting, or a wrong price). Token categories are compared the same way, so a wrong
cache price (tokens agree, dollars do not) is told apart from a missing call (both differ).

API keys and workspaces: the usage endpoint attributes tokens to keys; a key with billed tokens
and no tracked call is *dark spend*, valued at the price table's list price (labelled so: the
cost endpoints do not break spend down by key).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from aiinfra_cli.billing._model import CATEGORIES, Bucket, Category
from aiinfra_cli.pricing import PriceTable, TokenUsage
from aiinfra_cli.usage import UsageEvent

ZERO = Decimal(0)
OTHER = "(not a model)"


@dataclass(frozen=True)
class CellFigures:
    """Billed and tracked USD of one cell or group."""

    key: tuple[str, ...]
    billed_usd: Decimal
    tracked_usd: Decimal

    @property
    def untracked_usd(self) -> Decimal:
        return max(self.billed_usd - self.tracked_usd, ZERO)

    @property
    def over_tracked_usd(self) -> Decimal:
        return max(self.tracked_usd - self.billed_usd, ZERO)


@dataclass(frozen=True)
class KeyFigures:
    """One API key's billed tokens (valued at list price) against the calls tracked on it."""

    provider: str
    key_id: str
    workspace: str | None
    billed_tokens: int
    billed_at_list_usd: Decimal
    tracked_calls: int
    tracked_usd: Decimal


@dataclass(frozen=True)
class TokenFigures:
    """Billed and tracked tokens of one provider and category."""

    provider: str
    category: Category
    billed_tokens: int
    tracked_tokens: int


@dataclass(frozen=True)
class Reconciliation:
    """The whole comparison (see the module docstring)."""

    first_day: str
    last_day: str
    providers: tuple[str, ...]
    billed_usd: Decimal
    tracked_usd: Decimal
    untracked_usd: Decimal
    over_tracked_usd: Decimal
    estimated_usd: Decimal
    by_day: tuple[CellFigures, ...]
    by_model: tuple[CellFigures, ...]
    by_workspace: tuple[CellFigures, ...]
    by_key: tuple[KeyFigures, ...]
    tokens: tuple[TokenFigures, ...]
    partial_days: tuple[str, ...]

    @property
    def coverage_pct(self) -> float | None:
        """Tracked ÷ billed, in percent (None when nothing was billed)."""
        if not self.billed_usd:
            return None
        return float(round(self.tracked_usd / self.billed_usd * 100, 1))

    @property
    def dark_keys(self) -> tuple[KeyFigures, ...]:
        """Keys with billed tokens and no tracked call, largest first."""
        return tuple(k for k in self.by_key if k.tracked_calls == 0 and k.billed_tokens)


def event_categories(event: UsageEvent) -> dict[Category, int]:
    """An event's input and output tokens in the bill's categories."""
    write_1h = event.cache_write_1h_tokens
    write_5m = max(event.cache_write_tokens - write_1h, 0)
    uncached = max(event.input_tokens - event.cache_read_tokens - event.cache_write_tokens, 0)
    return {
        "uncached_input": uncached,
        "cache_read": event.cache_read_tokens,
        "cache_write_5m": write_5m,
        "cache_write_1h": write_1h,
        "output": event.output_tokens,
    }


@dataclass
class _Resolver:
    prices: PriceTable

    def model(self, name: str | None, provider: str) -> str:
        if not name:
            return OTHER
        price = self.prices.lookup(name, provider)
        return price.key if price is not None else name

    def cost(self, event: UsageEvent) -> Decimal:
        breakdown = self.prices.cost_of(
            event.model, event.token_usage(), provider=event.provider, batch=event.batch
        )
        return breakdown.total if breakdown is not None else ZERO

    def list_price(self, bucket: Bucket) -> Decimal:
        """A usage bucket's tokens at the price table's list price (zero when unpriced)."""
        count, category = bucket.tokens or 0, bucket.category
        reads = count if category == "cache_read" else 0
        writes_1h = count if category == "cache_write_1h" else 0
        writes = writes_1h + (count if category == "cache_write_5m" else 0)
        output = count if category == "output" else 0
        tokens = TokenUsage(
            input_tokens=count - output,
            output_tokens=output,
            cache_read_tokens=reads,
            cache_write_tokens=writes,
            cache_write_1h_tokens=writes_1h,
        )
        breakdown = self.prices.cost_of(bucket.model or "", tokens, provider=bucket.provider)
        return breakdown.total if breakdown is not None else ZERO


def reconcile(
    buckets: Sequence[Bucket],
    events: Iterable[UsageEvent],
    prices: PriceTable,
    *,
    since: date,
    until: date,
) -> Reconciliation:
    """Compare ``events`` with ``buckets`` over the days in ``[since, until]`` that the pulled
    bill covers, for the providers it covers."""
    tallies = _Tallies(_Resolver(prices), _covered_days(buckets, since, until))
    for bucket in buckets:
        tallies.add_bucket(bucket)
    for event in events:
        tallies.add_event(event)
    return tallies.result(since, until)


def _zeros() -> defaultdict[Any, Decimal]:
    return defaultdict(lambda: ZERO)


@dataclass
class _Tallies:
    """The bill's and the log's figures, summed per cell while the rows are read."""

    resolver: _Resolver
    covered: dict[str, set[str]]
    billed: dict[tuple[str, str, str], Decimal] = field(default_factory=_zeros)
    tracked: dict[tuple[str, str, str], Decimal] = field(default_factory=_zeros)
    billed_ws: dict[tuple[str, str], Decimal] = field(default_factory=_zeros)
    tracked_ws: dict[tuple[str, str], Decimal] = field(default_factory=_zeros)
    billed_tokens: dict[tuple[str, Category], int] = field(default_factory=lambda: defaultdict(int))
    tracked_tokens: dict[tuple[str, Category], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    keys: dict[tuple[str, str], _KeyTally] = field(default_factory=dict)
    partial: set[str] = field(default_factory=set)
    estimated: Decimal = ZERO

    def add_bucket(self, bucket: Bucket) -> None:
        if bucket.day not in self.covered.get(bucket.provider, ()):
            return
        if bucket.partial:
            self.partial.add(bucket.day)
        model = self.resolver.model(bucket.model, bucket.provider)
        if bucket.kind == "cost" and bucket.billed_usd is not None:
            self.billed[(bucket.day, bucket.provider, model)] += bucket.billed_usd
            self.billed_ws[(bucket.provider, bucket.workspace or "(none)")] += bucket.billed_usd
        elif bucket.kind == "usage" and bucket.category and bucket.tokens:
            self.billed_tokens[(bucket.provider, bucket.category)] += bucket.tokens
            if bucket.key_id:
                tally = self.keys.setdefault((bucket.provider, bucket.key_id), _KeyTally())
                tally.workspace = tally.workspace or bucket.workspace
                tally.billed_tokens += bucket.tokens
                tally.billed_at_list += self.resolver.list_price(bucket)

    def add_event(self, event: UsageEvent) -> None:
        day = event.timestamp.astimezone(timezone.utc).date().isoformat()
        if day not in self.covered.get(event.provider, ()) or event.cache_hit:
            return
        model = self.resolver.model(event.model, event.provider)
        cost = self.resolver.cost(event)
        self.tracked[(day, event.provider, model)] += cost
        workspace = event.workspace
        self.tracked_ws[(event.provider, workspace or "(none)")] += cost
        if event.usage_source == "estimated":
            self.estimated += cost
        for category, count in event_categories(event).items():
            self.tracked_tokens[(event.provider, category)] += count
        key_id = event.key_id
        if key_id:
            tally = self.keys.setdefault((event.provider, key_id), _KeyTally())
            tally.workspace = tally.workspace or workspace
            tally.calls += 1
            tally.tracked += cost

    def result(self, since: date, until: date) -> Reconciliation:
        billed, tracked = self.billed, self.tracked
        cells = [
            CellFigures(key, billed.get(key, ZERO), tracked.get(key, ZERO))
            for key in sorted({*billed, *tracked})
        ]
        billed_ws, tracked_ws = self.billed_ws, self.tracked_ws
        billed_tokens, tracked_tokens = self.billed_tokens, self.tracked_tokens
        return Reconciliation(
            first_day=since.isoformat(),
            last_day=until.isoformat(),
            providers=tuple(sorted(self.covered)),
            billed_usd=sum((c.billed_usd for c in cells), ZERO),
            tracked_usd=sum((c.tracked_usd for c in cells), ZERO),
            untracked_usd=sum((c.untracked_usd for c in cells), ZERO),
            over_tracked_usd=sum((c.over_tracked_usd for c in cells), ZERO),
            estimated_usd=self.estimated,
            by_day=_grouped(cells, lambda k: (k[0],)),
            by_model=_grouped(cells, lambda k: (k[1], k[2])),
            by_workspace=tuple(
                CellFigures(key, billed_ws.get(key, ZERO), tracked_ws.get(key, ZERO))
                for key in sorted({*billed_ws, *tracked_ws})
            ),
            by_key=_keys(self.keys),
            tokens=tuple(
                TokenFigures(p, c, billed_tokens.get((p, c), 0), tracked_tokens.get((p, c), 0))
                for p in sorted(self.covered)
                for c in CATEGORIES
                if billed_tokens.get((p, c)) or tracked_tokens.get((p, c))
            ),
            partial_days=tuple(sorted(self.partial)),
        )


def _covered_days(buckets: Sequence[Bucket], since: date, until: date) -> dict[str, set[str]]:
    """Per provider, the days of ``[since, until]`` inside the span its pulled buckets cover."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for b in buckets:
        low, high = spans.get(b.provider, (b.start, b.end))
        spans[b.provider] = (min(low, b.start), max(high, b.end))
    covered: dict[str, set[str]] = {}
    for provider, (low, high) in spans.items():
        first, last = max(low.date(), since), min(high.date(), until)
        days = set()
        day = first
        while day <= last:
            if datetime(day.year, day.month, day.day, tzinfo=timezone.utc) < high:
                days.add(day.isoformat())
            day = date.fromordinal(day.toordinal() + 1)
        covered[provider] = days
    return covered


def _grouped(
    cells: Sequence[CellFigures], key: Callable[[tuple[str, ...]], tuple[str, ...]]
) -> tuple[CellFigures, ...]:
    billed: dict[tuple[str, ...], Decimal] = defaultdict(lambda: ZERO)
    tracked: dict[tuple[str, ...], Decimal] = defaultdict(lambda: ZERO)
    for cell in cells:
        group = key(cell.key)
        billed[group] += cell.billed_usd
        tracked[group] += cell.tracked_usd
    return tuple(CellFigures(k, billed[k], tracked[k]) for k in sorted(billed))


@dataclass
class _KeyTally:
    workspace: str | None = None
    billed_tokens: int = 0
    billed_at_list: Decimal = ZERO
    calls: int = 0
    tracked: Decimal = ZERO


def _keys(keys: dict[tuple[str, str], _KeyTally]) -> tuple[KeyFigures, ...]:
    rows = [
        KeyFigures(
            provider=provider,
            key_id=key_id,
            workspace=tally.workspace,
            billed_tokens=tally.billed_tokens,
            billed_at_list_usd=tally.billed_at_list,
            tracked_calls=tally.calls,
            tracked_usd=tally.tracked,
        )
        for (provider, key_id), tally in keys.items()
    ]
    return tuple(sorted(rows, key=lambda k: (-k.billed_at_list_usd, k.provider, k.key_id)))
