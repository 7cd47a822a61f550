"""The manifest of generated files: ``.multiagent/ai-infrastructure/manifest.json``.

It is committed with the code. It records the options ``init`` ran with and, for each file it
wrote, the SHA-256 of what it wrote and the file's policy: how a re-run tells an untouched file
(hash matches) from one the user edited (hash differs) or deleted (file missing). It holds no
timestamps, so an idempotent re-run leaves it byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli.errors import ConfigError
from aiinfra_cli.scaffold._catalogue import POLICIES

MANIFEST_RELPATH = Path(".multiagent") / "ai-infrastructure" / "manifest.json"
MANIFEST_VERSION = 1


def digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FileRecord:
    """What ``init`` last wrote to one path."""

    sha256: str
    policy: str


@dataclass
class Manifest:
    """Options and file records; ``exists`` is False before the first run."""

    options: dict[str, str] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    exists: bool = False

    def to_json(self) -> str:
        """The file's text: sorted keys, two-space indent, trailing newline."""
        document = {
            "manifest_version": MANIFEST_VERSION,
            "generator": "aiinfra init",
            "options": dict(sorted(self.options.items())),
            "files": {
                path: {"policy": record.policy, "sha256": record.sha256}
                for path, record in sorted(self.files.items())
            },
        }
        return json.dumps(document, indent=2) + "\n"


def read_manifest(root: Path) -> Manifest:
    """The manifest under ``root`` (empty when missing); a damaged one is a ConfigError."""
    path = root / MANIFEST_RELPATH
    shown = MANIFEST_RELPATH.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the manifest: {exc}", where=shown) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(
            f"the manifest is not valid JSON ({exc.args[0]})",
            where=f"{shown}:{getattr(exc, 'lineno', 1)}",
            hint="restore it from git, or delete it to treat every file as not generated",
        ) from None
    if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION:
        raise ConfigError(
            f"unsupported manifest (expected manifest_version {MANIFEST_VERSION})",
            where=shown,
            hint="it was written by a newer aiinfra: upgrade aiinfra",
        )
    options = data.get("options") or {}
    files = data.get("files") or {}
    if not isinstance(options, dict) or not isinstance(files, dict):
        raise ConfigError("the manifest's options and files must be objects", where=shown)
    records: dict[str, FileRecord] = {}
    for rel, record in files.items():
        ok = (
            isinstance(record, dict)
            and isinstance(record.get("sha256"), str)
            and record.get("policy") in POLICIES
        )
        if not ok:
            raise ConfigError(
                f"files.{rel}: expected {{sha256, policy}}",
                where=shown,
                hint="restore the manifest from git",
            )
        records[str(rel)] = FileRecord(record["sha256"], record["policy"])
    return Manifest(
        options={str(k): str(v) for k, v in options.items()}, files=records, exists=True
    )
