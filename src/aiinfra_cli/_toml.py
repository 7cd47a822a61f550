"""Reading TOML (``pyproject.toml``) on every supported Python."""

from __future__ import annotations

import importlib
import sys
from typing import Any


def toml_loads(text: str) -> dict[str, Any]:
    """``text`` parsed as TOML (tomllib; tomli, its backport, on Python 3.10)."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)
    module = importlib.import_module("tomli")
    loaded: dict[str, Any] = module.loads(text)
    return loaded
