"""cost-diff output: text, JSON, and Markdown for a pull-request comment (totals first)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiinfra_cli.costdiff._model import Change, CostDiff

# Hidden in the Markdown: how the GitHub step finds its own comment to update in place.
COMMENT_MARKER = "<!-- aiinfra-cost-diff -->"


def _usd(amount: Decimal | None, *, signed: bool = True) -> str:
    from aiinfra_cli.pricing import format_usd

    if amount is None:
        return "—"
    sign = "+" if signed and amount > 0 else "-" if amount < 0 else ""
    return f"{sign}${format_usd(abs(amount))}"


def _monthly(change: Change) -> str:
    if change.monthly_usd is not None:
        return f"{_usd(change.monthly_usd)}/month"
    return change.note or "—"


def headline(diff: CostDiff) -> str:
    """``+$1,240/month against merge base with main (abc1234)``."""
    priced = sum(1 for c in diff.changes if c.monthly_usd is not None)
    return (
        f"{_usd(diff.total)}/month over {len(diff.changes)} change(s), {priced} priced on real"
        f" traffic; base {diff.base[:12]} ({diff.base_label})"
    )


def _gate(diff: CostDiff) -> str | None:
    if diff.max_monthly_delta is None:
        return None
    verdict = "over" if diff.over_gate else "within"
    return f"{verdict} the gate of {_usd(diff.max_monthly_delta, signed=False)}/month"


def render_text(diff: CostDiff) -> str:
    lines = [headline(diff)]
    gate = _gate(diff)
    if gate:
        lines.append(gate)
    for change in diff.changes:
        text = f"{change.kind:8} {change.where}: {change.subject} — {_monthly(change)}"
        if change.per_call_usd is not None:
            text += f" ({_usd(change.per_call_usd)}/call)"
        if change.traffic is not None:
            text += f"; {change.traffic.describe()}"
        if change.details:
            text += f"; {', '.join(change.details)}"
        lines.append(text)
    if not diff.changes:
        lines.append("no LLM call site or route changed")
    return "\n".join(lines) + "\n"


def render_json(diff: CostDiff) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "base": diff.base,
        "base_label": diff.base_label,
        "window_days": diff.window_days,
        "usage_events": diff.events,
        "total_monthly_usd": format(diff.total, "f"),
        "max_monthly_delta_usd": None
        if diff.max_monthly_delta is None
        else format(diff.max_monthly_delta, "f"),
        "over_gate": diff.over_gate,
        "changes": [c.to_json() for c in diff.changes],
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: CostDiff) -> str:
    lines = [
        COMMENT_MARKER,
        f"### aiinfra cost-diff: {_usd(diff.total)}/month",
        "",
        f"{headline(diff)}. Usage: the last {diff.window_days} days ({diff.events:,} events).",
    ]
    gate = _gate(diff)
    if gate:
        lines.append(f"**{gate}**")
    lines.append("")
    if not diff.changes:
        lines.append("No LLM call site or route changed.")
        return "\n".join(lines) + "\n"
    lines += ["| Change | Where | Monthly | Per call | Traffic |", "|---|---|---|---|---|"]
    for change in diff.changes:
        subject = change.subject + (f" ({', '.join(change.details)})" if change.details else "")
        traffic = _cell(change.traffic.describe()) if change.traffic else "—"
        cells = [
            f"{change.kind}: {_cell(subject)}",
            f"`{_cell(change.where)}`",
            _cell(_monthly(change)),
            _usd(change.per_call_usd),
            traffic,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
