"""The team store: usage events from every process in one PostgreSQL (see docs/team.md).

Public surface::

    target(dsn_env, environ) -> Target          the DSN from the environment, a password-free name
    config_target(config, environ) -> Target    the store the config's store.dsn_env names
    connect(target)                             a connection; psycopg errors become StoreError
    migrate(conn) -> Migrated, require_schema(conn), schema_version(conn), LATEST
    push(conn, specs) -> Pushed, event_id_for(raw_line)
    store_status(conn) -> StoreStatus, spool_lag(path) -> SpoolLag, POSITION_FILE
    store_source(conn, shown, side) -> Source, StoreQueries   cost-report's SQL in PostgreSQL
    SESSION_SETTINGS                      the report's session settings (bench/store_bench.py)
    store_traffic(conn, since, table) -> StoreTraffic    cost-diff's traffic per call site / route
    site_calls(conn, since, limits, [CallsAsk]) -> [[CallsSum]]   cost-diff's repricing sums

psycopg is imported only inside these functions: importing this package costs nothing.
"""

from __future__ import annotations

from aiinfra_cli.store._calls import CallsAsk, CallsSum, site_calls
from aiinfra_cli.store._connect import Target, config_target, connect, target
from aiinfra_cli.store._migrate import Migrated, migrate, require_schema, schema_version
from aiinfra_cli.store._migrations import LATEST, MIGRATIONS
from aiinfra_cli.store._push import Pushed, event_id_for, push
from aiinfra_cli.store._report import StoreQueries, store_event_range, store_source
from aiinfra_cli.store._report_sql import SESSION_SETTINGS
from aiinfra_cli.store._spool import POSITION_FILE, SpoolLag, spool_lag
from aiinfra_cli.store._status import StoreStatus, store_status
from aiinfra_cli.store._traffic import StoreTraffic, store_traffic

__all__ = [
    "LATEST",
    "MIGRATIONS",
    "POSITION_FILE",
    "SESSION_SETTINGS",
    "CallsAsk",
    "CallsSum",
    "Migrated",
    "Pushed",
    "SpoolLag",
    "StoreQueries",
    "StoreStatus",
    "StoreTraffic",
    "Target",
    "config_target",
    "connect",
    "event_id_for",
    "migrate",
    "push",
    "require_schema",
    "schema_version",
    "site_calls",
    "spool_lag",
    "store_event_range",
    "store_source",
    "store_status",
    "store_traffic",
    "target",
]
