"""``aiinfra usage validate``: every problem of every field of every line, for log producers;
and the cost report's side of the same contract (an unread malformed field never drops cost)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cost_report.crsupport import MINIMAL_EVENT

from aiinfra_cli.commands import usage as command

GOOD: dict[str, Any] = MINIMAL_EVENT


def _write(path: Path, *records: dict[str, Any] | str) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_problem_of_every_line_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _write(
        tmp_path / "a.jsonl",
        GOOD,
        {**GOOD, "latency_ms": "5", "tags": {"a": 1}},
        {**GOOD, "input_tokens": True},
        "{oops",
    )
    assert command.validate([str(log)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{log}:2: latency_ms: expected a number, got a string",
        f"{log}:2: tags.a: expected a string, got a number",
        f"{log}:3: input_tokens: expected a whole number, got a boolean",
        f"{log}:4: not valid JSON: Expecting property name enclosed in double quotes (column 2)",
    ]


def test_a_valid_log_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = _write(tmp_path / "a.jsonl", GOOD, {**GOOD, "event_id": "x", "tags": {"a": "b"}})
    assert command.validate([str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""
    assert log.exists()


def test_a_missing_path_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert command.validate([str(tmp_path / "nope")]) == 1
    assert "no such file or directory" in capsys.readouterr().out
