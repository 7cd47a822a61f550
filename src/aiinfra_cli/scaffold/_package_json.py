"""What ``init --lang typescript`` adds to ``package.json``: the runtime's dependencies, the
tools its tests and type check need, a ``test`` script that runs the generated tests (added to
an existing one, never replacing it), and ``"type": "module"`` (the runtime is ESM).

``init`` never runs a package manager: it writes these with ``--yes`` or a yes at the
terminal, and otherwise prints the exact lines to add.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The runtime's dependencies (the official SDKs, and yaml for the config) and the tools that
# type-check and test it. tests/typescript/fixture/package.json pins the same versions.
DEPENDENCIES = {"@anthropic-ai/sdk": "^1.17.0", "openai": "^6.49.0", "yaml": "^2.9.1"}
DEV_DEPENDENCIES = {"@types/node": "^20.19.43", "tsx": "^4.23.15", "typescript": "^5.9.3"}
# npm's placeholder from `npm init`: not a test suite worth keeping.
NPM_PLACEHOLDER = 'echo "Error: no test specified" && exit 1'


def script_command(tests_dir: str) -> str:
    """The command that runs the generated tests (node's runner, TypeScript through tsx)."""
    return f"node --import tsx --test {tests_dir}/*.test.ts"


@dataclass
class PackageChange:
    """The edits ``package.json`` needs; ``lines`` say them in words, ``text`` is the file
    after them (None: nothing to change, or no package.json)."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    text: str | None = None


def _indent(text: str) -> int:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" ")
        if stripped:
            return len(line) - len(stripped) or 2
    return 2


def _has_commonjs_sources(root: Path) -> bool:
    """Whether the project has .js files of its own (they may be CommonJS)."""
    for path in root.rglob("*.js"):
        parts = path.relative_to(root).parts
        if "node_modules" not in parts and not any(p.startswith(".") for p in parts):
            return True
    return False


def plan_package_json(root: Path, tests_dir: str) -> PackageChange:
    """The change ``package.json`` under ``root`` needs (a missing file is created)."""
    path = root / "package.json"
    try:
        text = path.read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text) if text.strip() else {}
    except FileNotFoundError:
        text, data = "", {"name": root.name.lower() or "app", "private": True}
    change = PackageChange()
    if not isinstance(data, dict):
        change.notes.append("package.json is not a JSON object: add the lines below yourself")
        data = {}
    updated = dict(data)
    for section, wanted in (("dependencies", DEPENDENCIES), ("devDependencies", DEV_DEPENDENCIES)):
        have = dict(updated.get(section) or {})
        missing = {k: v for k, v in wanted.items() if k not in have}
        if missing:
            updated[section] = {**have, **missing}
            change.lines += [f'{section}: "{k}": "{v}"' for k, v in missing.items()]
    scripts = dict(updated.get("scripts") or {})
    command = script_command(tests_dir)
    current = scripts.get("test")
    if not isinstance(current, str) or current.strip() == NPM_PLACEHOLDER:
        scripts["test"] = command
    elif command not in current:
        scripts["test"] = f"{current} && {command}"
    if scripts.get("test") != current:
        updated["scripts"] = scripts
        change.lines.append(f'scripts: "test": "{scripts["test"]}"')
    kind = updated.get("type")
    if kind is None or (kind == "commonjs" and not _has_commonjs_sources(root)):
        updated["type"] = "module"
        change.lines.append('"type": "module"')
    elif kind != "module":
        change.notes.append(
            f'package.json has "type": "{kind}": the generated runtime is ESM; set "type":'
            ' "module" or compile it with a bundler'
        )
    if updated != data or not text:
        change.text = json.dumps(updated, indent=_indent(text), ensure_ascii=False) + "\n"
    return change
