"""Pricing a call site's max-tokens and prompt-cache changes over its observed calls.

Each figure is what the logged calls would have cost under the change, exactly (each call
repriced by the price engine, long-context tiers included), or "not priced" with the reason
when the log cannot show it:

* a lower ``max_tokens`` only saves on calls that wrote more than the new cap: their output
  above it is repriced away; a higher or removed cap changes nothing for calls that stopped
  short of the old one, and cannot be priced for calls that hit it (how long they would have
  run is not in the log);
* a removed prompt cache reprices the observed cache reads and writes as plain input; an
  added one depends on how often calls will repeat the prefix within the cache's lifetime,
  which a log of uncached calls does not show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiinfra_cli.pricing import PriceTable
    from aiinfra_cli.usage import UsageEvent

NO_CALLS = "not priced (needs each call's tokens: pass --usage-logs)"


@dataclass(frozen=True)
class Repriced:
    """One change's line for people, and its dollars over the window (None: not priced)."""

    detail: str
    window_usd: Decimal | None = None


@dataclass(frozen=True)
class Target:
    """Where the calls go after the change: the site's model and provider (None: as
    logged)."""

    model: str | None = None
    provider: str | None = None


def _cost_delta(
    table: PriceTable, event: UsageEvent, target: Target, output: int | None = None
) -> Decimal | None:
    """What ``event`` costs at ``target`` with its output cut to ``output``, minus what it
    costs as logged; or, with ``output`` None, without its cache."""
    from aiinfra_cli.pricing import cost

    if target.model is None:
        price = table.lookup(event.model, event.provider)
    else:
        price = table.lookup(target.model, target.provider)
    if price is None or price.input_per_mtok is None or price.output_per_mtok is None:
        return None
    usage = event.token_usage()
    if output is not None:
        changed = replace(
            usage,
            output_tokens=output,
            reasoning_tokens=min(usage.reasoning_tokens, output),
        )
    else:
        changed = replace(usage, cache_read_tokens=0, cache_write_tokens=0, cache_write_1h_tokens=0)
    return cost(price, changed).total - cost(price, usage).total


def max_tokens(
    old: int | None,
    new: int | None,
    calls: list[UsageEvent] | None,
    table: PriceTable,
    target: Target,
) -> Repriced:
    """``max_tokens old → new`` over the observed ``calls`` (priced at ``target``)."""
    what = f"max_tokens {old} → {new}"
    if calls is None:
        return Repriced(f"{what}: {NO_CALLS}")
    if new is None or (old is not None and new > old):
        hit = sum(1 for c in calls if old is not None and c.output_tokens >= old)
        if not hit:
            return Repriced(f"{what}: $0 (no observed call reached the old cap)", Decimal(0))
        return Repriced(
            f"{what}: not priced ({hit} of {len(calls)} calls stopped at the old cap of"
            f" {old}: how long they would have run is not in the log)"
        )
    over = [c for c in calls if c.output_tokens > new]
    total = Decimal(0)
    for call in over:
        delta = _cost_delta(table, call, target, new)
        if delta is None:
            unknown = target.model or call.model
            return Repriced(f"{what}: not priced ({unknown} is not in the price table)")
        total += delta
    return Repriced(
        f"{what}: {len(over)} of {len(calls)} calls wrote more than {new} output tokens"
        " (their output above the cap repriced)",
        total,
    )


def prompt_cache(added: bool, calls: list[UsageEvent] | None, table: PriceTable) -> Repriced:
    """A prompt cache added or removed, over the observed ``calls``."""
    if added:
        return Repriced(
            "prompt cache added: not priced (the saving depends on how often calls repeat the"
            " prefix within the cache's lifetime, which uncached calls do not show)"
        )
    what = "prompt cache removed"
    if calls is None:
        return Repriced(f"{what}: {NO_CALLS}")
    cached = [c for c in calls if c.cache_read_tokens or c.cache_write_tokens]
    total = Decimal(0)
    for call in cached:
        delta = _cost_delta(table, call, Target())
        if delta is None:
            return Repriced(f"{what}: not priced ({call.model} is not in the price table)")
        total += delta
    read = sum(c.cache_read_tokens for c in cached)
    written = sum(c.cache_write_tokens for c in cached)
    return Repriced(
        f"{what}: {read:,} cache-read and {written:,} cache-write tokens of {len(cached)}"
        f" of {len(calls)} calls repriced as plain input",
        total,
    )
