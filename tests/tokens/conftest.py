"""Shared fixtures for the token-counting tests: the calibration corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).parent / "corpus"


def load_corpus() -> dict[str, str]:
    """Every corpus file by name; read as UTF-8 with newlines untouched."""
    return {
        p.name: p.read_bytes().decode("utf-8") for p in sorted(CORPUS_DIR.iterdir()) if p.is_file()
    }


@pytest.fixture(scope="session")
def corpus() -> dict[str, str]:
    return load_corpus()
