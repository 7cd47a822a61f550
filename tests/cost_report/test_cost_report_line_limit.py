"""The fast path sizes DuckDB's line limit per batch: lines beyond DuckDB's 16 MiB default still
go through it, and small files do not pay for a 1 GiB buffer each."""

from __future__ import annotations

import json
from pathlib import Path

from aiinfra_cli.usage import ingest, open_cache
from aiinfra_cli.usage._ingest import _MAX_LINE_BYTES, _MIN_LINE_BYTES, _object_limit


def _call(n: int) -> dict[str, object]:
    return {
        "type": "assistant",
        "sessionId": "s1",
        "requestId": f"r{n}",
        "timestamp": f"2026-08-01T00:00:0{n}.000Z",
        "message": {
            "id": f"m{n}",
            "model": "claude-sonnet-4-5-20250929",
            "usage": {"input_tokens": 10 * n, "output_tokens": n},
        },
    }


def test_a_line_over_16_mib_is_read_on_the_fast_path(tmp_path: Path) -> None:
    log = tmp_path / "projects" / "p1" / "s1.jsonl"
    log.parent.mkdir(parents=True)
    huge = {"type": "user", "sessionId": "s1", "message": {"content": "x" * (17 << 20)}}
    records = [_call(1), huge, _call(2)]
    log.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")

    con, _warnings, _used = open_cache(None)
    result = ingest(con, [tmp_path], "auto")

    assert [(f.format, f.method, f.events) for f in result.files] == [("claude-code", "duckdb", 2)]
    assert result.rejects == []
    assert con.execute("SELECT sum(input), sum(output) FROM events").fetchone() == (30, 3)


def test_object_limit_follows_the_largest_file(tmp_path: Path) -> None:
    small = tmp_path / "a.jsonl"
    small.write_text("{}\n", encoding="utf-8")
    big = tmp_path / "b.jsonl"
    big.write_bytes(b" " * (20 << 20))
    packed = tmp_path / "c.jsonl.gz"
    packed.write_bytes(b"")

    assert _object_limit([small]) == _MIN_LINE_BYTES
    assert _object_limit([small, big]) == 32 << 20
    assert _object_limit([small, packed]) == _MAX_LINE_BYTES
    assert _object_limit([tmp_path / "missing.jsonl"]) == _MAX_LINE_BYTES
