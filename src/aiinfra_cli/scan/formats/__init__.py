"""Output formats of a scan: ``text`` (ruff-like), ``json``, ``sarif`` (2.1.0), ``github``
(workflow annotations) and ``markdown`` (the report file)."""

from __future__ import annotations

from aiinfra_cli.scan.formats._github import render_github
from aiinfra_cli.scan.formats._json import render_json
from aiinfra_cli.scan.formats._markdown import render_markdown
from aiinfra_cli.scan.formats._sarif import render_sarif
from aiinfra_cli.scan.formats._text import estimate_text, render_text

FORMATS = ("text", "json", "sarif", "github", "markdown")

__all__ = [
    "FORMATS",
    "estimate_text",
    "render_github",
    "render_json",
    "render_markdown",
    "render_sarif",
    "render_text",
]
