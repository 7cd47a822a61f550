"""The one place that writes to the terminal.

Human-facing text goes to stderr through Rich; machine output (``--json``) goes to stdout and
nothing else does, so ``aiinfra … --json | jq`` always sees a single JSON document.
Rich is imported on first use, never at CLI start-up.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

_consoles: dict[str, Console] = {}


def err_console() -> Console:
    """The Rich console on stderr (created once, honouring NO_COLOR / FORCE_COLOR)."""
    if "err" not in _consoles:
        from rich.console import Console

        _consoles["err"] = Console(stderr=True, highlight=False, soft_wrap=False)
    return _consoles["err"]


def out_console() -> Console:
    """The Rich console on stdout, for commands whose main product is a terminal view."""
    if "out" not in _consoles:
        from rich.console import Console

        _consoles["out"] = Console(highlight=False, soft_wrap=False)
    return _consoles["out"]


def use_consoles(*, out: Console | None = None, err: Console | None = None) -> None:
    """Route output to the given consoles (tests render into ``Console(file=StringIO())``)."""
    if out is not None:
        _consoles["out"] = out
    if err is not None:
        _consoles["err"] = err


def to_json(document: Any) -> str:
    """Serialise a report document: stable key order, two-space indent, UTF-8 kept readable."""
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def print_json(document: Any, stream: TextIO | None = None) -> None:
    """Write one JSON document to stdout (redacted: no key ever reaches any output)."""
    (stream or sys.stdout).write(redact(to_json(document)))


def warn(message: str) -> None:
    """One warning line on stderr."""
    from rich.markup import escape

    err_console().print(f"[yellow]warning:[/yellow] {escape(redact(message))}")


def info(message: str) -> None:
    """One line on stderr; Rich markup in ``message`` is rendered."""
    err_console().print(redact(message))


def print_line(message: str) -> None:
    """One plain line on stdout (a command's own findings, one per line; redacted, unwrapped)."""
    sys.stdout.write(redact(message) + "\n")
