"""A 3-way text merge with ``git merge-file`` (git is already required; merge3 is GPL)."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aiinfra_cli.errors import AiinfraError


@dataclass(frozen=True)
class Merged:
    """The merged bytes, and how many conflicts (marked with ``<<<<<<<``) they hold."""

    data: bytes
    conflicts: int


def merge3(ours: bytes, base: bytes, theirs: bytes, *, labels: tuple[str, str, str]) -> Merged:
    """Merge the change base → theirs into ours; conflicting hunks get conflict markers."""
    with tempfile.TemporaryDirectory(prefix="aiinfra-merge-") as directory:
        paths = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(directory) / name
            path.write_bytes(data)
            paths.append(str(path))
        command = ["git", "merge-file", "-p"]
        for label in labels:
            command += ["-L", label]
        try:
            result = subprocess.run([*command, *paths], capture_output=True, check=False)
        except FileNotFoundError:
            raise AiinfraError(
                "git is not installed: upgrade merges with `git merge-file`",
                hint="install git, then re-run",
            ) from None
    if result.returncode < 0 or result.returncode > 127:
        detail = result.stderr.decode("utf-8", "replace").strip()
        raise AiinfraError(f"git merge-file failed: {detail or result.returncode}")
    return Merged(result.stdout, result.returncode)
