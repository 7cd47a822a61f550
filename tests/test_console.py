"""Output read outside a terminal: wide, whole help text; a progress spinner only on a terminal;
shell completion from the entry point."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from _support import run_cli
from rich.console import Console

from aiinfra_cli import output


def _piped(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The entry point with stdout a pipe and COLUMNS empty, as in a CI log."""
    return run_cli(*args, cwd=cwd, env={"COLUMNS": ""})


def test_piped_help_is_neither_wrapped_mid_phrase_nor_cut_short(tmp_path: Path) -> None:
    top = _piped("--help", cwd=tmp_path)
    assert top.returncode == 0
    commands = top.stdout.split("Commands:", 1)[1]
    assert "..." not in commands
    assert (
        "  init              Write cost tracking, model orchestration, context and prompt"
        " management into a repo.\n"
    ) in top.stdout
    report = _piped("cost-report", "--help", cwd=tmp_path)
    assert "model,provider,feature,endpoint,user,tenant,session,call_site,day." in report.stdout


def test_width_for_a_pipe_a_terminal_and_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("COLUMNS", raising=False)
    assert output.width_for(io.StringIO()) == output.WIDE
    assert output.width_for(Terminal()) is None
    monkeypatch.setenv("COLUMNS", "90")
    assert output.width_for(io.StringIO()) is None


@pytest.mark.parametrize("terminal", [True, False])
def test_the_spinner_shows_only_on_a_terminal(terminal: bool) -> None:
    buffer = io.StringIO()
    output.use_consoles(err=Console(file=buffer, force_terminal=terminal, width=80))
    try:
        with output.working("reading usage logs…"):
            pass
    finally:
        output._consoles.clear()
    assert ("reading usage logs" in buffer.getvalue()) is terminal


def test_shell_completion_script(tmp_path: Path) -> None:
    result = _piped("--show-completion", "bash", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "_aiinfra_completion()" in result.stdout
    assert "complete -o default -F _aiinfra_completion aiinfra" in result.stdout
