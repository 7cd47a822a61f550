"""Renderers on a hand-built report: exact terminal text, escaping, the Markdown tables."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from io import StringIO

from rich.console import Console

from aiinfra_cli.scan import CallSite, Estimate, Finding, Report
from aiinfra_cli.scan.formats import render_github, render_json, render_markdown, render_text


def _report() -> Report:
    site = CallSite(
        file="src/app, v2/chat.py",
        line=12,
        end_line=16,
        column=5,
        end_column=6,
        api="openai.chat.completions.create",
        sdk="openai",
        is_async=True,
        streaming=False,
        model="gpt-4o",
        has_max_tokens=False,
        has_timeout=None,
        instrumented=False,
        client="AsyncOpenAI",
        max_tokens=None,
    )
    findings = [
        Finding(
            code="AIC001",
            file=site.file,
            line=12,
            end_line=16,
            column=5,
            end_column=6,
            message="openai.chat.completions.create has no output-token cap: 100% of the budget\nat risk",
            estimate=Estimate(
                kind="output",
                tokens=16384,
                basis="b",
                usd_per_call=Decimal("0.16384"),
                bound="max_output",
            ),
            call=site.key,
        ),
        Finding(
            code="AIC005",
            file=site.file,
            line=12,
            end_line=16,
            column=5,
            end_column=6,
            message="uncached | prompt",
            estimate=Estimate(
                kind="cache_saving", tokens=3000, basis="b", usd_per_call=Decimal("0.0081")
            ),
            call=site.key,
            fixable=True,
            observed={"calls": 1200, "spend_usd": "54.1"},
        ),
        Finding(
            code="AIC004",
            file=site.file,
            line=12,
            end_line=16,
            column=5,
            end_column=6,
            message="model 'x' is not in the price table",
            estimate=Estimate(
                kind="call", tokens=None, basis="b", unpriced_reason="'x' is not in the price table"
            ),
            call=site.key,
        ),
    ]
    return Report(
        version="0.1.0",
        root_name="proj",
        generated=datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc),
        calls=[site],
        findings=findings,
        diagnostics=[],
        selected=frozenset({"AIC001", "AIC004", "AIC005"}),
        files_scanned=3,
        files_with_calls=1,
        suppressed=2,
    )


def test_text_lines_are_exact() -> None:
    buffer = StringIO()
    render_text(_report(), Console(file=buffer, width=80, color_system=None))
    assert buffer.getvalue() == (
        "src/app, v2/chat.py:12:5: AIC001 openai.chat.completions.create has no output-token cap: 100% of the budget\n"
        "at risk [up to 16,384 tokens · up to $0.16384/call]\n"
        "src/app, v2/chat.py:12:5: AIC005 [*] uncached | prompt [saves 3,000 tokens · $0.0081/call · seen 1,200 calls, $54.1]\n"
        "src/app, v2/chat.py:12:5: AIC004 model 'x' is not in the price table [unpriced: 'x' is not in the price table]\n"
        "Found 3 findings at 1 LLM call site in 1 file (1 fixable with --fix); 2 suppressed.\n"
    )


def test_baselined_findings_are_marked_and_counted() -> None:
    report = _report()
    report.findings[2].baseline = True
    report.baselined = 1
    buffer = StringIO()
    render_text(report, Console(file=buffer, width=200, color_system=None))
    lines = buffer.getvalue().splitlines()
    assert lines[3].startswith("src/app, v2/chat.py:12:5: AIC004 (baseline) model 'x'")
    assert lines[4] == (
        "Found 3 findings at 1 LLM call site in 1 file (1 fixable with --fix);"
        " 1 in the baseline, 2 suppressed."
    )
    assert [f.baseline for f in report.failing] == [False, False]
    github = render_github(report).splitlines()
    assert github[2].startswith("::notice file=") and github[0].startswith("::warning file=")


def test_github_escapes_properties_and_data() -> None:
    lines = render_github(_report()).splitlines()
    assert lines[0] == (
        "::warning file=src/app%2C v2/chat.py,line=12,endLine=16,col=5,title=AIC001 missing-output-cap"
        "::openai.chat.completions.create has no output-token cap: 100%25 of the budget%0Aat risk"
        " [up to 16,384 tokens · up to $0.16384/call]"
    )
    assert lines[2].startswith("::error file=src/app%2C v2/chat.py,line=12,")


def test_markdown_tables_escape_pipes() -> None:
    text = render_markdown(_report())
    assert (
        "| AIC005 | Large static prompt sent without prompt caching (Anthropic cache_control) | 1 | $0.0081 |"
        in text
    )
    assert (
        "| `src/app, v2/chat.py:12` | uncached \\| prompt | 3,000 | saves $0.0081 | 1,200 calls, $54.1 |"
        in text
    )
    assert (
        "| `src/app, v2/chat.py:12` | `openai.chat.completions.create` | gpt-4o | **no** | ? | **no** | **no** |"
        in text
    )


def test_json_estimates_are_decimal_strings() -> None:
    document = render_json(_report())
    assert [f["estimate"]["usd_per_call"] for f in document["findings"]] == [
        "0.16384",
        "0.0081",
        None,
    ]
    assert document["call_sites"][0]["async"] is True
    assert document["summary"]["suppressed"] == 2
