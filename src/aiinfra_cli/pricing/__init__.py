"""The price engine: a bundled, dated price table, model-id resolution and exact Decimal costs.

Public surface::

    load_price_table() -> PriceTable          bundled table merged with the user's copy (memoised)
    PriceTable.lookup(model, provider=None)   -> ModelPrice | None (None: unpriced, never $0)
    PriceTable.suggest(model), .with_overrides(mapping), .cost_of(model, usage), .as_of, .provenance
    overrides_from_config(config) -> {alias: PriceOverride}
    unpriced_routed_models(config) -> [Unpriced]   routed models nothing prices (config validate)
    CACHE_RULES, PLAIN_INPUT, VENDOR_RULES, vendor_of   the published rules for missing cache rates
    TokenUsage, from_anthropic, from_openai_chat, from_openai_responses, from_gemini,
    from_bedrock_converse                      provider usage -> OpenTelemetry GenAI token counts
    cost(price, usage, *, batch=False) -> CostBreakdown
    format_usd(Decimal) -> str                 plain notation for every amount we print
    read_source(path), convert(inputs, as_of=, built_by=), dump_table(document)   price-table build

Nothing here imports Typer, Rich or a provider SDK. Rules and sources: ``docs/pricing.md``.
"""

from __future__ import annotations

from aiinfra_cli.pricing._build import convert, dump_table, read_source
from aiinfra_cli.pricing._cost import CostBreakdown, Rates, cost
from aiinfra_cli.pricing._coverage import Unpriced, unpriced_routed_models
from aiinfra_cli.pricing._load import load_price_table, read_table, user_table_path
from aiinfra_cli.pricing._model import LongContextTier, ModelPrice, PriceOverride
from aiinfra_cli.pricing._money import format_usd
from aiinfra_cli.pricing._normalize import (
    from_anthropic,
    from_bedrock_converse,
    from_gemini,
    from_openai_chat,
    from_openai_responses,
)
from aiinfra_cli.pricing._overrides import overrides_from_config
from aiinfra_cli.pricing._rules import CACHE_RULES, PLAIN_INPUT, VENDOR_RULES, CacheRule, vendor_of
from aiinfra_cli.pricing._table import PriceTable, Provenance, SourceFile
from aiinfra_cli.pricing._tokens import InvalidTokenUsage, TokenUsage

__all__ = [
    "CACHE_RULES",
    "PLAIN_INPUT",
    "VENDOR_RULES",
    "CacheRule",
    "CostBreakdown",
    "InvalidTokenUsage",
    "LongContextTier",
    "ModelPrice",
    "PriceOverride",
    "PriceTable",
    "Provenance",
    "Rates",
    "SourceFile",
    "TokenUsage",
    "Unpriced",
    "convert",
    "cost",
    "dump_table",
    "format_usd",
    "from_anthropic",
    "from_bedrock_converse",
    "from_gemini",
    "from_openai_chat",
    "from_openai_responses",
    "load_price_table",
    "overrides_from_config",
    "read_source",
    "read_table",
    "unpriced_routed_models",
    "user_table_path",
    "vendor_of",
]
