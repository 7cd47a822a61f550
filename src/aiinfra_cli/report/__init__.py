"""Cost reports from usage logs: queries, exact pricing of aggregates, analysis, renderers.

Public surface::

    ReportRequest, build_report(ingested, request, prices=, config=, baselines=, logs=) -> Built
    Source, ReportQueries, build_from(source, request, ...)   any source (the team store too)
    resolve_period(...), Period, TIMEFRAMES
    load_baselines(path), save_baselines(path, stored, tz, days)
    render_markdown(doc, top=, generated=, version=), render_terminal(console, doc, top=)
    json_schema(), REPORT_SCHEMA_VERSION, GROUPS, DEFAULT_GROUPS

Nothing here imports Typer; Rich only inside :func:`render_terminal`; DuckDB only through the
connection the ingest step opened.
"""

from __future__ import annotations

from aiinfra_cli.report._analysis import REPORT_SCHEMA_VERSION
from aiinfra_cli.report._baseline import Baselines, load_baselines, save_baselines
from aiinfra_cli.report._build import (
    DEFAULT_GROUPS,
    GROUPS,
    Built,
    ReportQueries,
    ReportRequest,
    Source,
    build_from,
    build_report,
)
from aiinfra_cli.report._markdown import render_markdown
from aiinfra_cli.report._period import TIMEFRAMES, Period, resolve_period
from aiinfra_cli.report._schema import json_schema
from aiinfra_cli.report._terminal import render_terminal

__all__ = [
    "DEFAULT_GROUPS",
    "GROUPS",
    "REPORT_SCHEMA_VERSION",
    "TIMEFRAMES",
    "Baselines",
    "Built",
    "Period",
    "ReportQueries",
    "ReportRequest",
    "Source",
    "build_from",
    "build_report",
    "json_schema",
    "load_baselines",
    "render_markdown",
    "render_terminal",
    "resolve_period",
    "save_baselines",
]
