"""End to end: the real ``aiinfra`` entry point in a subprocess, in a real ``git init`` repo."""

from __future__ import annotations

import json
from pathlib import Path

from _support import run_cli
from cost_report.crsupport import CONFIG, event, write_jsonl

LOGS = [
    event(
        event_id="1", timestamp="2026-11-01T10:00:00Z", input_tokens=1_000_000, feature="chat"
    ),  # $3
    event(
        event_id="2",
        timestamp="2026-11-02T10:00:00Z",
        input_tokens=100_000,
        output_tokens=10_000,
        feature="chat",
    ),  # $0.45
    '{"broken',
]


def _repo(git_repo: Path) -> Path:
    (git_repo / "config").mkdir()
    (git_repo / "config" / "ai-models.yaml").write_text(CONFIG, encoding="utf-8")
    write_jsonl(git_repo / "logs" / "usage.jsonl", LOGS)
    return git_repo


def test_json_is_the_only_thing_on_stdout(git_repo: Path) -> None:
    repo = _repo(git_repo)
    result = run_cli(
        "cost-report",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-02",
        "--json",
        "--no-write",
        cwd=repo,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)  # one document, nothing else
    assert doc["schema_version"] == 1
    assert set(doc) >= {"period", "totals", "by_model", "by_day", "by_feature", "rejected"}
    assert doc["totals"]["cost_usd"] == "3.45"
    assert doc["rejected"]["count"] == 1
    assert doc["rejected"]["examples"][0]["file"] == "logs/usage.jsonl"
    assert doc["rejected"]["examples"][0]["line"] == 3
    assert "AI cost report 2026-11-01 → 2026-11-02" in result.stderr
    assert "logs/usage.jsonl:3: not valid JSON" in result.stderr
    assert not (repo / ".multiagent" / "reports").exists()


def test_writes_markdown_and_json_reports(git_repo: Path) -> None:
    repo = _repo(git_repo)
    sub = repo / "src"
    sub.mkdir()
    result = run_cli("cost-report", "--since", "2026-11-01", "--until", "2026-11-02", cwd=sub)
    assert result.returncode == 0, result.stderr
    reports = sorted((repo / ".multiagent" / "reports").iterdir())
    assert [p.suffix for p in reports] == [".json", ".md"]
    assert reports[0].name.startswith("ai-cost-report-")
    markdown = reports[1].read_text()
    assert markdown.startswith("# AI cost report: 2026-11-01 → 2026-11-02 (UTC)")
    assert "```mermaid\nxychart-beta" in markdown and "```mermaid\npie showData" in markdown
    assert json.loads(reports[0].read_text())["totals"]["cost_usd"] == "3.45"
    assert "total $3.45 over 2 requests" in result.stdout
    baselines = repo / ".multiagent" / "ai-infrastructure" / "memory" / "cost-baselines.json"
    assert json.loads(baselines.read_text())["zones"]["UTC"]["2026-11-01"]["cost_usd"] == "3"


def test_fail_on_budget_exits_1(git_repo: Path) -> None:
    repo = _repo(git_repo)
    over = run_cli(
        "cost-report",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-02",
        "--budget",
        "3",
        "--fail-on-budget",
        "--no-write",
        cwd=repo,
    )
    assert over.returncode == 1
    assert "budget exceeded: --budget (--fail-on-budget)" in over.stderr
    fine = run_cli(
        "cost-report",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-01",
        "--budget",
        "30",
        "--fail-on-budget",
        "--no-write",
        cwd=repo,
    )
    assert fine.returncode == 1  # the config's daily budget ($1) is at 300 % on 11-01
    relaxed = run_cli(
        "cost-report",
        "--since",
        "2026-11-02",
        "--until",
        "2026-11-02",
        "--budget",
        "30",
        "--fail-on-budget",
        "--no-write",
        cwd=repo,
    )
    assert relaxed.returncode == 0, relaxed.stderr


def test_github_summary_is_appended(git_repo: Path, tmp_path: Path) -> None:
    repo = _repo(git_repo)
    summary = tmp_path / "step-summary.md"
    summary.write_text("## earlier step\n")
    result = run_cli(
        "cost-report",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-02",
        "--github-summary",
        "--no-write",
        cwd=repo,
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 0, result.stderr
    text = summary.read_text()
    assert text.startswith("## earlier step\n# AI cost report: 2026-11-01 → 2026-11-02 (UTC)")
    assert "| Total cost | **$3.45**" in text


def test_empty_period_exit_0(git_repo: Path) -> None:
    repo = _repo(git_repo)
    result = run_cli(
        "cost-report", "--since", "2025-01-01", "--until", "2025-01-31", "--no-write", cwd=repo
    )
    assert result.returncode == 0
    assert "no usage between 2025-01-01 and 2025-01-31 (UTC)" in result.stdout


def test_usage_errors_are_one_line_exit_2(git_repo: Path) -> None:
    repo = _repo(git_repo)
    result = run_cli("cost-report", "--group-by", "colour", cwd=repo)
    assert result.returncode == 2
    assert result.stderr == (
        "aiinfra: error: --group-by colour: unknown group (choose from model, provider, feature,"
        " endpoint, user, tenant, session, call_site, day)\n"
    )
    result = run_cli("cost-report", "--log-format", "csv", cwd=repo)
    assert (result.returncode, result.stderr.count("\n")) == (2, 1)


def test_default_logs_come_from_the_config(git_repo: Path) -> None:
    repo = _repo(git_repo)
    result = run_cli(
        "cost-report",
        "--timeframe",
        "all",
        "--until",
        "2026-11-30",
        "--json",
        "--no-write",
        cwd=repo,
    )
    doc = json.loads(result.stdout)
    assert doc["sources"]["logs"] == ["logs"]
    assert doc["period"]["since"] == "2026-11-01"
