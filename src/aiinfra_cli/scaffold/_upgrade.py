"""``aiinfra upgrade``: bring this aiinfra's templates into files you may have edited.

For each generated file, three versions: the base (what aiinfra last wrote, kept under
``.multiagent/ai-infrastructure/base/``), yours (on disk) and theirs (this aiinfra's render).

==========  ============================================================================
outcome     when
==========  ============================================================================
created     new in this version, not on disk
replaced    unedited since generated (or no edit left): the new render is written
merged      edited, and the templates changed it: ``git merge-file`` kept both changes
conflict    both changed the same lines: conflict markers written, exit 1
kept        edited but the templates did not change it; or no base copy to merge from;
            or state and files ``init`` never wrote
proposed    config and prompts (yours, never merged by text): the templates' change is
            shown as a diff for you to apply
deleted     you deleted it: it stays deleted
unchanged   already what this version renders
==========  ============================================================================

With any conflict only the conflicting files are written, with their base copies and manifest
records moved to this version (as a merge commit records that a conflict was resolved);
nothing else is touched. Resolving the markers and running ``upgrade`` again finishes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli import __version__
from aiinfra_cli.errors import UsageError
from aiinfra_cli.scaffold._base import BaseWrite, base_writes, read_base
from aiinfra_cli.scaffold._catalogue import MANAGED
from aiinfra_cli.scaffold._manifest import MANIFEST_RELPATH, FileRecord, Manifest, digest
from aiinfra_cli.scaffold._merge import merge3
from aiinfra_cli.scaffold._plan import (
    ADOPT,
    CREATE,
    DELETED,
    EDITED,
    UNCHANGED,
    UPDATE,
    YOURS,
    Plan,
    Step,
    file_diff,
    write_in_order,
)
from aiinfra_cli.vocabulary import UPGRADE_OUTCOMES, UpgradeOutcome

Outcome = UpgradeOutcome
OUTCOMES = UPGRADE_OUTCOMES
WRITTEN: frozenset[Outcome] = frozenset({"created", "replaced", "merged"})
# Seeds whose template changes are worth proposing; other seeds are state.
PROPOSED_PREFIXES = ("config/", "prompts/")


@dataclass(frozen=True)
class FileUpgrade:
    """One file's outcome: ``old`` is on disk, ``new`` what goes there (or is proposed)."""

    path: str
    outcome: Outcome
    why: str
    old: bytes | None
    new: bytes | None


@dataclass
class UpgradePlan:
    """Every file's outcome, with the bookkeeping written when there is no conflict."""

    root: Path
    package_dir: str
    files: list[FileUpgrade] = field(default_factory=list)
    manifest: Manifest = field(default_factory=Manifest)
    manifest_changed: bool = False
    bases: list[BaseWrite] = field(default_factory=list)

    @property
    def conflicted(self) -> bool:
        """Whether any file conflicts (then only those files and their records are written)."""
        return any(f.outcome == "conflict" for f in self.files)

    def having(self, *outcomes: Outcome) -> list[FileUpgrade]:
        """The files with one of ``outcomes``, in path order."""
        return [f for f in self.files if f.outcome in outcomes]

    @property
    def to_write(self) -> list[FileUpgrade]:
        """What a real run writes: only the conflicts when there are any."""
        conflicts = self.having("conflict")
        return conflicts or [f for f in self.files if f.outcome in WRITTEN]


LABELS = ("yours", "base (what aiinfra wrote)", f"aiinfra {__version__}")


def _merge(step: Step, base: bytes | None) -> FileUpgrade:
    """A managed file you edited."""
    assert step.old is not None
    if base is None:
        why = "no base copy to merge from (written before upgrade existed); `aiinfra init"
        why += " --dry-run --force` shows the templates' version"
        return FileUpgrade(step.path, "kept", why, step.old, None)
    if base == step.new:
        return FileUpgrade(step.path, "kept", "your edit; the templates did not change it",
                           step.old, None)  # fmt: skip
    merged = merge3(step.old, base, step.new, labels=LABELS)
    if merged.conflicts:
        why = f"{merged.conflicts} conflict(s): resolve the <<<<<<< markers, then run"
        why += " `aiinfra upgrade` again"
        return FileUpgrade(step.path, "conflict", why, step.old, merged.data)
    if merged.data == step.old:
        return FileUpgrade(step.path, "kept", "your copy already has the templates' changes",
                           step.old, None)  # fmt: skip
    return FileUpgrade(step.path, "merged", "your edits kept, the templates' changes merged in",
                       step.old, merged.data)  # fmt: skip


def _propose(step: Step, base: bytes | None) -> FileUpgrade:
    """Config and prompts: never merged by text; a template change is a proposal."""
    kept = "yours: upgrade never edits it"
    if base is None:
        return FileUpgrade(step.path, "kept", kept + " (no base copy to compare)", step.old, None)
    if base == step.new:
        return FileUpgrade(step.path, "kept", kept + "; the templates did not change it",
                           step.old, None)  # fmt: skip
    if step.old is not None:
        merged = merge3(step.old, base, step.new, labels=LABELS)
        if not merged.conflicts and merged.data == step.old:
            return FileUpgrade(step.path, "kept", kept + "; it already has the templates'"
                               " changes", step.old, None)  # fmt: skip
    why = kept + " (config and prompts are never merged by text); the templates changed it"
    why += " as shown: apply what you want"
    return FileUpgrade(step.path, "proposed", why, base, step.new)


def _outcome(step: Step, base: bytes | None) -> FileUpgrade:
    path, old, new = step.path, step.old, step.new
    if step.action == CREATE:
        return FileUpgrade(path, "created", "new in this version", None, new)
    if step.action == UPDATE:
        return FileUpgrade(path, "replaced", "unedited since generated", old, new)
    if step.action in (UNCHANGED, ADOPT):
        return FileUpgrade(path, "unchanged", "", old, None)
    if step.action == DELETED:
        return FileUpgrade(path, "deleted", "you deleted it, so it stays deleted", None, None)
    if step.action == EDITED:
        return _merge(step, base)
    if step.action == YOURS and path.startswith(PROPOSED_PREFIXES):
        return _propose(step, base)
    why = "yours since the first run" if step.action == YOURS else "not written by aiinfra"
    return FileUpgrade(path, "kept", why, old, None)


def plan_upgrade(plan: Plan, previous: Manifest) -> UpgradePlan:
    """The upgrade of ``plan`` (``plan_init(..., fresh_config=True)`` with this version's
    templates) over the files ``previous`` recorded."""
    if not previous.exists:
        raise UsageError(
            f"no {MANIFEST_RELPATH.as_posix()}: nothing was generated here to upgrade",
            hint="run `aiinfra init` first",
        )
    outcomes = [_outcome(s, read_base(plan.root, s.path, previous)) for s in plan.steps]
    rendered = {s.path for s in plan.steps}
    gone = "no longer generated by this version: yours to keep or delete"
    dropped = [
        FileUpgrade(rel, "kept", gone, None, None)
        for rel, record in previous.files.items()
        if rel not in rendered and record.policy == MANAGED
    ]
    upgrades = sorted([*outcomes, *dropped], key=lambda f: f.path)
    # What each file's record and base copy stand for after the run: this version's render.
    # With conflicts, only the conflicting files move (as a merge commit records a resolution).
    conflicted = any(f.outcome == "conflict" for f in upgrades)
    moved = ("conflict",) if conflicted else (*WRITTEN, "unchanged", "conflict")
    files = dict(previous.files if conflicted else plan.manifest.files)
    options = previous.options if conflicted else plan.manifest.options
    generated: dict[str, bytes] = {}
    for step, upgrade in zip(plan.steps, outcomes, strict=True):
        if upgrade.outcome in moved:
            files[step.path] = FileRecord(digest(step.new), step.policy)
            generated[step.path] = step.new
    manifest = Manifest(options=options, files=files, exists=True)
    return UpgradePlan(
        plan.root,
        plan.layout.package_dir,
        files=upgrades,
        manifest=manifest,
        manifest_changed=manifest.to_json() != previous.to_json(),
        bases=base_writes(plan.root, generated),
    )


def apply_upgrade(plan: UpgradePlan) -> None:
    """Write the files, then their base copies, then the manifest (last)."""
    files = [(f.path, f.new) for f in plan.to_write if f.new is not None]
    write_in_order(plan.root, files, plan.bases, plan.manifest if plan.manifest_changed else None)


def upgrade_patch(plan: UpgradePlan) -> str:
    """The patch of what a real run writes to your files (bookkeeping left out)."""
    return "".join(file_diff(f.path, f.old, f.new) for f in plan.to_write)


def proposal_diff(item: FileUpgrade) -> str:
    """The templates' change to a config or prompt file (base → this version's render)."""
    return file_diff(item.path, item.old, item.new)
