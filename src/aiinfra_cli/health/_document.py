"""The JSON document of one model-health run (the one source for ``--json`` and the dashboard;
the schema is in docs/model-health.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli.config import Config, display_path
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK
from aiinfra_cli.health._history import History, _round, _timestamp
from aiinfra_cli.vocabulary import HEALTH_STATUSES

if TYPE_CHECKING:
    from aiinfra_cli.providers import ProbeResult

SCHEMA = "aiinfra.model-health/1"


def exit_code(document: dict[str, Any]) -> int:
    """0 when every probed model is healthy, else 1."""
    return EXIT_OK if document["summary"]["ok"] else EXIT_FAILURE


def build_document(
    config: Config,
    results: Sequence[ProbeResult],
    *,
    at: datetime,
    deep: bool,
    timeout_s: float,
    elapsed_ms: float,
    history: History | None,
    history_path: Path | None,
) -> dict[str, Any]:
    """The run as one JSON-ready dict (the schema is in docs/model-health.md)."""
    counts = {status: sum(1 for r in results if r.status == status) for status in HEALTH_STATUSES}
    models = []
    for result in results:
        entry = result.as_dict()
        trend = history.trends.get(result.id) if history is not None else None
        entry["history"] = None if trend is None else trend.as_dict()
        models.append(entry)
    return {
        "schema": SCHEMA,
        "generated_at": _timestamp(at),
        "config": display_path(config.path),
        "deep": deep,
        "timeout_s": timeout_s,
        "elapsed_ms": _round(elapsed_ms),
        "summary": {
            "models": len(results),
            **counts,
            "ok": counts["healthy"] == len(results),
        },
        "models": models,
        "routes": route_summaries(config, results),
        "history": None
        if history_path is None
        else {
            "path": display_path(history_path),
            "runs": history.runs if history is not None else 0,
            "corrupt_lines": history.corrupt_lines if history is not None else 0,
        },
    }


def route_summaries(config: Config, results: Sequence[ProbeResult]) -> list[dict[str, Any]]:
    """Each route whose chain holds a probed model: is at least one model of it healthy?"""
    by_id = {r.id: r for r in results}
    summaries = []
    for route in config.routes.values():
        probed = [model_id for model_id in route.chain if model_id in by_id]
        if not probed:
            continue
        healthy = [m for m in probed if by_id[m].status == "healthy"]
        usable = healthy or [m for m in probed if by_id[m].status == "degraded"]
        status = "healthy" if healthy else "degraded" if usable else "unhealthy"
        summaries.append(
            {
                "name": route.name,
                "chain": list(route.chain),
                "probed": probed,
                "status": status,
                "healthy": bool(healthy),
                "first_usable": usable[0] if usable else None,
            }
        )
    return summaries
