"""One definition of a valid line: DuckDB's bulk reader and the line-by-line reader give the same
rows, rejects and warnings for every odd kind of line, whatever the file around it (#13.4).

A line is rejected when a field the report reads is missing, mistyped or out of range; a
malformed field no report reads is a warning and the line's cost still counts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiinfra_cli.usage import COLUMNS, ReadResult, ingest, open_cache, read_file, row_from_event

GOOD: dict[str, Any] = {
    "schema_version": 1,
    "event_id": "e0",
    "timestamp": "2026-11-20T10:00:00.250Z",
    "provider": "openai",
    "request_model": "gpt-4o-mini",
    "input_tokens": 1000,
    "output_tokens": 10,
    "cache_read_tokens": 200,
    "status": "ok",
    "cost_usd": "0.00015",
    "feature": "chat",
    "tags": {"team": "a"},
}


def _with(**changes: Any) -> str:
    return json.dumps({**GOOD, **changes})


# (kind, raw line, what it is: "reject", "warning" or "ok")
ODD: list[tuple[str, str, str]] = [
    ("tokens as 1000.0", _with(input_tokens=1000.0), "reject"),
    ("tokens as 1000.5", _with(input_tokens=1000.5), "reject"),
    ("tokens as true", _with(input_tokens=True), "reject"),
    ("tokens as a string", _with(output_tokens="10"), "reject"),
    ("tokens 2^63", _with(input_tokens=2**63), "reject"),
    ("schema_version 1.0", _with(schema_version=1.0), "reject"),
    ("schema_version 2", _with(schema_version=2), "reject"),
    ("latency NaN", _with(latency_ms=0).replace('"latency_ms": 0', '"latency_ms": NaN'), "warning"),
    (
        "latency 1e309",
        _with(latency_ms=0).replace('"latency_ms": 0', '"latency_ms": 1e309'),
        "warning",
    ),
    ("latency as a string", _with(latency_ms="5"), "warning"),
    ("http_status as a string", _with(http_status="200"), "warning"),
    ("cache_hit 1", _with(cache_hit=1), "reject"),
    ("cache_hit 'true'", _with(cache_hit="true"), "reject"),
    ("provider a number", _with(provider=5), "reject"),
    ("request_model a number", _with(request_model=5), "reject"),
    ("response_model a number", _with(response_model=5), "reject"),
    ("feature a number", _with(feature=5), "reject"),
    ("event_id a number", _with(event_id=5), "reject"),
    ("event_id empty", _with(event_id=""), "reject"),
    ("event_id null", _with(event_id=None), "ok"),
    ("attempt null", _with(attempt=None), "ok"),
    ("tags with a number", _with(tags={"a": 1}), "warning"),
    ("tags a list", _with(tags=["a"]), "warning"),
    ("tags empty", _with(tags={}), "ok"),
    ("error_type a number", _with(error_type=3), "warning"),
    ("operation a number", _with(operation=3), "warning"),
    ("offset +24:00", _with(timestamp="2026-11-20T10:00:00+24:00"), "reject"),
    ("offset +05:30", _with(timestamp="2026-11-20T10:00:00+05:30"), "ok"),
    ("no offset", _with(timestamp="2026-11-20T10:00:00"), "reject"),
    ("a date that is not", _with(timestamp="2026-02-30T10:00:00Z"), "reject"),
    ("year 900", _with(timestamp="0900-01-01T00:00:00Z"), "reject"),
    ("space for T", _with(timestamp="2026-11-20 10:00:00Z"), "ok"),
    ("cost as a number", _with(cost_usd=0.1), "ok"),
    ("cost with 17 digits", _with(cost_usd=0.12345678901234567), "ok"),
    ("cost as 1e-5", _with(cost_usd=1e-5), "ok"),
    ("cost string with spaces", _with(cost_usd=" 0.5 "), "ok"),
    ("cost 1e20", _with(cost_usd=1e20), "reject"),
    ("cost negative", _with(cost_usd="-1"), "reject"),
    ("cost true", _with(cost_usd=True), "reject"),
    ("cache reads over input", _with(cache_read_tokens=2000), "reject"),
    ("status other", _with(status="fine"), "reject"),
    ("error_class unknown", _with(status="error", error_class="nope"), "warning"),
    ("duplicate key", _with()[:-1] + ', "input_tokens": 1000000}', "ok"),
    ("not an object", "[1, 2]", "reject"),
    ("not JSON", "{oops", "reject"),
    ("nested too deep", '{"tags": ' + "[" * 3000 + "]" * 3000 + "}", "reject"),
    ("unknown field", _with(x_custom=1), "ok"),
    ("escaped status", _with().replace('"status": "ok"', '"status": "\\u006fk"'), "ok"),
    ("escaped provider", _with().replace('"openai"', '"open\\u0061i"'), "ok"),
    ("empty provider", _with(provider=""), "reject"),
    ("cache_hit true", _with(cache_hit=True), "ok"),
    ("error_class known", _with(status="error", error_class="rate_limited"), "ok"),
    ("lone surrogate", _with(feature="x").replace('"x"', '"\\ud83d"'), "reject"),
]


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)


def _python_rows(result: ReadResult) -> list[tuple[Any, ...]]:
    rows = []
    for event in result.events:
        data = row_from_event(event).as_json()
        for key in ("recorded_cost", "saved_cost"):
            if data[key] is not None:  # the cache holds DECIMAL(38,18)
                data[key] = Decimal(data[key]).quantize(Decimal(10) ** -18)
        rows.append(tuple(data.values()))
    return _sorted(rows)


def _files(tmp_path: Path) -> list[tuple[str, str, int, Path]]:
    """One log per odd kind, the odd line first, in the middle or last among four good ones."""
    made = []
    for index, (kind, odd, verdict) in enumerate(ODD):
        good = [_with(event_id=f"e{n}") for n in range(4)]
        place = (0, 2, 4)[index % 3]
        log = tmp_path / "logs" / f"{index:02d}.jsonl"
        log.parent.mkdir(exist_ok=True)
        log.write_text("\n".join([*good[:place], odd, *good[place:]]) + "\n", encoding="utf-8")
        made.append((kind, verdict, place + 1, log))
    bom = tmp_path / "logs" / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + (_with() + "\n").encode() * 3)
    made.append(("byte-order mark on line 1", "ok", 1, bom))
    return made


def test_both_readers_agree_on_every_odd_kind_of_line(tmp_path: Path) -> None:
    made = _files(tmp_path)
    con, _warnings, _used = open_cache(tmp_path / "cache.duckdb")
    ingested = ingest(con, [log for *_, log in made], "aiinfra")
    names = ", ".join(f'"{name}"' for name, _ in COLUMNS)
    by_path = {f.path.name: f for f in ingested.files}
    for kind, verdict, line, log in made:
        stat = by_path[log.name]
        fast = _sorted(
            con.execute(f"SELECT {names} FROM events WHERE file_id = ?", [stat.file_id]).fetchall()
        )
        python = ReadResult()
        read_file(log, python, display=log.name)
        assert fast == _python_rows(python), kind
        assert [(r.line, r.reason) for r in ingested.rejects if r.file.endswith(log.name)] == [
            (r.line, r.reason) for r in python.rejects
        ], kind
        assert [(r.line, r.reason) for r in ingested.malformed if r.file.endswith(log.name)] == [
            (r.line, r.reason) for r in python.warnings
        ], kind
        assert [r.line for r in python.rejects] == ([line] if verdict == "reject" else []), kind
        assert [r.line for r in python.warnings] == ([line] if verdict == "warning" else []), kind
        expected = 3 if log.name == "bom.jsonl" else 4 + (verdict != "reject")
        assert len(python.events) == expected, kind
    con.close()


def test_a_clean_file_stays_on_the_fast_path(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    log.write_text("\n".join([_with(event_id=f"e{n}") for n in range(3)]) + "\n")
    con, _warnings, _used = open_cache(tmp_path / "cache.duckdb")
    ingested = ingest(con, [log], "aiinfra")
    con.close()
    assert [f.method for f in ingested.files] == ["duckdb"]
