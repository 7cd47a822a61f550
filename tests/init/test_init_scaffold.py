"""The scaffold engine in-process: the decision table, the manifest, layouts, rendering for each
project type, the price snapshot, and the summary a run prints."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from aiinfra_cli.commands.init import render_next, render_plan
from aiinfra_cli.config import check_text
from aiinfra_cli.errors import ConfigError, UsageError
from aiinfra_cli.scaffold import (
    ADOPT,
    CREATE,
    DELETED,
    EDITED,
    EXISTS,
    MANAGED,
    MANIFEST_RELPATH,
    OVERWRITE,
    RESTORE,
    SEED,
    UNCHANGED,
    UPDATE,
    YOURS,
    Layout,
    Manifest,
    Plan,
    Step,
    decide,
    detect_language,
    digest,
    read_manifest,
    render_all,
    resolve_layout,
)
from aiinfra_cli.scaffold._manifest import FileRecord
from aiinfra_cli.scaffold._prices import price_snapshot, snapshot_text

NEW, OLD, EDIT = b"template v2\n", b"template v1\n", b"template v1, edited\n"


@pytest.mark.parametrize(
    ("on_disk", "recorded", "policy", "force", "expected"),
    [
        (None, None, MANAGED, False, CREATE),
        (None, None, SEED, True, CREATE),
        (None, OLD, MANAGED, False, DELETED),
        (None, OLD, SEED, False, DELETED),
        (None, OLD, MANAGED, True, RESTORE),
        (None, OLD, SEED, True, RESTORE),
        (NEW, NEW, MANAGED, False, UNCHANGED),
        (NEW, OLD, MANAGED, False, UNCHANGED),  # the user's edit became the template
        (NEW, None, MANAGED, False, ADOPT),
        (OLD, OLD, MANAGED, False, UPDATE),
        (EDIT, OLD, MANAGED, False, EDITED),
        (EDIT, OLD, MANAGED, True, OVERWRITE),
        (EDIT, OLD, SEED, False, YOURS),
        (EDIT, OLD, SEED, True, YOURS),  # config and prompts: never, even forced
        (OLD, OLD, SEED, False, YOURS),  # seeds do not follow template changes
        (EDIT, None, MANAGED, False, EXISTS),
        (EDIT, None, MANAGED, True, EXISTS),  # files init never wrote: never
        (EDIT, None, SEED, True, EXISTS),
    ],
)
def test_the_decision_table(
    on_disk: bytes | None, recorded: bytes | None, policy: str, force: bool, expected: str
) -> None:
    record = FileRecord(digest(recorded), policy) if recorded is not None else None
    assert decide(NEW, on_disk, record, policy, force=force) == expected


def test_the_manifest_round_trips_and_is_stable(tmp_path: Path) -> None:
    manifest = Manifest(
        options={"package_dir": "src/ai", "lang": "python"},
        files={"b.py": FileRecord(digest(b"b"), MANAGED), "a.yaml": FileRecord("sha256:0", SEED)},
    )
    path = tmp_path / MANIFEST_RELPATH
    path.parent.mkdir(parents=True)
    path.write_text(manifest.to_json())
    again = read_manifest(tmp_path)
    assert again.exists and again.files == manifest.files and again.options == manifest.options
    assert again.to_json() == manifest.to_json()
    assert list(json.loads(manifest.to_json())["files"]) == ["a.yaml", "b.py"]
    assert not read_manifest(tmp_path / "elsewhere").exists


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"manifest_version": 9}', "unsupported manifest"),
        ('{"manifest_version": 1, "files": {"x": {"sha256": 1}}}', "files.x"),
        ("[1,", "not valid JSON"),
    ],
)
def test_damaged_manifests_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / MANIFEST_RELPATH
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_manifest(tmp_path)


def test_layouts(tmp_path: Path) -> None:
    plain = resolve_layout(
        tmp_path, language="python", project_type=None, package_dir=None, remembered={}
    )
    assert (plain.package_dir, plain.package_import, plain.source_root, plain.tests_dir) == (
        "src/ai",
        "ai",
        "src",
        "tests/ai",
    )
    assert plain.tests_up == 1
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    flat = resolve_layout(
        tmp_path, language="python", project_type=None, package_dir=None, remembered={}
    )
    assert (flat.package_dir, flat.package_import, flat.source_root) == ("ai", "ai", ".")
    nested = resolve_layout(
        tmp_path, language="python", project_type="service", package_dir="app/llm", remembered={}
    )
    assert (nested.package_import, nested.tests_dir, nested.project_type) == (
        "app.llm",
        "tests/llm",
        "service",
    )
    remembered = resolve_layout(
        tmp_path,
        language="python",
        project_type=None,
        package_dir=None,
        remembered={"package_dir": "src/x/y", "tests_dir": "t/y", "project_type": "library"},
    )
    assert (remembered.package_import, remembered.tests_dir, remembered.tests_up) == (
        "x.y",
        "t/y",
        1,
    )
    assert remembered.project_type == "library"
    with pytest.raises(UsageError, match="--project-type nope"):
        resolve_layout(
            tmp_path, language="python", project_type="nope", package_dir=None, remembered={}
        )


def test_language_detection(tmp_path: Path) -> None:
    assert detect_language(tmp_path, "auto")[0] == "python"
    assert "no pyproject.toml" in str(detect_language(tmp_path, "auto")[1])
    (tmp_path / "setup.cfg").write_text("")
    assert detect_language(tmp_path, "auto") == ("python", None)
    assert detect_language(tmp_path, "typescript") == ("typescript", None)
    with pytest.raises(UsageError, match="--lang cobol"):
        detect_language(tmp_path, "cobol")


@pytest.mark.parametrize("project_type", ["ai-app", "service", "library"])
def test_every_project_type_renders_a_valid_config(tmp_path: Path, project_type: str) -> None:
    layout = resolve_layout(
        tmp_path, language="python", project_type=project_type, package_dir=None, remembered={}
    )
    rendered = render_all(tmp_path, layout)
    text = rendered.files["config/ai-models.yaml"].decode()
    config, problems = check_text(text, tmp_path / "config" / "ai-models.yaml")
    assert problems == [] and config is not None
    summarize = config.routes["summarize"]
    if project_type == "library":
        assert config.budgets.on_hard_limit == "warn" and not summarize.cache_enabled
        assert summarize.prompt_cache is None
    else:
        assert config.budgets.on_hard_limit == "refuse" and summarize.cache_enabled
        assert summarize.prompt_cache == "5m"
    assert summarize.per_tenant.limited == (project_type == "service")
    assert summarize.per_user.limited == (project_type == "ai-app")
    assert "x-" not in text.split("\nversion: 1\n", 1)[1]  # the runtime's keys are first-class
    assert "\n\n\n" not in text  # template tags leave no blank lines behind
    assert rendered.unpriced == []


def test_the_price_snapshot_names_unpriced_models_and_keeps_one_model_per_line() -> None:
    text = """version: 1
providers: {anthropic: {kind: anthropic}, local: {kind: openai-compatible, base_url: "http://x/v1"}}
models:
  - {id: smart, provider: anthropic, model: claude-sonnet-4-5}
  - {id: mine, provider: local, model: my-finetune}
"""
    config, problems = check_text(text, Path("config/ai-models.yaml"))
    assert config is not None, problems
    document, unpriced = price_snapshot(config)
    assert unpriced == ["mine"]
    snapshot = snapshot_text(document)
    assert json.loads(snapshot) == document
    lines = snapshot.splitlines()
    assert any(line.startswith('    "smart": {') and line.endswith("}") for line in lines)
    assert document["models"]["smart"]["source"] == "table: claude-sonnet-4-5"


def _plan(tmp_path: Path) -> Plan:
    layout = Layout("python", "ai-app", "src/ai", "ai", "src", "tests/ai")
    plan = Plan(root=tmp_path, layout=layout, unpriced=["llama"])
    plan.steps = [
        Step("config/ai-models.yaml", YOURS, SEED, b"x", b"y"),
        Step("src/ai/budget.py", EDITED, MANAGED, b"x", b"y"),
        Step("src/ai/errors.py", CREATE, MANAGED, None, b"y"),
        Step("src/ai/config.py", UNCHANGED, MANAGED, b"y", b"y"),
    ]
    return plan


def test_the_summary_a_run_prints(tmp_path: Path) -> None:
    out = StringIO()
    console = Console(file=out, width=200, color_system=None)
    plan = _plan(tmp_path)
    render_plan(plan, console, dry_run=False, notes=["found setup.cfg"])
    render_next(plan, console)
    assert out.getvalue() == (
        "aiinfra init: Python, package src/ai (import ai), tests tests/ai, project type ai-app\n"
        "  note: found setup.cfg\n"
        "  left     config/ai-models.yaml  (yours since the first run; never overwritten)\n"
        "  kept     src/ai/budget.py  (you edited it; `aiinfra upgrade` merges the templates'"
        " changes into it, `--force` takes the templates' version)\n"
        "  created  src/ai/errors.py\n"
        "1 file(s) were written (1 new, 0 updated, 0 forced); 1 unchanged;"
        " 2 kept as you have them.\n"
        "  note: no price known for llama: the tracker records their tokens without a cost"
        " (add `pricing` to the model in config/ai-models.yaml, then re-run init)\n"
        "The generated code needs httpx, PyYAML and jinja2 (prompts), plus the SDK of each"
        " provider you use: pip install anthropic openai\n"
        "Next:\n"
        "  python -m pytest tests/ai           # the runtime's own tests (no network, no key)\n"
        "  aiinfra model-health                # reachability, auth and latency of every"
        " configured model\n"
        "  aiinfra cost-report --timeframe 7d  # cost by model, feature and day once calls run\n"
    )


def test_the_dry_run_summary_says_would(tmp_path: Path) -> None:
    out = StringIO()
    render_plan(_plan(tmp_path), Console(file=out, width=200, color_system=None), dry_run=True,
                notes=[])  # fmt: skip
    text = out.getvalue()
    assert "(dry run)" in text and "  would create  src/ai/errors.py" in text
    assert "1 file(s) would be written" in text
