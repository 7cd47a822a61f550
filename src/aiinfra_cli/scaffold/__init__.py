"""``aiinfra init``'s engine: layout, rendering, the manifest, and the write plan.

Public surface::

    plan_init(root, lang=..., project_type=..., package_dir=..., force=...,
              read_code=True, discovery=None, proposals="") -> (Plan, notes)
                                            scans the code first (plan.discovery)
    discover(root, layout) -> Discovery     the scan alone (never raises)
    agent_facts(discovery, config, added)   what ``init --agent`` tells the agent
    proposals_block(routes, model=, cost=)  its proposals as a commented config block
    uncomment_proposals(text), PROPOSALS_MARKER
    apply_plan(plan)                        atomic writes, then the manifest
    unified_diff(plan) -> str               the patch a dry run prints
    plan_upgrade(plan, previous) -> UpgradePlan, apply_upgrade(plan), upgrade_patch(plan)
                                            ``aiinfra upgrade``: 3-way merges from the base copies
    Plan, Step, Layout, MANIFEST_RELPATH, read_manifest, digest
    snapshot_paths(root), runtime_unpriced(config, path)
                                            the runtimes' price snapshots: routed models they lack
    CREATE, UPDATE, UNCHANGED, ADOPT, EDITED, DELETED, YOURS, EXISTS, OVERWRITE, RESTORE

A dry run and a real run build the same :class:`Plan`; only :func:`apply_plan` writes.
"""

from __future__ import annotations

from pathlib import Path

from aiinfra_cli.paths import CONFIG_RELPATH
from aiinfra_cli.scaffold._base import BASE_DIR, base_relpath
from aiinfra_cli.scaffold._catalogue import MANAGED, SEED
from aiinfra_cli.scaffold._discover import (
    ConfigAdditions,
    Discovery,
    FoundModel,
    FoundRoute,
    UntrackedCall,
    discover,
    model_id,
    tier_for,
)
from aiinfra_cli.scaffold._layout import (
    LANGUAGES,
    PROJECT_TYPES,
    Chooser,
    Layout,
    detect_language,
    resolve_layout,
)
from aiinfra_cli.scaffold._manifest import MANIFEST_RELPATH, Manifest, digest, read_manifest
from aiinfra_cli.scaffold._package_json import PackageChange, plan_package_json
from aiinfra_cli.scaffold._packaging import Packaging, find_packages, packaging_advice
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
from aiinfra_cli.scaffold._prices import runtime_unpriced, snapshot_paths
from aiinfra_cli.scaffold._proposals import MARKER as PROPOSALS_MARKER
from aiinfra_cli.scaffold._proposals import agent_facts, proposals_block, uncomment_proposals
from aiinfra_cli.scaffold._render import Rendered, content_hash, environment, render_all
from aiinfra_cli.scaffold._typescript import TYPESCRIPT, merged_options, remembered
from aiinfra_cli.scaffold._upgrade import (
    OUTCOMES,
    FileUpgrade,
    Outcome,
    UpgradePlan,
    apply_upgrade,
    plan_upgrade,
    proposal_diff,
    upgrade_patch,
)

__all__ = [
    "ADOPT",
    "BASE_DIR",
    "CREATE",
    "DELETED",
    "EDITED",
    "EXISTS",
    "LANGUAGES",
    "MANAGED",
    "MANIFEST_RELPATH",
    "OUTCOMES",
    "OVERWRITE",
    "PROJECT_TYPES",
    "PROPOSALS_MARKER",
    "RESTORE",
    "SEED",
    "TYPESCRIPT",
    "UNCHANGED",
    "UPDATE",
    "WRITES",
    "YOURS",
    "Chooser",
    "ConfigAdditions",
    "Discovery",
    "FileUpgrade",
    "FoundModel",
    "FoundRoute",
    "Layout",
    "Manifest",
    "Outcome",
    "PackageChange",
    "Packaging",
    "Plan",
    "Rendered",
    "Step",
    "UntrackedCall",
    "UpgradePlan",
    "agent_facts",
    "apply_plan",
    "apply_upgrade",
    "base_relpath",
    "content_hash",
    "decide",
    "detect_language",
    "digest",
    "discover",
    "environment",
    "find_packages",
    "make_plan",
    "merged_options",
    "model_id",
    "packaging_advice",
    "plan_init",
    "plan_package_json",
    "plan_upgrade",
    "proposal_diff",
    "proposals_block",
    "read_manifest",
    "remembered",
    "render_all",
    "resolve_layout",
    "runtime_unpriced",
    "snapshot_paths",
    "tier_for",
    "uncomment_proposals",
    "unified_diff",
    "upgrade_patch",
]


def plan_init(
    root: Path,
    *,
    lang: str = "auto",
    project_type: str | None = None,
    package_dir: str | None = None,
    force: bool = False,
    read_code: bool = True,
    discovery: Discovery | None = None,
    proposals: str = "",
    templates: Path | None = None,
    fresh_config: bool = False,
    choose: Chooser | None = None,
) -> tuple[Plan, list[str]]:
    """The plan for ``aiinfra init`` in ``root``, and notes worth telling the user.

    With ``read_code``, the code is scanned first (unless ``discovery`` is that scan, from an
    earlier plan): its models and modules shape a config being created, and
    ``plan.discovery`` holds the calls that bypass the tracker. ``proposals`` is the agent's
    commented block for that config (``plan.proposals_written`` says whether it went in).
    ``templates`` and ``fresh_config`` are :func:`render_all`'s (``upgrade`` uses them);
    ``choose`` picks the package when the build config ships several (None: refuse).
    """
    manifest = read_manifest(root)
    language, note = detect_language(root, lang)
    notes = [note] if note else []
    layout = resolve_layout(
        root,
        language=language,
        project_type=project_type,
        package_dir=package_dir,
        remembered=remembered(manifest.options, language),
        choose=choose,
    )
    notes.extend(layout.notes)
    if discovery is None and read_code:
        discovery = discover(root, layout)
    if discovery is not None and discovery.warning:
        notes.append(discovery.warning)
    rendered = render_all(
        root, layout, discovery, proposals, templates=templates, fresh_config=fresh_config
    )
    if not fresh_config:
        _keep_generated_config(root, rendered, manifest)
    return make_plan(root, layout, rendered, manifest, force=force, discovery=discovery), notes


def _keep_generated_config(root: Path, rendered: Rendered, manifest: Manifest) -> None:
    """A config ``init`` wrote and nobody edited stays "unchanged" on a re-run, although the
    template alone (or today's code) would render it differently: what the first run found in
    the code is part of it, and a seed is never rewritten anyway."""
    rel = CONFIG_RELPATH.as_posix()
    record = manifest.files.get(rel)
    if rel not in rendered.files or record is None:
        return
    try:
        on_disk = (root / rel).read_bytes()
    except OSError:
        return
    if digest(on_disk) == record.sha256:
        rendered.files[rel] = on_disk
