"""Schema versions: read, refuse a newer store, apply the pending migrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiinfra_cli import __version__
from aiinfra_cli.errors import StoreError
from aiinfra_cli.store._migrations import BOOTSTRAP, LATEST, MIGRATIONS

if TYPE_CHECKING:
    import psycopg

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('aiinfra.schema_migrations'))"


@dataclass(frozen=True)
class Migrated:
    """What ``store migrate`` did: the version before and after, and the versions applied."""

    before: int
    after: int
    applied: tuple[int, ...]


def schema_version(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """The store's schema version (``max(version)``); 0 when it has no aiinfra schema yet."""
    row = conn.execute("SELECT to_regclass('aiinfra.schema_migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT coalesce(max(version), 0) FROM aiinfra.schema_migrations")
    value = found.fetchone()
    return int(str(value[0])) if value else 0


def _refuse_newer(version: int, known: int) -> None:
    if version > known:
        raise StoreError(
            f"the team store's schema is version {version}, newer than this aiinfra knows"
            f" ({known}): upgrade aiinfra"
        )


def require_schema(conn: psycopg.Connection[tuple[object, ...]], known: int = LATEST) -> int:
    """The version, when this aiinfra can use the store; StoreError when missing or newer."""
    version = schema_version(conn)
    _refuse_newer(version, known)
    if version == 0:
        raise StoreError(
            "the team store has no aiinfra schema yet", hint="run `aiinfra store migrate`"
        )
    return version


def migrate(conn: psycopg.Connection[tuple[object, ...]], known: int = LATEST) -> Migrated:
    """Apply every migration above the store's version, in one transaction (all or nothing).

    A store newer than ``known`` is refused before anything is written."""
    with conn.transaction():
        conn.execute(_LOCK)
        before = schema_version(conn)
        _refuse_newer(before, known)
        conn.execute(BOOTSTRAP)
        applied: list[int] = []
        for step in MIGRATIONS:
            if before < step.version <= known:
                conn.execute(step.sql.encode())
                conn.execute(
                    "INSERT INTO aiinfra.schema_migrations (version, aiinfra_version)"
                    " VALUES (%s, %s)",
                    (step.version, __version__),
                )
                applied.append(step.version)
    return Migrated(before, max(before, *applied) if applied else before, tuple(applied))
