"""Where things live: repo root, config file, ``.multiagent/``, user data dir, templates."""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_RELPATH = Path("config") / "ai-models.yaml"
MULTIAGENT_DIR = Path(".multiagent")
REPORTS_DIR = MULTIAGENT_DIR / "reports"
MEMORY_DIR = MULTIAGENT_DIR / "ai-infrastructure" / "memory"


def find_repo_root(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.git`` (a dir, or a worktree file)."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def project_root(start: Path | None = None) -> Path:
    """The repo root, or ``start`` (the working directory) outside a git checkout."""
    return find_repo_root(start) or (start or Path.cwd()).resolve()


def find_config(start: Path | None = None) -> Path | None:
    """``config/ai-models.yaml`` in ``start`` or the nearest parent, stopping at the repo root."""
    here = (start or Path.cwd()).resolve()
    root = find_repo_root(here)
    for candidate in (here, *here.parents):
        path = candidate / CONFIG_RELPATH
        if path.is_file():
            return path
        if candidate == root:
            break
    return None


def user_data_dir() -> Path:
    """Per-user data (e.g. a refreshed price table): ``$XDG_DATA_HOME/aiinfra``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aiinfra"


def templates_dir() -> Path:
    """The templates ``init`` renders: inside the wheel, or ``templates/`` of a source checkout."""
    packaged = Path(__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"
