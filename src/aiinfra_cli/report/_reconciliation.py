"""The ``reconciliation`` section: the billing engine's comparison as the report's typed rows,
and its Markdown (a summary, a daily chart of billed against tracked, the tables)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from aiinfra_cli.report._document import (
    CostReport,
    Reconciliation,
    ReconDay,
    ReconKey,
    ReconModel,
    ReconTokens,
    ReconWorkspace,
)
from aiinfra_cli.report._format import count, money, percent

if TYPE_CHECKING:  # the billing engine (HTTP clients and all) only when reconciling
    from aiinfra_cli.billing import CellFigures
    from aiinfra_cli.billing import Reconciliation as Compared


def _usd(value: Decimal) -> str:
    return format(value, "f")


def _money(cell: CellFigures) -> dict[str, str]:
    """A cell's four amounts, as the row dataclasses name them."""
    return {
        "billed_usd": _usd(cell.billed_usd),
        "tracked_usd": _usd(cell.tracked_usd),
        "untracked_usd": _usd(cell.untracked_usd),
        "over_tracked_usd": _usd(cell.over_tracked_usd),
    }


def section(compared: Compared) -> Reconciliation:
    """``compared`` (from :func:`aiinfra_cli.billing.reconcile`) as the report's section."""
    dark = compared.dark_keys
    return Reconciliation(
        since=compared.first_day,
        until=compared.last_day,
        providers=compared.providers,
        billed_usd=_usd(compared.billed_usd),
        tracked_usd=_usd(compared.tracked_usd),
        coverage_pct=compared.coverage_pct,
        untracked_usd=_usd(compared.untracked_usd),
        over_tracked_usd=_usd(compared.over_tracked_usd),
        estimated_usd=_usd(compared.estimated_usd),
        partial_days=compared.partial_days,
        by_day=tuple(ReconDay(date=c.key[0], **_money(c)) for c in compared.by_day),
        by_model=tuple(
            ReconModel(provider=c.key[0], model=c.key[1], **_money(c)) for c in compared.by_model
        ),
        by_workspace=tuple(
            ReconWorkspace(
                provider=c.key[0],
                workspace=c.key[1],
                billed_usd=_usd(c.billed_usd),
                tracked_usd=_usd(c.tracked_usd),
            )
            for c in compared.by_workspace
        ),
        by_api_key=tuple(
            ReconKey(
                provider=k.provider,
                key_id=k.key_id,
                workspace=k.workspace,
                billed_tokens=k.billed_tokens,
                billed_at_list_usd=_usd(k.billed_at_list_usd),
                tracked_calls=k.tracked_calls,
                tracked_usd=_usd(k.tracked_usd),
                dark=k in dark,
            )
            for k in compared.by_key
        ),
        tokens=tuple(
            ReconTokens(
                provider=t.provider,
                category=t.category,
                billed_tokens=t.billed_tokens,
                tracked_tokens=t.tracked_tokens,
                difference=t.tracked_tokens - t.billed_tokens,
            )
            for t in compared.tokens
        ),
        dark_spend=tuple(
            f"{money(_usd(k.billed_at_list_usd))} billed (at list price) to key `{k.key_id}`"
            + (f" (workspace `{k.workspace}`)" if k.workspace else "")
            + " that no tracked call used"
            for k in dark
        ),
    )


def markdown(doc: CostReport) -> list[str]:
    """The section's Markdown (nothing when the report has no reconciliation)."""
    r = doc.reconciliation
    if r is None:
        return []
    coverage = percent(r.coverage_pct) if r.coverage_pct is not None else "n/a"
    out = [
        "## Billed vs tracked",
        "",
        f"The providers' own bill ({', '.join(r.providers) or 'none pulled'}) for {r.since} to"
        f" {r.until}, against what the tracker recorded.",
        "",
        "| billed | tracked | coverage | untracked | over-tracked | estimated usage |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {money(r.billed_usd)} | {money(r.tracked_usd)} | {coverage} |"
        f" {money(r.untracked_usd)} | {money(r.over_tracked_usd)} | {money(r.estimated_usd)} |",
        "",
    ]
    if r.partial_days:
        out += [f"Partial (still open) days: {', '.join(r.partial_days)}.", ""]
    out += [f"- {line}" for line in r.dark_spend]
    out += [""] if r.dark_spend else []
    out += _chart(r)
    out += ["### By model", "", "| provider | model | billed | tracked | untracked | over |"]
    out += ["| --- | --- | ---: | ---: | ---: | ---: |"]
    out += [
        f"| {m.provider} | {m.model} | {money(m.billed_usd)} | {money(m.tracked_usd)} |"
        f" {money(m.untracked_usd)} | {money(m.over_tracked_usd)} |"
        for m in r.by_model
    ]
    out += ["", "### By API key", "", "| provider | key | workspace | billed tokens |"]
    out[-1] += " at list price | tracked calls | tracked |"
    out += ["| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    out += [
        f"| {k.provider} | `{k.key_id}`{' (dark)' if k.dark else ''} | {k.workspace or ''} |"
        f" {count(k.billed_tokens)} | {money(k.billed_at_list_usd)} | {count(k.tracked_calls)} |"
        f" {money(k.tracked_usd)} |"
        for k in r.by_api_key
    ]
    out += ["", "### Tokens by category", "", "| provider | category | billed | tracked | diff |"]
    out += ["| --- | --- | ---: | ---: | ---: |"]
    out += [
        f"| {t.provider} | {t.category} | {count(t.billed_tokens)} | {count(t.tracked_tokens)} |"
        f" {t.difference:+,} |"
        for t in r.tokens
    ]
    return [*out, ""]


def _chart(r: Reconciliation) -> list[str]:
    if not r.by_day:
        return []
    billed = [Decimal(d.billed_usd) for d in r.by_day]
    tracked = [Decimal(d.tracked_usd) for d in r.by_day]
    top = max([*billed, *tracked, Decimal(0)])
    if top <= 0:
        return []
    ceiling = format((top * Decimal("1.1")).quantize(Decimal("0.01")), "f")
    labels = ", ".join(f'"{d.date[5:]}"' for d in r.by_day)

    def values(series: list[Decimal]) -> str:
        return ", ".join(format(v.quantize(Decimal("0.01")), "f") for v in series)

    return [
        "```mermaid",
        "xychart-beta",
        '    title "Billed (bars) vs tracked (line), USD"',
        f"    x-axis [{labels}]",
        f'    y-axis "USD" 0 --> {ceiling}',
        f"    bar [{values(billed)}]",
        f"    line [{values(tracked)}]",
        "```",
        "",
    ]
