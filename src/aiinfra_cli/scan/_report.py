"""A finished scan, as every output format sees it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from aiinfra_cli.scan._model import CallSite, Diagnostic, Finding, SkippedFile
from aiinfra_cli.scan.rules import RULES_BY_CODE, Rule

SCHEMA_VERSION = 1


@dataclass
class Report:
    """Call sites, selected unsuppressed findings (sorted), diagnostics and counts."""

    version: str
    root_name: str
    generated: datetime
    calls: list[CallSite]
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    selected: frozenset[str]
    files_scanned: int
    files_with_calls: int
    suppressed: int = 0
    price_table: str | None = None
    usage: dict[str, Any] | None = None
    fixed: int = 0
    engine: dict[str, int] = field(default_factory=dict)
    not_read: list[SkippedFile] = field(default_factory=list)
    baselined: int | None = None
    min_severity: str | None = None

    @property
    def failing(self) -> list[Finding]:
        """Findings that fail the run: those the baseline does not hold."""
        return [f for f in self.findings if not f.baseline]

    def rule(self, code: str) -> Rule:
        """The rule metadata for ``code``."""
        return RULES_BY_CODE[code]

    @property
    def fixable(self) -> int:
        """How many findings ``--fix`` would fix."""
        return sum(1 for f in self.findings if f.fixable)

    def by_code(self) -> Counter[str]:
        """Finding counts per code."""
        return Counter(f.code for f in self.findings)

    def usd_by_code(self) -> dict[str, Decimal]:
        """The sum of per-call dollar estimates per code (priced findings only)."""
        totals: dict[str, Decimal] = {}
        for finding in self.findings:
            est = finding.estimate
            if est is not None and est.usd_per_call is not None:
                totals[finding.code] = totals.get(finding.code, Decimal(0)) + est.usd_per_call
        return totals

    def summary(self) -> dict[str, Any]:
        """The JSON report's ``summary`` object."""
        return {
            "files_scanned": self.files_scanned,
            "files_with_call_sites": self.files_with_calls,
            "call_sites": len(self.calls),
            "findings": len(self.findings),
            "fixable": self.fixable,
            "fixed": self.fixed,
            "suppressed": self.suppressed,
            "errors": len(self.diagnostics),
            "files_not_read": len(self.not_read),
            "baseline": self.baselined,
            "min_severity": self.min_severity,
            "by_code": dict(sorted(self.by_code().items())),
            "uninstrumented_call_sites": sum(1 for c in self.calls if not c.instrumented),
        }
