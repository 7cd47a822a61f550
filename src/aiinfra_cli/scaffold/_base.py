"""The base copies: what ``init`` last wrote to each file, kept for ``aiinfra upgrade``.

``.multiagent/ai-infrastructure/base/<path>.base`` holds the exact bytes ``init`` (or
``upgrade``) last wrote to ``<path>``: the common ancestor of a 3-way merge between your copy
and a newer aiinfra's render. It is committed with the manifest, so a teammate can upgrade
too. The ``.base`` suffix keeps linters, type checkers and test runners away from the copies.
A copy whose hash is not the manifest's record for its file is not trusted (never used).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiinfra_cli.scaffold._confine import read_inside
from aiinfra_cli.scaffold._manifest import Manifest, digest

BASE_DIR = ".multiagent/ai-infrastructure/base"
SUFFIX = ".base"


def base_relpath(rel: str) -> str:
    """Where the base copy of ``rel`` lives, relative to the project root."""
    return f"{BASE_DIR}/{rel}{SUFFIX}"


@dataclass(frozen=True)
class BaseWrite:
    """A base copy to (re)write: ``old`` is the copy on disk (None: none yet)."""

    path: str
    old: bytes | None
    new: bytes


def read_base(root: Path, rel: str, manifest: Manifest) -> bytes | None:
    """The trusted base copy of ``rel``: on disk and matching the manifest's hash."""
    record = manifest.files.get(rel)
    if record is None:
        return None
    data = read_inside(root, base_relpath(rel))
    return data if data is not None and digest(data) == record.sha256 else None


def base_writes(root: Path, written: dict[str, bytes]) -> list[BaseWrite]:
    """The copies that differ from ``written`` (path -> what the file's record now stands for)."""
    changes = []
    for rel in sorted(written):
        path = base_relpath(rel)
        old = read_inside(root, path)
        if old != written[rel]:
            changes.append(BaseWrite(path, old, written[rel]))
    return changes
