"""Directories of ours that must never be committed: caches, written with their own .gitignore."""

from __future__ import annotations

from pathlib import Path

from aiinfra_cli._atomic import write_atomic


def keep_out_of_git(directory: Path, what: str) -> None:
    """Create ``directory`` with a ``.gitignore`` that ignores everything in it (``what`` says
    why, in its comment). An existing ``.gitignore`` is the user's to keep."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, f"# Created by aiinfra: {what} is never committed.\n*\n")
