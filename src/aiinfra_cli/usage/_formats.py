"""The log formats the ingest reads: one entry per format, everything the ingest needs to know.

Each :class:`LogFormat` says how to read one file line by line in Python (naming every reject
and warning) and, optionally, how DuckDB's bulk reader reads a batch of such files: the columns
it reads, the SQL that turns a line into a row (:data:`aiinfra_cli.usage._rows.COLUMNS`), the
SQL that flags a line only the line-by-line reader can judge, and which lines are calls at all.
Adding a source (a provider's billing export, the team store) is one entry in :data:`READERS`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli.usage import _claude_code as claude_code
from aiinfra_cli.usage._otel import read_otel
from aiinfra_cli.usage._reader import READ_ERRORS, ReadResult, Reject, iter_lines, loads, read_file
from aiinfra_cli.usage._rows import Row, row_from_event
from aiinfra_cli.usage._schema import KNOWN_FIELDS
from aiinfra_cli.usage._sql import clean_line, own_columns, typed

# How many of a file's first lines show whether it holds fields this version does not know
# (such files are read line by line, which counts them).
SAMPLE_LINES = 200


@dataclass
class LineRead:
    """What the line-by-line reader made of one file."""

    rows: list[Row] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    malformed: list[Reject] = field(default_factory=list)
    unknown: Counter[str] = field(default_factory=Counter)
    # Where each unknown field first occurs: name -> line.
    unknown_first: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkRead:
    """How DuckDB's ``read_ndjson`` reads a batch of files of one format."""

    columns: Mapping[str, str]
    # Row column -> SQL over the source's columns (``_ts``: the timestamp in epoch µs).
    select: Mapping[str, str]
    # SQL that holds for a line the bulk reader cannot vouch for: its file is read line by line.
    suspect: str
    # SQL that holds for a line that is a call (other lines are not rows).
    keep: str
    # The subquery over ``read_ndjson(...)`` that the select and tests refer to.
    source: Callable[[str], str]
    # Per-file values joined in as ``b.project`` and ``b.session``.
    extra: Callable[[Path], tuple[str, str]] = lambda _path: ("", "")
    # Whether a file may take the bulk path at all.
    eligible: Callable[[Path], bool] = lambda _path: True


@dataclass(frozen=True)
class LogFormat:
    name: str
    read_lines: Callable[[Path, str], LineRead]
    bulk: BulkRead | None = None


def _read_own(path: Path, shown: str) -> LineRead:
    read = ReadResult()
    read_file(path, read, display=shown)
    rows = [row_from_event(event) for event in read.events]
    first = _first_lines(path, set(read.unknown_fields)) if read.unknown_fields else {}
    return LineRead(rows, read.rejects, read.warnings, read.unknown_fields, first)


def _read_claude(path: Path, shown: str) -> LineRead:
    rows, rejects, _lines = claude_code.read_claude_code(path, shown)
    return LineRead(rows, rejects)


def _read_otel(path: Path, shown: str) -> LineRead:
    rows, rejects, _lines = read_otel(path, shown)
    return LineRead(rows, rejects)


def _first_lines(path: Path, names: set[str]) -> dict[str, int]:
    """The line where each of ``names`` first occurs as a top-level key (files with unknown
    fields only: a second, cheap pass)."""
    found: dict[str, int] = {}
    try:
        for number, raw in iter_lines(path):
            try:
                obj = loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict):
                for name in names & obj.keys():
                    found.setdefault(name, number)
            if len(found) == len(names):
                break
    except READ_ERRORS:
        pass
    return found


def _no_unknown_fields(path: Path) -> bool:
    """Whether the file's first lines hold only fields this version knows (the bulk reader reads
    known fields only, so it cannot count the others)."""
    try:
        for count, (_, raw) in enumerate(iter_lines(path)):
            if count >= SAMPLE_LINES:
                break
            try:
                obj = loads(raw)
            except ValueError:
                return False
            if isinstance(obj, dict) and obj.keys() - KNOWN_FIELDS:
                return False
    except READ_ERRORS:
        return False
    return True


def _own_source(reader: str) -> str:
    typed_fields = ", ".join(f'{typed(name)} AS "{name}"' for name in KNOWN_FIELDS)
    return (
        f"(SELECT filename, {typed_fields}, _ts, NOT coalesce({clean_line()}, FALSE) AS _bad"
        f" FROM (SELECT *, epoch_us(TRY_CAST(timestamp->>'$' AS TIMESTAMPTZ)) AS _ts"
        f" FROM {reader}))"
    )


def _claude_source(reader: str) -> str:
    return f"(SELECT *, epoch_us(TRY_CAST(timestamp AS TIMESTAMPTZ)) AS _ts FROM {reader})"


_OWN_SELECT = {
    "ts": "_ts",
    "provider": "provider",
    "model": "coalesce(response_model, request_model)",
    "model_id": "model_id",
    "feature": "feature",
    "endpoint": "endpoint",
    "user": '"user"',
    "tenant": "tenant",
    "session": "NULL",
    "call_site": "call_site",
    "ok": "status = 'ok'",
    "attempt": "coalesce(attempt, 1)",
    "fallback": "fallback_from IS NOT NULL",
    "batch": "coalesce(batch, FALSE)",
    "cache_hit": "coalesce(cache_hit, FALSE)",
    "input": "input_tokens",
    "output": "output_tokens",
    "cache_read": "coalesce(cache_read_tokens, 0)",
    "cache_write": "coalesce(cache_write_tokens, 0)",
    "cache_write_1h": "coalesce(cache_write_1h_tokens, 0)",
    "reasoning": "coalesce(reasoning_tokens, 0)",
    "recorded_cost": "cost_usd",
    "saved_cost": "saved_cost_usd",
    "dedupe_key": "event_id",
}

READERS: dict[str, LogFormat] = {
    # The tracker's own JSONL: every known field as raw JSON, checked by SQL derived from the
    # usage schema (._sql); files with unknown fields go line by line, which counts them.
    "aiinfra": LogFormat(
        "aiinfra",
        _read_own,
        BulkRead(
            columns=own_columns(),
            select=_OWN_SELECT,
            suspect="_bad",
            keep="TRUE",
            source=_own_source,
            eligible=_no_unknown_fields,
        ),
    ),
    "claude-code": LogFormat(
        "claude-code",
        _read_claude,
        BulkRead(
            columns=claude_code.DUCKDB_COLUMNS,
            select=claude_code.SQL_SELECT,
            suspect=claude_code.SQL_SUSPECT,
            keep=claude_code.SQL_IS_CALL,
            source=_claude_source,
            extra=claude_code.project_and_session,
        ),
    ),
    # OTLP JSON: one document per file (or JSON Lines of documents), read in Python.
    "otel": LogFormat("otel", _read_otel),
}
