"""The one expected-error hierarchy, and the one top-level handler.

::

    AiinfraError                 a user mistake or an unmet precondition: one line, exit 1
    ├── UsageError               bad command-line usage: exit 2
    ├── ConfigError              config/ai-models.yaml is missing, malformed or invalid
    ├── PriceError               price table unreadable, model unknown where a price is required
    ├── UsageLogError            a usage log that cannot be read at all (bad lines are rejects)
    └── StoreError               the team store: DSN unset, unreachable, login refused, too new

Anything else that escapes a command is a bug: :func:`handle` prints one line naming the
file the traceback was written to (exit 3); ``--debug`` prints the traceback instead.
Tracebacks are formatted without local variables, because locals can hold API keys, and
every line printed goes through :func:`aiinfra_cli.redact.redact`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from aiinfra_cli.redact import redact

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class AiinfraError(Exception):
    """An expected failure, reported to the user as one line.

    ``where`` names the place (``file:line`` or ``file:line: key``), ``hint`` says how to fix it.
    """

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class UsageError(AiinfraError):
    """The command line itself is wrong."""

    exit_code = EXIT_USAGE


class ConfigError(AiinfraError):
    """The configuration file is missing, malformed or invalid."""


class PriceError(AiinfraError):
    """The price table cannot be read, or a model has no price where one is required."""


class UsageLogError(AiinfraError):
    """A usage log cannot be opened at all."""


class StoreError(AiinfraError):
    """The team store cannot be used: DSN unset, host unreachable, login refused, schema too new."""


def _crash_log_dir() -> Path:
    override = os.environ.get("AIINFRA_CRASH_DIR")
    return Path(override) if override else Path(tempfile.gettempdir())


def write_crash_log(exc: BaseException) -> Path | None:
    """Write the traceback (no locals, redacted) to a file; its path, or None if unwritable."""
    text = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    try:
        directory = _crash_log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f"aiinfra-crash-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".log", dir=directory
        )
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return Path(name)
    except OSError:
        return None


def handle(body: Callable[[], int], *, debug: bool, stderr: TextIO | None = None) -> int:
    """Run ``body`` and turn every way it can end into an exit code and at most one line."""
    err = stderr if stderr is not None else sys.stderr
    try:
        return body()
    except AiinfraError as exc:
        if debug:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
        print(redact(f"aiinfra: error: {exc}"), file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("aiinfra: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing useful can be printed to it.
        _silence_stdout()
        return EXIT_FAILURE
    except Exception as exc:
        if _interrupted_query(exc):
            print("aiinfra: interrupted", file=err)
            return EXIT_INTERRUPTED
        if debug:
            print(
                redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))),
                file=err,
                end="",
            )
            return EXIT_INTERNAL
        summary = (
            redact(f"{type(exc).__name__}: {exc}").splitlines()[0]
            if str(exc)
            else type(exc).__name__
        )
        path = write_crash_log(exc)
        where = f"traceback written to {path}" if path else "rerun with --debug for the traceback"
        print(f"aiinfra: internal error: {summary} ({where}; please report it)", file=err)
        return EXIT_INTERNAL


def _interrupted_query(exc: Exception) -> bool:
    """Whether ``exc`` is DuckDB stopping a query for Ctrl-C: it raises a plain RuntimeError, not
    KeyboardInterrupt, and it is no internal error."""
    return type(exc) is RuntimeError and str(exc) == "Query interrupted"


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
