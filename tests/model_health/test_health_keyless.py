"""A model that was not probed (no API key) is not an outage: the history leaves it out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fakeprovider import FakeProvider

from aiinfra_cli.config import Config
from aiinfra_cli.health import HealthCheck, read_history


def _check(
    config: Config, history: Path, monkeypatch: pytest.MonkeyPatch, keys: dict[str, str]
) -> HealthCheck:
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    return HealthCheck(
        config, list(config.models), deep=False, timeout_s=10.0, history_path=history
    )


def test_a_keyless_model_is_not_recorded_as_down(
    fake_provider: FakeProvider,
    health_repo: Callable[[str], Config],
    standard_config: Callable[..., str],
    keys: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    config = health_repo(standard_config(fake_provider))
    history = tmp_path / "history.jsonl"
    without_gemini = {k: v for k, v in keys.items() if k != "GEMINI_API_KEY"}
    for _ in range(2):
        document = _check(config, history, monkeypatch, without_gemini).run_once().to_json()
    claude, _gpt, gemini = document["models"]
    assert gemini["message"] == "auth: missing key GEMINI_API_KEY"
    assert gemini["history"] is None  # no record, rather than 0 % uptime
    assert claude["history"]["uptime"] == 1.0
    lines = history.read_text(encoding="utf-8").splitlines()
    assert [[m["id"] for m in json.loads(line)["models"]] for line in lines] == [
        ["claude", "gpt"],
        ["claude", "gpt"],
    ]
    # With its key back, the model's record starts from its first real probe.
    document = _check(config, history, monkeypatch, keys).run_once().to_json()
    assert document["models"][2]["history"] == {
        "runs": 1,
        "uptime": 1.0,
        "p50_ms": document["models"][2]["latency_ms"]["total"],
        "p95_ms": document["models"][2]["latency_ms"]["total"],
    }
    assert read_history(history).trends["claude"].runs == 3


def test_a_run_that_probed_nothing_appends_nothing(
    fake_provider: FakeProvider,
    health_repo: Callable[[str], Config],
    standard_config: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    config = health_repo(standard_config(fake_provider))
    history = tmp_path / "history.jsonl"
    document = _check(config, history, monkeypatch, {}).run_once().to_json()
    assert document["summary"]["unhealthy"] == 3
    assert not history.exists()
    assert document["history"]["runs"] == 0
