"""A log DuckDB's bulk reader cannot get through (a truncated gzip stream) is read line by line:
its readable lines count, the break is named by file:line, and the run does not crash. A line
no text column can hold is a named reject; a file named like a glob pattern is read as itself."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from _support import run_cli
from cost_report.crsupport import MINIMAL_EVENT

from aiinfra_cli.usage import ingest, open_cache

LINE = MINIMAL_EVENT


def _report(repo: Path) -> subprocess.CompletedProcess[str]:
    """``aiinfra cost-report`` over ``repo/logs`` for 2026-11-01..22, the JSON on stdout."""
    period = ("--since", "2026-11-01", "--until", "2026-11-22")
    return run_cli("cost-report", "--logs", "logs", "--no-write", "--json", *period, cwd=repo)


def test_truncated_gzip_log_is_a_named_reject_not_a_crash(git_repo: Path) -> None:
    logs = git_repo / "logs"
    logs.mkdir()
    (logs / "good.jsonl").write_text(json.dumps(LINE) + "\n")
    whole = gzip.compress(((json.dumps(LINE) + "\n") * 2000).encode())
    (logs / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])

    result = _report(git_repo)
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


def test_the_bulk_readers_memory_limit_does_not_outlive_its_failure(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    whole = gzip.compress(((json.dumps(LINE) + "\n") * 2000).encode())
    (logs / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    con, _warnings, _used = open_cache(tmp_path / "cache.duckdb")
    default = con.execute("SELECT current_setting('memory_limit')").fetchone()
    ingested = ingest(con, [logs], "auto")
    assert [f.method for f in ingested.files] == ["python"]  # the bulk read failed, then retried
    # The reports' queries run under DuckDB's own limit again, not the ingest's cap.
    assert con.execute("SELECT current_setting('memory_limit')").fetchone() == default
    con.close()


def test_a_lone_surrogate_escape_is_a_named_reject(git_repo: Path) -> None:
    logs = git_repo / "logs"
    logs.mkdir()
    bad = json.dumps({**LINE, "feature": "x"}).replace('"x"', '"\\ud83d"')
    pair = json.dumps({**LINE, "feature": "x"}).replace('"x"', '"\\ud83d\\ude00"')
    (logs / "a.jsonl").write_text(f"{bad}\n{pair}\n{json.dumps(LINE)}\n")
    result = _report(git_repo)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["totals"]["requests"] == 2  # a whole pair is a character (an emoji here)
    (example,) = report["rejected"]["examples"]
    assert (example["file"], example["line"]) == ("logs/a.jsonl", 1)
    assert "outside a surrogate pair" in example["reason"]


def test_a_log_named_like_a_glob_pattern_is_read_as_itself(git_repo: Path) -> None:
    logs = git_repo / "logs"
    logs.mkdir()
    (logs / "ab.jsonl").write_text(json.dumps({**LINE, "input_tokens": 1000}) + "\n")
    # To DuckDB's reader "a[b].jsonl" is a pattern that matches ab.jsonl, not this file.
    (logs / "a[b].jsonl").write_text(json.dumps({**LINE, "input_tokens": 7}) + "\n")
    result = _report(git_repo)
    assert result.returncode == 0, result.stderr
    totals = json.loads(result.stdout)["totals"]
    assert (totals["requests"], totals["input_tokens"]) == (2, 1007)
