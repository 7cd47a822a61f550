"""Cost reports from usage logs: queries, exact pricing of aggregates, analysis, renderers.

Public surface::

    ReportRequest, build_report(read, request, prices=, config=, baselines=, logs=) -> Built
        (read: the DuckDB ingest's Ingested, or the small path's LogRows: the same report)
    Source, ReportQueries, build_from(source, request, ...)   any source (the team store too)
    CostReport (the typed document: .to_json(), .agent_view), json_schema()
    resolve_period(...), Period, TIMEFRAMES, zone(tz)
    load_baselines(path), save_baselines(path, stored, tz, days)
    render_markdown(doc, top=, generated=, version=), render_terminal(console, doc, top=)
    REPORT_SCHEMA_VERSION, GROUPS, DEFAULT_GROUPS

Nothing here imports Typer; Rich only inside :func:`render_terminal`; DuckDB only through the
connection the ingest step opened.

The document is declared once, in ``_document.py`` (frozen dataclasses). To add a section (say
``reconciliation``):

1. declare its frozen dataclass in ``_document.py`` and add a field to :class:`CostReport`
   (``hidden()`` if the agent must not see it, ``optional()`` if it is not always there): the
   JSON document, :func:`json_schema` and :attr:`CostReport.agent_view` follow from that;
2. compute it in ``_analysis.Analysis.build`` (or pass it in from ``_build.build_report`` when it
   comes from outside the usage cells); mypy then points at every place that must supply it;
3. add one function to ``_markdown.SECTIONS`` (and to ``_terminal.PARTS`` if the terminal
   summary shows it), and regenerate the schema block of ``docs/cost-report.md``
   (``python scripts/export_schemas.py``).
"""

from __future__ import annotations

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
from aiinfra_cli.report._document import (
    REPORT_SCHEMA_VERSION,
    CostReport,
    Rejected,
    Sources,
    json_schema,
)
from aiinfra_cli.report._markdown import render_markdown
from aiinfra_cli.report._period import (
    TIMEFRAMES,
    Period,
    day_start_us,
    epoch_day,
    from_epoch_day,
    resolve_period,
    zone,
)
from aiinfra_cli.report._pricing import Pricer
from aiinfra_cli.report._query import (
    DIMENSIONS,
    MAX_TIERS,
    REQUEST_COST,
    Cell,
    PriceKey,
    budget_cell,
    dimension_cell,
    usage_cell,
)
from aiinfra_cli.report._reconciliation import section as reconciliation_section
from aiinfra_cli.report._terminal import render_terminal

__all__ = [
    "DEFAULT_GROUPS",
    "DIMENSIONS",
    "GROUPS",
    "MAX_TIERS",
    "REPORT_SCHEMA_VERSION",
    "REQUEST_COST",
    "TIMEFRAMES",
    "Baselines",
    "Built",
    "Cell",
    "CostReport",
    "Period",
    "PriceKey",
    "Pricer",
    "Rejected",
    "ReportQueries",
    "ReportRequest",
    "Source",
    "Sources",
    "budget_cell",
    "build_from",
    "build_report",
    "day_start_us",
    "dimension_cell",
    "epoch_day",
    "from_epoch_day",
    "json_schema",
    "load_baselines",
    "reconciliation_section",
    "render_markdown",
    "render_terminal",
    "resolve_period",
    "save_baselines",
    "usage_cell",
    "zone",
]
