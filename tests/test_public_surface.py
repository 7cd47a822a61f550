"""Every package has an explicit public surface, and no module reaches into another package's
private modules (the rule httpx follows: private modules behind ``__all__``)."""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

import pytest

import aiinfra_cli

SRC = Path(aiinfra_cli.__file__).resolve().parent
PACKAGES = sorted(
    ".".join(("aiinfra_cli", *path.parent.relative_to(SRC).parts))
    for path in SRC.rglob("__init__.py")
    if path.parent != SRC and "data" not in path.parent.relative_to(SRC).parts
)


def _defined_in(value: object, package: str) -> bool:
    """A class or function the package defines (one imported from elsewhere is not part of its
    surface). Constants cannot be traced to where they were defined: they are only checked to
    exist when listed."""
    if isinstance(value, type | types.FunctionType):
        module = value.__module__
        return module == package or module.startswith(package + ".")
    return False


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_exactly_what_the_package_exports(name: str) -> None:
    package = importlib.import_module(name)
    exported = getattr(package, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    public = {
        member
        for member, value in vars(package).items()
        if not member.startswith("_")
        and member != "annotations"
        and not isinstance(value, types.ModuleType)
        and _defined_in(value, name)
    }
    missing = sorted(public - set(exported))
    assert missing == [], f"{name} defines {missing}: list them in __all__ or name them _private"
    assert [m for m in exported if not hasattr(package, m)] == [], name
    assert len(set(exported)) == len(exported), f"{name}: __all__ lists a name twice"


def _private_imports(path: Path) -> list[str]:
    """``from aiinfra_cli.<pkg>._x import …`` in ``path`` where ``<pkg>`` is not its own."""
    rel = path.relative_to(SRC.parent).with_suffix("")
    own = ".".join(rel.parts[:2]) if len(rel.parts) > 2 else None
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "aiinfra_cli" or len(parts) < 3:
                continue
            target = ".".join(parts[:2])
            if any(p.startswith("_") for p in parts[2:]) and target != own:
                found.append(f"{rel}.py:{node.lineno}: from {node.module} import …")
    return found


def test_no_module_imports_another_packages_private_module() -> None:
    found = [line for path in sorted(SRC.rglob("*.py")) for line in _private_imports(path)]
    assert found == [], "import from the package's public surface instead:\n" + "\n".join(found)
