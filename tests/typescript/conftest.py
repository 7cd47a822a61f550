"""Fixtures for the TypeScript runtime's tests: a project rendered once per session on the
pinned npm packages, and one node process driving it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeprovider.fixtures import TEST_KEY
from typescript.ts_support import Driver, node_ready, render_project


@pytest.fixture(scope="session")
def ts_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repo with everything ``aiinfra init --lang typescript`` writes."""
    reason = node_ready()
    if reason is not None:
        pytest.skip(reason)
    return render_project(tmp_path_factory.mktemp("ts") / "repo")


@pytest.fixture(scope="session")
def driver(ts_project: Path) -> Iterator[Driver]:
    """The node process running the rendered runtime (one for the whole session)."""
    process = Driver(ts_project, {"ANTHROPIC_API_KEY": TEST_KEY, "OPENAI_API_KEY": TEST_KEY})
    yield process
    process.close()
