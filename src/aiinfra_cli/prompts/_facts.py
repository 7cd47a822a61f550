"""A test run's figures: the summary of the JSON document, and what the agent may see
(``prompt-library test --agent``): figures per case, never prompts, variables or outputs."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from aiinfra_cli.prompts._errors import Problem
from aiinfra_cli.prompts._runner import CaseResult


def summary_dict(rows: Sequence[CaseResult], *, live: bool) -> dict[str, Any]:
    from aiinfra_cli.pricing import format_usd

    passed = sum(1 for r in rows if r.status == "pass")
    estimates = [r.estimated_cost for r in rows if r.estimated_cost is not None]
    spent = [r.cost for r in rows if r.cost is not None] + [
        r.grader_cost for r in rows if r.grader_cost is not None
    ]
    return {
        "cases": len(rows),
        "passed": passed,
        "failed": sum(1 for r in rows if r.status == "fail"),
        "errors": sum(1 for r in rows if r.status == "error"),
        "pass_rate": round(passed / len(rows), 4) if rows else None,
        "estimated_cost_usd": format_usd(sum(estimates, Decimal(0))),
        "cost_usd": format_usd(sum(spent, Decimal(0))) if live else None,
    }


def agent_facts(
    rows: Sequence[CaseResult], problems: Sequence[Problem], *, live: bool
) -> dict[str, Any]:
    """What the agent sees of a test run: figures per case, never prompts, variables or outputs."""
    from aiinfra_cli.pricing import format_usd

    def money(value: Decimal | None) -> str | None:
        return None if value is None else format_usd(value)

    return {
        "mode": "live" if live else "offline",
        "summary": summary_dict(rows, live=live),
        "cases": [
            {
                "prompt": row.prompt,
                "version": row.version,
                "case": row.case,
                "status": row.status,
                "target": row.target,
                "model": row.model,
                "input_tokens": row.input_tokens,
                "output_tokens": row.output_tokens,
                "output_reserve": row.output_reserve,
                "context_window": row.context_window,
                "fits": row.fits,
                "estimated_cost_usd": money(row.estimated_cost),
                "cost_usd": money(row.cost),
                "grader_cost_usd": money(row.grader_cost),
                "latency_ms": None if row.latency_ms is None else round(row.latency_ms),
                "error": row.error,
                "notes": row.notes,
                "failed_checks": [a.type for a in row.assertions if not a.passed],
                "passed_checks": sum(1 for a in row.assertions if a.passed),
                "attempts": [{"model": a.model, "error_class": a.error} for a in row.attempts],
            }
            for row in rows
        ],
        "problems": [
            {"file": p.file, "line": p.line, "severity": p.severity, "message": p.message}
            for p in problems
        ],
    }
