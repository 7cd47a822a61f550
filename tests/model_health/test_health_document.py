"""The model-health document follows the JSON Schema derived from its dataclasses, and
docs/model-health.md shows a document that follows it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _support import REPO, closed_schema
from fakeprovider import FakeProvider, RateLimits

from aiinfra_cli._jsonschema import validate
from aiinfra_cli.config import Config
from aiinfra_cli.health import HealthCheck, json_schema


def _errors(document: Any) -> list[str]:
    return validate(document, closed_schema(json_schema()), "$")


def test_a_deep_run_with_headroom_and_history_matches_the_schema(
    fake_provider: FakeProvider,
    health_repo: Callable[[str], Config],
    standard_config: Callable[..., str],
    keys: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    config = health_repo(standard_config(fake_provider))
    fake_provider.rate_limits = RateLimits(tokens_limit=100_000, tokens_remaining=5_000)
    check = HealthCheck(
        config, list(config.models), deep=True, timeout_s=10.0, history_path=tmp_path / "h.jsonl"
    )
    document = check.run_once().to_json()
    claude = document["models"][0]
    assert set(claude["headroom"]) >= {"fraction", "retry_after_s", "requests", "tokens"}
    assert claude["generation"] is not None and claude["history"]["runs"] == 1
    assert _errors(document) == []
    # A dimension is an object of its own, a misspelt key is not in the schema.
    claude["headroom"]["tokens"] = 5
    document["sumary"] = document.pop("summary")
    assert sorted(_errors(document)) == [
        "$.models[0].headroom: matches none of the anyOf schemas",
        "$: property 'sumary' is not allowed",
        "$: required property 'summary' is missing",
    ]


def test_docs_show_a_document_that_matches_the_schema() -> None:
    text = (REPO / "docs" / "model-health.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(\{\n  \"schema\": \"aiinfra\.model-health/1\".*?)```", text, re.S)
    assert block is not None
    assert _errors(json.loads(block.group(1))) == []
