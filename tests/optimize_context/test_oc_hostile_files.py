"""Hostile inputs never crash or hang a scan: lone surrogates, FIFOs, devices, huge files, and
file names that are not UTF-8."""

from __future__ import annotations

import json
import os
import sys
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _support import run_cli
from rich.console import Console

from aiinfra_cli import output
from aiinfra_cli.scan._files import MAX_FILE_BYTES
from aiinfra_cli.scan.formats import (
    render_github,
    render_json,
    render_markdown,
    render_sarif,
    render_text,
)

if TYPE_CHECKING:
    from conftest import Project  # the fixture's type (tests/optimize_context/conftest.py)

SURROGATE = """\
from openai import OpenAI

client = OpenAI()
client.chat.completions.create(model='\\ud800', messages=[{"role": "user", "content": "hi"}])
"""


def test_lone_surrogate_literal_renders_in_every_format(project: Project) -> None:
    project.write({"app/a.py": SURROGATE})
    report = project.scan()
    assert [c.model for c in report.calls] == ["\\ud800"]
    console_text = StringIO()
    render_text(report, Console(file=console_text, width=200, color_system=None))
    rendered = [
        console_text.getvalue(),
        output.to_json(render_json(report)),
        output.to_json(render_sarif(report)),
        render_github(report),
        render_markdown(report),
    ]
    for text in rendered:
        text.encode("utf-8")  # strict: raises on a lone surrogate
    assert "'\\ud800'" in console_text.getvalue()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_device_symlink_and_huge_files_are_skipped_and_named(project: Project) -> None:
    project.write({"app/ok.py": SURROGATE.replace("\\ud800", "gpt-4o")})
    os.mkfifo(project.root / "app" / "f.py")
    (project.root / "app" / "z.py").symlink_to("/dev/zero")
    big = project.root / "app" / "big.py"
    big.write_bytes(b"x = 1\n" * (MAX_FILE_BYTES // 6 + 10))
    report = project.scan()
    assert [c.file for c in report.calls] == ["app/ok.py"]
    assert {(s.file, s.reason) for s in report.not_read} == {
        ("app/f.py", "not a regular file"),
        ("app/z.py", "not a regular file"),
        ("app/big.py", "4.0 MiB, over the 4.0 MiB limit"),
    }
    assert report.summary()["files_not_read"] == 3
    document = render_json(report)
    assert {d["file"] for d in document["files_not_read"]} == {"app/f.py", "app/z.py", "app/big.py"}


@pytest.mark.skipif(sys.platform != "linux", reason="needs byte file names")
def test_non_utf8_file_name_keeps_json_valid(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    name = root / "app" / os.fsdecode(b"caf\xe9.py")  # surrogateescape: the raw byte 0xE9
    name.write_bytes(SURROGATE.replace("\\ud800", "gpt-4o").encode())
    done = run_cli("optimize-context", "--format", "json", "--no-cache", cwd=root)
    document = json.loads(done.stdout.encode("utf-8"))
    assert [c["file"] for c in document["call_sites"]] == ["app/caf\\xe9.py"]
    assert done.returncode == 1, done.stderr
