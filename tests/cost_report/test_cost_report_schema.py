"""The JSON report follows its published schema, and docs/cost-report.md shows that schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from _support import REPO
from cost_report.crsupport import Runner, event, write_jsonl

from aiinfra_cli.report import json_schema

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def _check(value: Any, schema: dict[str, Any], path: str, problems: list[str]) -> None:
    """A validator for the JSON Schema subset the report schema uses."""
    if "anyOf" in schema:
        if not any(not _errors(value, option, path) for option in schema["anyOf"]):
            problems.append(f"{path}: matches no alternative")
        return
    if "const" in schema and value != schema["const"]:
        problems.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in {schema['enum']}")
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        ok = any(
            isinstance(value, _TYPES[n])
            and not (n in ("integer", "number") and value is True)
            and not (n in ("integer", "number") and value is False)
            for n in names
        )
        if not ok:
            problems.append(f"{path}: {value!r} is not {names}")
            return
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{path}.{name}: missing")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                _check(item, props[key], f"{path}.{key}", problems)
            elif isinstance(extra, dict):
                _check(item, extra, f"{path}.{key}", problems)
            elif props:
                problems.append(f"{path}.{key}: not in the schema")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{path}[{index}]", problems)


def _errors(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    _check(value, schema, path, problems)
    return problems


def test_report_matches_schema(project: Path, report: Runner) -> None:
    write_jsonl(
        project / "logs" / "a.jsonl",
        [
            event(input_tokens=1000, output_tokens=10, feature="chat", user="u1"),
            event(provider="acme", request_model="acme-x", input_tokens=5),
            event(status="error", attempt=2, input_tokens=7, cache_hit=True, saved_cost_usd="0.1"),
            "not json",
        ],
    )
    _code, doc = report(
        since="2026-11-01",
        until="2026-11-01",
        budget="1",
        group_by=["model,provider,feature,endpoint,user,tenant,session,call_site,day"],
    )
    assert _errors(doc, json_schema(), "$") == []
    assert {"by_tenant", "by_session", "by_call_site"} <= set(doc)
    _code, empty = report(since="2025-01-01", until="2025-01-01")
    assert _errors(empty, json_schema(), "$") == []


def test_docs_show_the_schema() -> None:
    text = (REPO / "docs" / "cost-report.md").read_text(encoding="utf-8")
    block = text.split("<!-- schema:begin -->", 1)[1].split("<!-- schema:end -->", 1)[0]
    shown = block.split("```json", 1)[1].split("```", 1)[0]
    assert json.loads(shown) == json_schema()
