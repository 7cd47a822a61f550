"""``store status``: the schema version, the rows, the newest event, and each spool's lag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aiinfra_cli.store._migrate import schema_version
from aiinfra_cli.store._migrations import LATEST

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class StoreStatus:
    """What the store holds. ``events`` comes from the rollup (kept in the same transaction as
    the rows), so it costs no scan of the events table."""

    schema_version: int
    known_version: int
    events: int
    newest_event: datetime | None
    partitions: int


def store_status(conn: psycopg.Connection[tuple[object, ...]]) -> StoreStatus:
    """Read the status; a store without the schema reports version 0 and no events."""
    version = schema_version(conn)
    if version == 0:
        return StoreStatus(0, LATEST, 0, None, 0)
    row = conn.execute(
        "SELECT (SELECT coalesce(sum(events), 0) FROM aiinfra.usage_daily),"
        ' (SELECT max("timestamp") FROM aiinfra.usage_events),'
        " (SELECT count(*) FROM pg_inherits WHERE inhparent = 'aiinfra.usage_events'::regclass)"
    ).fetchone()
    assert row is not None
    newest = row[1] if isinstance(row[1], datetime) else None
    return StoreStatus(version, LATEST, int(str(row[0])), newest, int(str(row[2])))
