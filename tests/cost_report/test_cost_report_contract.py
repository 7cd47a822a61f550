"""What the cost report reads of a line decides its fate: a malformed field the report reads
rejects the line; any other malformed field is a warning and the line's cost still counts."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from cost_report.crsupport import Runner, event, write_jsonl


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
