"""Shared fixtures: an isolated home for every test, and real git repositories."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from _services import Postgres, Redis, running_postgres, running_redis
from _support import EXAMPLE_CONFIG


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """No test reads or writes the real $HOME, user data dir, or crash-log dir; no real keys leak in."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("AIINFRA_CRASH_DIR", str(home / "crash"))
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    # Commands change defaults in CI (cost-report: --require-data, --no-cache): tests that mean
    # CI say so; the rest behave the same on a laptop and on a CI runner.
    monkeypatch.delenv("CI", raising=False)
    yield home


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A real, empty git repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


@pytest.fixture
def configured_repo(git_repo: Path) -> Path:
    """A git repository holding the reference config/ai-models.yaml."""
    (git_repo / "config").mkdir()
    (git_repo / "config" / "ai-models.yaml").write_text(EXAMPLE_CONFIG, encoding="utf-8")
    return git_repo


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster on a free loopback port, shared by the whole session."""
    with running_postgres() as cluster:
        if cluster is None:
            pytest.skip("PostgreSQL is not installed (initdb not found); .ci/run installs it")
        yield cluster


@pytest.fixture
def pg_dsn(pg_cluster: Postgres) -> str:
    """The DSN of a fresh, empty database in the session's cluster (one per test)."""
    return pg_cluster.create_database()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    """A real redis-server on a free loopback port, shared by the whole session."""
    with running_redis() as server:
        if server is None:
            pytest.skip("redis-server is not installed; .ci/run installs it")
        yield server
