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
    from collections.abc import Iterable

    from aiinfra_cli.pricing import PriceTable, TokenUsage
    from aiinfra_cli.usage import UsageEvent

NO_CALLS = "not priced (no usage logs or team store to read the calls from)"


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


@dataclass(frozen=True)
class Group:
    """Logged calls that reprice alike: one event, or the team store's sum of a site's events
    with one model, provider and long-context tier; their tokens as logged and as changed."""

    model: str
    provider: str
    calls: int
    usage: TokenUsage
    changed: TokenUsage
    tier_input: int  # an input in the calls' long-context tier


@dataclass(frozen=True)
class Calls:
    """A call site's successful calls in the window, as much of them as its changes need:
    ``over``: those that wrote more than the new cap (their output cut to it); ``reached``:
    how many reached the old cap; ``cached``: those with cache tokens (their cache as plain
    input)."""

    total: int
    reached: int
    over: tuple[Group, ...]
    cached: tuple[Group, ...]

    @classmethod
    def of(cls, events: list[UsageEvent], old: int | None, new: int | None) -> Calls:
        """The calls from the events themselves, one group each."""

        def group(event: UsageEvent, changed: TokenUsage) -> Group:
            usage = event.token_usage()
            return Group(event.model, event.provider, 1, usage, changed, event.input_tokens)

        over = tuple(
            group(e, cut(e.token_usage(), new))
            for e in events
            if new is not None and e.output_tokens > new
        )
        cached = tuple(
            group(e, uncached(e.token_usage()))
            for e in events
            if e.cache_read_tokens or e.cache_write_tokens
        )
        reached = sum(1 for e in events if old is not None and e.output_tokens >= old)
        return cls(len(events), reached, over, cached)


def cut(usage: TokenUsage, cap: int) -> TokenUsage:
    """One call's ``usage`` with its output cut to ``cap`` (its reasoning kept within it)."""
    return replace(usage, output_tokens=cap, reasoning_tokens=min(usage.reasoning_tokens, cap))


def uncached(usage: TokenUsage) -> TokenUsage:
    """``usage`` with its cache reads and writes as plain input."""
    return replace(usage, cache_read_tokens=0, cache_write_tokens=0, cache_write_1h_tokens=0)


def _window_delta(
    table: PriceTable, groups: Iterable[Group], target: Target
) -> tuple[Decimal, list[str]]:
    """What the groups cost changed at ``target`` minus as logged; and the models not in the
    price table (the total is meaningless when there are any)."""
    from aiinfra_cli.pricing import cost

    total = Decimal(0)
    unpriced: set[str] = set()
    for group in groups:
        model = target.model or group.model
        price = table.lookup(model, target.provider if target.model else group.provider)
        if price is None or price.input_per_mtok is None or price.output_per_mtok is None:
            unpriced.add(model)
            continue
        after = cost(price, group.changed, tier_input=group.tier_input).total
        total += after - cost(price, group.usage, tier_input=group.tier_input).total
    return total, sorted(unpriced)


def _unpriced(what: str, models: list[str]) -> Repriced:
    verb = "is" if len(models) == 1 else "are"
    return Repriced(f"{what}: not priced ({', '.join(models)} {verb} not in the price table)")


def max_tokens(
    old: int | None,
    new: int | None,
    calls: Calls | None,
    table: PriceTable,
    target: Target,
) -> Repriced:
    """``max_tokens old → new`` over the observed ``calls`` (priced at ``target``)."""
    what = f"max_tokens {old} → {new}"
    if calls is None:
        return Repriced(f"{what}: {NO_CALLS}")
    if new is None or (old is not None and new > old):
        if not calls.reached:
            return Repriced(f"{what}: $0 (no observed call reached the old cap)", Decimal(0))
        return Repriced(
            f"{what}: not priced ({calls.reached} of {calls.total} calls stopped at the old cap"
            f" of {old}: how long they would have run is not in the log)"
        )
    total, unpriced = _window_delta(table, calls.over, target)
    if unpriced:
        return _unpriced(what, unpriced)
    over = sum(g.calls for g in calls.over)
    return Repriced(
        f"{what}: {over} of {calls.total} calls wrote more than {new} output tokens"
        " (their output above the cap repriced)",
        total,
    )


def prompt_cache(added: bool, calls: Calls | None, table: PriceTable) -> Repriced:
    """A prompt cache added or removed, over the observed ``calls``."""
    if added:
        return Repriced(
            "prompt cache added: not priced (the saving depends on how often calls repeat the"
            " prefix within the cache's lifetime, which uncached calls do not show)"
        )
    what = "prompt cache removed"
    if calls is None:
        return Repriced(f"{what}: {NO_CALLS}")
    total, unpriced = _window_delta(table, calls.cached, Target())
    if unpriced:
        return _unpriced(what, unpriced)
    read = sum(g.usage.cache_read_tokens for g in calls.cached)
    written = sum(g.usage.cache_write_tokens for g in calls.cached)
    cached = sum(g.calls for g in calls.cached)
    return Repriced(
        f"{what}: {read:,} cache-read and {written:,} cache-write tokens of {cached}"
        f" of {calls.total} calls repriced as plain input",
        total,
    )
