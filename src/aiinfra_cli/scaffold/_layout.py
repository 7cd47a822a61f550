"""Where generated files go: the project's language, the package directory and import name,
the tests directory, and the usage-log directory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aiinfra_cli.errors import UsageError
from aiinfra_cli.scaffold._packaging import find_packages

LANGUAGES = ("auto", "python", "typescript")
PROJECT_TYPES = ("ai-app", "service", "library")
PYTHON_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
TYPESCRIPT_MARKERS = ("package.json", "tsconfig.json")


@dataclass(frozen=True)
class Layout:
    """Resolved locations, as POSIX paths relative to the project root."""

    language: str
    project_type: str
    package_dir: str
    package_import: str
    source_root: str
    tests_dir: str
    notes: tuple[str, ...] = ()

    @property
    def tests_up(self) -> int:
        """How many ``parents`` up from the tests directory the root is (``Path.parents``)."""
        return len(PurePosixPath(self.tests_dir).parts) - 1


def detect_language(root: Path, requested: str) -> tuple[str, str | None]:
    """The project's language and a note saying how it was decided (None when obvious)."""
    if requested not in LANGUAGES:
        raise UsageError(f"--lang {requested}: use auto, python or typescript")
    if requested != "auto":
        return requested, None
    python = [m for m in PYTHON_MARKERS if (root / m).is_file()]
    typescript = [m for m in TYPESCRIPT_MARKERS if (root / m).is_file()]
    if python and typescript:
        raise UsageError(
            f"found both {python[0]} and {typescript[0]}: say which runtime to generate",
            hint="add --lang python or --lang typescript",
        )
    if typescript:
        return "typescript", f"found {typescript[0]}"
    if python:
        return "python", None
    return "python", "no pyproject.toml or package.json found; generating Python (use --lang)"


# Asks the user to pick one of the package directories offered (a terminal prompt), given why.
Chooser = Callable[[list[str], str], str]


def _unpackaged_default(root: Path) -> str:
    """Without a build backend: ``src/ai`` for src layouts and new projects, ``ai`` next to
    top-level packages."""
    if (root / "src").is_dir():
        return "src/ai"
    top_level_packages = [p for p in root.iterdir() if (p / "__init__.py").is_file()]
    return "ai" if top_level_packages else "src/ai"


def _default_package_dir(root: Path, choose: Chooser | None) -> tuple[str, str | None]:
    """Inside the app's own package when its build backend ships exactly one (so the wheel
    carries the runtime); a note saying how it was decided."""
    packaging = find_packages(root)
    if packaging.backend is None:
        return _unpackaged_default(root), None
    if len(packaging.packages) == 1:
        package = packaging.packages[0]
        note = f"inside your package {package} (from the {packaging.backend} build config)"
        return f"{package}/ai", note + ", so the wheel ships the runtime"
    if packaging.packages:
        why = f"your {packaging.backend} build ships {len(packaging.packages)} packages"
        why += f" ({', '.join(packaging.packages)}): which one should hold the runtime?"
    else:
        why = f"pyproject.toml builds with {packaging.backend} but no package of it was found"
        why += " (src/NAME/__init__.py or NAME/__init__.py): the wheel would not ship the runtime"
    offered = [f"{p}/ai" for p in packaging.packages]
    if choose is not None and offered:
        return choose(offered, why), None
    example = offered[0] if offered else "src/myapp/ai"
    raise UsageError(why, hint=f"add --package-dir, e.g. --package-dir {example}")


def resolve_layout(
    root: Path,
    *,
    language: str,
    project_type: str | None,
    package_dir: str | None,
    remembered: dict[str, str],
    choose: Chooser | None = None,
) -> Layout:
    """Options from the command line, else from the last run (the manifest), else defaults
    (``choose`` asks when the build config leaves the package open; None: refuse)."""
    kind = project_type or remembered.get("project_type") or "ai-app"
    if kind not in PROJECT_TYPES:
        raise UsageError(f"--project-type {kind}: use {', '.join(PROJECT_TYPES)}")
    chosen, note = package_dir or remembered.get("package_dir"), None
    if not chosen and language == "typescript":  # a Python build config says nothing here
        chosen = "src/ai"
    if not chosen:
        chosen, note = _default_package_dir(root, choose)
    relative = PurePosixPath(chosen.replace("\\", "/").strip("/"))
    if relative.is_absolute() or not relative.parts or ".." in relative.parts:
        raise UsageError(
            f"--package-dir {chosen}: give a directory inside the project, e.g. src/ai"
        )
    parts = relative.parts
    if parts[0] == "src" and len(parts) > 1:
        source_root, module_parts = "src", parts[1:]
    else:
        source_root, module_parts = ".", parts
    bad = [p for p in module_parts if not p.isidentifier()]
    if bad and language != "typescript":  # a TypeScript directory needs no identifier
        raise UsageError(
            f"--package-dir {chosen}: '{bad[0]}' is not a Python identifier",
            hint="package directories must be importable, e.g. src/ai or src/myapp/llm",
        )
    tests_dir = remembered.get("tests_dir") if not package_dir else None
    return Layout(
        language=language,
        project_type=kind,
        package_dir=relative.as_posix(),
        package_import=".".join(module_parts),
        source_root=source_root,
        tests_dir=tests_dir or f"tests/{module_parts[-1]}",
        notes=(note,) if note else (),
    )
