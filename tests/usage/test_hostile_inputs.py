"""One hostile line, file or path never costs a whole report: each is a named reject (file:line,
reason) and every good line still counts. The numeric bounds come from the usage schema."""

from __future__ import annotations

import errno
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from cost_report.crsupport import MINIMAL_EVENT

from aiinfra_cli.usage import Ingested, detect_format, ingest, open_cache
from aiinfra_cli.usage._schema import MAX_TOKENS, MAX_USD

GOOD: dict[str, Any] = MINIMAL_EVENT
GOOD_LINE = json.dumps(GOOD)


def _ingest(tmp_path: Path, *specs: Path) -> Ingested:
    con, _warnings, _used = open_cache(tmp_path / "cache.duckdb")
    try:
        result = ingest(con, list(specs))
        result.files  # noqa: B018 - read before the connection closes
        return result
    finally:
        con.close()


def _events(result: Ingested) -> int:
    return sum(f.events for f in result.files)


def _between(tmp_path: Path, bad: str) -> Ingested:
    log = tmp_path / "logs" / "a.jsonl"
    log.parent.mkdir(exist_ok=True)
    log.write_text(f"{GOOD_LINE}\n{bad}\n{GOOD_LINE}\n", encoding="utf-8")
    return _ingest(tmp_path, log.parent)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ('{"tags": ' + "[" * 974 + "]" * 974 + "}", "nested too deeply"),
        (GOOD_LINE[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        (json.dumps({**GOOD, "input_tokens": 2**63}), f"at most {MAX_TOKENS:,}"),
        (json.dumps({**GOOD, "output_tokens": MAX_TOKENS + 1}), f"at most {MAX_TOKENS:,}"),
        (json.dumps({**GOOD, "cost_usd": 1e20}), f"at most {MAX_USD:,} USD"),
        (json.dumps({**GOOD, "saved_cost_usd": "1e21"}), f"at most {MAX_USD:,} USD"),
        (json.dumps({**GOOD, "timestamp": "0900-01-01T00:00:00Z"}), "outside 1970-9000"),
        (json.dumps({**GOOD, "timestamp": "9999-12-31T23:00:00Z"}), "outside 1970-9000"),
    ],
)
def test_one_hostile_line_is_a_named_reject(tmp_path: Path, bad: str, reason: str) -> None:
    result = _between(tmp_path, bad)
    assert _events(result) == 2
    (reject,) = result.rejects
    assert (reject.file.endswith("a.jsonl"), reject.line) == (True, 2)
    assert reason in reject.reason


def test_claude_code_counts_past_the_bounds_are_named_rejects(tmp_path: Path) -> None:
    def record(tokens: int, cost: object = None) -> str:
        line: dict[str, Any] = {
            "type": "assistant",
            "sessionId": "s",
            "requestId": f"r{tokens}",
            "timestamp": "2026-11-20T10:00:00Z",
            "message": {
                "id": f"m{tokens}",
                "model": "claude-sonnet-4-5",
                "usage": {"input_tokens": tokens, "output_tokens": 1},
            },
        }
        if cost is not None:
            line["costUSD"] = cost
        return json.dumps(line)

    log = tmp_path / "projects" / "p" / "s.jsonl"
    log.parent.mkdir(parents=True)
    lines = [record(5), record(2**63), record(MAX_TOKENS + 1), record(6, 1e20), record(7)]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _ingest(tmp_path, log)
    assert _events(result) == 2
    assert [r.line for r in result.rejects] == [2, 3, 4]


def test_a_corrupt_gzip_body_is_a_named_reject_after_the_lines_before_it(tmp_path: Path) -> None:
    # Valid gzip header, a deflate body broken past its start: zlib.error, not an OSError.
    body = bytearray(gzip.compress(((GOOD_LINE + "\n") * 2000).encode()))
    body[12] ^= 0xFF
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "bad.jsonl.gz").write_bytes(bytes(body))
    (logs / "good.jsonl").write_text(GOOD_LINE + "\n")
    result = _ingest(tmp_path, logs)
    assert _events(result) >= 1
    bad = [r for r in result.rejects if r.file.endswith("bad.jsonl.gz")]
    assert bad and "corrupt gzip data" in bad[-1].reason


def test_a_huge_first_line_without_newline_loses_only_itself(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    log.write_text("x" * 70_000 + "\n" + (GOOD_LINE + "\n") * 3, encoding="utf-8")
    assert detect_format(log) == "aiinfra"
    result = _ingest(tmp_path, log)
    assert _events(result) == 3
    (reject,) = result.rejects
    assert reject.line == 1


def test_symlink_loops_and_fifos_are_named_not_skipped(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "ok.jsonl").write_text(GOOD_LINE + "\n")
    (logs / "loop.jsonl").symlink_to("loop.jsonl")
    (logs / "dir-loop").symlink_to("dir-loop")
    os.mkfifo(logs / "pipe.jsonl")
    (tmp_path / "self").symlink_to("self")
    result = _ingest(tmp_path, logs, tmp_path / "self")
    assert _events(result) == 1
    reasons = {Path(r.file).name: r.reason for r in result.rejects}
    assert set(reasons) == {"loop.jsonl", "dir-loop", "pipe.jsonl", "self"}
    assert reasons["self"].startswith("symlink loop")
    assert reasons["loop.jsonl"].startswith("symlink loop")
    assert reasons["pipe.jsonl"].startswith("not a regular file")


def test_an_unreadable_directory_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = tmp_path / "logs"
    (logs / "locked").mkdir(parents=True)
    (logs / "locked" / "a.jsonl").write_text(GOOD_LINE + "\n")
    (logs / "b.jsonl").write_text(GOOD_LINE + "\n")
    scandir = os.scandir

    # chmod 000 does not stop root (the test user here): refuse the listing as the OS would.
    def refuse(path: Any) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    result = _ingest(tmp_path, logs)
    assert _events(result) == 1
    (reject,) = result.rejects
    assert reject.file.endswith("locked") and "cannot read directory" in reject.reason
