"""``init`` never writes through a symlink out of the project, and an OS error while writing
is one line (exit 1) naming the file, never a traceback (exit 3)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _support import run_cli

from aiinfra_cli.errors import AiinfraError
from aiinfra_cli.scaffold import apply_plan, plan_init
from aiinfra_cli.scaffold._confine import OutsideProjectError

LINKS = ["src/ai", "tests/ai", ".multiagent", "config", "prompts"]


def _files(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


@pytest.fixture
def project(git_repo: Path) -> Path:
    (git_repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    return git_repo


@pytest.mark.parametrize("link", LINKS)
def test_a_directory_symlink_out_of_the_project_is_refused(
    project: Path, tmp_path: Path, link: str
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutsideProjectError, match="outside the project"):
        plan_init(project, package_dir="src/ai")
    assert _files(outside) == []
    assert not (project / ".multiagent" / "ai-infrastructure" / "manifest.json").exists()


def test_a_file_symlink_out_of_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours\n")
    (project / "src" / "ai").mkdir(parents=True)
    (project / "src" / "ai" / "errors.py").symlink_to(secret)
    with pytest.raises(OutsideProjectError, match=r"src/ai/errors\.py"):
        plan_init(project, package_dir="src/ai")
    assert secret.read_text() == "not yours\n"


def test_a_symlink_loop_is_one_line(project: Path) -> None:
    (project / "src").mkdir()
    (project / "src" / "ai").symlink_to(project / "src" / "ai", target_is_directory=True)
    with pytest.raises(AiinfraError, match=r"cannot resolve src/ai/\S+: .*fix the symlink"):
        plan_init(project, package_dir="src/ai")


def test_a_symlink_inside_the_project_is_followed(project: Path) -> None:
    (project / "lib").mkdir()
    (project / "src").mkdir()
    (project / "src" / "ai").symlink_to(project / "lib", target_is_directory=True)
    plan, _ = plan_init(project, package_dir="src/ai")
    apply_plan(plan)
    assert (project / "lib" / "model_orchestrator.py").is_file()


def test_the_cli_refuses_in_one_line_and_exit_1(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project / "config").symlink_to(outside, target_is_directory=True)
    result = run_cli("init", cwd=project, env={"COLUMNS": "300"})
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.search(r"config/ai-models\.(yaml|schema\.json) resolves to", lines[0]), lines[0]
    assert "outside the project" in lines[0] and "nothing was written" in lines[0]
    assert _files(outside) == []


def test_a_path_blocked_by_a_file_is_one_line(project: Path) -> None:
    (project / "tests").write_text("a file where init needs a directory\n")
    result = run_cli("init", cwd=project, env={"COLUMNS": "300"})
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("aiinfra: error: cannot ")
    assert "tests/ai/" in lines[0]


def test_a_permission_error_mid_init_is_one_line(project: Path) -> None:
    (project / "tests").mkdir()
    (project / "tests").chmod(0o555)
    command = [sys.executable, "-m", "aiinfra_cli", "init", str(project)]
    if os.geteuid() == 0:
        # root writes anywhere: run without the capabilities that bypass permission bits.
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *command]
    env = dict(os.environ, COLUMNS="300", PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "cannot write tests/ai/" in lines[0] and "Permission denied" in lines[0]
    assert "file(s) were written before it" in lines[0]
    assert (project / "src" / "ai" / "__init__.py").is_file()  # it was mid-way
    assert not (project / ".multiagent" / "ai-infrastructure" / "manifest.json").exists()
