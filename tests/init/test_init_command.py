"""``aiinfra init`` end to end through the real entry point, in real git repositories:
what it writes, what it says, and how re-runs treat unchanged, edited and deleted files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from _support import EXAMPLE_CONFIG, run_cli

from aiinfra_cli.config import load_config
from aiinfra_cli.scaffold import BASE_DIR, MANIFEST_RELPATH, digest

RUNTIME = [
    "__init__.py",
    "_prices.json",
    "budget.py",
    "config.py",
    "context_manager.py",
    "cost_tracker.py",
    "errors.py",
    "model_orchestrator.py",
    "prompt_budget.py",
    "otel_export.py",
    "prompt_loader.py",
    "providers.py",
    "resilience.py",
    "response_cache.py",
    "shared_state.py",
    "store_shipper.py",
    "store_spend.py",
    "streaming.py",
    "vocabulary.py",
]


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` outside .git, with its content."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def project(git_repo: Path) -> Path:
    (git_repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    return git_repo


def init(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("init", *args, cwd=root, env={"COLUMNS": "200"})


def listed(output: str, label: str, path: str, why: str = "") -> bool:
    """Whether ``output`` has the plan line ``label  path  (why…``, whatever the padding."""
    pattern = rf"^  {re.escape(label)} +{re.escape(path)}"
    if why:
        pattern += rf"  \({re.escape(why)}"
    return re.search(pattern, output, re.M) is not None


def test_init_writes_the_runtime_config_prompts_and_manifest(project: Path) -> None:
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    for name in RUNTIME:
        assert (project / "src" / "ai" / name).is_file(), name
    for rel in (
        "tests/ai/conftest.py",
        "tests/ai/test_ai_orchestrator.py",
        "config/ai-models.yaml",
        "config/ai-models.schema.json",
        "config/prompt-library.yaml",
        "config/prompt-library.lock.json",
        "prompts/user/summarize.prompty",
        "prompts/versions/summarize/1.0.0.prompty",
        "prompts/system/.gitkeep",
        "prompts/templates/.gitkeep",
        ".multiagent/ai-infrastructure/README.md",
        ".multiagent/ai-infrastructure/memory/cost-baselines.json",
        "logs/ai-usage/.gitignore",
    ):
        assert (project / rel).is_file(), rel
    assert listed(result.stderr, "created", "src/ai/model_orchestrator.py")
    assert "40 file(s) were written (40 new" in result.stderr
    # The next three commands.
    assert "python -m pytest tests/ai" in result.stderr
    assert "aiinfra model-health" in result.stderr
    assert "aiinfra cost-report --timeframe 7d" in result.stderr
    manifest = json.loads((project / MANIFEST_RELPATH).read_text())
    assert manifest["options"] == {
        "lang": "python",
        "package_dir": "src/ai",
        "project_type": "ai-app",
        "tests_dir": "tests/ai",
    }
    for rel, record in manifest["files"].items():
        assert record["sha256"] == digest((project / rel).read_bytes()), rel
    config = load_config(project / "config" / "ai-models.yaml", required=True)
    assert config is not None and set(config.routes) == {"default", "summarize"}
    assert config.instrumentation.tracker_module == "ai.cost_tracker"


def test_a_rerun_changes_nothing(project: Path) -> None:
    assert init(project).returncode == 0
    before = tree(project)
    result = init(project)
    assert result.returncode == 0
    assert "0 file(s) were written" in result.stderr and "40 unchanged" in result.stderr
    assert tree(project) == before


def test_edited_files_are_kept_and_listed_with_the_next_step(project: Path) -> None:
    init(project)
    edited = project / "src" / "ai" / "budget.py"
    edited.write_text(edited.read_text() + "# tuned for our billing cycle\n")
    config = project / "config" / "ai-models.yaml"
    config.write_text(config.read_text() + "# ours now\n")
    before = tree(project)
    result = init(project)
    assert result.returncode == 0
    assert tree(project) == before
    why = "you edited it; `aiinfra upgrade` merges the templates' changes"
    assert listed(result.stderr, "kept", "src/ai/budget.py", why)
    assert listed(result.stderr, "left", "config/ai-models.yaml", "yours since the first run")


def test_deleted_files_stay_deleted(project: Path) -> None:
    init(project)
    (project / "tests" / "ai" / "test_ai_prompt_loader.py").unlink()
    (project / "prompts" / "system" / ".gitkeep").unlink()
    result = init(project)
    assert result.returncode == 0
    assert not (project / "tests" / "ai" / "test_ai_prompt_loader.py").exists()
    assert not (project / "prompts" / "system" / ".gitkeep").exists()
    assert listed(result.stderr, "skipped", "tests/ai/test_ai_prompt_loader.py", "you deleted it")


def test_force_is_explicit_and_restores_the_templates(project: Path) -> None:
    init(project)
    edited = project / "src" / "ai" / "budget.py"
    original = edited.read_bytes()
    edited.write_text("# replaced\n")
    (project / "src" / "ai" / "errors.py").unlink()
    config = project / "config" / "ai-models.yaml"
    config.write_text(config.read_text() + "# ours\n")
    refused = init(project, "--force")  # no terminal, no --yes: nothing is overwritten
    assert refused.returncode == 2
    assert "--force would overwrite 1 file(s) you edited (src/ai/budget.py)" in refused.stderr
    assert edited.read_text() == "# replaced\n"
    result = init(project, "--force", "--yes")
    assert result.returncode == 0, result.stderr
    assert edited.read_bytes() == original
    assert (project / "src" / "ai" / "errors.py").is_file()
    assert config.read_text().endswith("# ours\n")  # config is never clobbered, even forced


def test_dry_run_writes_nothing_and_prints_a_patch_git_applies(project: Path) -> None:
    before = tree(project)
    result = init(project, "--dry-run")
    assert result.returncode == 0
    assert tree(project) == before
    assert listed(result.stderr, "would create", "src/ai/cost_tracker.py")
    assert result.stdout.startswith("diff --git a/.multiagent/ai-infrastructure/README.md")
    patch = project.parent / "init.patch"
    patch.write_text(result.stdout)
    subprocess.run(["git", "apply", str(patch)], cwd=project, check=True)
    applied = tree(project)
    real = project.parent / "real"
    real.mkdir()
    subprocess.run(["git", "init", "-q", str(real)], check=True)
    (real / "pyproject.toml").write_bytes((project / "pyproject.toml").read_bytes())
    init(real)
    # The patch is the files; the manifest and base copies are bookkeeping init writes.
    bookkeeping = (MANIFEST_RELPATH.as_posix(), BASE_DIR + "/")
    expected = {k: v for k, v in tree(real).items() if not k.startswith(bookkeeping)}
    assert applied == expected
    # After applying the patch, init adopts every file as its own.
    adopted = init(project)
    assert "already there" in adopted.stderr and "were written (0 new" in adopted.stderr


def test_dry_run_force_shows_what_the_templates_would_change(project: Path) -> None:
    init(project)
    edited = project / "src" / "ai" / "budget.py"
    edited.write_text(edited.read_text().replace("Budgets from the config", "Our budgets"))
    before = tree(project)
    result = init(project, "--dry-run", "--force")
    assert tree(project) == before
    assert listed(result.stderr, "would overwrite", "src/ai/budget.py")
    assert '\n-"""Our budgets' in result.stdout
    assert '\n+"""Budgets from the config' in result.stdout


def test_unedited_files_follow_template_changes(project: Path) -> None:
    init(project)
    target = project / "src" / "ai" / "resilience.py"
    current = target.read_bytes()
    # As if an older aiinfra had written an older template: file and manifest agree.
    old = b"# an older template\n"
    target.write_bytes(old)
    manifest_path = project / MANIFEST_RELPATH
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["src/ai/resilience.py"]["sha256"] = digest(old)
    manifest_path.write_text(json.dumps(manifest))
    result = init(project)
    assert listed(result.stderr, "updated", "src/ai/resilience.py")
    assert target.read_bytes() == current


def test_an_existing_config_is_not_clobbered_and_its_models_are_priced(project: Path) -> None:
    (project / "config").mkdir()
    (project / "config" / "ai-models.yaml").write_text(EXAMPLE_CONFIG)
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert (project / "config" / "ai-models.yaml").read_text() == EXAMPLE_CONFIG
    assert listed(result.stderr, "left", "config/ai-models.yaml", "it was not written by")
    prices = json.loads((project / "src" / "ai" / "_prices.json").read_text())
    assert set(prices["models"]) == {"smart", "fast", "llama"}
    assert prices["models"]["smart"]["cache_read_per_mtok"] == "0.3"  # Claude: 0.1 x input
    assert prices["models"]["llama"]["input_per_mtok"] == "0"  # the config's own pricing
    assert prices["aliases"]["claude-sonnet-4-5"] == "smart"
    assert "/" not in json.dumps(prices["models"]).replace("per_mtok", "")  # no machine paths


def test_a_new_model_refreshes_the_price_snapshot(project: Path) -> None:
    init(project)
    config = project / "config" / "ai-models.yaml"
    config.write_text(
        config.read_text().replace(
            "models:\n",
            "models:\n  - {id: pro, provider: openai, model: gpt-4.1-mini, tier: fast}\n",
        )
    )
    result = init(project)
    assert listed(result.stderr, "updated", "src/ai/_prices.json")
    prices = json.loads((project / "src" / "ai" / "_prices.json").read_text())
    assert prices["models"]["pro"]["input_per_mtok"] == "0.4"


@pytest.mark.parametrize(
    ("marker", "args", "note"),
    [
        ("package.json", (), "found package.json"),
        ("tsconfig.json", (), "found tsconfig.json"),
        ("pyproject.toml", ("--lang", "typescript"), None),
    ],
)
def test_typescript_is_detected_or_chosen(
    git_repo: Path, marker: str, args: tuple[str, ...], note: str | None
) -> None:
    (git_repo / marker).write_text("{}")
    result = init(git_repo, *args, "--yes")
    assert result.returncode == 0, result.stderr
    assert (git_repo / "src" / "ai" / "model-orchestrator.ts").is_file()
    assert not (git_repo / "src" / "ai" / "model_orchestrator.py").exists()
    if note:
        assert note in result.stderr


def test_both_languages_need_lang(git_repo: Path) -> None:
    (git_repo / "package.json").write_text("{}")
    (git_repo / "pyproject.toml").write_text("")
    result = init(git_repo)
    assert result.returncode == 2
    assert "found both pyproject.toml and package.json" in result.stderr
    assert init(git_repo, "--lang", "python").returncode == 0


def test_a_custom_package_dir_is_importable_and_remembered(project: Path) -> None:
    result = init(project, "--package-dir", "src/shop/llm", "--project-type", "service")
    assert result.returncode == 0, result.stderr
    assert (project / "src" / "shop" / "llm" / "model_orchestrator.py").is_file()
    assert (project / "tests" / "llm" / "conftest.py").is_file()
    config = load_config(project / "config" / "ai-models.yaml", required=True)
    assert config is not None
    assert config.instrumentation.tracker_module == "shop.llm.cost_tracker"
    assert config.budgets.on_hard_limit == "refuse"
    probe = subprocess.run(
        ["python", "-c", "import shop.llm as m; print(m.Orchestrator.__module__)"],
        cwd=project / "src",
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.stdout.strip() == "shop.llm.model_orchestrator", probe.stderr
    again = init(project)  # the manifest remembers the layout
    assert "40 unchanged" in again.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("src/my-app", "'my-app' is not a Python identifier"),
        ("../elsewhere", "give a directory inside the project"),
    ],
)
def test_bad_package_dirs_are_usage_errors(project: Path, value: str, message: str) -> None:
    result = init(project, "--package-dir", value)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_damaged_manifest_is_one_line_with_the_fix(project: Path) -> None:
    init(project)
    (project / MANIFEST_RELPATH).write_text("{not json")
    result = init(project)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "aiinfra: error: .multiagent/ai-infrastructure/manifest.json:1: the manifest is not"
        " valid JSON"
    )
    assert "restore it from git" in result.stderr


def test_an_invalid_existing_config_stops_init_at_its_line(project: Path) -> None:
    (project / "config").mkdir()
    (project / "config" / "ai-models.yaml").write_text("version: 1\nmodels: [\n")
    result = init(project)
    assert result.returncode == 1
    assert result.stderr.startswith("aiinfra: error: config/ai-models.yaml:")
    assert not (project / "src").exists()


def test_an_existing_prompt_library_gets_no_example_prompt(project: Path) -> None:
    (project / "config").mkdir()
    index = "version: 1\nprompts:\n  triage: {file: prompts/user/triage.prompty}\n"
    (project / "config" / "prompt-library.yaml").write_text(index)
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert (project / "config" / "prompt-library.yaml").read_text() == index
    assert not (project / "prompts" / "user" / "summarize.prompty").exists()
    assert not (project / "config" / "prompt-library.lock.json").exists()
    assert (project / "prompts" / "system" / ".gitkeep").is_file()
