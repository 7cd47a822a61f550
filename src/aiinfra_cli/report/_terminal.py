"""The Rich terminal summary of a report: one small function per part, in :data:`PARTS` order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiinfra_cli.report._document import BudgetStatus, CostReport
from aiinfra_cli.report._format import (
    compact,
    count,
    money,
    percent,
    signed_money,
    signed_percent,
    source,
)

if TYPE_CHECKING:
    from rich.console import Console

_STATUS_STYLE: dict[BudgetStatus, str] = {"ok": "green", "alert": "yellow", "exceeded": "bold red"}
_MAX_REJECTS = 10
_MODEL_COLUMNS = (
    ("model", "left"),
    ("requests", "right"),
    ("input", "right"),
    ("output", "right"),
    ("cost", "right"),
    ("share", "right"),
)


def _headline(console: Console, doc: CostReport, top: int) -> None:
    p, t = doc.period, doc.totals
    prev, cache = doc.previous_period, doc.cache
    pcts, err, fc = doc.cost_per_successful_request, doc.errors_and_retries, doc.forecast
    unpriced = f", {count(t.unpriced_requests)} unpriced" if t.unpriced_requests else ""
    console.print(
        f"total [bold]{money(t.cost_usd)}[/bold] over {count(t.requests)} requests"
        f"{unpriced}; {signed_percent(prev.change_pct)} vs the previous {p.days} days"
        f" ({signed_money(prev.change_usd)})"
    )
    console.print(
        f"cache hit rate {percent(cache.hit_rate_pct)}, net saving"
        f" {money(cache.net_savings_usd)}; per successful request p50 {money(pcts.p50_usd)}"
        f" p95 {money(pcts.p95_usd)} p99 {money(pcts.p99_usd)}"
    )
    console.print(
        f"errors/retries/fallbacks {money(err.cost_usd)} ({percent(err.share_pct)});"
        f" forecast {fc.month} {money(fc.forecast_usd)}"
        f" (to date {money(fc.month_to_date_usd)})"
    )


def _models(console: Console, doc: CostReport, top: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=None, box=None, pad_edge=False, header_style="bold")
    for name, justify in _MODEL_COLUMNS:
        text = justify == "left"
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            overflow="fold" if text else "ellipsis",
            no_wrap=not text,
        )
    models = doc.by_model
    for row in models[:top]:
        table.add_row(
            escape(row.model),
            count(row.requests),
            compact(row.tokens.input_tokens),
            compact(row.tokens.output_tokens),
            money(row.cost_usd) if row.priced else "unpriced",
            percent(row.share_pct),
        )
    if len(models) > top:
        table.add_row(f"… {len(models) - top} more", "", "", "", "", "")
    console.print(table)


def _budgets(console: Console, doc: CostReport, top: int) -> None:
    from rich.markup import escape

    for budget in doc.budgets:
        style = _STATUS_STYLE[budget.status]
        tier = f" (over {budget.tier_reached_pct} %)" if budget.status == "alert" else ""
        console.print(
            f"budget {escape(budget.name)} ({budget.scope}): {money(budget.spent_usd)}"
            f" of {money(budget.limit_usd)} = {percent(budget.used_pct)}"
            f" [{style}]{budget.status}{tier}[/{style}]"
        )


def _anomalies(console: Console, doc: CostReport, top: int) -> None:
    for anomaly in doc.anomalies.days:
        console.print(
            f"[yellow]anomaly[/yellow] {anomaly.date}: {money(anomaly.cost_usd)} vs baseline"
            f" {money(anomaly.baseline_usd)} ({signed_percent(anomaly.change_pct)},"
            f" {anomaly.direction})"
        )


def _unpriced(console: Console, doc: CostReport, top: int) -> None:
    from rich.markup import escape

    for item in doc.unpriced:
        console.print(
            f"[yellow]unpriced[/yellow] {escape(item.model)} ({escape(item.provider)}):"
            f" {count(item.requests)} requests, {count(item.tokens.input_tokens)} input /"
            f" {count(item.tokens.output_tokens)} output tokens — no price known, not counted"
            " as $0"
        )


def _rejects(console: Console, doc: CostReport, top: int) -> None:
    from rich.markup import escape

    rejected = doc.rejected
    if rejected.count:
        console.print(f"[yellow]rejected[/yellow] {count(rejected.count)} line(s)/file(s):")
        for r in rejected.examples[:_MAX_REJECTS]:
            where = f"{r.file}:{r.line}" if r.line else r.file
            console.print(f"  {escape(where)}: {escape(r.reason)}")
        if rejected.count > _MAX_REJECTS:
            console.print(f"  … {count(rejected.count - _MAX_REJECTS)} more in the report")
    for item in rejected.unknown_fields:
        console.print(
            f"[yellow]unknown field[/yellow] {escape(item.field)} in {count(item.count)}"
            f" event(s), first at {escape(item.file)}:{item.line}"
        )


def _no_usage(console: Console, doc: CostReport, top: int) -> None:
    from rich.markup import escape

    p = doc.period
    console.print(f"no usage between {p.since} and {p.until} ({escape(p.tz)})")


Part = Callable[["Console", CostReport, int], None]
PARTS: tuple[Part, ...] = (_headline, _models, _budgets, _anomalies, _unpriced, _rejects)
EMPTY_PARTS: tuple[Part, ...] = (_no_usage, _rejects)


def render_terminal(console: Console, doc: CostReport, *, top: int) -> None:
    """Print the headline figures, the model table, budgets, anomalies, unpriced and rejects."""
    from rich.markup import escape

    p = doc.period
    console.print(
        f"[bold]AI cost report[/bold] {p.since} → {p.until} ({escape(p.tz)}),"
        f" {escape(source(doc.sources))}"
    )
    for part in PARTS if doc.totals.requests else EMPTY_PARTS:
        part(console, doc, top)
