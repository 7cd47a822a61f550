"""The terminal format: one ruff-like line per finding, then a summary line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiinfra_cli.redact import redact
from aiinfra_cli.scan._model import Finding
from aiinfra_cli.scan._report import Report

if TYPE_CHECKING:
    from rich.console import Console


def estimate_text(finding: Finding) -> str:
    """``≈ 3,000 tokens · $0.009/call`` (or why it is unpriced); empty for non-token findings.
    An upper bound (the model's maximum output, its context window) reads ``up to 64,000 tokens ·
    up to $0.96/call``: it is what one call may cost, not what it costs."""
    from aiinfra_cli.pricing import format_usd

    est = finding.estimate
    if est is None or est.kind == "none":
        return ""
    parts: list[str] = []
    bounded = est.bound is not None
    if est.tokens is not None:
        verb = "saves" if est.kind == "cache_saving" else "up to" if bounded else "≈"
        parts.append(f"{verb} {est.tokens:,} tokens")
    if est.usd_per_call is not None:
        parts.append(f"{'up to ' if bounded else ''}${format_usd(est.usd_per_call)}/call")
    elif est.unpriced_reason:
        parts.append(f"unpriced: {est.unpriced_reason}")
    text = " · ".join(parts)
    seen = finding.observed
    if seen:
        text += f" · seen {seen['calls']:,} calls, ${seen['spend_usd']}"
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_text(report: Report, console: Console) -> None:
    """Print the findings and the summary to ``console``."""
    from rich.markup import escape
    from rich.text import Text

    for finding in report.findings:
        line = Text()
        line.append(f"{finding.file}:{finding.line}:{finding.column}:", style="bold")
        line.append(" ")
        line.append(finding.code, style="bold red")
        if finding.fixable:
            line.append(" [*]", style="cyan")
        if finding.baseline:
            line.append(" (baseline)", style="dim")
        line.append(f" {redact(finding.message)}")
        extra = estimate_text(finding)
        if extra:
            line.append(f" [{extra}]", style="dim")
        console.print(line, soft_wrap=True)
    calls = len(report.calls)
    where = f"{_plural(calls, 'LLM call site')} in {_plural(report.files_with_calls, 'file')}"
    if report.findings:
        count = len(report.findings)
        text = f"Found {_plural(count, 'finding')} at {where}"
        if report.fixable:
            text += f" ({report.fixable} fixable with --fix)"
    else:
        text = f"All checks passed: {where}"
    tail = []
    if report.baselined:
        tail.append(f"{report.baselined} in the baseline")
    if report.suppressed:
        tail.append(f"{report.suppressed} suppressed")
    if report.fixed:
        tail.append(f"{report.fixed} fixed")
    if report.diagnostics:
        tail.append(f"{_plural(len(report.diagnostics), 'file')} not checked")
    if tail:
        text += f"; {', '.join(tail)}"
    console.print(escape(text + "."), soft_wrap=True)
