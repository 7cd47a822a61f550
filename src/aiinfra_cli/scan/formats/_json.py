"""The JSON format (``schema_version`` 1): ``summary``, ``call_sites``, ``findings``, ``errors``."""

from __future__ import annotations

from typing import Any

from aiinfra_cli.scan._report import SCHEMA_VERSION, Report


def render_json(report: Report) -> dict[str, Any]:
    """The JSON document (see docs/optimize-context.md for every field)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "aiinfra optimize-context", "version": report.version},
        "generated_at": report.generated.isoformat(timespec="seconds"),
        "price_table": report.price_table,
        "selected_rules": sorted(report.selected),
        "summary": report.summary(),
        "usage_logs": report.usage,
        "engine": report.engine,
        "call_sites": [c.to_json() for c in report.calls],
        "findings": [
            f.to_json(name=report.rule(f.code).name, severity=report.rule(f.code).severity)
            for f in report.findings
        ],
        "errors": [
            {"file": d.file, "line": d.line, "column": d.column, "message": d.message}
            for d in report.diagnostics
        ],
        "files_not_read": [{"file": s.file, "reason": s.reason} for s in report.not_read],
    }
