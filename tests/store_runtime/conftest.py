"""Fixtures for the store-runtime tests: the rendered runtime, and a fresh team store (a real
PostgreSQL database holding the store schema) per test."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from _services import Postgres
from init.init_support import RUNTIME_PACKAGE, import_runtime, render_repo
from store_runtime.store_support import create_store_schema


@pytest.fixture(scope="session")
def runtime_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repo with everything ``aiinfra init`` writes, the package at src/genai_rt."""
    return render_repo(
        tmp_path_factory.mktemp("rendered") / "repo", package_dir=f"src/{RUNTIME_PACKAGE}"
    )


@pytest.fixture(scope="session")
def rt(runtime_repo: Path) -> ModuleType:
    """The generated runtime package, imported."""
    return import_runtime(runtime_repo)


@pytest.fixture
def store_dsn(pg_cluster: Postgres, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database with the store schema; its DSN is in $AIINFRA_STORE_DSN."""
    dsn = pg_cluster.create_database()
    create_store_schema(dsn)
    monkeypatch.setenv("AIINFRA_STORE_DSN", dsn)
    return dsn
