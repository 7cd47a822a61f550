"""What git knows about library files: the date of the last commit touching each, and edits."""

from __future__ import annotations

import subprocess
from pathlib import Path

_TIMEOUT_S = 10


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def last_changes(root: Path, paths: list[str]) -> dict[str, str]:
    """``path -> "2026-01-31"`` (last commit date), ``"uncommitted"`` or ``"modified"``.

    One ``git log`` and one ``git status`` for all paths; paths git does not know are absent.
    """
    if not paths:
        return {}
    wanted = set(paths)
    found: dict[str, str] = {}
    log = _git(root, "log", "--format=%x1e%cs", "--name-only", "--no-renames", "--", *paths)
    if log:
        for record in log.split("\x1e"):
            lines = [line.strip() for line in record.strip().splitlines() if line.strip()]
            if not lines:
                continue
            date, names = lines[0], lines[1:]
            for name in names:
                if name in wanted and name not in found:
                    found[name] = date
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *paths)
    if status:
        for line in status.splitlines():
            code, name = line[:2], line[3:].strip().strip('"')
            if name in wanted:
                found[name] = "uncommitted" if code == "??" or name not in found else "modified"
    return found
