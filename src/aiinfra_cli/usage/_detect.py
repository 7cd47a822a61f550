"""Which log files to read, and which format each one is in.

``--logs`` takes files, directories and globs. Directories are searched recursively for JSON Lines
(``*.jsonl``, ``*.jsonl.gz``, ``*.ndjson``) and for OTLP JSON exports (``*.json`` whose start
mentions ``resourceSpans``). With ``--log-format auto`` each file's format is decided from its
first records, so one run can mix the tracker's own logs, Claude Code sessions and OTLP spans.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from pathlib import Path

from aiinfra_cli.usage._formats import READERS
from aiinfra_cli.usage._reader import (
    LOG_SUFFIXES,
    READ_ERRORS,
    Reject,
    expand_log_paths,
    loads,
    open_log,
)

FORMATS = tuple(READERS)
LOG_FORMATS = ("auto", *FORMATS)
_HEAD_BYTES = 64 * 1024
_SNIFF_LINES = 50
_SNIFF_BYTES = 64 << 20
_CLAUDE_KEYS = frozenset({"sessionId", "parentUuid", "leafUuid", "isSidechain", "requestId"})
_CLAUDE_TYPES = frozenset({"user", "assistant", "summary", "system", "file-history-snapshot"})


def _head(path: Path) -> bytes:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                return handle.read(_HEAD_BYTES)
        with path.open("rb") as handle:
            return handle.read(_HEAD_BYTES)
    except READ_ERRORS:
        return b""


def _is_otlp_json(path: Path) -> bool:
    return b'"resourceSpans"' in _head(path)


def _is_log(path: Path) -> bool:
    return path.name.endswith(LOG_SUFFIXES) or (path.suffix == ".json" and _is_otlp_json(path))


def expand_paths(specs: Sequence[str | Path]) -> tuple[list[Path], list[Reject]]:
    """Files, directories and globs → a de-duplicated list of absolute paths (in the order given,
    each directory sorted), plus a reject for each spec that matched nothing."""
    return expand_log_paths(
        specs, include=_is_log, kinds="*.jsonl, *.jsonl.gz, *.ndjson, OTLP *.json", resolve=True
    )


def _first_records(path: Path) -> Iterator[bytes]:
    """The file's first whole lines (at most :data:`_SNIFF_LINES`, within :data:`_SNIFF_BYTES`).
    A line longer than :data:`_HEAD_BYTES` is passed over, not held: one huge first line must
    not hide the records after it."""
    try:
        with open_log(path) as handle:
            read = 0
            for _ in range(_SNIFF_LINES):
                line = handle.readline(_HEAD_BYTES)
                read += len(line)
                if not line or read > _SNIFF_BYTES:
                    return
                if not line.endswith(b"\n") and len(line) == _HEAD_BYTES:
                    while line and not line.endswith(b"\n") and read <= _SNIFF_BYTES:
                        line = handle.readline(_HEAD_BYTES)
                        read += len(line)
                    continue
                yield line
    except READ_ERRORS:
        return


def detect_format(path: Path) -> str | None:
    """``aiinfra``, ``claude-code`` or ``otel`` from the file's first records; None if unknown.

    An empty file counts as the tracker's own format (it simply holds no events)."""
    head = _head(path)
    if not head.strip():
        return "aiinfra"
    for raw in _first_records(path):
        text = raw.strip()
        if not text:
            continue
        try:
            obj = loads(text)
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(obj, dict):
            continue
        if "resourceSpans" in obj:
            return "otel"
        if "schema_version" in obj or ("provider" in obj and "request_model" in obj):
            return "aiinfra"
        if _CLAUDE_KEYS & obj.keys() or obj.get("type") in _CLAUDE_TYPES:
            return "claude-code"
    if b'"resourceSpans"' in head:
        return "otel"  # a pretty-printed OTLP document: its first line is not a whole record
    if "projects" in path.parts:
        return "claude-code"
    if b'"schema_version"' in head:
        return "aiinfra"
    return None
