"""The file cache: one JSON file of per-file results keyed by content hash.

Where: ``<root>/.multiagent/cache/optimize-context/`` when the project has ``.multiagent/``,
otherwise ``$XDG_CACHE_HOME/aiinfra/optimize-context/<hash of the root path>/``. The whole cache
is dropped when the tool version or the instrumentation settings change; an entry is used only
when the file's content hash matches and every project file its result depended on (an import
followed into another module) still has the hash it had. All rules are computed for every
analysed file and selection is applied afterwards, so a different ``--select`` reuses the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli._gitignore import keep_out_of_git

FORMAT = 1
FILE_NAME = f"v{FORMAT}.json"


def cache_dir(root: Path) -> Path:
    """The cache directory for a scan rooted at ``root``."""
    if (root / ".multiagent").is_dir():
        return root / ".multiagent" / "cache" / "optimize-context"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
    return Path(base) / "aiinfra" / "optimize-context" / digest


class FileCache:
    """Load once, look up and update entries, save once (atomically) if anything changed."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self.key = key
        self.entries: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, Any] = {}
        self._dirty = False

    def load(self) -> FileCache:
        """Read the cache file; a missing, foreign or corrupt file is an empty cache."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self
        if (
            isinstance(data, dict)
            and data.get("key") == self.key
            and isinstance(data.get("entries"), dict)
        ):
            self.entries = data["entries"]
        else:
            self._dirty = True
        return self

    def get(self, rel: str) -> dict[str, Any] | None:
        """The entry for ``rel`` (``sha``, ``result``, ``exports``), if any."""
        return self.entries.get(rel)

    def put(self, rel: str, entry: dict[str, Any]) -> None:
        """Replace the entry for ``rel``."""
        self.entries[rel] = entry
        self._dirty = True

    def price_memo(self, fingerprint: str) -> dict[str, Any]:
        """The memoised price look-ups for this price-table state (a fresh dict otherwise)."""
        if self.prices.get("fingerprint") != fingerprint:
            self.prices = {"fingerprint": fingerprint}
        return self.prices

    def prices_changed(self) -> None:
        """Mark the price memo for saving."""
        self._dirty = True

    def save(self) -> None:
        """Write the cache if it changed; a cache that cannot be written is silently skipped
        (the scan's results do not depend on it)."""
        if not self._dirty:
            return
        try:
            keep_out_of_git(self.directory, "the scan cache")
            payload = json.dumps(
                {"key": self.key, "entries": self.entries, "prices": self.prices},
                separators=(",", ":"),
            )
            write_atomic(self.path, payload)
            self._dirty = False
        except OSError:
            pass
