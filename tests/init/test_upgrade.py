"""``aiinfra upgrade`` across template versions, in real git repositories.

The previous version is a frozen copy of the templates as they were when ``upgrade`` was
written (``fixtures/templates_v0``). The engine tests upgrade it to a "next version" made from
that copy with known changes; the command tests upgrade it to this checkout's templates.
"""

from __future__ import annotations

import difflib
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from _support import run_cli
from rich.console import Console

from aiinfra_cli import __version__
from aiinfra_cli.commands.upgrade import render_proposals, render_summary
from aiinfra_cli.errors import UsageError
from aiinfra_cli.scaffold import (
    MANIFEST_RELPATH,
    FileUpgrade,
    UpgradePlan,
    apply_plan,
    apply_upgrade,
    base_relpath,
    digest,
    plan_init,
    plan_upgrade,
    read_manifest,
    upgrade_patch,
)

V0 = Path(__file__).parent / "fixtures" / "templates_v0"
ORCHESTRATOR = "src/ai/model_orchestrator.py"
HELPER = '\n\ndef route_names() -> list[str]:\n    """Our own helper."""\n    return ["default"]\n'


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


@pytest.fixture
def project(git_repo: Path) -> Path:
    """A repository ``init`` generated with the previous version's templates."""
    (git_repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    plan, _ = plan_init(git_repo, templates=V0)
    apply_plan(plan)
    return git_repo


@pytest.fixture
def next_version(tmp_path: Path) -> Path:
    """The previous templates with a next version's changes: a changed default in the
    orchestrator, a line more in the generated README and in the config."""
    templates = tmp_path / "templates_next"
    shutil.copytree(V0, templates)
    edit(templates / "python/ai/model_orchestrator.py.j2", "MAX_TOKENS = 1024", "MAX_TOKENS = 2048")
    edit(
        templates / "multiagent/README.md.j2",
        "## Everyday commands\n",
        "## Everyday commands\n\nUpgrade with `aiinfra upgrade`.\n",
    )
    edit(
        templates / "config/ai-models.yaml.j2",
        "version: 1\n",
        "# Budgets are in USD.\nversion: 1\n",
    )
    return templates


def upgrade(root: Path, templates: Path) -> UpgradePlan:
    previous = read_manifest(root)
    plan, _ = plan_init(root, templates=templates, fresh_config=True)
    return plan_upgrade(plan, previous)


def outcomes(plan: UpgradePlan) -> dict[str, str]:
    return {f.path: f.outcome for f in plan.files if f.outcome != "unchanged"}


def test_init_keeps_a_base_copy_of_what_it_wrote(project: Path) -> None:
    manifest = read_manifest(project)
    for rel, record in manifest.files.items():
        base = project / base_relpath(rel)
        assert digest(base.read_bytes()) == record.sha256, rel
        assert base.read_bytes() == (project / rel).read_bytes()


def test_edits_survive_and_template_changes_arrive(project: Path, next_version: Path) -> None:
    orchestrator = project / ORCHESTRATOR
    edit(orchestrator, "DEFAULT_MAX_RETRIES = 2", "DEFAULT_MAX_RETRIES = 3")
    orchestrator.write_text(orchestrator.read_text() + HELPER)
    context = project / "src/ai/context_manager.py"
    edit(context, "_IMAGE_TOKENS = 1000", "_IMAGE_TOKENS = 1500")
    (project / "tests/ai/test_ai_prompt_loader.py").unlink()
    config = project / "config/ai-models.yaml"
    config.write_text(config.read_text() + "# ours\n")
    before_config = config.read_bytes()

    plan = upgrade(project, next_version)
    assert outcomes(plan) == {
        ORCHESTRATOR: "merged",
        ".multiagent/ai-infrastructure/README.md": "replaced",
        "src/ai/context_manager.py": "kept",
        "tests/ai/test_ai_prompt_loader.py": "deleted",
        "config/ai-models.yaml": "proposed",
    }
    patch = upgrade_patch(plan)
    assert "+DEFAULT_MAX_TOKENS = 2048" in patch and "+Upgrade with `aiinfra upgrade`." in patch
    assert "config/ai-models.yaml" not in patch  # proposed, never part of what is written
    (proposal,) = plan.having("proposed")
    assert proposal.new is not None and b"# Budgets are in USD.\n" in proposal.new
    apply_upgrade(plan)

    merged = orchestrator.read_text()
    assert "DEFAULT_MAX_TOKENS = 2048" in merged  # the template's change arrived
    assert "DEFAULT_MAX_RETRIES = 3" in merged and merged.endswith(HELPER)  # the edits survived
    assert "<<<<<<<" not in merged
    assert "_IMAGE_TOKENS = 1500" in context.read_text()
    assert not (project / "tests/ai/test_ai_prompt_loader.py").exists()
    assert config.read_bytes() == before_config
    new_render = plan_init(project, templates=next_version)[0]
    rendered = {s.path: s.new for s in new_render.steps}
    manifest = read_manifest(project)
    assert manifest.files[ORCHESTRATOR].sha256 == digest(rendered[ORCHESTRATOR])
    assert (project / base_relpath(ORCHESTRATOR)).read_bytes() == rendered[ORCHESTRATOR]
    # Done: a second upgrade writes nothing, and init sees the merged file as edited.
    again = upgrade(project, next_version)
    assert not again.to_write and not again.bases and not again.manifest_changed
    assert {s.path: s.action for s in new_render.steps}[ORCHESTRATOR] == "edited"


def test_a_conflict_writes_markers_and_nothing_else(project: Path, next_version: Path) -> None:
    orchestrator = project / ORCHESTRATOR
    edit(orchestrator, "DEFAULT_MAX_TOKENS = 1024", "DEFAULT_MAX_TOKENS = 4096")
    before, previous = tree(project), read_manifest(project)
    plan = upgrade(project, next_version)
    assert outcomes(plan)[ORCHESTRATOR] == "conflict"
    assert outcomes(plan)[".multiagent/ai-infrastructure/README.md"] == "replaced"
    apply_upgrade(plan)
    after = tree(project)
    changed = {k for k in after if after[k] != before.get(k)}
    # The file, and the record that it now stands on the new version (as a merge commit does).
    assert changed == {ORCHESTRATOR, base_relpath(ORCHESTRATOR), MANIFEST_RELPATH.as_posix()}
    records = read_manifest(project).files
    assert {k: v for k, v in records.items() if k != ORCHESTRATOR} == {
        k: v for k, v in previous.files.items() if k != ORCHESTRATOR
    }
    text = orchestrator.read_text()
    assert re.search(
        r"^<<<<<<< yours\nDEFAULT_MAX_TOKENS = 4096\n=======\nDEFAULT_MAX_TOKENS = 2048\n"
        r">>>>>>> aiinfra \S+\n",
        text,
        re.M,
    )
    # Resolved by hand, the next upgrade finishes the job.
    orchestrator.write_text(re.sub(r"<<<<<<< yours\n(.*\n)=======\n.*\n>>>>>>> .*\n", r"\1", text))
    plan = upgrade(project, next_version)
    assert outcomes(plan)[ORCHESTRATOR] == "kept"
    assert outcomes(plan)[".multiagent/ai-infrastructure/README.md"] == "replaced"
    apply_upgrade(plan)
    assert "DEFAULT_MAX_TOKENS = 4096" in orchestrator.read_text()


def test_no_manifest_is_a_usage_error(git_repo: Path) -> None:
    plan, _ = plan_init(git_repo, fresh_config=True)
    with pytest.raises(UsageError, match="run `aiinfra init` first"):
        plan_upgrade(plan, read_manifest(git_repo))


def test_files_without_a_base_copy_are_kept(project: Path, next_version: Path) -> None:
    """Repositories generated before base copies existed: edits are kept, not guessed at."""
    shutil.rmtree(project / ".multiagent/ai-infrastructure/base")
    edit(project / ORCHESTRATOR, "DEFAULT_MAX_RETRIES = 2", "DEFAULT_MAX_RETRIES = 3")
    plan = upgrade(project, next_version)
    (kept,) = [f for f in plan.files if f.path == ORCHESTRATOR]
    assert kept.outcome == "kept" and "no base copy" in kept.why
    apply_upgrade(plan)
    assert (project / base_relpath("src/ai/errors.py")).is_file()  # back-filled


# The command, from the frozen previous version to this checkout's templates.


def _changed_between_versions(project: Path) -> list[tuple[str, list[str], list[str]]]:
    """The managed files whose render changed between the versions, Python ones first: each
    path, previous lines and current lines."""
    previous = {rel: (project / rel).read_text() for rel in read_manifest(project).files}
    current = {s.path: s.new.decode() for s in plan_init(project, fresh_config=True)[0].steps}
    changed = [
        rel
        for rel in sorted(previous, key=lambda r: (not r.endswith(".py"), r))
        if rel in current
        and current[rel] != previous[rel]
        and not rel.startswith(("config/", "prompts/"))
        and not rel.endswith(".json")
    ]
    assert changed, "no template changed since templates_v0"
    return [
        (rel, previous[rel].splitlines(keepends=True), current[rel].splitlines(keepends=True))
        for rel in changed
    ]


def _user_edit(lines: list[str], anchor: int) -> list[str]:
    """Insert a helper (or a paragraph) before line ``anchor``, as a user would."""
    block = (
        HELPER.lstrip("\n") + "\n\n"
        if lines[anchor].startswith(("def ", "class "))
        else "Our own note.\n\n"
    )
    return [*lines[:anchor], block, *lines[anchor:]]


def _stable_anchor(previous: list[str], current: list[str]) -> tuple[int, int] | None:
    """A top-level line far (3+ lines) from any template change: its index in both versions."""
    matcher = difflib.SequenceMatcher(None, previous, current, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag != "equal":
            continue
        for i in range(i1 + 3, i2 - 3):
            if previous[i].startswith(("def ", "class ", "## ")):
                return i, j1 + (i - i1)
    return None


def test_the_command_upgrades_from_the_previous_version(project: Path) -> None:
    rel, previous, current, (at_previous, at_current) = next(
        (rel, previous, current, anchor)
        for rel, previous, current in _changed_between_versions(project)
        if (anchor := _stable_anchor(previous, current)) is not None
    )
    (project / rel).write_text("".join(_user_edit(previous, at_previous)))
    before = tree(project)

    dry = run_cli("upgrade", "--dry-run", cwd=project, env={"COLUMNS": "300"})
    assert dry.returncode == 0, dry.stderr
    assert tree(project) == before
    assert re.search(rf"^  merged +{re.escape(rel)}  \(your edits kept", dry.stderr, re.M)
    assert f"diff --git a/{rel} b/{rel}" in dry.stdout

    result = run_cli("upgrade", cwd=project, env={"COLUMNS": "300"})
    assert result.returncode == 0, result.stderr
    assert (project / rel).read_text() == "".join(_user_edit(current, at_current))
    assert " 0 conflict," in result.stderr


def test_the_command_stops_on_a_conflict_with_exit_1(project: Path) -> None:
    rel, previous, current = _changed_between_versions(project)[0]
    matcher = difflib.SequenceMatcher(None, previous, current, autojunk=False)
    tag, i1, *_ = next(op for op in matcher.get_opcodes() if op[0] != "equal")
    # Where the templates changed or inserted lines, the user wrote their own.
    previous[i1 : i1 + (tag != "insert")] = ["# our own version of this line\n"]
    (project / rel).write_text("".join(previous))
    records = read_manifest(project).files
    result = run_cli("upgrade", cwd=project, env={"COLUMNS": "300"})
    assert result.returncode == 1, result.stderr
    assert re.search(rf"^  conflict +{re.escape(rel)}  \(\d+ conflict\(s\)", result.stderr, re.M)
    assert "nothing else was written" in result.stderr
    assert "<<<<<<< yours\n# our own version of this line\n" in (project / rel).read_text()
    after = read_manifest(project).files
    assert {k: v for k, v in after.items() if k != rel} == {
        k: v for k, v in records.items() if k != rel
    }


def test_the_summary_names_each_file_and_shows_proposals(tmp_path: Path) -> None:
    plan = UpgradePlan(tmp_path, "src/ai")
    plan.files = [
        FileUpgrade("config/ai-models.yaml", "proposed", "yours", b"a\n", b"a\nb\n"),
        FileUpgrade("src/ai/budget.py", "merged", "your edits kept", b"x", b"y"),
        FileUpgrade("src/ai/config.py", "conflict", "1 conflict(s)", b"x", b"<<<"),
        FileUpgrade("src/ai/errors.py", "unchanged", "", b"x", None),
        FileUpgrade("tests/ai/conftest.py", "deleted", "you deleted it", None, None),
    ]
    out = StringIO()
    console = Console(file=out, width=200, color_system=None)
    render_summary(plan, console, dry_run=True)
    render_proposals(plan, console)
    assert out.getvalue() == (
        f"aiinfra upgrade: templates of aiinfra {__version__} into src/ai (dry run: nothing"
        " written)\n"
        "  proposed  config/ai-models.yaml  (yours)\n"
        "  merged    src/ai/budget.py  (your edits kept)\n"
        "  conflict  src/ai/config.py  (1 conflict(s))\n"
        "  deleted   tests/ai/conftest.py  (you deleted it)\n"
        "0 created, 0 replaced, 1 merged, 1 conflict, 0 kept, 1 proposed, 1 deleted,"
        " 1 unchanged.\n"
        "1 file(s) would get conflict markers; nothing else would be written. Resolve them,"
        " then run `aiinfra upgrade` again.\n"
        "Proposed for config/ai-models.yaml (yours, so not applied: copy what you want;"
        " `aiinfra config validate` checks the config):\n"
        "diff --git a/config/ai-models.yaml b/config/ai-models.yaml\n"
        "--- a/config/ai-models.yaml\n"
        "+++ b/config/ai-models.yaml\n"
        "@@ -1 +1,2 @@\n"
        " a\n"
        "+b\n"
    )
