"""The agent's outcome for people: a Markdown "Recommendations" section and a terminal view
(for ``init``: the proposed routes).

Everything the model wrote is treated as untrusted text: redacted, and escaped for the medium
(Markdown: no raw HTML; Rich: no markup).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from aiinfra_cli.agent._answer import Recommendation
from aiinfra_cli.agent._proposals import RouteProposal
from aiinfra_cli.agent._result import AgentResult
from aiinfra_cli.pricing import format_usd
from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

HEADING = "Recommendations"
ROUTES_HEADING = "Proposed routes"


def _usd(amount: Decimal) -> str:
    return "$" + format_usd(amount)


def _md(text: str) -> str:
    """Model text safe inside Markdown: one paragraph, no HTML."""
    return " ".join(redact(text).replace("<", "&lt;").replace(">", "&gt;").split())


def _effect(item: Recommendation) -> str:
    word = "Saving" if item.impact == "saving" else "At risk"
    if not item.estimated_monthly_usd:
        return f"{word}: not estimated"
    return f"{word}: about ${item.estimated_monthly_usd:,.2f} a month"


def provenance(result: AgentResult) -> str:
    """Who wrote the recommendations and what that cost, in one sentence."""
    model = result.model or "an LLM"
    cost = "unpriced" if result.cost is None else _usd(result.cost)
    calls = "one request" if result.calls == 1 else f"{result.calls} requests"
    return (
        f"Written by {model} (model id {result.model_id}) from the redacted figures of this"
        f" report: {calls}, {result.input_tokens} input and {result.output_tokens} output tokens,"
        f" {cost}. The figures are measured; the recommendations are an LLM's reading of them."
    )


def route_line(route: RouteProposal) -> str:
    """``name: [a, b] (tier fast)``, redacted (a name or id the model wrote)."""
    tier = f" (tier {route.tier})" if route.tier else ""
    return redact(f"{route.name}: [{', '.join(route.chain)}]{tier}")


def render_markdown(result: AgentResult, *, level: int = 2) -> str:
    """The "Recommendations" section (heading at ``level``), or a line saying why there is none."""
    hashes = "#" * level
    heading = ROUTES_HEADING if result.kind == "init" else HEADING
    lines = [f"{hashes} {heading}", ""]
    if not result.ok:
        lines += [f"_Not written: {_md(result.reason or result.status)}._", ""]
        return "\n".join(lines)
    lines += [f"_{_md(provenance(result))}_", ""]
    if result.summary:
        lines += [_md(result.summary), ""]
    if result.kind == "init":
        if not result.routes:
            lines += ["The agent proposed no route.", ""]
        for route in result.routes:
            lines += [f"- `{_md(route_line(route))}`: {_md(route.rationale)}"]
        return "\n".join([*lines, ""])
    if not result.recommendations:
        lines += ["The agent found nothing to recommend.", ""]
    for number, item in enumerate(result.recommendations, start=1):
        where = f" · `{_md(item.location)}`" if item.location else ""
        lines += [
            f"{hashes}# {number}. {_md(item.title)}",
            "",
            f"**{_effect(item)}**{where}",
            "",
            _md(item.rationale),
            "",
            f"**Action:** {_md(item.action)}",
            "",
        ]
    return "\n".join(lines)


def render_console(console: Console, result: AgentResult) -> None:
    """The recommendations on a terminal; nothing when there are none (see ``notice()``)."""
    from rich.markup import escape

    if not result.ok:
        return
    cost = "unpriced" if result.cost is None else _usd(result.cost)
    heading = ROUTES_HEADING if result.kind == "init" else HEADING
    console.print()
    console.print(
        f"[bold]{heading}[/bold] [dim]({escape(result.model or '')}, {cost})[/dim]",
        soft_wrap=True,
    )
    if result.summary:
        console.print(escape(redact(result.summary)), soft_wrap=True)
    if result.kind == "init":
        if not result.routes:
            console.print("  no route proposed", soft_wrap=True)
        for number, route in enumerate(result.routes, start=1):
            console.print(f" {number}. [bold]{escape(route_line(route))}[/bold]", soft_wrap=True)
            console.print(f"    {escape(redact(route.rationale))}", soft_wrap=True)
        return
    if not result.recommendations:
        console.print("  nothing to recommend", soft_wrap=True)
    for number, item in enumerate(result.recommendations, start=1):
        where = f"  {item.location}" if item.location else ""
        console.print(
            f" {number}. [bold]{escape(redact(item.title))}[/bold]"
            f" [dim]({escape(_effect(item))}){escape(where)}[/dim]",
            soft_wrap=True,
        )
        console.print(f"    {escape(redact(item.rationale))}", soft_wrap=True)
        console.print(f"    → {escape(redact(item.action))}", soft_wrap=True)


def render_notice(console: Console, result: AgentResult) -> None:
    """Why there are no recommendations, as one unwrapped ``warning:`` line (nothing when ok)."""
    from rich.markup import escape

    notice = result.notice()
    if notice:
        console.print(f"[yellow]warning:[/yellow] {escape(redact(notice))}", soft_wrap=True)
