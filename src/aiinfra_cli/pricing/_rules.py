"""The published rules for the cache rates a price leaves out, as data.

One definition: the price engine applies them (``_cost.py``), and ``aiinfra init`` renders
them into the generated cost tracker, which derives the rates of a config ``pricing:``
override the same way when it loads (a parity test keeps the two equal).

* Claude (any platform): cache read 0.1x, five-minute write 1.25x, one-hour write 2x the
  input price.
* Everyone else: a cache read or write without its own price costs plain input (OpenAI and
  Gemini charge no write surcharge); a one-hour write costs what a write costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CacheRule:
    """Multipliers of the input price for the cache rates a price lacks.

    ``cache_write_1h`` None: a one-hour write costs what a five-minute write costs.
    ``name`` says whose rule it is, in the notes of a cost breakdown.
    """

    name: str
    cache_read: Decimal
    cache_write: Decimal
    cache_write_1h: Decimal | None


PLAIN_INPUT = CacheRule("no cache price, priced as plain input", Decimal(1), Decimal(1), None)
# By the model's maker (see ``vendor_of``); a maker not listed follows PLAIN_INPUT.
CACHE_RULES: Mapping[str, CacheRule] = {
    "anthropic": CacheRule(
        "Anthropic's published rule", Decimal("0.1"), Decimal("1.25"), Decimal(2)
    ),
}
# Who made a model, first match wins: (maker, substrings of the lowered model name,
# providers). Claude is Anthropic's wherever it is hosted.
VENDOR_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("anthropic", ("claude",), ("anthropic", "vertex_ai-anthropic_models")),
    ("openai", ("gpt-",), ("openai", "azure")),
    ("google", ("gemini",), ()),
)


def vendor_of(key: str, provider: str) -> str:
    """Who made the model: ``"anthropic"`` for Claude on any platform, else by
    :data:`VENDOR_RULES`, else the provider."""
    lowered = key.lower()
    for vendor, names, providers in VENDOR_RULES:
        if provider in providers or any(name in lowered for name in names):
            return vendor
    return provider


def cache_rule(vendor: str) -> CacheRule:
    """The rule for the cache rates of a model made by ``vendor``."""
    return CACHE_RULES.get(vendor, PLAIN_INPUT)
