"""``aiinfra init``'s engine: layout, rendering, the manifest, and the write plan.

Public surface::

    plan_init(root, lang=..., project_type=..., package_dir=..., force=...) -> Plan
    apply_plan(plan)                        atomic writes, then the manifest
    unified_diff(plan) -> str               the patch a dry run prints
    Plan, Step, Layout, MANIFEST_RELPATH, read_manifest, digest
    CREATE, UPDATE, UNCHANGED, ADOPT, EDITED, DELETED, YOURS, EXISTS, OVERWRITE, RESTORE

A dry run and a real run build the same :class:`Plan`; only :func:`apply_plan` writes.
"""

from __future__ import annotations

from pathlib import Path

from aiinfra_cli.errors import UsageError
from aiinfra_cli.scaffold._catalogue import MANAGED, SEED
from aiinfra_cli.scaffold._layout import (
    LANGUAGES,
    PROJECT_TYPES,
    Layout,
    detect_language,
    resolve_layout,
)
from aiinfra_cli.scaffold._manifest import MANIFEST_RELPATH, Manifest, digest, read_manifest
from aiinfra_cli.scaffold._plan import (
    ADOPT,
    CREATE,
    DELETED,
    EDITED,
    EXISTS,
    OVERWRITE,
    RESTORE,
    UNCHANGED,
    UPDATE,
    WRITES,
    YOURS,
    Plan,
    Step,
    apply_plan,
    decide,
    make_plan,
    unified_diff,
)
from aiinfra_cli.scaffold._render import content_hash, environment, render_all

__all__ = [
    "ADOPT",
    "CREATE",
    "DELETED",
    "EDITED",
    "EXISTS",
    "LANGUAGES",
    "MANAGED",
    "MANIFEST_RELPATH",
    "OVERWRITE",
    "PROJECT_TYPES",
    "RESTORE",
    "SEED",
    "UNCHANGED",
    "UPDATE",
    "WRITES",
    "YOURS",
    "Layout",
    "Manifest",
    "Plan",
    "Step",
    "apply_plan",
    "content_hash",
    "decide",
    "detect_language",
    "digest",
    "environment",
    "plan_init",
    "read_manifest",
    "render_all",
    "resolve_layout",
    "unified_diff",
]


class NotYetSupported(UsageError):
    """A language whose templates have not shipped yet."""


def plan_init(
    root: Path,
    *,
    lang: str = "auto",
    project_type: str | None = None,
    package_dir: str | None = None,
    force: bool = False,
) -> tuple[Plan, list[str]]:
    """The plan for ``aiinfra init`` in ``root``, and notes worth telling the user."""
    manifest = read_manifest(root)
    language, note = detect_language(root, lang)
    notes = [note] if note else []
    if language == "typescript":
        raise NotYetSupported(
            "TypeScript templates are not available yet" + (f" ({note})" if note else ""),
            hint="generate the Python runtime with --lang python, or wait for the TypeScript"
            " templates",
        )
    layout = resolve_layout(
        root,
        language=language,
        project_type=project_type,
        package_dir=package_dir,
        remembered=manifest.options,
    )
    rendered = render_all(root, layout)
    return make_plan(root, layout, rendered, manifest, force=force), notes
