"""The write plan, shared by ``--dry-run`` and real runs: what happens to each generated file.

=================  ===================================================  =========  ========
action             when                                                 writes     --force
=================  ===================================================  =========  ========
``create``         not on disk, never generated                         yes
``update``         managed, unedited since generated, template changed  yes
``unchanged``      on disk exactly as the templates render it           no
``adopt``          on disk, identical, not in the manifest yet          manifest
``edited``         managed, changed by the user since generated         no         overwrite
``deleted``        generated before, deleted by the user                no         restore
``yours``          seed (config, prompts, state) already written         no         no
``exists``         on disk, not written by ``init``                     no         no
=================  ===================================================  =========  ========

Files are written atomically, then their base copies (``_base``: what ``upgrade`` merges
from), then the manifest (last, so an interrupted run is finished by the next one: what it
wrote is adopted as identical). Base copies and the manifest are bookkeeping: a dry run's
patch leaves them out, and the next run writes them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli.scaffold._base import BaseWrite, base_writes
from aiinfra_cli.scaffold._catalogue import SEED
from aiinfra_cli.scaffold._confine import confined, read_inside, write_inside
from aiinfra_cli.scaffold._discover import ConfigAdditions, Discovery
from aiinfra_cli.scaffold._layout import Layout
from aiinfra_cli.scaffold._manifest import (
    MANIFEST_RELPATH,
    FileRecord,
    Manifest,
    digest,
)
from aiinfra_cli.scaffold._render import Rendered

CREATE, UPDATE, UNCHANGED, ADOPT = "create", "update", "unchanged", "adopt"
EDITED, DELETED, YOURS, EXISTS = "edited", "deleted", "yours", "exists"
OVERWRITE, RESTORE = "overwrite", "restore"
WRITES = frozenset({CREATE, UPDATE, OVERWRITE, RESTORE})


@dataclass(frozen=True)
class Step:
    """One file's fate: ``old`` is what is on disk (None: nothing), ``new`` what would go."""

    path: str
    action: str
    policy: str
    old: bytes | None
    new: bytes

    @property
    def writes(self) -> bool:
        """Whether the step writes the file."""
        return self.action in WRITES


@dataclass
class Plan:
    """Every step, and the manifest as it will be after the run."""

    root: Path
    layout: Layout
    steps: list[Step] = field(default_factory=list)
    manifest: Manifest = field(default_factory=Manifest)
    manifest_changed: bool = False
    bases: list[BaseWrite] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)
    config_existing: bool = False
    discovery: Discovery | None = None
    added: ConfigAdditions = field(default_factory=ConfigAdditions)
    proposals_written: bool = False

    def by_action(self, *actions: str) -> list[Step]:
        """The steps with one of ``actions``, in path order."""
        return [s for s in self.steps if s.action in actions]

    @property
    def writes_anything(self) -> bool:
        """Whether applying the plan changes any file."""
        return self.manifest_changed or bool(self.bases) or any(s.writes for s in self.steps)


def decide(
    new: bytes, old: bytes | None, record: FileRecord | None, policy: str, *, force: bool
) -> str:
    """The action for one file (see the module docstring's table)."""
    if old is None:
        if record is None:
            return CREATE
        return RESTORE if force else DELETED
    if old == new:
        return UNCHANGED if record is not None else ADOPT
    if record is None:
        return EXISTS
    if policy == SEED:
        return YOURS
    if digest(old) == record.sha256:
        return UPDATE
    return OVERWRITE if force else EDITED


def make_plan(
    root: Path, layout: Layout, rendered: Rendered, manifest: Manifest, *, force: bool
) -> Plan:
    """Compare the rendered files with the disk and the manifest."""
    plan = Plan(
        root=root,
        layout=layout,
        unpriced=rendered.unpriced,
        config_existing=rendered.config_existing,
    )
    files = dict(manifest.files)
    confined(root, MANIFEST_RELPATH.as_posix())
    generated: dict[str, bytes] = {}  # what each file's record stands for after this run
    for rel in sorted(rendered.files):
        new = rendered.files[rel]
        policy = rendered.entries[rel].policy
        old = read_inside(root, rel)
        record = manifest.files.get(rel)
        action = decide(new, old, record, policy, force=force)
        plan.steps.append(Step(rel, action, policy, old, new))
        if action in WRITES or action in (ADOPT, UNCHANGED):
            # UNCHANGED: an edit that now equals the templates is generated content again.
            files[rel] = FileRecord(digest(new), policy)
            generated[rel] = new
    plan.bases = base_writes(root, generated)
    options = {
        "lang": layout.language,
        "project_type": layout.project_type,
        "package_dir": layout.package_dir,
        "tests_dir": layout.tests_dir,
    }
    plan.manifest = Manifest(options=options, files=files, exists=True)
    plan.manifest_changed = not manifest.exists or plan.manifest.to_json() != manifest.to_json()
    return plan


def apply_plan(plan: Plan) -> None:
    """Write every step that writes, then the manifest; each write is atomic and stays inside
    the project (checked again here: the plan may be older than the disk)."""
    written = 0
    for step in plan.steps:
        if step.writes:
            write_inside(plan.root, step.path, step.new, written=written)
            written += 1
    for base in plan.bases:
        write_inside(plan.root, base.path, base.new, written=written)
        written += 1
    if plan.manifest_changed:
        manifest = plan.manifest.to_json()
        write_inside(plan.root, MANIFEST_RELPATH.as_posix(), manifest, written=written)


def _lines(data: bytes | None) -> list[str]:
    return [] if not data else data.decode("utf-8", "replace").splitlines(keepends=True)


def file_diff(path: str, old: bytes | None, new: bytes | None) -> str:
    """A ``git apply``-able diff of one file (``old`` None: a new file; "" when equal)."""
    header = f"diff --git a/{path} b/{path}\n" + ("new file mode 100644\n" if old is None else "")
    before = "/dev/null" if old is None else f"a/{path}"
    lines = list(difflib.unified_diff(_lines(old), _lines(new), before, f"b/{path}"))
    if not lines and old is not None:
        return ""
    # An empty new file is a header without hunks.
    body = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)  # fmt: skip
    return header + body


def unified_diff(plan: Plan, *, include: frozenset[str] = WRITES) -> str:
    """A patch of every step in ``include`` (``git apply`` accepts it for the writes)."""
    return "".join(
        file_diff(s.path, None if s.action in (CREATE, RESTORE) else s.old, s.new)
        for s in plan.steps
        if s.action in include
    )
