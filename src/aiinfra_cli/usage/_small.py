"""The small-input path: every log read line by line in Python, no DuckDB, no cache.

Below :data:`SMALL_INPUT_BYTES` of logs, importing DuckDB and setting up its ingest costs more
than reading the lines in Python (see docs/benchmarks.md). The rows, rejects and warnings are
those of the ingest's line-by-line readers (:data:`._formats.READERS`), the very readers the
DuckDB path falls back to, so both paths name the same rejects and count the same rows; the
report's aggregation over them lives in :mod:`aiinfra_cli.report._rowagg`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli.usage._detect import expand_paths
from aiinfra_cli.usage._files import FileStat, file_format, unreadable
from aiinfra_cli.usage._formats import READERS
from aiinfra_cli.usage._reader import Reject
from aiinfra_cli.usage._rows import Row

# Logs up to this many bytes in all are read by the small path (the measured crossover with the
# DuckDB ingest: docs/benchmarks.md); a compressed file counts as GZIP_RATIO times its size.
SMALL_INPUT_BYTES = 12 << 20
GZIP_RATIO = 10
ENGINES = ("auto", "duckdb", "python")


@dataclass
class LogRows:
    """The outcome of :func:`read_rows`: what :class:`aiinfra_cli.usage.Ingested` says, plus
    the rows themselves (one list per file, in the order of ``files``)."""

    files: list[FileStat] = field(default_factory=list)
    rows: list[list[Row]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    malformed: list[Reject] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    unknown_first: dict[str, tuple[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def read(self) -> list[FileStat]:
        return self.files

    @property
    def reused(self) -> list[FileStat]:
        return []


def input_bytes(specs: Sequence[str | Path]) -> int:
    """The logs' total size as :data:`SMALL_INPUT_BYTES` counts it (unreadable files: 0)."""
    paths, _missing = expand_paths(specs)
    total = 0
    for path in paths:
        try:
            size = path.stat().st_size
        except OSError:
            continue
        total += size * GZIP_RATIO if path.name.endswith(".gz") else size
    return total


def small_enough(specs: Sequence[str | Path], engine: str = "auto") -> bool:
    """Whether the logs take the small path: ``engine`` ``python``, or ``auto`` and small."""
    if engine != "auto":
        return engine == "python"
    return input_bytes(specs) <= SMALL_INPUT_BYTES


def read_rows(
    specs: Sequence[str | Path],
    log_format: str = "auto",
    *,
    display: Callable[[Path], str] = str,
) -> LogRows:
    """Every file under ``specs`` read line by line, in the order given."""
    paths, missing = expand_paths(specs)
    result = LogRows(rejects=list(missing))
    found: list[Reject] = []
    for number, path in enumerate(paths, start=1):
        try:
            path.stat()
        except OSError as exc:
            result.rejects.append(unreadable(path, exc, display))
            continue
        fmt = file_format(path, log_format, display)
        if isinstance(fmt, Reject):
            result.rejects.append(fmt)
            continue
        shown = display(path)
        lines = READERS[fmt].read_lines(path, shown)
        result.files.append(FileStat(number, path, fmt, "python", len(lines.rows)))
        result.rows.append(lines.rows)
        found += sorted(lines.rejects, key=lambda r: r.line)
        result.malformed += sorted(lines.malformed, key=lambda r: r.line)
        # As the ingest records them: each name with the line it first occurs on (0: unknown).
        firsts = {name: lines.unknown_first.get(name, 0) for name in lines.unknown}
        for name, line in sorted(firsts.items(), key=lambda item: item[1]):
            result.unknown_fields[name] += lines.unknown[name]
            result.unknown_first.setdefault(name, (shown, line))
    result.rejects += found
    return result
