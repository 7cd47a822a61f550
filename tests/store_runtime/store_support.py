"""Shared by the store-runtime tests and bench/store_faults.py: the team store's schema in a
fresh database, and what the store holds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any


def create_store_schema(dsn: str) -> None:
    """The store schema in the database at ``dsn``, as ``aiinfra store migrate`` creates it
    (the CLI's own migrations: the runtime is tested against the real schema)."""
    import psycopg

    from aiinfra_cli.store import migrate

    with psycopg.connect(dsn, autocommit=True) as conn:
        migrate(conn)


def store_totals(dsn: str) -> dict[str, Any]:
    """Rows, distinct event ids and exact cost in the store, and the rollup's view of them."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        rows, ids, cost = conn.execute(
            "SELECT count(*), count(DISTINCT event_id), coalesce(sum(cost_usd), 0)"
            " FROM aiinfra.usage_events"
        ).fetchone() or (0, 0, Decimal(0))
        daily_events, daily_cost = conn.execute(
            "SELECT coalesce(sum(events), 0), coalesce(sum(cost_usd), 0) FROM aiinfra.usage_daily"
        ).fetchone() or (0, Decimal(0))
    return {
        "rows": int(rows),
        "ids": int(ids),
        "cost": Decimal(cost),
        "daily_events": int(daily_events),
        "daily_cost": Decimal(daily_cost),
    }


def spool_events(directory: Path) -> list[dict[str, Any]]:
    """Every event line of a spool directory (the ``usage-*.jsonl`` files)."""
    import json

    return [
        json.loads(line)
        for path in sorted(directory.glob("usage-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
