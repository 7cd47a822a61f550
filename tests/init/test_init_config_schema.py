"""``init`` writes the config's JSON Schema next to it, from aiinfra's one definition of the
config, and the config's first line points editors at it; ``upgrade`` keeps it current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from aiinfra_cli._jsonschema import schema_problems, validate
from aiinfra_cli.config import json_schema
from aiinfra_cli.scaffold import (
    MANIFEST_RELPATH,
    apply_plan,
    apply_upgrade,
    base_relpath,
    digest,
    plan_init,
    plan_upgrade,
    read_manifest,
)
from aiinfra_cli.scaffold._manifest import FileRecord

SCHEMA = "config/ai-models.schema.json"
MODELINE = "# yaml-language-server: $schema="


def written_schema(root: Path) -> Any:
    return json.loads((root / SCHEMA).read_text(encoding="utf-8"))


def test_the_config_points_at_a_schema_that_is_the_clis(runtime_repo: Path) -> None:
    config = runtime_repo / "config" / "ai-models.yaml"
    first = config.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE)
    assert (config.parent / first[len(MODELINE) :]).resolve() == (runtime_repo / SCHEMA).resolve()
    schema = written_schema(runtime_repo)
    assert schema == json_schema()
    assert schema_problems(schema) == []  # every keyword is one the validator checks
    assert read_manifest(runtime_repo).files[SCHEMA].policy == "managed"


def test_the_schema_accepts_the_config_and_refuses_a_typo(runtime_repo: Path) -> None:
    schema = written_schema(runtime_repo)
    data = yaml.safe_load((runtime_repo / "config" / "ai-models.yaml").read_text())
    assert validate(data, schema) == []
    assert validate({**data, "x-owner": "search-team"}, schema) == []  # yours
    typo = {**data, "budgest": data.get("budgets", {})}
    assert validate(typo, schema) == ["$: property 'budgest' is not allowed"]
    route = next(iter(data["routes"]))
    retries = {**data, "routes": {route: {**data["routes"][route], "max_retires": 2}}}
    assert validate(retries, schema) == [f"$.routes.{route}: property 'max_retires' is not allowed"]


def _project(git_repo: Path) -> Path:
    (git_repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    apply_plan(plan_init(git_repo)[0])
    return git_repo


def _record(root: Path, text: str | None) -> None:
    """Leave the schema as an older aiinfra left it: ``text``, or none at all."""
    manifest = read_manifest(root)
    target = root / SCHEMA
    if text is None:
        target.unlink()
        (root / base_relpath(SCHEMA)).unlink()
        del manifest.files[SCHEMA]
    else:
        target.write_text(text)
        (root / base_relpath(SCHEMA)).write_text(text)
        manifest.files[SCHEMA] = FileRecord(digest(text.encode()), "managed")
    (root / MANIFEST_RELPATH).write_text(manifest.to_json())


def _upgrade(root: Path) -> str:
    plan = plan_upgrade(plan_init(root, fresh_config=True)[0], read_manifest(root))
    [outcome] = [f.outcome for f in plan.files if f.path == SCHEMA]
    apply_upgrade(plan)
    return outcome


def test_upgrade_writes_the_schema_into_a_project_from_before_it(git_repo: Path) -> None:
    root = _project(git_repo)
    _record(root, None)
    assert _upgrade(root) == "created"
    assert written_schema(root) == json_schema()


def test_upgrade_replaces_an_older_versions_schema(git_repo: Path) -> None:
    root = _project(git_repo)
    older = json_schema()
    del older["properties"]["budgets"]
    _record(root, json.dumps(older, indent=2) + "\n")
    assert _upgrade(root) == "replaced"
    assert written_schema(root) == json_schema()
