"""What the cost report reads of a line decides its fate: a malformed field the report reads
rejects the line; any other malformed field is a warning and the line's cost still counts."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from _support import run_cli
from cost_report.crsupport import Runner, event, write_jsonl

from aiinfra_cli.errors import UsageLogError


def test_an_unread_malformed_field_warns_and_keeps_the_cost(
    project: Path, report: Runner, consoles: tuple[StringIO, StringIO]
) -> None:
    write_jsonl(
        project / "logs" / "usage.jsonl",
        [
            event(event_id="1", input_tokens=1_000_000),  # $3
            event(event_id="2", input_tokens=1_000_000, latency_ms="slow", tags={"n": 1}),  # $3
            event(event_id="3", input_tokens=1_000_000, cache_hit="yes"),  # read: rejected
        ],
    )
    code, doc = report(since="2026-11-01", until="2026-11-01")
    assert code == 0
    assert doc["totals"]["requests"] == 2
    assert doc["totals"]["cost_usd"] == "6"
    assert [(r["line"], r["reason"]) for r in doc["rejected"]["examples"]] == [
        (3, "cache_hit: expected true or false, got a string")
    ]
    warned = " ".join(consoles[1].getvalue().split())
    assert (
        "1 line(s) counted although a field the report does not read is malformed:"
        " logs/usage.jsonl:2: latency_ms: expected a number, got a string;"
        " tags.n: expected a string, got a number;"
        " `aiinfra usage validate` lists every problem"
    ) in warned


def test_a_missing_log_source_is_one_error_line(git_repo: Path) -> None:
    result = run_cli("cost-report", "--logs", "nowhere", "--no-write", cwd=git_repo)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("aiinfra: error: no usage logs to read (--logs: nowhere: no such file")
    assert "point --logs" in line and "Running in CI" in line
    (git_repo / "empty").mkdir()
    result = run_cli("cost-report", "--logs", "empty", "--no-write", cwd=git_repo)
    assert result.returncode == 1
    assert "empty: directory holds no usage logs" in result.stderr


def test_in_ci_a_period_without_usage_fails(
    project: Path, report: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_jsonl(project / "logs" / "usage.jsonl", [event(input_tokens=10)])
    code, _doc = report(since="2026-10-01", until="2026-10-02")
    assert code == 0  # on a laptop, an empty period is a report
    monkeypatch.setenv("CI", "true")
    with pytest.raises(UsageLogError, match="no usage between 2026-10-01 and 2026-10-02 in logs"):
        report(since="2026-10-01", until="2026-10-02")
    code, doc = report(since="2026-10-01", until="2026-10-02", require_data=False)
    assert (code, doc["totals"]["requests"]) == (0, 0)
    monkeypatch.delenv("CI")
    with pytest.raises(UsageLogError):
        report(since="2026-10-01", until="2026-10-02", require_data=True)


def test_an_empty_report_never_replaces_a_non_empty_one_of_the_same_day(
    project: Path, report: Runner, consoles: tuple[StringIO, StringIO]
) -> None:
    write_jsonl(project / "logs" / "usage.jsonl", [event(input_tokens=1_000_000)])
    report(since="2026-11-01", until="2026-11-01", no_write=False)
    written = project / ".multiagent" / "reports" / "ai-cost-report-2026-11-04.json"
    before = written.read_text()
    assert json.loads(before)["totals"]["requests"] == 1
    code, doc = report(since="2026-10-01", until="2026-10-02", no_write=False)
    assert (code, doc["totals"]["requests"]) == (0, 0)
    assert written.read_text() == before
    warned = " ".join(consoles[1].getvalue().split())
    assert "no usage between 2026-10-01 and 2026-10-02: kept today's report" in warned
    assert "(1 requests) instead of overwriting it" in warned
