"""One scan end to end: files → engine (cache, workers) → selection, suppression → pricing,
usage logs → :class:`Report`. Also the ``--fix`` / ``--diff`` step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import __version__
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.errors import UsageError
from aiinfra_cli.scan import _engine
from aiinfra_cli.scan._analyze import AnalysisSettings
from aiinfra_cli.scan._baseline import (
    fingerprints,
    line_text,
    mark_baselined,
    read_baseline,
    source_lines,
)
from aiinfra_cli.scan._cache import FileCache, cache_dir
from aiinfra_cli.scan._estimate import (
    Pricer,
    UsageJoin,
    attach_traffic,
    observed,
    price_fingerprint,
    read_usage,
)
from aiinfra_cli.scan._files import SkipFile, SourceFile, collect, read_source, scan_root, staged
from aiinfra_cli.scan._fix import FileFix, fix_source
from aiinfra_cli.scan._model import FileResult, Finding
from aiinfra_cli.scan._report import Report
from aiinfra_cli.scan._runtime import route_facts
from aiinfra_cli.scan._settings import (
    ProjectSettings,
    at_least,
    load_project_settings,
    selected_codes,
)
from aiinfra_cli.scan._suppress import is_suppressed
from aiinfra_cli.scan.rules import RULES_BY_CODE

if TYPE_CHECKING:
    from aiinfra_cli.config import Config


@dataclass
class ScanOptions:
    """Everything a scan needs from the command line."""

    paths: list[Path]
    cwd: Path
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    staged: bool = False
    use_cache: bool = True
    usage_logs: list[Path] = field(default_factory=list)
    config_path: Path | None = None
    jobs: int | None = None
    today: datetime | None = None
    min_severity: str | None = None
    baseline: Path | None = None
    usage_since: datetime | None = None
    usage: UsageJoin | None = None  # usage already read (the team store's sums): no logs read


@dataclass
class ScanOutcome:
    """The report, the root it is relative to, and the per-file results behind it."""

    report: Report
    root: Path
    results: list[FileResult]
    stats: _engine.EngineStats


def instrumentation_settings(
    root: Path, config_path: Path | None
) -> tuple[AnalysisSettings, Config | None]:
    """What counts as tracked, from ``config/ai-models.yaml`` (or the documented default)."""
    from aiinfra_cli.paths import find_config

    if config_path is None and find_config(root) is None:
        return AnalysisSettings(), None  # no config: skip loading YAML at all (pre-commit speed)
    from aiinfra_cli.config import load_config

    config = load_config(config_path, start=root)
    if config is None:
        return AnalysisSettings(), None
    inst = config.instrumentation
    tracker = inst.tracker_module
    package = tracker.rpartition(".")[0]
    tracked = [tracker, *inst.tracked_wrappers]
    if package:
        # The generated package re-exports its tracker and orchestrator classes.
        tracked += [
            f"{package}.model_orchestrator",
            f"{package}.CostTracker",
            f"{package}.Orchestrator",
        ]
    return (
        AnalysisSettings(
            tracked=tuple(dict.fromkeys(tracked)),
            packages=(package,) if package else (),
            ignore_paths=tuple(inst.ignore_paths),
            routes=route_facts(config),
        ),
        config,
    )


def scan(options: ScanOptions) -> ScanOutcome:
    """Run a scan (see the module docstring)."""
    root = scan_root(options.paths, options.cwd)
    project = load_project_settings(root)
    selected = selected_codes(options.select, options.ignore, project)
    settings, config = instrumentation_settings(root, options.config_path)
    if options.staged:
        files = staged(root, options.paths, options.cwd, project.exclude)
    else:
        files = collect(options.paths or [Path()], root, options.cwd, project.exclude)
    cache = None
    if options.use_cache:
        cache = FileCache(cache_dir(root), f"{__version__}:{settings.digest()}").load()
    results, stats = _engine.run(files, root, settings, cache=cache, jobs=options.jobs)
    with _engine.results_kept():
        return _report(options, root, project, selected, config, files, cache, results, stats)


def _report(
    options: ScanOptions,
    root: Path,
    project: ProjectSettings,
    selected: frozenset[str],
    config: Config | None,
    files: list[SourceFile],
    cache: FileCache | None,
    results: list[FileResult],
    stats: _engine.EngineStats,
) -> ScanOutcome:
    now = options.today or datetime.now(timezone.utc)
    calls = [site for result in results for site in result.calls]
    findings: list[Finding] = []
    suppressed = 0
    pricer: Pricer | None = None
    reads_usage = bool(options.usage_logs) or options.usage is not None
    if calls or any(r.findings for r in results) or reads_usage:
        memo = cache.price_memo(price_fingerprint(config)) if cache is not None else None
        pricer = Pricer(config, memo)
    by_file = {r.file: r for r in results}
    candidates = [f for r in results for f in r.findings]
    if pricer is not None and "AIC004" in selected:
        candidates.extend(pricer.model_findings(calls, now.date()))
    spans = {site.key: (site.line, site.end_line) for site in calls}
    for finding in candidates:
        if finding.code not in selected:
            continue
        table = by_file[finding.file].suppressed if finding.file in by_file else {}
        if is_suppressed(finding, table, spans.get(finding.call or "")):
            suppressed += 1
            continue
        findings.append(finding)
    minimum = options.min_severity or project.min_severity
    if minimum is not None:
        findings = [f for f in findings if at_least(RULES_BY_CODE[f.code].severity, minimum)]
    sites = {site.key: site for site in calls}
    if pricer is not None:
        for finding in findings:
            if finding.estimate is not None:
                pricer.price_estimate(finding.estimate, sites.get(finding.call or ""))
    usage_info = None
    if reads_usage and pricer is not None:
        usage = options.usage or read_usage(options.usage_logs, options.usage_since)
        traffic = attach_traffic(calls, usage, pricer)
        for finding in findings:
            finding.observed = observed(finding, traffic.get(finding.call or ""))
            if finding.code == "AIC004":
                pricer.still_served(finding, sites.get(finding.call or ""), traffic)
        usage_info = {
            "events": usage.events,
            "rejected_lines": len(usage.rejects),
            "first_reject": usage.rejects[0] if usage.rejects else None,
            "matched_call_sites": len(traffic),
        }
    findings.sort(key=lambda f: (f.file, f.line, f.column, f.code))
    baselined = _apply_baseline(findings, files, results, root, options, project)
    price_table = _table_label(pricer)
    if cache is not None:
        if pricer is not None and pricer.memo_changed:
            cache.prices_changed()
        cache.save()
    report = Report(
        version=__version__,
        root_name=root.name or str(root),
        generated=now,
        calls=calls,
        findings=findings,
        diagnostics=[d for r in results for d in r.diagnostics],
        selected=selected,
        files_scanned=len(files),
        files_with_calls=sum(1 for r in results if r.calls),
        suppressed=suppressed,
        price_table=price_table,
        usage=usage_info,
        engine={
            "files_analysed": stats.analysed,
            "files_from_cache": stats.cached,
            "files_skipped_by_prefilter": stats.skipped,
            "workers": stats.workers,
        },
        not_read=stats.not_read,
        baselined=baselined,
        min_severity=minimum,
    )
    return ScanOutcome(report, root, results, stats)


def _apply_baseline(
    findings: list[Finding],
    files: list[SourceFile],
    results: list[FileResult],
    root: Path,
    options: ScanOptions,
    project: ProjectSettings,
) -> int | None:
    """Fingerprint every finding; with a baseline, mark those it holds (how many, else None)."""
    by_rel = {f.rel: f for f in files}
    noted_by_file = {r.file: r.line_text for r in results if r.line_text is not None}
    lines: dict[str, list[str]] = {}

    def text_of(rel: str, line: int) -> str:
        # The workers noted the lines they reported; read the file only for results cached
        # by an earlier version.
        noted = noted_by_file.get(rel)
        if noted is not None and line in noted:
            return noted[line]
        if rel not in lines:
            source = by_rel.get(rel)
            try:
                data = b"" if source is None else source.data or read_source(source.path)
            except (OSError, SkipFile):
                data = b""
            lines[rel] = source_lines(data)
        return line_text(lines[rel], line)

    for finding, fingerprint in zip(findings, fingerprints(findings, text_of), strict=True):
        finding.fingerprint = fingerprint
    if options.baseline is not None:
        path, shown = options.baseline, str(options.baseline)
    elif project.baseline is not None:
        path, shown = root / project.baseline, f"{project.baseline} ([tool.aiinfra] baseline)"
    else:
        return None
    known = read_baseline(path if path.is_absolute() else options.cwd / path, shown)
    return mark_baselined(findings, [f.fingerprint or "" for f in findings], known)


def _table_label(pricer: Pricer | None) -> str | None:
    if pricer is None:
        return None
    as_of = pricer.as_of
    return f"as of {as_of}" if as_of else None


def plan_fixes(outcome: ScanOutcome) -> list[FileFix]:
    """The rewrites ``--fix`` would make, one per file with fixable findings."""
    by_file: dict[str, list[Finding]] = {}
    for finding in outcome.report.findings:
        if finding.fixable:
            by_file.setdefault(finding.file, []).append(finding)
    fixes: list[FileFix] = []
    for rel, findings in sorted(by_file.items()):
        path = outcome.root / rel
        try:
            source = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        fix = fix_source(source, rel, findings)
        if fix is not None:
            fixes.append(fix)
    return fixes


def write_fixes(root: Path, fixes: list[FileFix]) -> None:
    """Write each fixed file atomically, keeping its permissions."""
    for fix in fixes:
        path = root / fix.file
        mode = path.stat().st_mode & 0o7777
        write_atomic(path, fix.after.encode("utf-8"))
        path.chmod(mode)


def check_options(options: ScanOptions, *, fix: bool, diff: bool) -> None:
    """Combinations that make no sense are usage errors."""
    if options.staged and (fix or diff):
        raise UsageError(
            "--fix/--diff rewrite the working tree, --staged checks the index",
            hint="run --fix without --staged, then stage the result",
        )
