"""Fixtures for the optimize-context tests: a project directory to write code into and scan."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from aiinfra_cli.scan import Report, ScanOptions, scan


class Project:
    """A directory of Python files, scanned in-process (no cache unless asked)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, files: dict[str, str]) -> Project:
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return self

    def scan(self, **options: object) -> Report:
        opts = ScanOptions(paths=[Path()], cwd=self.root, use_cache=False)
        for key, value in options.items():
            setattr(opts, key, value)
        return scan(opts).report

    def codes(self, **options: object) -> list[tuple[str, int, str]]:
        return [(f.file, f.line, f.code) for f in self.scan(**options).findings]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project(root)
