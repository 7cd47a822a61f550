"""The providers' bill for the demo's sample month, as ``aiinfra billing pull`` would store it.

The bill is derived from the same sample traffic the demo logs (:mod:`aiinfra_cli.demo`),
priced by the price engine at list price, plus what no tracker saw: a nightly batch job that
calls Anthropic directly with its own key, in its own workspace. So ``cost-report --reconcile``
on the demo shows coverage under 100 % and names that key as dark spend.

Usage buckets are day × model × API key × workspace × token category (the usage endpoints'
grouping); cost buckets are day × model × workspace × token category (the cost endpoints carry
no key). Deterministic: same events and days, same bytes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiinfra_cli.billing import (
    ANTHROPIC_COST,
    ANTHROPIC_USAGE,
    OPENAI_COST,
    OPENAI_USAGE,
    Bucket,
    Category,
    Provider,
    event_categories,
    replace_range,
)
from aiinfra_cli.pricing import CostBreakdown, PriceTable, load_price_table
from aiinfra_cli.usage import UsageEvent, parse_event

# The job the tracker never saw: a script on its own key, in its own workspace.
DARK_KEY_ID = "apikey_01NightlyBatchJob"
DARK_WORKSPACE = "wrkspc_batch_jobs"
DARK_MODEL = "claude-haiku-4-5"

_ENDPOINTS: dict[Provider, tuple[str, str]] = {
    "anthropic": (ANTHROPIC_USAGE, ANTHROPIC_COST),
    "openai": (OPENAI_USAGE, OPENAI_COST),
}
# A cost line item per category, as each provider's cost endpoint words it.
_ANTHROPIC_ITEMS: dict[Category, str] = {
    "uncached_input": "input_tokens",
    "cache_read": "cache_read_input_tokens",
    "cache_write_5m": "cache_creation.ephemeral_5m_input_tokens",
    "cache_write_1h": "cache_creation.ephemeral_1h_input_tokens",
    "output": "output_tokens",
}
_OPENAI_ITEMS: dict[Category, str] = {
    "uncached_input": "input",
    "cache_read": "cached input",
    "output": "output",
}

# (day, model, key id, workspace, category) → tokens; (day, model, workspace, category) → USD
_UsageKey = tuple[str, str, str, str, Category]
_CostKey = tuple[str, str, str, Category]


@dataclass
class _Tally:
    tokens: dict[_UsageKey, int]
    dollars: dict[_CostKey, Decimal]

    def add(
        self,
        day: str,
        model: str,
        key: tuple[str, str],
        event: UsageEvent,
        parts: Mapping[Category, Decimal],
    ) -> None:
        key_id, workspace = key
        for category, count in event_categories(event).items():
            if count:
                self.tokens[(day, model, key_id, workspace, category)] += count
                self.dollars[(day, model, workspace, category)] += parts[category]


def _parts(breakdown: CostBreakdown) -> dict[Category, Decimal]:
    return {
        "uncached_input": breakdown.input,
        "cache_read": breakdown.cache_read,
        "cache_write_5m": breakdown.cache_write,
        "cache_write_1h": breakdown.cache_write_1h,
        "output": breakdown.output,
    }


def _dark_job(day: date, rng: random.Random) -> dict[str, Any] | None:
    """The nightly batch job's usage on ``day`` (weeknights only), as a usage-event object."""
    if day.weekday() >= 5:
        return None
    moment = datetime.combine(day, time(2, 0), tzinfo=timezone.utc)
    return {
        "schema_version": 1,
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "provider": "anthropic",
        "request_model": DARK_MODEL,
        "input_tokens": rng.randint(220_000, 300_000),
        "output_tokens": rng.randint(16_000, 24_000),
        "status": "ok",
        "key_id": DARK_KEY_ID,
        "workspace": DARK_WORKSPACE,
    }


def sample_bill(
    events: Iterable[dict[str, Any]], prices: PriceTable, *, first: date, last: date, seed: int = 11
) -> dict[Provider, list[Bucket]]:
    """The bill of ``[first, last]`` (whole UTC days) for the sample ``events`` on the providers
    that publish one, with the dark batch job added; each provider's buckets in file order."""
    tallies: dict[str, _Tally] = {
        p: _Tally(defaultdict(int), defaultdict(Decimal)) for p in _ENDPOINTS
    }
    rng = random.Random(seed)
    dark = [_dark_job(first + timedelta(days=n), rng) for n in range((last - first).days + 1)]
    for obj in [*events, *(job for job in dark if job is not None)]:
        event = parse_event(obj)
        day = event.timestamp.astimezone(timezone.utc).date()
        tally = tallies.get(event.provider)
        if tally is None or not first <= day <= last or event.key_id is None:
            continue
        breakdown = prices.cost_of(event.model, event.token_usage(), provider=event.provider)
        if breakdown is None:
            continue
        price = prices.lookup(event.model, event.provider)
        model = price.key if price is not None else event.model
        key = (event.key_id, event.workspace or "")
        tally.add(day.isoformat(), model, key, event, _parts(breakdown))
    return {p: list(_buckets(p, tallies[p])) for p in _ENDPOINTS}


def _buckets(provider: Provider, tally: _Tally) -> Iterator[Bucket]:
    usage, cost = _ENDPOINTS[provider]
    items = _ANTHROPIC_ITEMS if provider == "anthropic" else _OPENAI_ITEMS
    for (day, model, key_id, workspace, category), tokens in sorted(tally.tokens.items()):
        start, end = _bounds(day)
        yield Bucket(
            provider=provider,
            kind="usage",
            endpoint=usage,
            start=start,
            end=end,
            model=model,
            key_id=key_id,
            workspace=workspace,
            service_tier="standard",
            category=category,
            tokens=tokens,
        )
    for (day, model, workspace, category), usd in sorted(tally.dollars.items()):
        start, end = _bounds(day)
        item = items.get(category, category)
        yield Bucket(
            provider=provider,
            kind="cost",
            endpoint=cost,
            start=start,
            end=end,
            model=model,
            workspace=workspace,
            line_item=f"{model} usage - {item}" if provider == "anthropic" else f"{model}, {item}",
            category=category,
            billed_usd=usd,
        )


def _bounds(day: str) -> tuple[datetime, datetime]:
    start = datetime.combine(date.fromisoformat(day), time(), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def write_sample_bill(
    root: Path, events: Iterable[dict[str, Any]], *, first: date, last: date
) -> None:
    """Store the sample bill of ``[first, last]`` under ``root``'s ``.multiagent/billing/``,
    as ``aiinfra billing pull`` does (the providers price at list price, without the config)."""
    start, end = _bounds(first.isoformat())[0], _bounds(last.isoformat())[1]
    for provider, buckets in sample_bill(
        events, load_price_table(), first=first, last=last
    ).items():
        replace_range(root, provider, start, end, buckets)
