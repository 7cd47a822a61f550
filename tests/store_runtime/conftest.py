"""Fixtures for the store-runtime tests: the rendered runtime (the init tests' fixtures), and
a fresh team store (a real PostgreSQL database holding the store schema) per test."""

from __future__ import annotations

import pytest
from _services import Postgres
from init.conftest import rt, runtime_repo
from store_runtime.store_support import create_store_schema

__all__ = ["rt", "runtime_repo", "store_dsn"]


@pytest.fixture
def store_dsn(pg_cluster: Postgres, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database with the store schema; its DSN is in $AIINFRA_STORE_DSN."""
    dsn = pg_cluster.create_database()
    create_store_schema(dsn)
    monkeypatch.setenv("AIINFRA_STORE_DSN", dsn)
    return dsn
