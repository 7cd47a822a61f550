"""Which import packages the project ships, read from its build backend's configuration.

The runtime goes inside the app's own package (``src/myapp/ai``, imported as ``myapp.ai``)
so that ``pip wheel .`` carries it, with its price snapshot, to wherever the app is deployed.
Backends read: hatch, setuptools, poetry, pdm, flit and uv_build; when a backend names no
packages, the src and flat layouts are searched the way those backends search them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from aiinfra_cli.errors import ConfigError

# Top-level directories that are never the app's package in a flat layout.
NOT_PACKAGES = frozenset({"tests", "test", "docs", "scripts", "bench", "benchmarks", "examples"})


@dataclass(frozen=True)
class Packaging:
    """The build backend (None: no ``[build-system]``) and the packages it ships."""

    backend: str | None
    packages: tuple[str, ...]  # POSIX paths of package directories, relative to the root


def _load(root: Path) -> dict[str, Any]:
    from aiinfra_cli.scan._settings import _toml_loads

    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        return _toml_loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"cannot read it: {exc}", where="pyproject.toml") from None


def _backend(document: dict[str, Any]) -> str | None:
    name = str(document.get("build-system", {}).get("build-backend", ""))
    for known in ("hatchling", "setuptools", "poetry", "pdm", "flit", "uv_build"):
        if known in name:
            return "hatch" if known == "hatchling" else known
    return "other" if "build-system" in document else None


def _table(document: dict[str, Any], *keys: str) -> Any:
    node: Any = document
    for key in keys:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return node


def _declared(document: dict[str, Any], backend: str | None) -> list[str]:
    """Package directories the backend's configuration names explicitly."""
    if backend == "hatch":
        wheel = _table(document, "tool", "hatch", "build", "targets", "wheel")
        return [str(p) for p in wheel.get("packages", [])] if isinstance(wheel, dict) else []
    if backend == "poetry":
        entries = _table(document, "tool", "poetry").get("packages", [])
        return [
            str(PurePosixPath(e.get("from", ".")) / e["include"])
            for e in entries
            if isinstance(e, dict) and "include" in e and "*" not in e["include"]
        ]
    if backend == "setuptools":
        listed = _table(document, "tool", "setuptools").get("packages")
        if isinstance(listed, list):
            base = _table(document, "tool", "setuptools", "package-dir").get("", ".")
            return [str(PurePosixPath(base) / p) for p in listed if "." not in p]
    if backend == "flit":
        name = _table(document, "tool", "flit", "module").get("name")
        return [str(name)] if name else []
    if backend == "uv_build":
        settings = _table(document, "tool", "uv", "build-backend")
        name = settings.get("module-name")
        if name:
            return [str(PurePosixPath(settings.get("module-root", "src")) / str(name))]
    return []


def _search_roots(document: dict[str, Any], backend: str | None) -> list[str]:
    if backend == "setuptools":
        where = _table(document, "tool", "setuptools", "packages", "find").get("where")
        if isinstance(where, list):
            return [str(w) for w in where]
    if backend == "pdm":
        package_dir = _table(document, "tool", "pdm", "build").get("package-dir")
        if package_dir:
            return [str(package_dir)]
    return ["src", "."]


def _is_package(root: Path, rel: str) -> bool:
    return (root / rel / "__init__.py").is_file()


def find_packages(root: Path, *, exclude: frozenset[str] = frozenset()) -> Packaging:
    """The import packages ``root`` ships (never ``exclude``: the runtime itself)."""
    document = _load(root)
    backend = _backend(document)
    declared = [p.strip("/") for p in _declared(document, backend)]
    # flit and uv_build name a module, found under src/ or at the root.
    found = [p if _is_package(root, p) else f"src/{p}" for p in declared]
    found = [p for p in found if _is_package(root, p)]
    if not found:
        for base in _search_roots(document, backend):
            directory = root / base
            if not directory.is_dir():
                continue
            found = [
                (PurePosixPath(base) / child.name).as_posix()
                for child in sorted(directory.iterdir())
                if (child / "__init__.py").is_file()
                and child.name not in NOT_PACKAGES
                and child.name.isidentifier()
            ]
            if found:
                break
    kept = tuple(p for p in found if PurePosixPath(p).as_posix() not in exclude)
    return Packaging(backend, kept)


def _inside(package_dir: str, packages: tuple[str, ...]) -> str | None:
    runtime = PurePosixPath(package_dir)
    return next((p for p in packages if PurePosixPath(p) in runtime.parents), None)


def _setuptools_data_declared(document: dict[str, Any], package_import: str) -> bool:
    data = _table(document, "tool", "setuptools", "package-data")
    return isinstance(data, dict) and any(
        key in (package_import, "*") and "_prices.json" in " ".join(map(str, value))
        for key, value in data.items()
        if isinstance(value, list)
    )


def packaging_advice(root: Path, package_dir: str, package_import: str) -> list[str]:
    """What the user must add so that a wheel of the app carries the runtime, its price
    snapshot and a way to its config (empty when the project has no build backend)."""
    document = _load(root)
    backend = _backend(document)
    if backend is None:
        return []
    packaging = find_packages(root, exclude=frozenset({package_dir}))
    owner = _inside(package_dir, packaging.packages)
    lines: list[str] = []
    if owner is None:
        parent = PurePosixPath(package_dir).parent.as_posix()
        add = {
            "hatch": f'[tool.hatch.build.targets.wheel] packages = [..., "{package_dir}"]',
            "poetry": f'[tool.poetry] packages = [..., {{include = "'
            f'{PurePosixPath(package_dir).name}", from = "{parent}"}}]',
            "setuptools": f'[tool.setuptools] packages = [..., "{package_import}"]',
        }.get(backend, f"make your {backend} build include {package_dir}/")
        lines.append(f"{package_dir} is not inside a package your wheel ships: add {add}")
    if backend == "setuptools" and not _setuptools_data_declared(document, package_import):
        lines.append(
            f'add [tool.setuptools.package-data] "{package_import}" = ["_prices.json"]'
            " (setuptools leaves data files out of the wheel)"
        )
    if not lines:
        lines.append(
            f"no packaging lines to add: {backend} ships {package_dir}/ with its _prices.json"
        )
    lines.append(
        "the wheel holds no config/ai-models.yaml: deploy it with the app and set"
        " AI_MODELS_CONFIG to its path (e.g. ENV AI_MODELS_CONFIG=/app/config/ai-models.yaml)"
    )
    return lines
