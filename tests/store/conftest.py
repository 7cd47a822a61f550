"""Fixtures for the store tests: a migrated store in a fresh database, and a project using it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from aiinfra_cli.store import Target, connect, migrate, target


@pytest.fixture
def store(pg_dsn: str, monkeypatch: pytest.MonkeyPatch) -> Target:
    """A fresh database at the latest schema; AIINFRA_STORE_DSN points at it."""
    monkeypatch.setenv("AIINFRA_STORE_DSN", pg_dsn)
    found = target()
    with connect(found) as conn:
        migrate(conn)
    return found


@pytest.fixture
def db(store: Target) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection to the migrated store, for assertions."""
    with psycopg.connect(store.dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    path = tmp_path / "logs" / "ai-usage"
    path.mkdir(parents=True)
    return path
