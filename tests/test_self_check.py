"""aiinfra run on itself: its own LLM calls (the agent, live prompt tests, deep probes) pass
``aiinfra optimize-context src`` with no error-level finding, and every suppression says why."""

from __future__ import annotations

import io
import tokenize

from _support import REPO

from aiinfra_cli.scan import ScanOptions, scan


def test_our_own_llm_calls_have_no_error_level_finding() -> None:
    outcome = scan(ScanOptions(paths=[REPO / "src"], cwd=REPO, use_cache=False, jobs=1))
    report = outcome.report
    assert report.calls, "the scan found none of aiinfra's own LLM calls"
    errors = [
        f"{f.file}:{f.line}: {f.code} {f.message}"
        for f in report.findings
        if report.rule(f.code).severity == "error"
    ]
    assert errors == []
    assert report.diagnostics == []


def test_every_suppression_in_src_is_explained() -> None:
    unexplained = []
    for path in sorted((REPO / "src").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            number = token.start[0]
            suppression = token.type == tokenize.COMMENT and "aiinfra: ignore" in token.string
            if suppression and not lines[number - 2].lstrip().startswith("#"):
                unexplained.append(f"{path.relative_to(REPO)}:{number}")
    assert unexplained == [], "say why on the line above: " + ", ".join(unexplained)
