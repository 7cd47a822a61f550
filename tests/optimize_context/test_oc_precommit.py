"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit tool (``try-repo``).

pre-commit installs the hook repository into a fresh virtualenv with pip. To stay offline the
test gives that install no index (``PIP_NO_INDEX``), no dependency resolution
(``PIP_NO_DEPS``) and no build isolation (``PIP_NO_BUILD_ISOLATION=0``), and lets the hook's
interpreter find aiinfra's dependencies (and the hatchling build backend) on ``PYTHONPATH``:
the test environment's site-packages. aiinfra itself is built from a snapshot of this working
tree and installed into the hook environment, so the hook runs the code under test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from _support import REPO

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")

UNTRACKED = """\
from anthropic import Anthropic

client = Anthropic(timeout=5)


def ask(q: str) -> str:
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[]).content[0].text
"""
TRACKED = """\
from ai.cost_tracker import track
from anthropic import Anthropic

client = Anthropic(timeout=5)


def ask(q: str, model: str) -> str:
    with track("ask"):
        return client.messages.create(model=model, max_tokens=5, messages=[]).content[0].text
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _snapshot(target: Path) -> Path:
    """This working tree as a committed git repo (try-repo reads commits, not untracked files)."""
    ignore = shutil.ignore_patterns(
        "__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache", ".ruff_cache"
    )
    target.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, target / name)
    for name in ("src", "templates"):
        shutil.copytree(REPO / name, target / name, ignore=ignore)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-qm", "snapshot")
    return target


def test_hooks_with_pre_commit_try_repo(tmp_path: Path, git_repo: Path) -> None:
    hooks = _snapshot(tmp_path / "aiinfra")
    (git_repo / "app").mkdir()
    (git_repo / "app" / "ask.py").write_text(UNTRACKED, encoding="utf-8")
    (git_repo / "app" / "tracked.py").write_text(TRACKED, encoding="utf-8")
    _git(git_repo, "add", "-A")
    env = dict(os.environ)
    env.update(
        {
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "PYTHONPATH": sysconfig.get_paths()["purelib"],
            "PIP_NO_INDEX": "1",
            "PIP_NO_DEPS": "1",
            "PIP_NO_BUILD_ISOLATION": "0",
            "NO_COLOR": "1",
        }
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hooks),
            "aiinfra-uninstrumented-calls",
            "--all-files",
        ],
        cwd=git_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "aiinfra uninstrumented LLM calls" in out and "Failed" in out
    assert "app/ask.py:7:12: AIC012 anthropic.messages.create bypasses the cost tracker" in out
    assert "app/tracked.py" not in out
    assert "Found 1 finding at 2 LLM call sites in 2 files." in out
