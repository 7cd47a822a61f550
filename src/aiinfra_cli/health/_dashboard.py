"""The Rich dashboard of a model-health document: the table, each model's problem or note, the
routes, and one summary line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiinfra_cli.redact import redact
from aiinfra_cli.vocabulary import HealthStatus

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from aiinfra_cli.health._document import HealthDocument, ModelEntry, RouteEntry

_STYLE: dict[HealthStatus, str] = {"healthy": "green", "degraded": "yellow", "unhealthy": "red"}


def dashboard(document: HealthDocument, *, footer: str | None = None) -> RenderableType:
    """The terminal view of a run's document: the table, each model's problem or note, the
    routes, and one summary line."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [_table(document)]
    for model in document.models:
        detail = _detail(model)
        if detail:
            line = Text(f"  {model.id}: ", style=_STYLE[model.status])
            line.append(redact(detail), style="")
            parts.append(line)
    for route in document.routes:
        parts.append(Text(redact(_route_line(route)), style=_STYLE[route.status]))
    parts.append(Text(redact(_summary_line(document))))
    if footer:
        parts.append(Text(footer, style="dim"))
    return Group(*parts)


def _table(document: HealthDocument) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("Model", "Provider", "Status"):
        table.add_column(name, no_wrap=True)
    for name in _number_columns(document.deep):
        table.add_column(name, justify="right", no_wrap=True)
    for model in document.models:
        table.add_row(*_row(model, deep=document.deep))
    return table


def _row(model: ModelEntry, *, deep: bool) -> list[RenderableType]:
    from rich.text import Text

    status = Text(model.status, style=_STYLE[model.status])
    row: list[RenderableType] = [model.id, model.provider, status, _ms(model.latency_ms.total)]
    if deep:
        cost = model.generation.cost_usd if model.generation is not None else None
        row += [_ms(model.latency_ms.ttft), f"${cost}" if cost is not None else "—"]
    trend = model.history
    uptime = trend.uptime if trend is not None else None
    row += [
        _percent(model.headroom.fraction if model.headroom is not None else None),
        f"{_percent(uptime)} of {trend.runs}" if trend is not None and uptime is not None else "—",
        _p50_p95(trend.p50_ms, trend.p95_ms) if trend is not None else "—",
    ]
    return row


def _number_columns(deep: bool) -> tuple[str, ...]:
    probe = ("Latency", "TTFT", "Cost") if deep else ("Latency",)
    return (*probe, "Headroom", "Uptime", "p50/p95")


def render_dashboard(console: Console, document: HealthDocument) -> None:
    """Print the dashboard of ``document`` to ``console``."""
    console.print(dashboard(document))


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _p50_p95(p50: float | None, p95: float | None) -> str:
    if p50 is None or p95 is None:
        return "—"
    return f"{p50:.0f}/{p95:.0f} ms"


def _detail(model: ModelEntry) -> str:
    message = model.message or ""
    parts = [message] if message else []
    if model.error_class not in (None, "auth"):
        where = [] if model.model in message else [f"model {model.model}"]
        where += [] if model.endpoint in message else [f"at {model.endpoint}"]
        if where:
            parts[0] += f" ({' '.join(where)})"
    if model.server:
        parts.append(model.server)
    parts += model.notes
    return "; ".join(parts)


def _route_line(route: RouteEntry) -> str:
    chain = " → ".join(route.chain)
    skipped = [m for m in route.chain if m not in route.probed]
    unprobed = f"; not probed: {', '.join(skipped)}" if skipped else ""
    if route.status == "healthy":
        return f"route {route.name}: ok via {route.first_usable} ({chain}{unprobed})"
    if route.status == "degraded":
        return f"route {route.name}: degraded, only {route.first_usable} usable ({chain}{unprobed})"
    return f"route {route.name}: DOWN, no usable model ({chain}{unprobed})"


def _summary_line(document: HealthDocument) -> str:
    summary = document.summary
    noun = "model" if summary.models == 1 else "models"
    text = (
        f"{summary.models} {noun}: {summary.healthy} healthy, {summary.degraded} degraded,"
        f" {summary.unhealthy} unhealthy in {document.elapsed_ms / 1000:.2f} s"
        f" ({'deep' if document.deep else 'light'} probe, timeout {document.timeout_s:g} s)"
    )
    history = document.history
    if history is not None:
        runs = history.runs
        text += f"; history: {runs} run{'s' if runs != 1 else ''} in {history.path}"
        if history.corrupt_lines:
            lines = history.corrupt_lines
            text += f" ({lines} corrupt line{'s' if lines != 1 else ''} skipped)"
    return text
