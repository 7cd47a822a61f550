"""The TypeScript runtime behaves like the Python one: the fault matrix of
bench/init_fault_matrix.py against both runtimes on the loopback fake provider, comparing the
normalised sequence of usage events (ids, times, latencies and call sites aside), and the prompt
loader's rules on the same library. One node process runs every TypeScript case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fakeprovider import FakeProvider
from fakeprovider.fixtures import TEST_KEY
from init.init_support import (
    RUNTIME_PACKAGE,
    SCENARIOS,
    Scenario,
    import_runtime,
    matrix_config,
    render_repo,
    run_scenario,
)
from typescript.ts_support import Driver

from aiinfra_cli._jsonschema import validate
from aiinfra_cli.usage import read_events

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "schemas" / "usage-event.schema.json").read_text())
# What differs between two runs by nature, not by behaviour.
VOLATILE = {"event_id", "timestamp", "latency_ms", "ttft_ms", "call_site", "request_id"}


@pytest.fixture(scope="module")
def python_rt(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    root = tmp_path_factory.mktemp("py") / "repo"
    return import_runtime(render_repo(root, package_dir=f"src/{RUNTIME_PACKAGE}"))


def lines(log_dir: Path) -> list[dict[str, Any]]:
    """The raw events of a log directory, in order."""
    events: list[dict[str, Any]] = []
    for path in sorted(log_dir.glob("*.jsonl")):
        events += [json.loads(line) for line in path.read_text().splitlines() if line]
    return events


def normalised(event: dict[str, Any]) -> dict[str, Any]:
    """An event without what differs by nature; a non-HTTP error's type is the exception's
    name in its own language (ReadTimeout, AttemptDeadline), so it goes too."""
    kept = {k: v for k, v in event.items() if k not in VOLATILE}
    if "http_status" not in kept:
        kept.pop("error_type", None)
    return kept


def run_typescript(driver: Driver, scenario: Scenario, log_dir: Path) -> dict[str, Any]:
    with FakeProvider(api_key=TEST_KEY, max_lifetime=60) as server:
        if scenario.calls != frozenset():
            server.inject(scenario.fault(), route="anthropic.messages", calls=scenario.calls)
        config = matrix_config(server, log_dir, **dict(scenario.route))
        return driver.ask(
            op="scenario", config=config, root=str(log_dir), route="main", stream=scenario.stream
        )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault_matrix_parity(
    python_rt: ModuleType,
    driver: Driver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scenario: Scenario,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    py_row = run_scenario(python_rt, scenario, tmp_path / "py", TEST_KEY)
    ts = run_typescript(driver, scenario, tmp_path / "ts")
    assert (ts["answered_by"], ts["error"]) == (py_row.answered_by, py_row.error)
    assert (ts["answered_by"], ts["error"]) == (scenario.expect_model, scenario.expect_error)
    py_events, ts_events = lines(tmp_path / "py"), lines(tmp_path / "ts")
    assert [normalised(e) for e in ts_events] == [normalised(e) for e in py_events]
    for event in ts_events:
        assert validate(event, SCHEMA) == [], event
    read = read_events([tmp_path / "ts"])
    assert len(read.events) == len(ts_events)
    assert not read.rejects and not read.unknown_fields


def test_cost_report_reads_both_runtimes_logs(tmp_path: Path, driver: Driver) -> None:
    """One report over a Python and a TypeScript log: every event counted, same columns."""
    scenario = SCENARIOS[2]  # 500: two failed attempts and a fallback
    run_typescript(driver, scenario, tmp_path / "logs" / "ts")
    (tmp_path / "logs" / "py").mkdir(parents=True)
    for event in lines(tmp_path / "logs" / "ts"):
        event["event_id"] = "py-" + event["event_id"]
        event["service"] = "python-service"
        with (tmp_path / "logs" / "py" / "usage.jsonl").open("a") as handle:
            handle.write(json.dumps(event) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "aiinfra_cli", "cost-report", "--logs", str(tmp_path / "logs"),
         "--timeframe", "all", "--json", "--no-write"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["totals"]["requests"] == 2 * len(lines(tmp_path / "logs" / "ts"))


PROMPT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("chat", {"question": "Why?"}),
    ("chat", {"question": "Why?", "tone": "dry", "history": ["hi", "hello"], "n": 3}),
    ("chat", {"question": "Why?", "tone": None}),
    ("chat:production", {"question": "Why?"}),
    ("chat:staging", {"question": "Why?"}),
    ("chat@1.0.0", {"question": "Why?"}),
    ("chat@1.1.0", {"question": "Why?"}),
    ("chat:latest", {"question": "{{ not_code }}"}),
    ("rules", {}),
    ("rules", {"product": "Gadget"}),
    ("wrap", {"body": "line 1\nline 2"}),
    # Mistakes: both refuse with the same located message.
    ("chat", {}),
    ("chat", {"questoin": "x"}),
    ("chat", {"question": 3}),
    ("chat", {"question": "x", "n": True}),
    ("chat:canary", {"question": "x"}),
    ("chat@9.0.0", {"question": "x"}),
    ("nope", {}),
]


def test_prompt_loader_parity(python_rt: ModuleType, driver: Driver, tmp_path: Path) -> None:
    from init.test_init_prompt_parity import INDEX, PROMPTS, SNAPSHOT

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "prompt-library.yaml").write_text(INDEX)
    for rel, text in PROMPTS.items():
        path = tmp_path / "prompts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        bom = "\ufeff" if rel.startswith("templates") else ""
        path.write_bytes(bom.encode() + text.encode())
    snapshot = tmp_path / "prompts" / "versions" / "chat" / "1.0.0.prompty"
    snapshot.parent.mkdir(parents=True)
    snapshot.write_text(SNAPSHOT)
    for ref, values in PROMPT_CASES:
        ts = driver.ask(op="prompt", root=str(tmp_path), ref=ref, values=values)
        try:
            rendered = python_rt.PromptLibrary(tmp_path).render(ref, values)
        except python_rt.PromptError as exc:
            assert ts.get("error", "").split(" (")[0] == str(exc).split(" (")[0], (ref, values)
            continue
        assert ts.get("messages") == rendered.messages, (ref, values, ts)
        assert ts["ref"] == rendered.ref
