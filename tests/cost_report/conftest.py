"""Fixtures for the cost-report tests: a git repo with a config, an in-process run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cost_report.crsupport import CONFIG, NOW, Runner
from rich.console import Console

from aiinfra_cli import output
from aiinfra_cli.commands import cost_report


@pytest.fixture
def project(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repo with config/ai-models.yaml, as the working directory."""
    (git_repo / "config").mkdir()
    (git_repo / "config" / "ai-models.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(git_repo)
    return git_repo


@pytest.fixture
def consoles() -> Iterator[tuple[StringIO, StringIO]]:
    """Route the command's terminal output and warnings into strings."""
    out, err = StringIO(), StringIO()
    output.use_consoles(
        out=Console(file=out, width=120, color_system=None),
        err=Console(file=err, width=120, color_system=None),
    )
    yield out, err
    output._consoles.clear()


@pytest.fixture
def report(consoles: tuple[StringIO, StringIO], capsys: pytest.CaptureFixture[str]) -> Runner:
    """Run the command in-process with ``--json``; return (exit code, parsed document)."""

    def run(**options: Any) -> tuple[int, dict[str, Any]]:
        options.setdefault("now", NOW)
        options.setdefault("no_write", True)
        capsys.readouterr()
        code = cost_report.run(as_json=True, **options)
        text = capsys.readouterr().out
        return code, json.loads(text)

    return run
