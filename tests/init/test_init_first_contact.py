"""What a new user hits first with the generated runtime: the documented observe() path records
attribution in its fields with the SDK call's own line and the model id; a missing key moves on
to the next model; the first call's latency does not include the SDK's import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from fakeprovider import FakeProvider
from init.init_support import RUNTIME_PACKAGE, USER, matrix_config

from aiinfra_cli.usage import read_events


def test_observe_puts_attribution_in_fields_with_the_sdk_calls_line(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    import openai

    settings = rt.Settings.from_dict(matrix_config(fake_provider, tmp_path / "usage"),
                                     root=Path(__file__).parent)  # fmt: skip
    tracker = rt.CostTracker.from_settings(settings)
    client = openai.OpenAI(api_key=keys, base_url=fake_provider.openai_base_url, max_retries=0)
    with tracker.observe("openai", "gpt-4o-mini", feature="search", user="u-1", team="x") as call:
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=USER))
        line = sys._getframe().f_lineno - 1
    tracker.close()
    (event,) = read_events([tmp_path / "usage"]).events
    assert (event.feature, event.user, event.tags) == ("search", "u-1", {"team": "x"})
    assert event.model_id == "gpt"  # the config's id for gpt-4o-mini
    assert event.call_site == f"test_init_first_contact.py:{line}"


def test_a_missing_key_falls_back_to_the_next_model(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    settings = rt.Settings.from_dict(matrix_config(fake_provider, tmp_path), root=tmp_path)
    ai: Any = rt.Orchestrator(settings)
    answer = ai.complete("main", USER)
    ai.close()
    assert answer.model_id == "gpt"
    (failed, ok) = read_events([tmp_path]).events
    assert (failed.model_id, failed.error_type, ok.fallback_from) == ("claude", "missing_api_key",
                                                                      "claude")  # fmt: skip


FIRST_CALL = """
import importlib, json, sys, time
from pathlib import Path
source, package, url, log = sys.argv[1:5]
sys.path.insert(0, source)
rt = importlib.import_module(package)
assert "anthropic" not in sys.modules  # the SDK is imported by the first call
settings = rt.Settings.from_dict({
    "version": 1,
    "providers": {"anthropic": {"kind": "anthropic", "base_url": url}},
    "models": [{"id": "claude", "provider": "anthropic", "model": "claude-haiku-4-5"}],
    "routes": {"main": {"chain": ["claude"]}},
    "usage_log": {"path": log},
}, root=Path(log))
ai = rt.Orchestrator(settings)
started = time.perf_counter()
answer = ai.complete("main", [{"role": "user", "content": "hi"}])
wall = (time.perf_counter() - started) * 1000
print(json.dumps({"wall_ms": wall, "latency_ms": answer.latency_ms}))
ai.close()
"""


def test_the_first_calls_latency_is_measured_from_the_request(
    runtime_repo: Path, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    args = [str(runtime_repo / "src"), RUNTIME_PACKAGE, fake_provider.anthropic_base_url,
            str(tmp_path)]  # fmt: skip
    result = subprocess.run([sys.executable, "-c", FIRST_CALL, *args], capture_output=True,
                            text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    (event,) = read_events([tmp_path]).events
    timings = json.loads(result.stdout)
    # The SDK's import (hundreds of ms) happened inside the wall time, not inside the event.
    assert event.latency_ms is not None
    assert timings["wall_ms"] - event.latency_ms > 50, (timings, event.latency_ms)
