"""GitHub Actions workflow commands: one ``::warning file=…,line=…::…`` line per finding."""

from __future__ import annotations

from aiinfra_cli.scan._report import Report
from aiinfra_cli.scan.formats._text import estimate_text

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """The annotation lines (empty when there is nothing to report)."""
    lines: list[str] = []
    for finding in report.findings:
        rule = report.rule(finding.code)
        message = finding.message
        extra = estimate_text(finding)
        if extra:
            message += f" [{extra}]"
        props = ",".join(
            [
                f"file={_prop(finding.file)}",
                f"line={finding.line}",
                f"endLine={finding.end_line}",
                f"col={finding.column}",
                f"title={_prop(f'{finding.code} {rule.name}')}",
            ]
        )
        # A finding the baseline holds is shown, as a notice: it does not fail the run.
        level = "notice" if finding.baseline else _LEVEL[rule.severity]
        lines.append(f"::{level} {props}::{_data(message)}")
    for diagnostic in report.diagnostics:
        lines.append(
            f"::error file={_prop(diagnostic.file)},line={diagnostic.line},col={diagnostic.column},"
            f"title=aiinfra::{_data(diagnostic.message)}"
        )
    return "".join(line + "\n" for line in lines)
