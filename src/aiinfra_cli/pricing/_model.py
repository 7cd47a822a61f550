"""The price-table entry types, and how they are spelled in ``prices.json``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from decimal import Decimal

from aiinfra_cli._rates import PRICE_KEYS

# prices.json spells rates short (one model per line stays readable); the dataclasses spell them
# as the config does (``input_per_mtok``), so a config override is a plain field replacement.
JSON_RATES: dict[str, str] = {
    "input": "input_per_mtok",
    "output": "output_per_mtok",
    "cache_read": "cache_read_per_mtok",
    "cache_write": "cache_write_per_mtok",
    "cache_write_1h": "cache_write_1h_per_mtok",
    "reasoning": "reasoning_per_mtok",
    "batch_input": "batch_input_per_mtok",
    "batch_output": "batch_output_per_mtok",
    "batch_cache_read": "batch_cache_read_per_mtok",
    "batch_cache_write": "batch_cache_write_per_mtok",
}
RATE_FIELDS: tuple[str, ...] = tuple(JSON_RATES.values())


@dataclass(frozen=True)
class _Rates:
    """USD per million tokens, one field per :data:`RATE_FIELDS` name (None: not in the table);
    keyword-only, so the entries that carry them keep their own positional fields first."""

    _: KW_ONLY
    input_per_mtok: Decimal | None = None
    output_per_mtok: Decimal | None = None
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None
    cache_write_1h_per_mtok: Decimal | None = None
    reasoning_per_mtok: Decimal | None = None
    batch_input_per_mtok: Decimal | None = None
    batch_output_per_mtok: Decimal | None = None
    batch_cache_read_per_mtok: Decimal | None = None
    batch_cache_write_per_mtok: Decimal | None = None


@dataclass(frozen=True)
class LongContextTier(_Rates):
    """Rates for a whole request whose input exceeds ``above_tokens`` (None: not in the table)."""

    above_tokens: int

    @property
    def label(self) -> str:
        """``"above_200k"`` for a 200,000-token threshold."""
        n = self.above_tokens
        return f"above_{n // 1000}k" if n % 1000 == 0 else f"above_{n}"


@dataclass(frozen=True)
class ModelPrice(_Rates):
    """One model's prices in USD per million tokens; None where the table has no such rate.

    ``key`` is the table key the model resolved to; ``source`` says where the prices come from
    (table and LiteLLM version, or a config override). ``vendor`` is the model's maker
    (``"anthropic"`` for Claude wherever it is hosted), which decides the published fallback
    rules for rates the table lacks (see ``docs/pricing.md``).
    """

    key: str
    provider: str
    mode: str
    long_context: tuple[LongContextTier, ...] = ()
    context_window: int | None = None
    max_output_tokens: int | None = None
    deprecation_date: str | None = None
    retired: bool = False
    source: str = ""
    vendor: str = ""

    def tier_for(self, input_tokens: int) -> LongContextTier | None:
        """The long-context tier a request with ``input_tokens`` of input falls in, if any."""
        chosen = None
        for tier in self.long_context:  # sorted by threshold, ascending
            if input_tokens > tier.above_tokens:
                chosen = tier
        return chosen


# The config file names the rates a user may override; the price engine takes the same names.
OVERRIDE_RATES: tuple[str, ...] = PRICE_KEYS


@dataclass(frozen=True)
class PriceOverride:
    """How one alias is priced, independent of where the override was written.

    ``price_as``: a table model to price as (must resolve). ``model``: the provider's model
    name, the starting point when ``price_as`` is not given (may be unknown to the table).
    ``rates``: USD per MTok keyed by :data:`OVERRIDE_RATES`. Naming ``input_per_mtok`` or
    ``output_per_mtok`` defines the price afresh (other rates follow the fallback rules unless
    also named); naming only other rates patches the table entry. ``origin`` names the source
    for messages, e.g. ``"config/ai-models.yaml: model 'smart'"``.
    """

    price_as: str | None = None
    model: str | None = None
    provider: str | None = None
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    origin: str = "config"
