"""model-health's engine: probe the configured models (through :mod:`aiinfra_cli.providers`),
record each run in the history file, and build the run's JSON document; plus its Rich dashboard.

Public surface::

    HealthCheck(config, models, deep=, timeout_s=, history_path=).run_once() -> document
    select_models(config, only), exit_code(document)
    build_document(...) -> HealthDocument (.to_json()), route_summaries(config, results), SCHEMA
    json_schema() (derived from the document's dataclasses)
    the document's sections: Summary, ModelEntry (Latency, HeadroomEntry, LimitEntry,
    GenerationEntry, TrendEntry), RouteEntry, HistoryEntry
    history_line(results, at=, deep=), append_line(path, line), read_history(path, window=)
    History, ModelTrend, percentile(ordered, fraction), HISTORY_SCHEMA, HISTORY_RELPATH
    dashboard(document, footer=), render_dashboard(console, document)

Nothing here imports Typer; Rich only inside the dashboard functions.
"""

from __future__ import annotations

from aiinfra_cli.health._check import HealthCheck, select_models
from aiinfra_cli.health._dashboard import dashboard, render_dashboard
from aiinfra_cli.health._document import (
    SCHEMA,
    GenerationEntry,
    HeadroomEntry,
    HealthDocument,
    HistoryEntry,
    Latency,
    LimitEntry,
    ModelEntry,
    RouteEntry,
    Summary,
    TrendEntry,
    build_document,
    exit_code,
    json_schema,
    route_summaries,
)
from aiinfra_cli.health._history import (
    HISTORY_RELPATH,
    HISTORY_SCHEMA,
    HISTORY_WINDOW,
    History,
    ModelTrend,
    append_line,
    history_line,
    percentile,
    read_history,
)

__all__ = [
    "HISTORY_RELPATH",
    "HISTORY_SCHEMA",
    "HISTORY_WINDOW",
    "SCHEMA",
    "GenerationEntry",
    "HeadroomEntry",
    "HealthCheck",
    "HealthDocument",
    "History",
    "HistoryEntry",
    "Latency",
    "LimitEntry",
    "ModelEntry",
    "ModelTrend",
    "RouteEntry",
    "Summary",
    "TrendEntry",
    "append_line",
    "build_document",
    "dashboard",
    "exit_code",
    "history_line",
    "json_schema",
    "percentile",
    "read_history",
    "render_dashboard",
    "route_summaries",
    "select_models",
]
