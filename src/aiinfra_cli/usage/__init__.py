"""Usage events: the schema (version 1), the typed event, and a line-validating JSONL reader;
importers for other logs, and the DuckDB ingest cache the reports read from.

Public surface::

    UsageEvent, parse_event(obj), InvalidEvent
    read_events(paths) -> ReadResult(events, rejects, unknown_fields, files, lines)
    expand_log_paths(paths), Reject
    json_schema(), SCHEMA_VERSION, format_timestamp, parse_timestamp
    Row, COLUMNS, row_from_event                     one normalised call, whatever the log
    read_claude_code(path, shown), read_otel(path, shown)   importers (rows, rejects, lines)
    detect_format(path), expand_paths(specs), FORMATS, LOG_FORMATS
    open_cache(path) -> (connection, warnings, path used), ingest(con, specs, format) -> Ingested
    own_call_event(...), append_event(usage_log, event), log_file(usage_log)   aiinfra's own calls
    check_event(obj), parse_event_lenient(obj), READ_FIELDS   what a report reads, what it warns on
    validate_logs(paths) -> Validation               the full contract, every field of every line
    read_rows(specs, format) -> LogRows, small_enough(specs, engine)   the small path, no DuckDB
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from aiinfra_cli.usage._claude_code import read_claude_code
from aiinfra_cli.usage._detect import FORMATS, LOG_FORMATS, detect_format, expand_paths
from aiinfra_cli.usage._event import (
    InvalidEvent,
    UsageEvent,
    check_event,
    format_timestamp,
    parse_event,
    parse_event_lenient,
    parse_timestamp,
)
from aiinfra_cli.usage._files import FileStat
from aiinfra_cli.usage._otel import read_otel
from aiinfra_cli.usage._own_calls import append_event, log_file, own_call_event
from aiinfra_cli.usage._reader import (
    ReadResult,
    Reject,
    UnreadableLine,
    expand_log_paths,
    open_log,
    parse_line,
    read_events,
    read_file,
)
from aiinfra_cli.usage._rows import COLUMNS, Row, epoch_us, from_epoch_us, row_from_event
from aiinfra_cli.usage._schema import (
    KNOWN_FIELDS,
    READ_FIELDS,
    SCHEMA_VERSION,
    STATUSES,
    USAGE_SOURCES,
    json_schema,
)
from aiinfra_cli.usage._small import ENGINES, SMALL_INPUT_BYTES, LogRows, read_rows, small_enough

if TYPE_CHECKING:
    from aiinfra_cli.usage._ingest import CACHE_FILE, Ingested, ingest, open_cache
    from aiinfra_cli.usage._validate import Validation, validate_logs

# Imported on first use: the small-input path and the other commands need neither the DuckDB
# ingest nor the full-contract validator (a few ms of a short run each).
_LAZY = {
    "CACHE_FILE": "_ingest",
    "Ingested": "_ingest",
    "ingest": "_ingest",
    "open_cache": "_ingest",
    "Validation": "_validate",
    "validate_logs": "_validate",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CACHE_FILE",
    "COLUMNS",
    "ENGINES",
    "FORMATS",
    "KNOWN_FIELDS",
    "LOG_FORMATS",
    "READ_FIELDS",
    "SCHEMA_VERSION",
    "SMALL_INPUT_BYTES",
    "STATUSES",
    "USAGE_SOURCES",
    "FileStat",
    "Ingested",
    "InvalidEvent",
    "LogRows",
    "ReadResult",
    "Reject",
    "Row",
    "UnreadableLine",
    "UsageEvent",
    "Validation",
    "append_event",
    "check_event",
    "detect_format",
    "epoch_us",
    "expand_log_paths",
    "expand_paths",
    "format_timestamp",
    "from_epoch_us",
    "ingest",
    "json_schema",
    "log_file",
    "open_cache",
    "open_log",
    "own_call_event",
    "parse_event",
    "parse_event_lenient",
    "parse_line",
    "parse_timestamp",
    "read_claude_code",
    "read_events",
    "read_file",
    "read_otel",
    "read_rows",
    "row_from_event",
    "small_enough",
    "validate_logs",
]
