"""The one place that writes to the terminal.

Human-facing text goes to stderr through Rich; machine output (``--json``) goes to stdout and
nothing else does, so ``aiinfra … --json | jq`` always sees a single JSON document.
Rich is imported on first use, never at CLI start-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

_consoles: dict[str, Console] = {}
# Output that is not a terminal (a file, a pipe, a CI log) is read in a wide viewer: lines are
# not wrapped at 80 columns mid-phrase. COLUMNS, when set, wins.
WIDE = 200


def width_for(stream: TextIO) -> int | None:
    """The width to render ``stream`` at: None (the terminal's, or COLUMNS) on a terminal or
    when COLUMNS is set, else :data:`WIDE`."""
    if os.environ.get("COLUMNS"):
        return None
    try:
        return None if stream.isatty() else WIDE
    except (AttributeError, ValueError):  # a closed or stand-in stream
        return WIDE


def err_console() -> Console:
    """The Rich console on stderr (created once, honouring NO_COLOR / FORCE_COLOR)."""
    if "err" not in _consoles:
        from rich.console import Console

        _consoles["err"] = Console(
            stderr=True, highlight=False, soft_wrap=False, width=width_for(sys.stderr)
        )
    return _consoles["err"]


def out_console() -> Console:
    """The Rich console on stdout, for commands whose main product is a terminal view."""
    if "out" not in _consoles:
        from rich.console import Console

        _consoles["out"] = Console(highlight=False, soft_wrap=False, width=width_for(sys.stdout))
    return _consoles["out"]


def use_consoles(*, out: Console | None = None, err: Console | None = None) -> None:
    """Route output to the given consoles (tests render into ``Console(file=StringIO())``)."""
    if out is not None:
        _consoles["out"] = out
    if err is not None:
        _consoles["err"] = err


def to_json(document: Any) -> str:
    """Serialise a report document: stable key order, two-space indent, UTF-8 kept readable."""
    from aiinfra_cli._jsontext import dumps_indented

    return dumps_indented(document, end="\n")


def print_json(document: Any, stream: TextIO | None = None) -> None:
    """Write one JSON document to stdout (redacted: no key ever reaches any output)."""
    from aiinfra_cli._jsontext import dumps_indented

    (stream or sys.stdout).write(dumps_indented(document, end="\n", redacted=True))


def warn(message: str) -> None:
    """One warning line on stderr (never wrapped: it names a file:line a reader greps for)."""
    from rich.markup import escape

    err_console().print(f"[yellow]warning:[/yellow] {escape(redact(message))}", soft_wrap=True)


def info(message: str) -> None:
    """One line on stderr; Rich markup in ``message`` is rendered."""
    err_console().print(redact(message))


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner with ``message`` on stderr while a long step runs (reading logs, scanning a
    tree), only when stderr is a terminal: pipes, files and CI logs get nothing."""
    console = err_console()
    if not console.is_terminal:
        yield
        return
    from rich.markup import escape

    with console.status(escape(message), spinner="dots"):
        yield


def print_line(message: str) -> None:
    """One plain line on stdout (a command's own findings, one per line; redacted, unwrapped)."""
    sys.stdout.write(redact(message) + "\n")
