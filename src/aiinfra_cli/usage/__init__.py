"""Usage events: the schema (version 1), the typed event, and a line-validating JSONL reader.

Public surface::

    UsageEvent, parse_event(obj), InvalidEvent
    read_events(paths) -> ReadResult(events, rejects, unknown_fields, files, lines)
    expand_log_paths(paths), Reject
    json_schema(), SCHEMA_VERSION, format_timestamp, parse_timestamp
"""

from __future__ import annotations

from aiinfra_cli.usage._event import (
    InvalidEvent,
    UsageEvent,
    format_timestamp,
    parse_event,
    parse_timestamp,
)
from aiinfra_cli.usage._reader import ReadResult, Reject, expand_log_paths, read_events, read_file
from aiinfra_cli.usage._schema import KNOWN_FIELDS, SCHEMA_VERSION, STATUSES, json_schema

__all__ = [
    "KNOWN_FIELDS",
    "SCHEMA_VERSION",
    "STATUSES",
    "InvalidEvent",
    "ReadResult",
    "Reject",
    "UsageEvent",
    "expand_log_paths",
    "format_timestamp",
    "json_schema",
    "parse_event",
    "parse_timestamp",
    "read_events",
    "read_file",
]
