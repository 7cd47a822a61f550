"""Exact cost of one request: which rates apply (tier, batch, fallback rules) and the Decimal sums.

Rates the table lacks follow the providers' published rules (details in ``docs/pricing.md``):

* Cache rates: the rules of ``_rules.py`` (Claude: read 0.1x, five-minute write 1.25x,
  one-hour write 2x the input price; others: plain input, a one-hour write as a write).
* Long context: when a request's ``input_tokens`` (all input, cache included) exceed a tier's
  threshold, the tier's rates apply to the whole request; a rate the tier lacks is the base rate
  scaled by the tier's input multiplier.
* Batch: the table's batch rates; a part without one gets the entry's batch/input ratio;
  without any batch price, 50% off where the provider publishes that (Anthropic, OpenAI, Azure
  OpenAI, Gemini, Vertex AI), else the standard rate (and a note says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from aiinfra_cli.pricing._model import LongContextTier, ModelPrice
from aiinfra_cli.pricing._money import EXACT, format_usd, tokens_cost
from aiinfra_cli.pricing._resolve import NAMESPACE_OF_PROVIDER, namespace
from aiinfra_cli.pricing._rules import cache_rule
from aiinfra_cli.pricing._tokens import TokenUsage

BATCH_HALF_PRICE = frozenset({"anthropic", "openai", "azure", "gemini", "vertex_ai"})
_HALF = Decimal("0.5")
_ONE = Decimal(1)


@dataclass(frozen=True)
class Rates:
    """The per-MTok rates one request was priced at, after tier, batch and fallback rules."""

    input_per_mtok: Decimal
    output_per_mtok: Decimal
    reasoning_per_mtok: Decimal
    cache_read_per_mtok: Decimal
    cache_write_per_mtok: Decimal
    cache_write_1h_per_mtok: Decimal

    def as_dict(self) -> dict[str, str]:
        """Rates as plain decimal strings, keyed by field name."""
        return {name: format_usd(value) for name, value in vars(self).items()}


@dataclass(frozen=True)
class CostBreakdown:
    """A request's cost in USD, by part. ``input`` is the uncached input only; ``cache_write`` is
    the five-minute writes; ``output`` includes reasoning. ``tier`` is ``"standard"``,
    ``"batch"``, ``"long_context_above_200k"`` or ``"batch+long_context_above_200k"``."""

    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    cache_write_1h: Decimal
    output: Decimal
    total: Decimal
    tier: str
    batch: bool
    long_context_above: int | None
    rates: Rates
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        """The parts and total as plain decimal strings."""
        parts = ("input", "cache_read", "cache_write", "cache_write_1h", "output", "total")
        return {part: format_usd(getattr(self, part)) for part in parts}


def cost(
    price: ModelPrice, usage: TokenUsage, *, batch: bool = False, tier_input: int | None = None
) -> CostBreakdown:
    """Price ``usage`` at ``price``; raises ValueError if the entry has no input or output price.
    ``tier_input``: the input that picks the long-context tier when ``usage`` sums requests of
    one tier (default: ``usage``'s own input)."""
    tier = price.tier_for(usage.input_tokens if tier_input is None else tier_input)
    rates, notes = _rates(price, tier, batch, usage)
    output = usage.output_tokens - usage.reasoning_tokens
    parts = (
        tokens_cost(usage.uncached_input_tokens, rates.input_per_mtok),
        tokens_cost(usage.cache_read_tokens, rates.cache_read_per_mtok),
        tokens_cost(usage.cache_write_5m_tokens, rates.cache_write_per_mtok),
        tokens_cost(usage.cache_write_1h_tokens, rates.cache_write_1h_per_mtok),
        EXACT.add(
            tokens_cost(output, rates.output_per_mtok),
            tokens_cost(usage.reasoning_tokens, rates.reasoning_per_mtok),
        ),
    )
    total = Decimal(0)
    for part in parts:
        total = EXACT.add(total, part)
    labels = (["batch"] if batch else []) + ([f"long_context_{tier.label}"] if tier else [])
    return CostBreakdown(
        *parts,
        total=total,
        tier="+".join(labels) or "standard",
        batch=batch,
        long_context_above=tier.above_tokens if tier else None,
        rates=rates,
        notes=tuple(notes),
    )


def _rates(
    price: ModelPrice, tier: LongContextTier | None, batch: bool, usage: TokenUsage
) -> tuple[Rates, list[str]]:
    if price.input_per_mtok is None or price.output_per_mtok is None:
        raise ValueError(f"{price.key} has no input or output price")
    notes: list[str] = []
    rule = cache_rule(price.vendor)

    def listed(field: str, tokens: int = 0) -> Decimal | None:
        return _standard(price, tier, field, notes, tokens)

    def fallback(factor: Decimal, what: str, tokens: int) -> Decimal:
        if tokens:
            said = f", {format_usd(factor)}x input" if factor != _ONE else ""
            notes.append(f"{what}: {rule.name}{said}")
        return EXACT.multiply(input_rate, factor)

    input_rate = _first(listed("input_per_mtok"), price.input_per_mtok)
    output_rate = _first(listed("output_per_mtok"), price.output_per_mtok)
    read = listed("cache_read_per_mtok", usage.cache_read_tokens)
    if read is None:
        read = fallback(rule.cache_read, "cache reads", usage.cache_read_tokens)
    write = listed("cache_write_per_mtok", usage.cache_write_5m_tokens)
    if write is None:
        write = fallback(rule.cache_write, "5-minute cache writes", usage.cache_write_5m_tokens)
    write_1h = listed("cache_write_1h_per_mtok", usage.cache_write_1h_tokens)
    if write_1h is None:
        # Without a 1-hour multiplier there is no separate 1-hour TTL price: a write is a write.
        write_1h = (
            fallback(rule.cache_write_1h, "1-hour cache writes", usage.cache_write_1h_tokens)
            if rule.cache_write_1h is not None
            else write
        )
    rates = Rates(
        input_per_mtok=input_rate,
        output_per_mtok=output_rate,
        reasoning_per_mtok=_first(listed("reasoning_per_mtok"), output_rate),
        cache_read_per_mtok=read,
        cache_write_per_mtok=write,
        cache_write_1h_per_mtok=write_1h,
    )
    return (_batch(price, tier, rates, notes) if batch else rates), notes


def _first(value: Decimal | None, default: Decimal) -> Decimal:
    return default if value is None else value


def _standard(
    price: ModelPrice, tier: LongContextTier | None, field: str, notes: list[str], tokens: int = 0
) -> Decimal | None:
    """The non-batch rate ``field`` in ``tier``; None when neither tier nor entry has it."""
    base: Decimal | None = getattr(price, field)
    if tier is None:
        return base
    listed: Decimal | None = getattr(tier, field)
    if listed is not None:
        return listed
    scalable = (
        field.startswith("cache_") and tier.input_per_mtok is not None and price.input_per_mtok
    )
    if base is None or not scalable:
        return base
    # Providers scale cache prices with the long-context input price; the table omitted this one.
    assert tier.input_per_mtok is not None and price.input_per_mtok is not None
    multiplier = EXACT.divide(tier.input_per_mtok, price.input_per_mtok)
    if tokens:
        notes.append(
            f"{field}: not listed for {tier.label};"
            f" base rate scaled by {format_usd(multiplier)}x, as input is"
        )
    return EXACT.multiply(base, multiplier)


def _batch(
    price: ModelPrice, tier: LongContextTier | None, rates: Rates, notes: list[str]
) -> Rates:
    source = tier if tier is not None else price
    ratio: Decimal | None = None
    for candidate in (tier, price):
        if (
            candidate is not None
            and candidate.batch_input_per_mtok is not None
            and candidate.input_per_mtok
        ):
            ratio = EXACT.divide(candidate.batch_input_per_mtok, candidate.input_per_mtok)
            break
    if ratio is None:
        family = NAMESPACE_OF_PROVIDER.get(price.provider) or namespace(price.provider)
        if family in BATCH_HALF_PRICE:
            ratio = _HALF
            notes.append(
                "batch: no batch price in the table; the provider's published 50% discount applied"
            )
        else:
            ratio = _ONE
            notes.append("batch: no batch price known for this provider; standard rates applied")

    def pick(explicit: Decimal | None, standard_rate: Decimal) -> Decimal:
        return explicit if explicit is not None else EXACT.multiply(standard_rate, ratio)

    return Rates(
        input_per_mtok=pick(source.batch_input_per_mtok, rates.input_per_mtok),
        output_per_mtok=pick(source.batch_output_per_mtok, rates.output_per_mtok),
        reasoning_per_mtok=pick(None, rates.reasoning_per_mtok),
        cache_read_per_mtok=pick(source.batch_cache_read_per_mtok, rates.cache_read_per_mtok),
        cache_write_per_mtok=pick(source.batch_cache_write_per_mtok, rates.cache_write_per_mtok),
        cache_write_1h_per_mtok=pick(None, rates.cache_write_1h_per_mtok),
    )
