"""SARIF 2.1.0: one run, the rules as ``tool.driver.rules``, one result per finding."""

from __future__ import annotations

import hashlib
from typing import Any

from aiinfra_cli.scan._report import Report
from aiinfra_cli.scan.formats._text import estimate_text
from aiinfra_cli.scan.rules import ALL_RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def render_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log; ``helpUri`` points at ``docs/rules/CODE.md`` (relative)."""
    rules = [rule for rule in ALL_RULES if rule.code in report.selected]
    index = {rule.code: i for i, rule in enumerate(rules)}
    driver: dict[str, Any] = {
        "name": "aiinfra optimize-context",
        "version": report.version,
        "informationUri": "docs/optimize-context.md",
        "rules": [
            {
                "id": rule.code,
                "name": _pascal(rule.name),
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.summary},
                "helpUri": rule.help_uri,
                "help": {"text": f"{rule.summary}. See {rule.help_uri}."},
                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
                "properties": {"tags": ["llm", "cost"], "fixable": rule.fixable},
            }
            for rule in rules
        ],
    }
    results = []
    for finding in report.findings:
        rule = report.rule(finding.code)
        text = finding.message
        extra = estimate_text(finding)
        if extra:
            text += f" [{extra}]"
        fingerprint = hashlib.sha256(
            f"{finding.file}\0{finding.code}\0{finding.call or finding.line}".encode()
        ).hexdigest()[:32]
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index.get(finding.code, 0),
            "level": _LEVEL[rule.severity],
            "message": {"text": text},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": finding.line,
                            "startColumn": finding.column,
                            "endLine": finding.end_line,
                            "endColumn": max(finding.end_column, 1),
                        },
                    }
                }
            ],
            "partialFingerprints": {"aiinfraFinding/v1": fingerprint},
            "properties": {
                "estimate": None if finding.estimate is None else finding.estimate.to_json(),
                "observed": finding.observed,
                "fixable": finding.fixable,
            },
        }
        if report.baselined is not None:
            result["baselineState"] = "unchanged" if finding.baseline else "new"
        results.append(result)
    notifications = [
        {
            "level": "error",
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.file, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": d.line, "startColumn": d.column},
                    }
                }
            ],
        }
        for d in report.diagnostics
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
            }
        ],
    }
