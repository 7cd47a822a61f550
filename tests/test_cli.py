"""The CLI shell: entry points, help, version, exit codes, and the one top-level error handler."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _support import run_cli

from aiinfra_cli import __version__
from aiinfra_cli.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    ConfigError,
    UsageError,
    handle,
)

HEAVY = (
    "anthropic", "openai", "duckdb", "libcst", "httpx", "jinja2", "tiktoken", "psycopg", "yaml",
)  # fmt: skip
COMMANDS = (
    "init",
    "upgrade",
    "cost-report",
    "model-health",
    "optimize-context",
    "prompt-library",
    "demo",
    "config",
    "prices",
    "store",
)


def test_version_via_console_script_and_module(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"aiinfra {__version__}\n"
    module = subprocess.run(
        [sys.executable, "-m", "aiinfra_cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.stdout == f"aiinfra {__version__}\n"


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        *[[name, "--help"] for name in COMMANDS],
        ["prices", "cost", "--help"],
        ["config", "validate", "--help"],
        ["store", "push", "--help"],
    ],
)
def test_help_imports_no_heavy_library(argv: list[str]) -> None:
    probe = (
        "import sys, json\n"
        "from aiinfra_cli.__main__ import main\n"
        f"code = main({argv!r})\n"
        f"print(json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    code, loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert code == 0
    assert loaded == []


def test_a_run_builds_only_the_command_it_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reading every command's parameters took most of a short run's CPU: a run reads only
    those of the command it runs (and ``--help`` those of the commands it lists)."""
    import typer.main

    from aiinfra_cli.cli import run

    built: list[str] = []
    real = typer.main.get_command_from_info

    def spy(info: Any, **settings: Any) -> Any:
        built.append(info.name or info.callback.__name__)
        return real(info, **settings)

    monkeypatch.setattr(typer.main, "get_command_from_info", spy)
    assert run(["config", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "object"
    assert built == ["schema"]
    built.clear()
    assert run(["--version"]) == 0
    assert built == []
    assert run(["--help"]) == 0
    direct = ["init", "upgrade", "cost-report", "model-health", "optimize-context", "cost-diff"]
    assert built == [*direct, "demo"]  # the groups list their own commands when asked
    listed = [line.split()[0] for line in _commands_listed(capsys.readouterr().out)]
    assert listed == [*direct, "demo", "config", "prices", "usage", "billing", "store",
                      "prompt-library"]  # fmt: skip


def _commands_listed(text: str) -> list[str]:
    lines = text.split("Commands:\n", 1)[1].splitlines()
    return [line for line in lines if line.startswith("  ") and not line.startswith("   ")]


def test_shell_completion_completes_commands_and_options(tmp_path: Path) -> None:
    def complete(words: str) -> list[str]:
        env = {"_AIINFRA_COMPLETE": "complete_bash", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        done = run_cli(cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("aiinfra cost") == ["cost-report", "cost-diff"]
    assert complete("aiinfra prices ") == ["show", "cost", "update"]
    assert complete("aiinfra store push --") == ["--logs", "--json", "--config", "--help"]


def test_unknown_command_is_usage_error(tmp_path: Path) -> None:
    result = run_cli("bogus", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command 'bogus'" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_arguments_shows_help_and_exits_2(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)
    assert result.returncode == 2
    assert "Usage: aiinfra" in result.stdout + result.stderr


def _run_handler(exc: BaseException, *, debug: bool = False) -> tuple[int, str]:
    err = io.StringIO()

    def body() -> int:
        raise exc

    return handle(body, debug=debug, stderr=err), err.getvalue()


def test_expected_error_is_one_line_with_exit_1() -> None:
    code, text = _run_handler(
        ConfigError(
            "unknown provider 'x'", where="config/ai-models.yaml:4", hint="add it under providers"
        )
    )
    assert code == 1
    assert (
        text
        == "aiinfra: error: config/ai-models.yaml:4: unknown provider 'x' (add it under providers)\n"
    )


def test_usage_error_exits_2() -> None:
    code, text = _run_handler(UsageError("--since is after --until"))
    assert (code, text) == (2, "aiinfra: error: --since is after --until\n")


def test_keyboard_interrupt_exits_130() -> None:
    code, text = _run_handler(KeyboardInterrupt())
    assert (code, text) == (EXIT_INTERRUPTED, "aiinfra: interrupted\n")


def test_internal_error_writes_redacted_traceback_without_locals(isolated_home: Path) -> None:
    def leaky() -> int:
        api_key = "sk-ant-api03-" + "A" * 40  # a local variable that must not reach any output
        raise RuntimeError(f"boom with {api_key}")

    err = io.StringIO()
    code = handle(leaky, debug=False, stderr=err)
    line = err.getvalue()
    assert code == EXIT_INTERNAL
    assert line.count("\n") == 1
    assert line.startswith(
        "aiinfra: internal error: RuntimeError: boom with [REDACTED] (traceback written to "
    )
    crash_files = list((isolated_home / "crash").glob("aiinfra-crash-*.log"))
    assert len(crash_files) == 1
    log = crash_files[0].read_text()
    assert "Traceback" in log and "leaky" in log
    assert "AAAAAAAAAAAAAAAAAAAA" not in log and "[REDACTED]" in log


def test_debug_prints_traceback_instead_of_file(isolated_home: Path) -> None:
    code, text = _run_handler(ValueError("bad"), debug=True)
    assert code == EXIT_INTERNAL
    assert text.startswith("Traceback (most recent call last):")
    assert not (isolated_home / "crash").exists()


def test_debug_flag_reaches_handler_end_to_end(tmp_path: Path) -> None:
    result = run_cli(
        "--debug", "config", "validate", "--config", str(tmp_path / "missing.yaml"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().endswith("(check the --config path)")


def _interrupted_once(script: str) -> tuple[int, str, float]:
    """Run ``script`` (it prints "running" when its query starts), press Ctrl-C once: exit
    code, stderr and how long it took to stop."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Background processes may inherit an ignored SIGINT; Ctrl-C at a terminal is not ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None and proc.stdout.readline() == "running\n"
    time.sleep(0.3)
    pressed = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("one Ctrl-C did not stop the query") from None
    return proc.returncode, err, time.monotonic() - pressed


def test_ctrl_c_stops_a_running_duckdb_query_at_once(isolated_home: Path) -> None:
    # A real query and a real signal. DuckDB alone notices SIGINT only when it polls for it (on
    # a loaded machine sometimes never); interruptible() interrupts the connection directly.
    code, err, took = _interrupted_once(
        "import sys, duckdb\n"
        "from aiinfra_cli._interrupt import interruptible\n"
        "from aiinfra_cli.errors import handle\n"
        "def body():\n"
        "    con = duckdb.connect()\n"
        "    with interruptible(con):\n"
        "        print('running', flush=True)\n"
        "        con.execute('SELECT count(*) FROM range(1000000000000)').fetchall()\n"
        "    return 0\n"
        "sys.exit(handle(body, debug=False))\n"
    )
    assert (code, err) == (EXIT_INTERRUPTED, "aiinfra: interrupted\n")
    assert took < 10


def test_duckdbs_own_interrupt_error_is_an_interrupt_not_an_internal_error() -> None:
    code, text = _run_handler(RuntimeError("Query interrupted"))
    assert (code, text) == (EXIT_INTERRUPTED, "aiinfra: interrupted\n")
