"""Atomic writes replace whole files and keep sensible permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from aiinfra_cli._atomic import write_atomic


def test_new_file_gets_umask_default_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a" / "b.txt", "hello")
    finally:
        os.umask(old)
    path = tmp_path / "a" / "b.txt"
    assert path.read_text() == "hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_existing_mode_is_kept_and_no_temp_files_remain(tmp_path: Path) -> None:
    path = tmp_path / "run.sh"
    path.write_text("old")
    path.chmod(0o755)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert [p.name for p in tmp_path.iterdir()] == ["run.sh"]
