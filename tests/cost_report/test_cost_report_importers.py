"""Importers on realistic samples: Claude Code session logs, OTLP GenAI spans, the own format.

The Claude Code and OTLP samples follow the shapes those tools write (field names as in Claude
Code 2.x session files and the OpenTelemetry GenAI semantic conventions / OTLP JSON encoding).
"""

from __future__ import annotations

import json
from pathlib import Path

from cost_report.crsupport import Runner, event, write_jsonl

from aiinfra_cli.usage import detect_format, read_claude_code, read_otel

SESSION = "0f9c3a52-1d7e-4c1b-9a57-6f1c2b3d4e5f"


def _assistant(
    msg: str,
    req: str,
    stamp: str,
    usage: dict[str, object],
    model: str = "claude-sonnet-4-5-20250929",
) -> dict[str, object]:
    return {
        "parentUuid": "6b1c0d5e-0000-4000-8000-000000000001",
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/shop",
        "sessionId": SESSION,
        "version": "2.0.14",
        "gitBranch": "main",
        "message": {
            "id": msg,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": "Done."}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": usage,
        },
        "requestId": req,
        "type": "assistant",
        "uuid": f"uuid-{msg}",
        "timestamp": stamp,
    }


USER_LINE = {
    "parentUuid": None,
    "isSidechain": False,
    "userType": "external",
    "cwd": "/home/dev/shop",
    "sessionId": SESSION,
    "version": "2.0.14",
    "type": "user",
    "message": {"role": "user", "content": "fix the failing test"},
    "uuid": "6b1c0d5e-0000-4000-8000-000000000001",
    "timestamp": "2026-11-02T09:59:58.120Z",
}
# msg_1: 100 in + 2000 written (1000 5m, 1000 1h) + 10000 read; 500 out (sonnet 4.5):
#   100x3 + 1000x3.75 + 1000x6 + 10000x0.3 + 500x15 = 300+3750+6000+3000+7500 = 20550 µ$
# msg_2: 1000 in, 100 out = 3000+1500 = 4500 µ$      total 0.02505
USAGE_1 = {
    "input_tokens": 100,
    "cache_creation_input_tokens": 2000,
    "cache_read_input_tokens": 10000,
    "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 1000},
    "output_tokens": 500,
    "service_tier": "standard",
}


def _claude_dir(root: Path, *, extra: list[str] | None = None) -> Path:
    base = root / "claude"
    line1 = _assistant("msg_1", "req_1", "2026-11-02T10:00:05.000Z", USAGE_1)
    line2 = _assistant(
        "msg_2", "req_2", "2026-11-02T10:01:05.000Z", {"input_tokens": 1000, "output_tokens": 100}
    )
    lines = [
        json.dumps(USER_LINE, separators=(",", ":")),
        json.dumps(line1, separators=(",", ":")),
        json.dumps(line1, separators=(",", ":")),  # the same response logged twice: counts once
        # A space after "usage": must not matter (a peer tool drops such lines).
        json.dumps(line2, separators=(",", ": ")),
        json.dumps({"type": "summary", "summary": "Fix test", "leafUuid": "x"}),
        *(extra or []),
    ]
    write_jsonl(base / "projects" / "-home-dev-shop" / f"{SESSION}.jsonl", lines)
    return base


def test_claude_code_logs(project: Path, report: Runner) -> None:
    logs = _claude_dir(project)
    code, doc = report(logs=[str(logs)], since="2026-11-02", until="2026-11-02")
    assert code == 0
    t = doc["totals"]
    assert (t["cost_usd"], t["requests"], t["input_tokens"], t["output_tokens"]) == (
        "0.02505",
        2,
        13100,
        600,
    )
    assert (t["cache_read_tokens"], t["cache_write_tokens"], t["cache_write_1h_tokens"]) == (
        10000,
        2000,
        1000,
    )
    assert doc["by_feature"][0]["feature"] == "-home-dev-shop"
    assert doc["sources"]["formats"] == {"claude-code": 1}
    assert doc["rejected"]["count"] == 0


def test_claude_code_bad_lines_named_with_file_and_line(project: Path, report: Runner) -> None:
    bad_usage = _assistant(
        "msg_3", "req_3", "2026-11-02T11:00:00.000Z", {"input_tokens": -5, "output_tokens": 1}
    )
    logs = _claude_dir(
        project,
        extra=['{"type":"assistant","message":{"id":"msg_4"', json.dumps(bad_usage)],
    )
    code, doc = report(logs=[str(logs)], since="2026-11-02", until="2026-11-02")
    assert code == 0
    assert doc["totals"]["cost_usd"] == "0.02505"
    shown = str(Path("claude/projects/-home-dev-shop") / f"{SESSION}.jsonl")
    reasons = [(r["file"], r["line"], r["reason"]) for r in doc["rejected"]["examples"]]
    assert reasons[0][:2] == (shown, 6) and reasons[0][2].startswith("not valid JSON")
    assert reasons[1] == (shown, 7, "message.usage: input_tokens must not be negative (-5)")


def test_claude_code_reader_directly(tmp_path: Path) -> None:
    logs = _claude_dir(tmp_path)
    path = next(logs.rglob("*.jsonl"))
    rows, rejects, lines = read_claude_code(path, "s.jsonl")
    assert (len(rows), rejects, lines) == (3, [], 5)  # duplicates are dropped by the report
    assert rows[0].dedupe_key == rows[1].dedupe_key == "msg_1:req_1"
    assert (rows[0].feature, rows[0].session, rows[0].cache_write_1h) == (
        "-home-dev-shop",
        SESSION,
        1000,
    )


def _attr(key: str, value: object) -> dict[str, object]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def _span(
    span_id: str, start: int, attrs: dict[str, object], error: bool = False
) -> dict[str, object]:
    return {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": span_id,
        "name": f"chat {attrs.get('gen_ai.request.model', '')}",
        "kind": 3,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + 1_500_000_000),
        "attributes": [_attr(k, v) for k, v in attrs.items()],
        "status": {"code": 2, "message": "rate limited"} if error else {},
    }


NOV2_10H = 1_793_613_600_000_000_000  # 2026-11-02T10:00:00Z in ns


def _otlp(spans: list[dict[str, object]]) -> dict[str, object]:
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [_attr("service.name", "support-bot")]},
                "scopeSpans": [
                    {"scope": {"name": "opentelemetry.instrumentation.openai"}, "spans": spans}
                ],
            }
        ]
    }


def test_otlp_json_spans(project: Path, report: Runner) -> None:
    spans = [
        # OpenAI: 2000 input of which 1000 cached, 500 output of which 200 reasoning (o4-mini):
        # 1000x1.1 + 1000x0.275 + 500x4.4 = 1100 + 275 + 2200 = 3575 µ$
        _span(
            "a1",
            NOV2_10H,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "o4-mini",
                "gen_ai.response.model": "o4-mini-2025-04-16",
                "gen_ai.usage.input_tokens": 2000,
                "gen_ai.usage.cache_read.input_tokens": 1000,
                "gen_ai.usage.output_tokens": 500,
                "gen_ai.usage.reasoning.output_tokens": 200,
                "user.id": "u-7",
            },
        ),
        # Legacy gen_ai.system, failed call with no tokens.
        _span(
            "a2",
            NOV2_10H + 10**9,
            {
                "gen_ai.system": "openai",
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.usage.input_tokens": 0,
                "gen_ai.usage.output_tokens": 0,
                "error.type": "RateLimitError",
            },
            error=True,
        ),
        # Not a GenAI span: ignored.
        _span("a3", NOV2_10H, {"http.request.method": "POST"}),
        # GenAI span without a model: rejected, named.
        _span("a4", NOV2_10H, {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 5}),
    ]
    path = project / "otel" / "traces.json"
    path.parent.mkdir()
    path.write_text(json.dumps(_otlp(spans), indent=2))
    code, doc = report(
        logs=[str(path)], since="2026-11-02", until="2026-11-02", group_by=["feature,user"]
    )
    assert code == 0
    t = doc["totals"]
    assert (t["cost_usd"], t["requests"], t["errors"], t["reasoning_tokens"]) == (
        "0.003575",
        2,
        1,
        200,
    )
    assert doc["by_feature"][0]["feature"] == "support-bot"
    assert [u["user"] for u in doc["by_user"]] == ["u-7", None]
    assert doc["rejected"]["examples"] == [
        {
            "file": str(Path("otel/traces.json")),
            "line": 1,
            "reason": "span 4 'chat ': gen_ai span without gen_ai.request.model or"
            " gen_ai.response.model",
        }
    ]


def test_otlp_jsonl_and_detection(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    span = _span(
        "b1",
        NOV2_10H,
        {
            "gen_ai.provider.name": "anthropic",
            "gen_ai.request.model": "claude-haiku-4-5",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.cache_read.input_tokens": 100,
            "gen_ai.usage.output_tokens": 5,
        },
    )
    write_jsonl(path, [_otlp([span]), "{broken"])
    assert detect_format(path) == "otel"
    rows, rejects, lines = read_otel(path, "spans.jsonl")
    # Anthropic's own counting (cache reads beyond input): normalised to all-input = 110.
    assert [(r.input, r.cache_read, r.output) for r in rows] == [(110, 100, 5)]
    assert [(r.line, r.reason.split(":")[0]) for r in rejects] == [(2, "not valid JSON")]
    assert lines == 2


def test_own_format_rejects_and_unknown_fields(project: Path, report: Runner) -> None:
    write_jsonl(
        project / "logs" / "a.jsonl",
        [
            event(input_tokens=1000, output_tokens=10, colour="blue"),
            '{"schema_version": 1, "timestamp": "2026-11-0',
            event(input_tokens=-1),
            event(timestamp="2026-11-01T10:00:00"),
            event(schema_version=2),
            "",
            event(input_tokens=2000, output_tokens=0),
        ],
    )
    (project / "logs" / "b.jsonl").write_text("")
    code, doc = report(since="2026-11-01", until="2026-11-01", logs=["logs", "missing.jsonl"])
    assert code == 0
    assert doc["totals"]["requests"] == 2
    assert doc["totals"]["cost_usd"] == "0.00915"  # 3000 x 3 + 10 x 15 µ$
    examples = [(r["file"], r["line"], r["reason"]) for r in doc["rejected"]["examples"]]
    a = str(Path("logs/a.jsonl"))
    assert examples == [
        ("missing.jsonl", 0, "no such file or directory"),
        (a, 2, "not valid JSON: Unterminated string starting at (column 36)"),
        (a, 3, "input_tokens: must be at least 0, got -1"),
        (a, 4, "timestamp '2026-11-01T10:00:00' has no UTC offset (write it in UTC with a 'Z')"),
        (a, 5, "schema_version 2 is newer than this aiinfra reads (1); upgrade aiinfra"),
    ]
    assert doc["rejected"]["count"] == 5
    assert doc["rejected"]["unknown_fields"] == [
        {"field": "colour", "count": 1, "file": a, "line": 1}
    ]


def test_detection(tmp_path: Path) -> None:
    own = write_jsonl(tmp_path / "own.jsonl", [event()])
    cc = write_jsonl(tmp_path / "cc.jsonl", [USER_LINE])
    other = write_jsonl(tmp_path / "x.jsonl", [{"hello": 1}])
    assert [detect_format(p) for p in (own, cc, other)] == ["aiinfra", "claude-code", None]


def test_bytes_that_are_not_utf8_are_one_reject(project: Path, report: Runner) -> None:
    good = json.dumps(event(input_tokens=1000)).encode()
    (project / "logs").mkdir()
    (project / "logs" / "a.jsonl").write_bytes(
        good + b"\n" + b'{"schema_version": 1, "provider": "\xff\xfe"}\n' + good + b"\n"
    )
    code, doc = report(since="2026-11-01", until="2026-11-01")
    assert code == 0
    assert doc["totals"]["requests"] == 2
    assert [(r["line"], r["reason"]) for r in doc["rejected"]["examples"]] == [
        (2, "not UTF-8 text")
    ]
