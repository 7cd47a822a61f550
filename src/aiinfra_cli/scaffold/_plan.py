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
from aiinfra_cli.scaffold._typescript import merged_options
from aiinfra_cli.vocabulary import KEEPING_ACTIONS, WRITING_ACTIONS, PlanAction

CREATE, UPDATE, OVERWRITE, RESTORE = WRITING_ACTIONS
UNCHANGED, ADOPT, EDITED, DELETED, YOURS, EXISTS = KEEPING_ACTIONS
WRITES: frozenset[PlanAction] = frozenset(WRITING_ACTIONS)


@dataclass(frozen=True)
class Step:
    """One file's fate: ``old`` is what is on disk (None: nothing), ``new`` what would go."""

    path: str
    action: PlanAction
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

    def by_action(self, *actions: PlanAction) -> list[Step]:
        """The steps with one of ``actions``, in path order."""
        return [s for s in self.steps if s.action in actions]

    @property
    def writes_anything(self) -> bool:
        """Whether applying the plan changes any file."""
        return self.manifest_changed or bool(self.bases) or any(s.writes for s in self.steps)


def decide(
    new: bytes, old: bytes | None, record: FileRecord | None, policy: str, *, force: bool
) -> PlanAction:
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
    root: Path,
    layout: Layout,
    rendered: Rendered,
    manifest: Manifest,
    *,
    force: bool,
    discovery: Discovery | None = None,
) -> Plan:
    """Compare the rendered files with the disk and the manifest; the plan is complete when
    returned (``discovery``: the code scan the render used, if any)."""
    files = dict(manifest.files)
    confined(root, MANIFEST_RELPATH.as_posix())
    steps: list[Step] = []
    generated: dict[str, bytes] = {}  # what each file's record stands for after this run
    for rel in sorted(rendered.files):
        new = rendered.files[rel]
        policy = rendered.entries[rel].policy
        old = read_inside(root, rel)
        record = manifest.files.get(rel)
        action = decide(new, old, record, policy, force=force)
        steps.append(Step(rel, action, policy, old, new))
        if action in WRITES or action in (ADOPT, UNCHANGED):
            # UNCHANGED: an edit that now equals the templates is generated content again.
            files[rel] = FileRecord(digest(new), policy)
            generated[rel] = new
    options = {
        "lang": layout.language,
        "project_type": layout.project_type,
        "package_dir": layout.package_dir,
        "tests_dir": layout.tests_dir,
    }
    after = Manifest(
        options=merged_options(manifest.options, options, layout.language),
        files=files,
        exists=True,
    )
    return Plan(
        root=root,
        layout=layout,
        steps=steps,
        manifest=after,
        manifest_changed=not manifest.exists or after.to_json() != manifest.to_json(),
        bases=base_writes(root, generated),
        unpriced=rendered.unpriced,
        config_existing=rendered.config_existing,
        discovery=discovery,
        added=rendered.added,
        proposals_written=rendered.proposals_written,
    )


def write_in_order(
    root: Path, files: list[tuple[str, bytes]], bases: list[BaseWrite], manifest: Manifest | None
) -> None:
    """Write ``files``, then their base copies, then the manifest (last, so an interrupted run
    is finished by the next); each write is atomic and stays inside the project (checked
    again here: a plan may be older than the disk)."""
    written = 0
    for path, data in [*files, *((b.path, b.new) for b in bases)]:
        write_inside(root, path, data, written=written)
        written += 1
    if manifest is not None:
        write_inside(root, MANIFEST_RELPATH.as_posix(), manifest.to_json(), written=written)


def apply_plan(plan: Plan) -> None:
    """Write every step that writes, the base copies, then the manifest."""
    files = [(s.path, s.new) for s in plan.steps if s.writes]
    write_in_order(plan.root, files, plan.bases, plan.manifest if plan.manifest_changed else None)


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
