"""The scripts/*.sh wrappers, run for real: help, argument pass-through, CI defaults, exit codes,
a missing aiinfra, and test-provider-health.sh end to end against the loopback provider."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from _support import REPO
from fakeprovider import FakeProvider
from fakeprovider.fixtures import TEST_KEY

SCRIPTS = REPO / "scripts"
WRAPPED = {
    "scan-ai-usage.sh": "optimize-context",
    "test-provider-health.sh": "model-health",
    "analyze-token-logs.sh": "cost-report",
}
BIN = Path(sys.executable).parent
# What the scripts need besides aiinfra: sh, dirname.
SYSTEM_PATH = "/usr/bin:/bin"
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "AIINFRA_BIN")


def _script(
    name: str, *args: str, cwd: Path, env: Mapping[str, str] | None = None, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES}
    full.update({"PATH": path if path is not None else f"{BIN}:{SYSTEM_PATH}", "NO_COLOR": "1"})
    full.update(env or {})
    return subprocess.run(
        [str(SCRIPTS / name), *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    """An executable standing in for aiinfra that prints its arguments as JSON and exits with
    $RECORDER_EXIT: it shows exactly what a wrapper hands over."""
    path = tmp_path / "bin" / "aiinfra-recorder"
    path.parent.mkdir()
    path.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "print(json.dumps(sys.argv[1:]))\n"
        "sys.exit(int(os.environ.get('RECORDER_EXIT', '0')))\n",
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(("name", "command"), sorted(WRAPPED.items()))
def test_help_shows_the_wrapper_then_the_real_commands_options(
    name: str, command: str, tmp_path: Path
) -> None:
    done = _script(name, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Usage: scripts/{name} ")
    assert f"Options of 'aiinfra {command}' (all passed through):\n" in done.stdout
    assert f"Usage: aiinfra {command} [OPTIONS]" in done.stdout


@pytest.mark.parametrize("name", sorted(WRAPPED))
def test_without_aiinfra_on_path_the_message_says_what_to_do(name: str, tmp_path: Path) -> None:
    if shutil.which("aiinfra", path=SYSTEM_PATH):
        pytest.skip("aiinfra is installed system-wide here")
    done = _script(name, cwd=tmp_path, path=SYSTEM_PATH)
    assert done.returncode == 127
    assert done.stdout == ""
    assert done.stderr == (
        f"{name}: 'aiinfra' is not on PATH: install it (pip install aiinfra, or pipx install"
        " aiinfra) or set AIINFRA_BIN to its path\n"
    )


def test_aiinfra_bin_must_be_executable(tmp_path: Path) -> None:
    done = _script("scan-ai-usage.sh", cwd=tmp_path, env={"AIINFRA_BIN": str(tmp_path / "nope")})
    assert done.returncode == 127
    assert (
        done.stderr
        == f"scan-ai-usage.sh: AIINFRA_BIN={tmp_path / 'nope'} is not an executable file\n"
    )


@pytest.mark.parametrize(
    ("name", "env", "args", "handed"),
    [
        ("scan-ai-usage.sh", {}, ["src", "--select", "AIC0 01"], ["src", "--select", "AIC0 01"]),
        (
            "scan-ai-usage.sh",
            {"CI": "true", "GITHUB_ACTIONS": "true"},
            ["src app"],
            ["src app", "--format", "github"],
        ),
        (
            "scan-ai-usage.sh",
            {"CI": "true", "GITHUB_ACTIONS": "true"},
            ["--format=sarif"],
            ["--format=sarif"],
        ),
        (
            "scan-ai-usage.sh",
            {"CI": "true", "GITHUB_ACTIONS": "true", "AIINFRA_SCRIPT_DEFAULTS": "0"},
            [],
            [],
        ),
        ("test-provider-health.sh", {"CI": "1"}, ["--deep"], ["--deep", "--no-history"]),
        (
            "test-provider-health.sh",
            {"CI": "1"},
            ["--history", "h.jsonl"],
            ["--history", "h.jsonl"],
        ),
        ("test-provider-health.sh", {}, ["--only", "smart"], ["--only", "smart"]),
        (
            "analyze-token-logs.sh",
            {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/tmp/summary.md"},
            ["--timeframe", "7d"],
            ["--timeframe", "7d", "--github-summary"],
        ),
        (
            "analyze-token-logs.sh",
            {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/tmp/summary.md"},
            ["--json"],
            ["--json"],
        ),
        (
            "analyze-token-logs.sh",
            {"CI": "true"},
            ["--logs", "logs/*.jsonl"],
            ["--logs", "logs/*.jsonl"],
        ),
    ],
)
def test_arguments_pass_through_with_ci_defaults(
    recorder: Path,
    tmp_path: Path,
    name: str,
    env: dict[str, str],
    args: list[str],
    handed: list[str],
) -> None:
    done = _script(name, *args, cwd=tmp_path, env={"AIINFRA_BIN": str(recorder), **env})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [WRAPPED[name], *handed]


def test_the_commands_exit_code_comes_through(recorder: Path, tmp_path: Path) -> None:
    env = {"AIINFRA_BIN": str(recorder), "RECORDER_EXIT": "3"}
    assert _script("analyze-token-logs.sh", cwd=tmp_path, env=env).returncode == 3


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(api_key=TEST_KEY, max_lifetime=60.0) as made:
        yield made


def _health_repo(root: Path, server: FakeProvider) -> Path:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "config").mkdir()
    (root / "config" / "ai-models.yaml").write_text(
        "version: 1\nproviders:\n"
        f'  a: {{kind: anthropic, base_url: "{server.anthropic_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  o: {{kind: openai, base_url: "{server.openai_base_url}", api_key_env: FAKE_KEY}}\n'
        "models:\n"
        "  - {id: smart, provider: a, model: claude-haiku-4-5}\n"
        "  - {id: fast, provider: o, model: gpt-4o-mini}\n",
        encoding="utf-8",
    )
    return root


def test_provider_health_end_to_end(server: FakeProvider, tmp_path: Path) -> None:
    repo = _health_repo(tmp_path / "repo", server)
    env = {"FAKE_KEY": TEST_KEY}
    direct = subprocess.run(
        [str(BIN / "aiinfra"), "model-health", "--json", "--no-history"],
        cwd=repo,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    wrapped = _script("test-provider-health.sh", "--json", "--no-history", cwd=repo, env=env)
    assert wrapped.returncode == direct.returncode == 0, wrapped.stderr

    def statuses(stdout: str) -> list[tuple[str, str]]:
        document = json.loads(stdout)
        return sorted((m["id"], m["status"]) for m in document["models"])

    assert (
        statuses(wrapped.stdout)
        == statuses(direct.stdout)
        == [
            ("fast", "healthy"),
            ("smart", "healthy"),
        ]
    )
    history = repo / ".multiagent" / "health" / "history.jsonl"
    # In CI the wrapper keeps the workspace clean; outside CI the history is kept as usual.
    in_ci = _script("test-provider-health.sh", "--json", cwd=repo, env={**env, "CI": "true"})
    assert in_ci.returncode == 0 and not history.exists()
    local = _script("test-provider-health.sh", "--json", cwd=repo, env=env)
    assert local.returncode == 0 and history.is_file()
