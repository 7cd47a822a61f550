"""``aiinfra model-health`` through the CLI, probing the loopback server: exit codes, the JSON
document, history, watch mode, and no key in any output. The JSON document and Ctrl-C run the
real entry point in a subprocess (stdout holds one document and nothing else; a signal ends a
real process); the rest run the same argv in-process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from _support import invoke_cli, run_cli
from fakeprovider import FakeProvider, Fault
from fakeprovider.fixtures import TEST_KEY

from aiinfra_cli.config import Config

Repo = Callable[[str], Config]
HISTORY = Path(".multiagent") / "health" / "history.jsonl"


@pytest.fixture
def repo(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Callable[..., str]
) -> Path:
    config = health_repo(standard_config(fake_provider))
    return config.root


def health(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return invoke_cli("model-health", *args, cwd=repo, env=env)


def test_json_document(fake_provider: FakeProvider, repo: Path, keys: dict[str, str]) -> None:
    fake_provider.inject(Fault.unauthorized(), route="openai")
    env = {k: v for k, v in keys.items() if k != "GEMINI_API_KEY"}
    env = {**env, "GEMINI_API_KEY": ""}
    result = run_cli("model-health", "--json", cwd=repo, env=env, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)  # exactly one JSON document and nothing else
    assert document["schema"] == "aiinfra.model-health/1"
    assert document["config"] == str(Path("config") / "ai-models.yaml")
    assert (document["deep"], document["timeout_s"]) == (False, 10.0)
    assert document["summary"] == {
        "models": 3,
        "healthy": 1,
        "degraded": 0,
        "unhealthy": 2,
        "ok": False,
    }
    claude, gpt, gemini = document["models"]
    assert set(claude) == {
        "id",
        "provider",
        "provider_kind",
        "model",
        "endpoint",
        "status",
        "error_class",
        "message",
        "reasons",
        "notes",
        "http_status",
        "request_id",
        "model_available",
        "server",
        "latency_ms",
        "headroom",
        "generation",
        "history",
    }
    assert (claude["id"], claude["status"], claude["error_class"]) == ("claude", "healthy", None)
    assert set(claude["latency_ms"]) == {
        "connect",
        "tls",
        "first_byte",
        "total",
        "ttft",
        "generation",
    }
    assert claude["history"] == {
        "runs": 1,
        "uptime": 1.0,
        "p50_ms": claude["latency_ms"]["total"],
        "p95_ms": claude["latency_ms"]["total"],
    }
    assert (gpt["status"], gpt["error_class"], gpt["http_status"]) == ("unhealthy", "auth", 401)
    assert gemini["message"] == "auth: missing key GEMINI_API_KEY"
    assert document["routes"] == [
        {
            "name": "main",
            "chain": ["claude", "gpt"],
            "probed": ["claude", "gpt"],
            "status": "healthy",
            "healthy": True,
            "first_usable": "claude",
        }
    ]
    assert document["history"] == {
        "path": str(HISTORY),
        "runs": 1,
        "corrupt_lines": 0,
    }


def test_all_healthy_dashboard_exits_zero(repo: Path, keys: dict[str, str]) -> None:
    result = health(repo, "--deep", env=keys)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "Model" in line)
    assert header.split() == [
        "Model",
        "Provider",
        "Status",
        "Latency",
        "TTFT",
        "Cost",
        "Headroom",
        "Uptime",
        "p50/p95",
    ]
    row = next(line for line in lines if line.strip().startswith("claude"))
    assert row.split()[:3] == ["claude", "anthropic", "healthy"]
    assert "$0.0000" in row and "99%" in row and "100% of 1" in row
    assert "route main: ok via claude (claude → gpt)" in result.stdout
    assert "3 models: 3 healthy, 0 degraded, 0 unhealthy in " in result.stdout
    assert "(deep probe, timeout 10 s)" in result.stdout


def test_only_selects_models_and_providers(repo: Path, keys: dict[str, str]) -> None:
    result = health(
        repo, "--json", "--no-history", "--only", "gemini", "--only", "claude", env=keys
    )
    document = json.loads(result.stdout)
    assert [m["id"] for m in document["models"]] == ["claude", "gemini"]
    assert document["routes"][0]["probed"] == ["claude"]
    assert result.returncode == 0


def test_no_key_in_any_output(fake_provider: FakeProvider, repo: Path) -> None:
    # One canary shaped like a real key (caught by pattern) and one shaped like nothing (caught
    # only by scrubbing the exact value); the server echoes whatever key it receives.
    shaped = "sk-ant-api03-" + "Q" * 40
    plain = "canary-7f3a9c1e5b2d4a6f"
    env = {"ANTHROPIC_API_KEY": shaped, "OPENAI_API_KEY": plain, "GEMINI_API_KEY": plain}
    fake_provider.api_key = None  # accept the canaries, so the deep probe gets to generate
    fake_provider.inject(Fault.unauthorized(echo_key=True), route="anthropic.messages")
    fake_provider.inject(Fault.unauthorized(echo_key=True), route="openai.model")
    fake_provider.inject(Fault.unauthorized(echo_key=True), route="gemini.stream")
    outputs = [health(repo, env=env), health(repo, "--deep", "--json", env=env)]
    history = (repo / HISTORY).read_text(encoding="utf-8")
    for text in [history, *(o.stdout + o.stderr for o in outputs)]:
        assert shaped not in text and plain not in text and TEST_KEY not in text
        assert "Q" * 20 not in text
    document = json.loads(outputs[1].stdout)
    assert [m["error_class"] for m in document["models"]] == ["auth", "auth", "auth"]
    assert all("[REDACTED]" in m["message"] for m in document["models"])


def test_history_trends_tolerate_corrupt_lines(repo: Path, keys: dict[str, str]) -> None:
    assert health(repo, "--json", env=keys).returncode == 0
    path = repo / HISTORY
    with path.open("a", encoding="utf-8") as handle:
        handle.write("not json at all\n")
        handle.write('{"schema": "aiinfra.model-health.history/1", "models": "oops"}\n')
        handle.write('{"schema": "aiinfra.model-health.history/1", "at": "2026-01')  # torn line
    result = health(repo, "--json", env=keys)
    document = json.loads(result.stdout)
    assert document["history"]["runs"] == 2
    assert document["history"]["corrupt_lines"] == 3
    assert document["models"][0]["history"]["runs"] == 2
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5  # the torn line was closed before the new run was appended
    assert json.loads(lines[-1])["models"][0]["id"] == "claude"
    dashboard = health(repo, env=keys)
    assert "history: 3 runs in " in dashboard.stdout
    assert "(3 corrupt lines skipped)" in dashboard.stdout
    assert "100% of 3" in dashboard.stdout


def test_no_history_and_custom_history(repo: Path, keys: dict[str, str], tmp_path: Path) -> None:
    assert health(repo, "--no-history", "--json", env=keys).returncode == 0
    assert not (repo / ".multiagent").exists()
    custom = tmp_path / "elsewhere" / "health.jsonl"
    result = health(repo, "--history", str(custom), "--json", env=keys)
    assert json.loads(result.stdout)["history"]["path"] == str(custom)
    assert len(custom.read_text(encoding="utf-8").splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--history", "h.jsonl", "--no-history"], "--history and --no-history cannot be used"),
        (["--watch", "--json"], "--watch and --json cannot be used together"),
        (["--count", "2"], "--count only applies to --watch"),
        (["--only", "claud"], "did you mean 'claude'?"),
        (["--timeout", "0"], "Invalid value for '--timeout'"),
        (["--interval", "-1"], "Invalid value for '--interval'"),
    ],
)
def test_usage_errors_exit_2(repo: Path, args: list[str], message: str) -> None:
    result = health(repo, *args, env={})
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    result = invoke_cli("model-health", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "aiinfra: error: no config/ai-models.yaml found here or in a parent directory up to the"
        " repo root (run 'aiinfra init' or pass --config PATH)"
    )


def test_hanging_provider_bounded_by_one_timeout(
    fake_provider: FakeProvider, repo: Path, keys: dict[str, str]
) -> None:
    fake_provider.inject(Fault.hang(60), route="anthropic")
    result = health(repo, "--json", "--timeout", "1", env=keys)
    document = json.loads(result.stdout)
    assert result.returncode == 1
    # The target (one timeout + 0.3 s) is measured by bench/model_health_bench.py; here only the
    # bound matters: far below the 60 s hang, with slack for a loaded CI machine.
    assert document["elapsed_ms"] <= 1000 + 2000
    assert [m["error_class"] for m in document["models"]] == ["timeout", None, None]


def test_watch_stops_after_count(repo: Path, keys: dict[str, str]) -> None:
    result = health(repo, "--watch", "--interval", "0.1", "--count", "2", env=keys)
    assert result.returncode == 0, result.stderr
    assert "round 2 at " in result.stdout
    assert "every 0.1 s; Ctrl-C to stop" in result.stdout
    assert len((repo / HISTORY).read_text(encoding="utf-8").splitlines()) == 2


def test_watch_until_ctrl_c_exits_130(repo: Path, keys: dict[str, str]) -> None:
    env = {**os.environ, **keys, "NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb"}
    process = subprocess.Popen(
        [sys.executable, "-m", "aiinfra_cli", "model-health", "--watch", "--interval", "0.2"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        history = repo / HISTORY
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if history.exists() and len(history.read_text(encoding="utf-8").splitlines()) >= 2:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert "round " in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "Traceback" not in err


def test_degraded_thresholds_come_from_the_config(
    fake_provider: FakeProvider,
    health_repo: Repo,
    standard_config: Callable[..., str],
    keys: dict[str, str],
) -> None:
    # Every light probe takes longer than a microsecond: all three working models are degraded,
    # and say why, where the built-in 2000 ms would call them healthy.
    text = standard_config(fake_provider) + "health: {slow_ms: 0.001}\n"
    root = health_repo(text).root
    result = health(root, "--json", env=keys)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["degraded"] == 3
    for model in document["models"]:
        assert model["status"] == "degraded"
        assert model["message"].startswith("degraded: slow: ")
        assert model["message"].endswith(" ms (over 0.001 ms)")


def test_a_threshold_out_of_range_is_one_line(
    fake_provider: FakeProvider,
    repo: Path,
    standard_config: Callable[..., str],
    keys: dict[str, str],
) -> None:
    text = standard_config(fake_provider) + "health:\n  min_headroom: 5\n"
    (repo / "config" / "ai-models.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("  min_headroom: 5") + 1
    result = health(repo, env=keys)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (message,) = result.stderr.strip().splitlines()
    assert f"ai-models.yaml:{line}: health.min_headroom: must be at most 1" in message
