"""The Rich dashboard of a model-health document: the table, each model's problem or note, the
routes, and one summary line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiinfra_cli.redact import redact
from aiinfra_cli.vocabulary import HealthStatus

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

_STYLE: dict[HealthStatus, str] = {"healthy": "green", "degraded": "yellow", "unhealthy": "red"}


def dashboard(document: dict[str, Any], *, footer: str | None = None) -> RenderableType:
    """The terminal view of a run's document: the table, each model's problem or note, the
    routes, and one summary line."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    deep = bool(document["deep"])
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("Model", "Provider", "Status"):
        table.add_column(name, no_wrap=True)
    for name in _number_columns(deep):
        table.add_column(name, justify="right", no_wrap=True)
    details: list[RenderableType] = []
    for model in document["models"]:
        status = model["status"]
        latency = model["latency_ms"]
        row = [model["id"], model["provider"], Text(status, style=_STYLE.get(status, ""))]
        row.append(_ms(latency["total"]))
        if deep:
            cost = (model["generation"] or {}).get("cost_usd")
            row += [_ms(latency["ttft"]), f"${cost}" if cost is not None else "—"]
        trend = model["history"] or {}
        uptime = trend.get("uptime")
        row += [
            _percent((model["headroom"] or {}).get("fraction")),
            f"{_percent(uptime)} of {trend['runs']}" if uptime is not None else "—",
            _p50_p95(trend.get("p50_ms"), trend.get("p95_ms")),
        ]
        table.add_row(*row)
        detail = _detail(model)
        if detail:
            line = Text(f"  {model['id']}: ", style=_STYLE.get(status, ""))
            line.append(redact(detail), style="")
            details.append(line)
    parts: list[RenderableType] = [table, *details]
    for route in document["routes"]:
        parts.append(Text(redact(_route_line(route)), style=_STYLE.get(route["status"], "")))
    parts.append(Text(redact(_summary_line(document))))
    if footer:
        parts.append(Text(footer, style="dim"))
    return Group(*parts)


def _number_columns(deep: bool) -> tuple[str, ...]:
    probe = ("Latency", "TTFT", "Cost") if deep else ("Latency",)
    return (*probe, "Headroom", "Uptime", "p50/p95")


def render_dashboard(console: Console, document: dict[str, Any]) -> None:
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


def _detail(model: dict[str, Any]) -> str:
    message = model["message"] or ""
    parts = [message] if message else []
    if model["error_class"] not in (None, "auth"):
        where = [] if model["model"] in message else [f"model {model['model']}"]
        where += [] if model["endpoint"] in message else [f"at {model['endpoint']}"]
        if where:
            parts[0] += f" ({' '.join(where)})"
    if model["server"]:
        parts.append(model["server"])
    parts += model["notes"]
    return "; ".join(parts)


def _route_line(route: dict[str, Any]) -> str:
    chain = " → ".join(route["chain"])
    skipped = [m for m in route["chain"] if m not in route["probed"]]
    unprobed = f"; not probed: {', '.join(skipped)}" if skipped else ""
    name = route["name"]
    if route["status"] == "healthy":
        return f"route {name}: ok via {route['first_usable']} ({chain}{unprobed})"
    if route["status"] == "degraded":
        return f"route {name}: degraded, only {route['first_usable']} usable ({chain}{unprobed})"
    return f"route {name}: DOWN, no usable model ({chain}{unprobed})"


def _summary_line(document: dict[str, Any]) -> str:
    summary = document["summary"]
    noun = "model" if summary["models"] == 1 else "models"
    text = (
        f"{summary['models']} {noun}: {summary['healthy']} healthy, {summary['degraded']} degraded,"
        f" {summary['unhealthy']} unhealthy in {document['elapsed_ms'] / 1000:.2f} s"
        f" ({'deep' if document['deep'] else 'light'} probe, timeout {document['timeout_s']:g} s)"
    )
    history = document["history"]
    if history is not None:
        runs = history["runs"]
        text += f"; history: {runs} run{'s' if runs != 1 else ''} in {history['path']}"
        if history["corrupt_lines"]:
            lines = history["corrupt_lines"]
            text += f" ({lines} corrupt line{'s' if lines != 1 else ''} skipped)"
    return text
