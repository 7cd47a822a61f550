"""Getting aiinfra into another repository: the README's install and pre-commit sections are
usable as written, and what ``init`` generates says (and ignores) what to commit."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from _support import REPO
from pre_commit.clientlib import load_config, load_manifest

from aiinfra_cli.scaffold import BASE_DIR, MANIFEST_RELPATH, apply_plan, plan_init

README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_the_first_two_commands_are_the_demo_and_the_tests() -> None:
    first, second = _blocks(README, "bash")[:2]
    assert first.strip().endswith(".venv/bin/aiinfra demo")
    assert second.strip().endswith(".venv/bin/pytest")


def test_installing_comes_before_the_hooks() -> None:
    install = _section("Use aiinfra in your own repo")
    assert README.index("## Use aiinfra in your own repo") < README.index("## Use the hooks")
    commands = [line.split("#")[0].strip() for line in _blocks(install, "bash")[0].splitlines()]
    assert [c.split()[:2] for c in commands] == [
        ["pipx", "install"],
        ["uv", "tool"],
        ["pip", "install"],
    ]
    assert all("git+https://" in c for c in commands)


def test_the_pre_commit_snippet_loads_with_pre_commits_own_loader(tmp_path: Path) -> None:
    (snippet,) = _blocks(_section("Use the hooks in another repo"), "yaml")
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(snippet)
    config = load_config(str(path))
    (repo,) = config["repos"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+|[0-9a-f]{40}", repo["rev"])
    defined = {hook["id"] for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert {hook["id"] for hook in repo["hooks"]} <= defined


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_state_that_changes_every_run_is_ignored_and_the_rest_committed(git_repo: Path) -> None:
    (git_repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    plan, _ = plan_init(git_repo)
    apply_plan(plan)
    _git(git_repo, "add", "-A")
    tracked = set(_git(git_repo, "ls-files").split())
    assert MANIFEST_RELPATH.as_posix() in tracked
    assert f"{BASE_DIR}/src/ai/model_orchestrator.py.base" in tracked
    assert ".multiagent/ai-infrastructure/memory/cost-baselines.json" not in tracked
    _git(git_repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x")
    # What cost-report, model-health and the tracker write on every run.
    state = git_repo / ".multiagent"
    (state / "ai-infrastructure" / "memory" / "cost-baselines.json").write_text('{"days": {}}\n')
    (state / "health" / "history.jsonl").write_text("{}\n")
    (git_repo / "logs" / "ai-usage" / "usage-2026-01-01.jsonl").write_text("{}\n")
    assert _git(git_repo, "status", "--porcelain") == ""
    readme = (state / "ai-infrastructure" / "README.md").read_text()
    assert "## What to commit" in readme and "memory/cost-baselines.json" in readme
    assert "history.jsonl" in readme


def test_the_generated_readme_links_no_package_index() -> None:
    template = (REPO / "templates" / "multiagent" / "README.md.j2").read_text()
    assert "pypi.org" not in template
