"""Pricing aggregated token counts exactly.

Cost is linear in tokens for a given model, batch flag and long-context tier, so summed token
counts priced at that cell's rates equal the sum of the per-request costs — to the last digit,
with Decimal arithmetic. Rates come from :func:`aiinfra_cli.pricing.cost` itself (called on a
representative request of the tier), so every published fallback rule applies unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal

from aiinfra_cli.pricing import ModelPrice, PriceTable, Rates, TokenUsage, cost

EXACT = Context(prec=60)
# Per-request costs in SQL are integers in units of 1e-18 USD: rate per MTok x 1e12 x tokens.
RATE_SCALE = 12
COST_UNIT_EXP = -18


# Summed token counts of a cell: the one token-count type (``report._query`` names it Tokens).
Tokens = TokenUsage


@dataclass(frozen=True)
class CellCost:
    """Exact cost of a cell, by part, and what its cache reads saved against plain input."""

    total: Decimal
    cache_savings: Decimal  # reads x (input rate - read rate)
    write_premium: Decimal  # writes x (write rate - input rate)


def _times(tokens: int, per_mtok: Decimal) -> Decimal:
    return EXACT.multiply(Decimal(tokens), per_mtok).scaleb(-6, EXACT)


def _in_order(r: Rates) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]:
    """The rates in the order of a cell's counts: input, read, 5m write, 1h write, output,
    reasoning."""
    return (
        r.input_per_mtok,
        r.cache_read_per_mtok,
        r.cache_write_per_mtok,
        r.cache_write_1h_per_mtok,
        r.output_per_mtok,
        r.reasoning_per_mtok,
    )


@dataclass(frozen=True)
class _TierRates:
    """One tier's rates: Decimals, and the same as integers (per MTok x 1e12) when exact."""

    rates: Rates
    units: tuple[int, int, int, int, int, int]  # input, read, 5m write, 1h write, output, reasoning
    exact: bool


class Pricer:
    """Resolves models once and prices cells at the rates of their tier."""

    def __init__(self, table: PriceTable) -> None:
        self.table = table
        self._prices: dict[tuple[str, str], ModelPrice | None] = {}
        self._tiers: dict[tuple[int, bool, int], _TierRates] = {}
        self._noted: set[tuple[str, int, bool, int, tuple[bool, ...]]] = set()
        self.notes: dict[str, set[str]] = {}

    def price(self, model: str, provider: str) -> ModelPrice | None:
        """The price entry, or None when unpriced (unknown, or no input/output rate)."""
        key = (model, provider)
        if key not in self._prices:
            found = self.table.lookup(model, provider)
            if found is not None and (
                found.input_per_mtok is None or found.output_per_mtok is None
            ):
                found = None
            self._prices[key] = found
        return self._prices[key]

    @staticmethod
    def thresholds(price: ModelPrice) -> tuple[int, ...]:
        """Long-context thresholds, ascending; a request above the k-th is in tier k."""
        return tuple(sorted(t.above_tokens for t in price.long_context))

    def _tier(self, price: ModelPrice, batch: bool, tier: int) -> _TierRates:
        key = (id(price), batch, tier)  # entries live as long as the table; hashing one is slow
        found = self._tiers.get(key)
        if found is None:
            limits = self.thresholds(price)
            size = limits[tier - 1] + 1 if tier > 0 else 4
            sample = TokenUsage(
                input_tokens=max(size, 4),
                output_tokens=2,
                cache_read_tokens=1,
                cache_write_tokens=2,
                cache_write_1h_tokens=1,
                reasoning_tokens=1,
            )
            r = cost(price, sample, batch=batch).rates
            scaled = [v.scaleb(RATE_SCALE, EXACT) for v in _in_order(r)]
            exact = all(x == x.to_integral_value() for x in scaled)
            units = tuple(int(x.to_integral_value()) for x in scaled)
            found = _TierRates(r, units, exact)  # type: ignore[arg-type]
            self._tiers[key] = found
        return found

    def rates(self, price: ModelPrice, batch: bool, tier: int) -> Rates:
        """The rates a request of ``tier`` (0: standard) pays."""
        return self._tier(price, batch, tier).rates

    def note(
        self, model: str, price: ModelPrice, batch: bool, tier: int, tokens: TokenUsage
    ) -> None:
        """Remember the pricing rules that applied to ``model`` (only for token kinds it used)."""
        present = (
            tokens.cache_read_tokens > 0,
            tokens.cache_write_tokens > 0,
            tokens.cache_write_1h_tokens > 0,
            tokens.reasoning_tokens > 0,
        )
        key = (model, id(price), batch, tier, present)
        if key in self._noted:
            return
        self._noted.add(key)
        limits = self.thresholds(price)
        size = limits[tier - 1] + 1 if tier > 0 else 0
        write = 2 if present[1] else 0
        sample = TokenUsage(
            input_tokens=max(size, 3 + write),
            output_tokens=2,
            cache_read_tokens=1 if present[0] else 0,
            cache_write_tokens=write,
            cache_write_1h_tokens=1 if present[2] else 0,
            reasoning_tokens=1 if present[3] else 0,
        )
        found = cost(price, sample, batch=batch).notes
        if found:
            self.notes.setdefault(model, set()).update(found)

    def cell(self, price: ModelPrice, batch: bool, tier: int, tokens: TokenUsage) -> CellCost:
        """Exact cost of summed ``tokens`` that all paid ``tier``'s rates.

        With rates that are whole multiples of 1e-12 USD per MTok (every bundled price), the
        sums are Python integers in 1e-18 USD, turned into one Decimal at the end: exact and
        fast. Other rates take the Decimal path (60 significant digits)."""
        t = self._tier(price, batch, tier)
        uncached = tokens.input_tokens - tokens.cache_read_tokens - tokens.cache_write_tokens
        write_5m = tokens.cache_write_tokens - tokens.cache_write_1h_tokens
        counts = (
            uncached,
            tokens.cache_read_tokens,
            write_5m,
            tokens.cache_write_1h_tokens,
            tokens.output_tokens - tokens.reasoning_tokens,
            tokens.reasoning_tokens,
        )
        if t.exact:
            u = t.units
            total = sum(n * rate for n, rate in zip(counts, u, strict=True))
            savings = tokens.cache_read_tokens * (u[0] - u[1])
            premium = write_5m * (u[2] - u[0]) + tokens.cache_write_1h_tokens * (u[3] - u[0])
            return CellCost(units_to_usd(total), units_to_usd(savings), units_to_usd(premium))
        rates = _in_order(t.rates)
        exact_total = Decimal(0)
        for n, rate in zip(counts, rates, strict=True):
            exact_total = EXACT.add(exact_total, _times(n, rate))
        savings_d = _times(tokens.cache_read_tokens, EXACT.subtract(rates[0], rates[1]))
        premium_d = EXACT.add(
            _times(write_5m, EXACT.subtract(rates[2], rates[0])),
            _times(tokens.cache_write_1h_tokens, EXACT.subtract(rates[3], rates[0])),
        )
        return CellCost(exact_total, savings_d, premium_d)

    def rate_units(self, price: ModelPrice, batch: bool, tier: int) -> tuple[tuple[int, ...], bool]:
        """Integer rates (per MTok x 1e12) for per-request costs in SQL, and whether exact:
        (input, cache read, 5-minute write, 1-hour write, output, reasoning)."""
        t = self._tier(price, batch, tier)
        return t.units, t.exact


def units_to_usd(units: int) -> Decimal:
    """An amount in 1e-18 USD units as exact dollars."""
    return Decimal(units).scaleb(COST_UNIT_EXP, EXACT)
