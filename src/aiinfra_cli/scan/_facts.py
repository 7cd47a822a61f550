"""What the agent may see of a scan (``optimize-context --agent``): figures and aiinfra's own
messages, never code, snippets or file contents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from aiinfra_cli.scan._report import Report


def agent_facts(report: Report) -> dict[str, Any]:
    """What the agent sees of a scan: counts and findings with their figures and the
    message aiinfra wrote, never code, snippets or file contents. ``estimated_monthly_usd`` is
    the per-call estimate times the call site's observed calls, scaled to 30 days of its logged
    span (``--usage-logs``); null without traffic."""
    from aiinfra_cli.pricing import format_usd

    sites = {c.key: c for c in report.calls}
    findings: list[dict[str, Any]] = []
    for finding in report.findings:
        rule = report.rule(finding.code)
        est = finding.estimate
        per_call = est.usd_per_call if est is not None else None
        site = sites.get(finding.call or "")
        traffic = site.traffic if site is not None else None
        monthly = _monthly(per_call, traffic)
        findings.append(
            {
                "code": finding.code,
                "rule": rule.name,
                "file": finding.file,
                "line": finding.line,
                "severity": rule.severity,
                "message": finding.message,
                "tokens": est.tokens if est is not None else None,
                "model": est.model if est is not None else None,
                "usd_per_call": None if per_call is None else format_usd(per_call),
                "observed_calls": traffic.get("calls") if traffic else None,
                "estimated_monthly_usd": None if monthly is None else format_usd(monthly),
            }
        )
    summary = report.summary()
    return {
        "summary": summary,
        "usd_per_call_by_code": {k: format_usd(v) for k, v in report.usd_by_code().items()},
        "findings": findings,
    }


def _monthly(per_call: Decimal | None, traffic: Mapping[str, Any] | None) -> Decimal | None:
    if per_call is None or not traffic or not traffic.get("calls"):
        return None
    try:
        first = datetime.fromisoformat(str(traffic["first"]))
        last = datetime.fromisoformat(str(traffic["last"]))
    except (KeyError, ValueError):
        return None
    days = max((last - first).days + 1, 1)
    return (per_call * int(traffic["calls"]) * 30 / days).quantize(Decimal("0.0001"))
