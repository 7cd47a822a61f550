"""Usage-event schema and the line-validating reader: every line is an event or a named reject."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _support import REPO

from aiinfra_cli.usage import (
    InvalidEvent,
    Reject,
    UsageEvent,
    format_timestamp,
    parse_event,
    read_events,
)

GOOD: dict[str, Any] = {
    "schema_version": 1,
    "timestamp": "2026-11-02T09:15:00.250Z",
    "provider": "anthropic",
    "request_model": "claude-sonnet-4-5",
    "response_model": "claude-sonnet-4-5-20250929",
    "input_tokens": 12000,
    "output_tokens": 800,
    "cache_read_tokens": 10000,
    "cache_write_tokens": 1500,
    "cache_write_1h_tokens": 500,
    "reasoning_tokens": 200,
    "status": "ok",
    "latency_ms": 2310.5,
    "ttft_ms": 410.0,
    "cost_usd": "0.0123",
    "feature": "summarize",
    "endpoint": "/api/summary",
    "user": "u-42",
    "call_site": "src/app/summary.py:88",
    "attempt": 2,
    "fallback_from": "fast",
    "prompt": "summarize@1.2.0",
    "request_id": "req_011CXyz",
}


def _line(**changes: Any) -> str:
    event = {**GOOD, **changes}
    return json.dumps({k: v for k, v in event.items() if v is not ...})


def test_good_event_round_trips() -> None:
    event = parse_event(json.loads(_line()))
    assert event.timestamp == datetime(2026, 11, 2, 9, 15, 0, 250000, tzinfo=timezone.utc)
    assert event.model == "claude-sonnet-4-5-20250929"
    assert event.cost_usd == Decimal("0.0123")
    assert (event.attempt, event.fallback_from, event.prompt) == (2, "fast", "summarize@1.2.0")
    again = parse_event(json.loads(json.dumps(event.to_json())))
    assert again == event
    assert next(iter(event.to_json())) == "schema_version"


def test_timestamps_in_any_offset_become_utc() -> None:
    event = parse_event(json.loads(_line(timestamp="2026-11-02T10:15:00+01:00")))
    assert format_timestamp(event.timestamp) == "2026-11-02T09:15:00.000Z"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"timestamp": ...}, "timestamp: is required"),
        (
            {"timestamp": "yesterday"},
            "timestamp 'yesterday' is not ISO 8601 (e.g. 2026-11-23T07:24:30Z)",
        ),
        (
            {"timestamp": "2026-11-02T09:15:00"},
            "timestamp '2026-11-02T09:15:00' has no UTC offset (write it in UTC with a 'Z')",
        ),
        ({"input_tokens": -1}, "input_tokens: must be at least 0, got -1"),
        ({"output_tokens": "800"}, "output_tokens: expected a whole number, got a string"),
        ({"status": "success"}, "status: 'success' is not one of: ok, error"),
        (
            {"cache_read_tokens": 11000},
            "cache_read_tokens + cache_write_tokens exceed input_tokens"
            " (input_tokens must count ALL input, cache included)",
        ),
        (
            {"cache_write_1h_tokens": 2000},
            "cache_write_1h_tokens exceed cache_write_tokens (they are a part of it)",
        ),
        (
            {"reasoning_tokens": 900},
            "reasoning_tokens exceed output_tokens (they are a part of it)",
        ),
        (
            {"cost_usd": "cheap"},
            'cost_usd: expected an amount in USD (e.g. 12.5 or "12.5"), got a string',
        ),
        (
            {"schema_version": 2},
            "schema_version 2 is newer than this aiinfra reads (1); upgrade aiinfra",
        ),
        ({"error_class": "oops"}, "error_class: 'oops' is not one of:"),
    ],
)
def test_invalid_events_say_why(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(json.loads(_line(**changes)))
    assert str(caught.value).startswith(reason)


def test_reader_keeps_going_and_reports_every_reject(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "2026-11.jsonl"
    log.parent.mkdir()
    lines = [
        _line(),
        '{"schema_version": 1, "timestamp": ',  # truncated write
        "",  # blank lines are not records
        _line(
            status="error",
            error_class="rate_limited",
            output_tokens=0,
            reasoning_tokens=0,
            http_status=429,
            new_field="kept",
        ),
        "[1, 2]",
        _line(input_tokens=-5),
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(tmp_path / "logs" / "2026-10.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(_line(timestamp="2026-10-30T00:00:00Z") + "\n")
    (tmp_path / "logs" / "notes.txt").write_text("not a log")

    result = read_events([tmp_path / "logs", tmp_path / "missing.jsonl"])
    assert [e.status for e in result.events] == ["ok", "ok", "error"]
    assert result.lines == 6
    assert result.unknown_fields == {"new_field": 1}
    shown = str(log)
    assert result.rejects == [
        Reject(str(tmp_path / "missing.jsonl"), 0, "no such file or directory"),
        Reject(shown, 2, "not valid JSON: Expecting value (column 35)"),
        Reject(shown, 5, "expected a JSON object"),
        Reject(shown, 6, "input_tokens: must be at least 0, got -5"),
    ]
    assert str(result.rejects[1]) == f"{shown}:2: not valid JSON: Expecting value (column 35)"


def test_reader_survives_binary_garbage(tmp_path: Path) -> None:
    log = tmp_path / "bad.jsonl"
    log.write_bytes(_line().encode() + b"\n\xff\xfe\x00garbage\n" + _line().encode() + b"\n")
    result = read_events([log])
    assert len(result.events) == 2
    assert result.rejects == [Reject(str(log), 2, "not UTF-8 text")]


def test_globs_are_expanded(tmp_path: Path) -> None:
    for name in ("a.jsonl", "b.jsonl", "c.json"):
        (tmp_path / name).write_text(_line() + "\n")
    result = read_events([str(tmp_path / "*.jsonl"), str(tmp_path / "nothing-*.jsonl")])
    assert len(result.events) == 2
    assert result.rejects == [
        Reject(str(tmp_path / "nothing-*.jsonl"), 0, "pattern matched no files")
    ]


def test_dataclass_and_schema_agree() -> None:
    from dataclasses import fields

    from aiinfra_cli.usage import KNOWN_FIELDS

    assert {f.name for f in fields(UsageEvent)} == set(KNOWN_FIELDS)


def test_committed_json_schemas_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "export_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_directory_without_logs_says_so(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "notes.txt").write_text("not a log")
    result = read_events([tmp_path / "logs"])
    assert result.events == []
    assert result.rejects == [
        Reject(
            str(tmp_path / "logs"),
            0,
            "directory holds no usage logs (*.jsonl, *.jsonl.gz, *.ndjson)",
        )
    ]
