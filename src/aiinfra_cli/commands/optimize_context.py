"""``aiinfra optimize-context``: find every LLM call, report what it wastes, fix what is safe."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.commands._agent_option import agent_cap
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK, UsageError
from aiinfra_cli.paths import REPORTS_DIR
from aiinfra_cli.redact import redact
from aiinfra_cli.scan import (
    ScanOptions,
    ScanOutcome,
    agent_facts,
    check_options,
    check_severity,
    parse_codes,
    plan_fixes,
    results_kept,
    scan,
    write_fixes,
)

if TYPE_CHECKING:
    from aiinfra_cli.agent import AgentStep

FORMATS = ("text", "json", "sarif", "github", "markdown")
# Formats with a place for the agent's recommendations (SARIF and annotations have none).
AGENT_FORMATS = ("text", "json", "markdown")


def run(
    paths: list[Path],
    *,
    output_format: str = "text",
    output_file: Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fix: bool = False,
    diff: bool = False,
    exit_zero: bool = False,
    staged: bool = False,
    no_cache: bool = False,
    usage_logs: list[Path] | None = None,
    config_path: Path | None = None,
    jobs: int | None = None,
    min_severity: str | None = None,
    baseline: Path | None = None,
    write_baseline: Path | None = None,
    agent: bool = False,
    agent_max_cost: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Scan ``paths`` and print the findings in ``output_format``; the exit code says whether
    there is anything to act on (0 none, 1 findings the baseline does not hold or unreadable
    files, 2 bad usage). ``min_severity``: report only findings this severe or more;
    ``baseline``: findings it holds are reported but do not fail; ``write_baseline``: record the
    current findings as the baseline. ``agent``: add an LLM's recommendations (the exit code
    never depends on them)."""
    if output_format not in FORMATS:
        raise UsageError(
            f"unknown --format '{output_format}'", hint=f"use one of {', '.join(FORMATS)}"
        )
    cap = _agent_cap(agent, agent_max_cost, output_format, diff=diff)
    options = ScanOptions(
        paths=list(paths),
        cwd=Path.cwd(),
        select=parse_codes(select),
        ignore=parse_codes(ignore),
        staged=staged,
        use_cache=not no_cache,
        usage_logs=list(usage_logs or []),
        config_path=config_path,
        jobs=jobs,
        min_severity=None
        if min_severity is None
        else check_severity(min_severity, where=None, error=UsageError),
        baseline=baseline,
    )
    check_options(options, fix=fix, diff=diff)
    with output.working("scanning for LLM calls…"):
        outcome = scan(options)
    if write_baseline is not None:
        return _write_baseline(outcome, write_baseline)
    if diff:
        fixes = plan_fixes(outcome)
        for item in fixes:
            sys.stdout.write(redact(item.diff()))
        count = sum(f.fixed for f in fixes)
        output.info(f"Would fix {_plural(count, 'finding')} in {_plural(len(fixes), 'file')}.")
        return EXIT_OK if exit_zero or not fixes else EXIT_FAILURE
    if fix:
        fixes = plan_fixes(outcome)
        if fixes:
            write_fixes(outcome.root, fixes)
            outcome = scan(options)
            outcome.report.fixed = sum(f.fixed for f in fixes)
    _warn_about(outcome)
    step = _agent_step(outcome, config_path, cap, environ) if agent else None
    with results_kept():  # the report's documents are built from results kept to the end
        _emit(outcome, output_format, output_file, step)
    if step is not None:
        step.notice()
    failed = bool(outcome.report.failing or outcome.report.diagnostics)
    return EXIT_FAILURE if failed and not exit_zero else EXIT_OK


def _write_baseline(outcome: ScanOutcome, path: Path) -> int:
    from aiinfra_cli.scan import baseline_document

    findings = outcome.report.findings
    text = baseline_document(findings, [f.fingerprint or "" for f in findings])
    _write(path, text)
    output.info(
        f"wrote {_plural(len(findings), 'finding')} to the baseline {_shown(path, outcome.root)}"
    )
    return EXIT_OK


def _warn_about(outcome: ScanOutcome) -> None:
    for diagnostic in outcome.report.diagnostics:
        output.warn(str(diagnostic))
    for skipped in outcome.report.not_read:
        output.warn(str(skipped))
    usage = outcome.report.usage
    if usage and usage.get("rejected_lines"):
        output.warn(
            f"usage logs: skipped {_plural(usage['rejected_lines'], 'bad line')};"
            f" first: {usage['first_reject']}"
        )


def _agent_cap(
    agent: bool, agent_max_cost: str | None, output_format: str, *, diff: bool
) -> Decimal | None:
    cap = agent_cap(agent, agent_max_cost)
    if not agent:
        return None
    if output_format not in AGENT_FORMATS:
        raise UsageError(
            f"--agent: --format {output_format} has no place for recommendations",
            hint=f"use --format {', '.join(AGENT_FORMATS)}, or leave out --agent",
        )
    if diff:
        raise UsageError("--agent analyses a report: leave out --diff")
    return cap


def _agent_step(
    outcome: ScanOutcome,
    config_path: Path | None,
    cap: Decimal | None,
    environ: Mapping[str, str] | None,
) -> AgentStep:
    from aiinfra_cli.agent import AgentStep
    from aiinfra_cli.config import load_config

    report = outcome.report
    facts = agent_facts(report) if report.findings else "no findings to analyse"
    config = load_config(config_path, start=outcome.root)
    return AgentStep.run(
        "optimize-context", facts, config, cap=cap, environ=environ, safe_fields=("message",)
    )


def _emit(
    outcome: ScanOutcome,
    output_format: str,
    output_file: Path | None,
    step: AgentStep | None = None,
) -> None:
    from aiinfra_cli.scan.formats import (
        render_github,
        render_json,
        render_markdown,
        render_sarif,
        render_text,
    )

    report = outcome.report
    if output_format in ("json", "sarif"):
        document = render_json(report) if output_format == "json" else render_sarif(report)
        if step is not None:
            document = step.attach(document)
        if output_file is None:
            output.print_json(document)
        else:
            _write(output_file, output.to_json(document))
        return
    if output_format == "github":
        text = render_github(report)
        if output_file is None:
            sys.stdout.write(redact(text))
        else:
            _write(output_file, text)
        return
    if output_format == "markdown":
        target = output_file or (
            outcome.root
            / REPORTS_DIR
            / f"context-optimization-{report.generated.date().isoformat()}.md"
        )
        text = render_markdown(report)
        if step is not None:
            text = step.markdown(text)
        _write(target, text)
        output.info(f"wrote {_shown(target, outcome.root)}")
        return
    if output_file is None:
        render_text(report, output.out_console())
        if step is not None:
            step.show(output.out_console())
    else:
        from io import StringIO

        from rich.console import Console

        buffer = StringIO()
        console = Console(file=buffer, color_system=None, width=100, highlight=False)
        render_text(report, console)
        if step is not None:
            step.show(console)
        _write(output_file, buffer.getvalue())


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, redact(text))
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: {exc.strerror or exc}", hint="check --output"
        ) from None


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            return str(path)


__all__ = ["FORMATS", "run"]
