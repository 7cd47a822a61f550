"""Static analysis of LLM API calls (``aiinfra optimize-context``).

Public surface::

    ScanOptions, ScanOutcome, scan(options)          run a scan → Report
    plan_fixes(outcome), write_fixes(root, fixes)    the safe --fix rewrites (libcst)
    check_options(options, fix=, diff=)              reject contradictory flags
    Report, CallSite, Finding, Diagnostic            the results
    ALL_RULES, RULES_BY_CODE, Rule                   rule metadata (stable codes)
    analyze(data, rel, settings), AnalysisSettings   one file, for tools and tests
    parse_codes(values)                              --select / --ignore parsing
    check_severity(value), SEVERITIES                --min-severity parsing
    load_project_settings(root), ProjectSettings     [tool.aiinfra] of a project
    UsageJoin, SiteUsage, split_site                 observed usage per call site (logs or store)
    baseline_document(findings, fingerprints)        the --write-baseline file
    formats: render_text, render_json, render_sarif, render_github, render_markdown

Engine: a byte prefilter, stdlib ``ast`` for discovery and rules, worker processes for large
scans, a content-hash file cache, libcst only for rewrites. ``docs/optimize-context.md`` says
why, with measurements.
"""

from __future__ import annotations

from aiinfra_cli.scan._analyze import AnalysisSettings, analyze
from aiinfra_cli.scan._baseline import baseline_document
from aiinfra_cli.scan._engine import results_kept
from aiinfra_cli.scan._estimate import SiteUsage, UsageJoin, split_site
from aiinfra_cli.scan._facts import agent_facts
from aiinfra_cli.scan._fix import FileFix
from aiinfra_cli.scan._model import CallSite, Diagnostic, Estimate, Finding
from aiinfra_cli.scan._report import SCHEMA_VERSION, Report
from aiinfra_cli.scan._run import (
    ScanOptions,
    ScanOutcome,
    check_options,
    plan_fixes,
    scan,
    write_fixes,
)
from aiinfra_cli.scan._settings import (
    SEVERITIES,
    ProjectSettings,
    check_severity,
    load_project_settings,
    parse_codes,
)
from aiinfra_cli.scan.rules import ALL_RULES, RULES_BY_CODE, Rule

__all__ = [
    "ALL_RULES",
    "RULES_BY_CODE",
    "SCHEMA_VERSION",
    "SEVERITIES",
    "AnalysisSettings",
    "CallSite",
    "Diagnostic",
    "Estimate",
    "FileFix",
    "Finding",
    "ProjectSettings",
    "Report",
    "Rule",
    "ScanOptions",
    "ScanOutcome",
    "SiteUsage",
    "UsageJoin",
    "agent_facts",
    "analyze",
    "baseline_document",
    "check_options",
    "check_severity",
    "load_project_settings",
    "parse_codes",
    "plan_fixes",
    "results_kept",
    "scan",
    "split_site",
    "write_fixes",
]
