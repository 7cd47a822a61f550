"""A log file as both engines see it: its format, or the one-line reason it is not read.

Shared by the DuckDB ingest (:mod:`._ingest`) and the small-input path (:mod:`._small`), which
must name the same files the same way; kept apart so the small path never imports the ingest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiinfra_cli.usage._detect import detect_format
from aiinfra_cli.usage._reader import Reject


@dataclass(frozen=True)
class FileStat:
    """A log file as read (or reused) in this run."""

    file_id: int
    path: Path
    format: str
    method: str  # "duckdb", "python" or "cached"
    events: int


_UNKNOWN_FORMAT = (
    "not a usage log this version recognises (the tracker's JSONL, Claude Code session logs,"
    " OTLP JSON); pass --log-format to say which it is"
)


def unreadable(path: Path, exc: OSError, display: Callable[[Path], str]) -> Reject:
    """The reject for a log file that cannot even be looked at."""
    return Reject(display(path), 0, f"cannot read: {exc.strerror or exc}")


def file_format(path: Path, log_format: str, display: Callable[[Path], str]) -> str | Reject:
    """The format ``path`` is read as (``log_format`` unless ``auto``), or why it is not read."""
    fmt = log_format if log_format != "auto" else detect_format(path)
    return fmt if fmt is not None else Reject(display(path), 0, _UNKNOWN_FORMAT)
