"""How far a local spool is behind the store, from the position the runtime's shipper records.

The format is the generated shipper's (templates/python/ai/store_shipper.py.j2, version 1):
``.aiinfra-store-position.json`` in the spool directory (for a single-file spool ``x.jsonl``:
``x.jsonl.store-position.json`` beside it)::

    {"version": 1, "files": {"usage-2026-12-06.jsonl": 1048576}, "shipped_events": 52000,
     "updated_at": "2026-12-06T21:30:00Z"}

``files`` maps each spool file (``*.jsonl`` in the directory, ``rejected.jsonl`` excepted) to
the bytes from its start that are in the store; a file it does not name has shipped nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

POSITION_FILE = ".aiinfra-store-position.json"
REJECTED_FILE = "rejected.jsonl"


@dataclass(frozen=True)
class SpoolLag:
    """One spool: its files, and the events and bytes not shipped yet."""

    path: Path
    files: int
    events_behind: int
    bytes_behind: int
    position_found: bool


def position_path(spool: Path) -> Path:
    """Where the shipper keeps the position of ``spool`` (a directory or one ``.jsonl``)."""
    if spool.suffix == ".jsonl":
        return spool.with_name(f"{spool.name}.store-position.json")
    return spool / POSITION_FILE


def read_position(spool: Path) -> dict[str, int] | None:
    """File name → bytes shipped; None when the spool has no (readable) position file."""
    try:
        data = json.loads(position_path(spool).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    return {str(k): v for k, v in files.items() if isinstance(v, int) and v >= 0}


def spool_files(spool: Path) -> list[Path]:
    """The files the shipper reads: one ``.jsonl``, or the directory's ``*.jsonl``."""
    if spool.suffix == ".jsonl":
        return [spool] if spool.is_file() else []
    if not spool.is_dir():
        return []
    return sorted(p for p in spool.glob("*.jsonl") if p.is_file() and p.name != REJECTED_FILE)


def _events_after(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        handle.seek(offset)
        return sum(1 for line in handle if line.strip())


def spool_lag(spool: Path) -> SpoolLag:
    """What ``spool`` holds that is not in the store yet."""
    position = read_position(spool)
    files = spool_files(spool)
    events = behind = 0
    for path in files:
        shipped = (position or {}).get(path.name, 0)
        size = path.stat().st_size
        if shipped < size:
            behind += size - shipped
            events += _events_after(path, shipped)
    return SpoolLag(spool, len(files), events, behind, position is not None)
