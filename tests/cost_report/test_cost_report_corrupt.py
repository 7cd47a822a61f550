"""A log DuckDB's bulk reader cannot get through (a truncated gzip stream) is read line by line:
its readable lines count, the break is named by file:line, and the run does not crash."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from _support import run_cli

LINE = {
    "schema_version": 1,
    "timestamp": "2026-11-20T10:00:00Z",
    "provider": "openai",
    "request_model": "gpt-4o-mini",
    "input_tokens": 100,
    "output_tokens": 10,
    "status": "ok",
}


def test_truncated_gzip_log_is_a_named_reject_not_a_crash(git_repo: Path) -> None:
    logs = git_repo / "logs"
    logs.mkdir()
    (logs / "good.jsonl").write_text(json.dumps(LINE) + "\n")
    whole = gzip.compress(((json.dumps(LINE) + "\n") * 2000).encode())
    (logs / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])

    args = ("cost-report", "--logs", "logs", "--no-write", "--json")
    period = ("--since", "2026-11-01", "--until", "2026-11-22")
    result = run_cli(*args, *period, cwd=git_repo)
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    report = json.loads(result.stdout)
    rejected = report["rejected"]
    assert rejected["count"] == 1
    (example,) = rejected["examples"]
    assert example["file"].endswith("cut.jsonl.gz")
    assert example["reason"].startswith("cannot read: Compressed file ended")
    # Every line before the break counts, plus the good file's one.
    assert report["totals"]["requests"] == example["line"] - 1 + 1
