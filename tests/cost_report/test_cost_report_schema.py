"""The JSON report follows its published schema, and docs/cost-report.md shows that schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _support import REPO, closed_schema
from cost_report.crsupport import Runner, event, write_jsonl

from aiinfra_cli._jsonschema import validate
from aiinfra_cli.report import json_schema


def _errors(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    return validate(value, closed_schema(schema), path)


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
