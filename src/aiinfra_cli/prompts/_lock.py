"""``config/prompt-library.lock.json``: the content hash of every recorded prompt version."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.prompts._errors import Problem
from aiinfra_cli.prompts._semver import version_key

LOCK_RELPATH = Path("config") / "prompt-library.lock.json"
LOCK_VERSION = 1


@dataclass
class Lock:
    """Recorded versions: ``hashes[name][version] = "sha256:…"``."""

    path: Path
    display: str
    exists: bool = False
    hashes: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def record(self, name: str, version: str, digest: str) -> None:
        """Record ``name@version`` with its content hash."""
        self.hashes.setdefault(name, {})[version] = digest

    def versions(self, name: str) -> list[str]:
        """The recorded versions of ``name``, oldest first."""
        return sorted(self.hashes.get(name, {}), key=version_key)


def read_lock(root: Path) -> Lock:
    """Read the lock (an absent lock is an empty one); problems are collected, never raised."""
    path = root / LOCK_RELPATH
    lock = Lock(path=path, display=LOCK_RELPATH.as_posix())
    if not path.is_file():
        return lock
    lock.exists = True
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        lock.problems.append(Problem(lock.display, exc.lineno, f"invalid JSON: {exc.msg}"))
        return lock
    except (OSError, UnicodeDecodeError) as exc:
        lock.problems.append(Problem(lock.display, None, f"cannot read: {exc}"))
        return lock
    prompts = data.get("prompts") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
        lock.problems.append(
            Problem(lock.display, 1, f"not a version {LOCK_VERSION} prompt-library lock")
        )
        return lock
    if not isinstance(prompts, dict):
        lock.problems.append(Problem(lock.display, None, "'prompts' must be a mapping"))
        return lock
    for name, versions in prompts.items():
        if not isinstance(versions, dict):
            lock.problems.append(Problem(lock.display, None, f"prompts.{name}: must be a mapping"))
            continue
        for version, digest in versions.items():
            if isinstance(digest, str) and digest.startswith("sha256:"):
                lock.record(name, version, digest)
            else:
                lock.problems.append(
                    Problem(lock.display, None, f"prompts.{name}.{version}: not a sha256 hash")
                )
    return lock


def write_lock(lock: Lock) -> None:
    """Write the lock atomically, sorted by name and version (one version per line)."""
    document = {
        "lock_version": LOCK_VERSION,
        "prompts": {
            name: {v: lock.hashes[name][v] for v in lock.versions(name)}
            for name in sorted(lock.hashes)
            if lock.hashes[name]
        },
    }
    write_atomic(lock.path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
