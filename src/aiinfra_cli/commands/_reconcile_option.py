"""``cost-report --reconcile``: attach the comparison with the pulled bill to the report, and
``--fail-under-coverage`` as a CI gate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli.config import Config
from aiinfra_cli.errors import UsageError
from aiinfra_cli.report import CostReport

if TYPE_CHECKING:
    from aiinfra_cli.usage import UsageEvent


def attach(
    document: CostReport, root: Path, logs: Sequence[str], config: Config | None
) -> CostReport:
    """``document`` with its ``reconciliation`` section, over the report's own period."""
    from aiinfra_cli.billing import BillingError, read_buckets, reconcile
    from aiinfra_cli.pricing import load_price_table, overrides_from_config
    from aiinfra_cli.report import reconciliation_section
    from aiinfra_cli.usage import read_events

    buckets, problems = read_buckets(root)
    if problems:
        raise BillingError(problems[0], hint="fix or delete that line, or pull again")
    if not buckets:
        raise UsageError(
            "--reconcile: no pulled bill under .multiagent/billing/",
            hint="run `aiinfra billing pull` first (it needs an admin key)",
        )
    prices = load_price_table()
    if config is not None:
        prices = prices.with_overrides(overrides_from_config(config))
    events = _unique(read_events(list(logs)).events)
    compared = reconcile(
        buckets,
        events,
        prices,
        since=date.fromisoformat(document.period.since),
        until=date.fromisoformat(document.period.until),
    )
    return replace(document, reconciliation=reconciliation_section(compared))


def _unique(events: list[UsageEvent]) -> list[UsageEvent]:
    """The events without repeats of an ``event_id`` (a resent or re-shipped line)."""
    seen: set[str] = set()
    kept = []
    for event in events:
        if event.event_id is not None:
            if event.event_id in seen:
                continue
            seen.add(event.event_id)
        kept.append(event)
    return kept


def below_coverage(document: CostReport, threshold: float | None) -> bool:
    """True (after one warning line) when coverage is under ``threshold`` percent."""
    recon = document.reconciliation
    if threshold is None or recon is None:
        return False
    coverage = recon.coverage_pct
    if coverage is not None and coverage >= threshold:
        return False
    shown = "n/a (nothing billed)" if coverage is None else f"{coverage:.1f} %"
    output.warn(f"coverage {shown} is under {threshold:g} % (--fail-under-coverage)")
    return coverage is not None
