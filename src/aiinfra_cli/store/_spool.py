"""How far a local spool is behind the store, from the position the shipper records.

The shipper keeps, in each spool directory, ``.aiinfra-shipped.json``::

    {"version": 1, "files": {"<file name relative to the spool>": <bytes shipped>}}

Every byte before the offset has been inserted (or found already present) in the store. A spool
file the position does not name has shipped nothing. See docs/team.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aiinfra_cli.usage import expand_log_paths

POSITION_FILE = ".aiinfra-shipped.json"


@dataclass(frozen=True)
class SpoolLag:
    """One spool: its files, and the events and bytes not shipped yet."""

    path: Path
    files: int
    events_behind: int
    bytes_behind: int
    position_found: bool


def read_position(spool: Path) -> dict[str, int] | None:
    """File name → bytes shipped; None when the spool has no (readable) position file."""
    try:
        data = json.loads((spool / POSITION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    return {str(k): int(v) for k, v in files.items() if isinstance(v, int) and v >= 0}


def _events_after(path: Path, offset: int) -> int:
    count = 0
    with path.open("rb") as handle:
        handle.seek(offset)
        for line in handle:
            if line.strip():
                count += 1
    return count


def spool_lag(spool: Path) -> SpoolLag:
    """What ``spool`` (a directory of JSONL files, or one file) holds that is not shipped."""
    position = read_position(spool if spool.is_dir() else spool.parent)
    base = spool if spool.is_dir() else spool.parent
    files, _ = expand_log_paths([spool]) if spool.exists() else ([], [])
    events = size_behind = 0
    for path in files:
        if path.name.endswith(".gz"):
            continue  # rotated and compressed: the shipper reads only plain spool files
        shipped = (position or {}).get(str(path.relative_to(base)), 0)
        size = path.stat().st_size
        if shipped < size:
            size_behind += size - shipped
            events += _events_after(path, shipped)
    return SpoolLag(spool, len(files), events, size_behind, position is not None)
