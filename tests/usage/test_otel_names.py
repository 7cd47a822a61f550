"""The OTLP reader takes the token attribute names current OTel GenAI packages emit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiinfra_cli.usage import read_otel


def _attr(key: str, value: object) -> dict[str, object]:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def _write(path: Path, attrs: dict[str, object]) -> Path:
    span = {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": "c1",
        "name": "chat",
        "kind": 3,
        "startTimeUnixNano": "1793613600000000000",
        "endTimeUnixNano": "1793613601000000000",
        "attributes": [_attr(k, v) for k, v in attrs.items()],
    }
    document = {"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": [span]}]}]}
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")
    return path


BASE = {
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "o4-mini",
    "gen_ai.usage.input_tokens": 3000,
    "gen_ai.usage.output_tokens": 500,
}


@pytest.mark.parametrize(
    ("write_key", "reasoning_key"),
    [
        # opentelemetry-util-genai
        ("gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.reasoning_tokens"),
        # the semantic conventions' own names
        ("gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.reasoning.output_tokens"),
    ],
)
def test_cache_write_and_reasoning_names(
    tmp_path: Path, write_key: str, reasoning_key: str
) -> None:
    path = _write(
        tmp_path / "spans.jsonl",
        {
            **BASE,
            "gen_ai.usage.cache_read.input_tokens": 1000,
            write_key: 700,
            reasoning_key: 120,
        },
    )
    rows, rejects, _ = read_otel(path, "spans.jsonl")
    assert rejects == []
    assert [(r.input, r.cache_read, r.cache_write, r.output, r.reasoning) for r in rows] == [
        (3000, 1000, 700, 500, 120)
    ]


def test_a_negative_cache_write_is_a_named_reject(tmp_path: Path) -> None:
    path = _write(tmp_path / "spans.jsonl", {**BASE, "gen_ai.usage.cache_write.input_tokens": -1})
    rows, rejects, _ = read_otel(path, "spans.jsonl")
    assert rows == []
    assert [r.reason.split(": ", 2)[-1] for r in rejects] == ["expected a whole number ≥ 0, got -1"]
