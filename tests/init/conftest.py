"""Fixtures for the init tests: a repository rendered once per session, its runtime imported
under a name of its own, and the fake provider's key in the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fakeprovider.fixtures import TEST_KEY, fake_provider
from init.init_support import RUNTIME_PACKAGE, import_runtime, render_repo

__all__ = ["fake_provider", "keys", "rt", "runtime_repo"]


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
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fake provider's key in every provider's environment variable."""
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(name, TEST_KEY)
    yield TEST_KEY
