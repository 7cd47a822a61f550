"""``aiinfra init --lang typescript``: what it writes, what it shares with Python, and the
package.json step (written only with --yes or a yes; otherwise the exact lines)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from _support import run_cli

from aiinfra_cli.scaffold import apply_plan, plan_init, read_manifest
from aiinfra_cli.scaffold._package_json import (
    DEPENDENCIES,
    DEV_DEPENDENCIES,
    plan_package_json,
    script_command,
)

FIXTURE = Path(__file__).resolve().parent / "fixture"
NPM_INIT = {
    "name": "shop",
    "version": "1.0.0",
    "type": "commonjs",
    "scripts": {"test": 'echo "Error: no test specified" && exit 1'},
}


def repo(path: Path, package: dict[str, object] | None = None) -> Path:
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    if package is not None:
        (path / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    return path


def test_the_fixture_pins_what_init_asks_for() -> None:
    pinned = json.loads((FIXTURE / "package.json").read_text())
    for section, wanted in (("dependencies", DEPENDENCIES), ("devDependencies", DEV_DEPENDENCIES)):
        for name, spec in wanted.items():
            assert pinned[section][name] == spec.lstrip("^"), name
    assert pinned["scripts"]["test"] == script_command("tests/ai")


def test_a_fresh_npm_project_gets_deps_test_script_and_esm(tmp_path: Path) -> None:
    change = plan_package_json(repo(tmp_path, NPM_INIT), "tests/ai")
    assert change.text is not None
    updated = json.loads(change.text)
    assert updated["scripts"]["test"] == "node --import tsx --test tests/ai/*.test.ts"
    assert updated["type"] == "module"
    assert updated["dependencies"] == DEPENDENCIES
    assert list(updated)[:2] == ["name", "version"]  # the user's order is kept
    assert '"type": "module"' in change.lines


def test_an_existing_test_script_is_extended_never_replaced(tmp_path: Path) -> None:
    package = {"name": "x", "type": "module", "scripts": {"test": "vitest run"}}
    change = plan_package_json(repo(tmp_path, package), "tests/ai")
    assert change.text is not None
    script = json.loads(change.text)["scripts"]["test"]
    assert script == "vitest run && node --import tsx --test tests/ai/*.test.ts"
    applied = tmp_path / "package.json"
    applied.write_text(change.text)
    assert plan_package_json(tmp_path, "tests/ai").text is None  # idempotent


def test_commonjs_code_keeps_its_type_and_gets_a_note(tmp_path: Path) -> None:
    root = repo(tmp_path, NPM_INIT)
    (root / "server.js").write_text("module.exports = {};\n")
    change = plan_package_json(root, "tests/ai")
    assert change.text is not None
    assert json.loads(change.text)["type"] == "commonjs"
    assert any('"type": "module"' in note for note in change.notes)


def test_without_yes_init_prints_the_lines_and_leaves_package_json(tmp_path: Path) -> None:
    root = repo(tmp_path, NPM_INIT)
    before = (root / "package.json").read_bytes()
    result = run_cli("init", cwd=root, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert (root / "package.json").read_bytes() == before
    assert "package.json needs (add them, or re-run with --yes):" in result.stderr
    assert '  dependencies: "@anthropic-ai/sdk": "^1.17.0"' in result.stderr
    assert (root / "src" / "ai" / "index.ts").is_file()
    assert (root / "tsconfig.json").is_file()
    assert "npm test" in result.stderr


def test_both_runtimes_share_one_config_and_keep_their_options(tmp_path: Path) -> None:
    root = repo(tmp_path, NPM_INIT)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0"\n')
    python, _ = plan_init(root, lang="python", package_dir="src/shop_ai")
    apply_plan(python)
    config = (root / "config" / "ai-models.yaml").read_bytes()
    typescript, _ = plan_init(root, lang="typescript", package_dir="web/ai")
    shared = {
        s.path: s.action for s in typescript.steps if s.path.startswith(("config/", "prompts/"))
    }
    assert set(shared.values()) == {"unchanged"}  # one copy, already there
    apply_plan(typescript)
    assert (root / "config" / "ai-models.yaml").read_bytes() == config
    assert (root / "web" / "ai" / "model-orchestrator.ts").is_file()
    options = read_manifest(root).options
    assert options["package_dir"] == "src/shop_ai"
    assert options["typescript.package_dir"] == "web/ai"
    # Each re-run remembers its own directories and changes nothing.
    for lang in ("python", "typescript"):
        again, _ = plan_init(root, lang=lang)
        assert not again.writes_anything, lang
