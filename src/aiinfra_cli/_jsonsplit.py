"""Write a large JSON report with two processes: the end of its largest top-level list (its
last 65 %) is written by a forked child and read back through a pipe, while this process
writes the rest.

The text is the same as one process writes: the child runs the same writer on entries that
would have been written there, at the same indent. If the child fails for any reason, this
process writes those entries itself (and raises what it would have raised). Linux only, like
the scan's workers (fork is the cheap part: the document is shared, not copied).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Imported here, not in the child: a child imports nothing (another thread of this process
# may have held the import lock when it forked).
from aiinfra_cli.redact import redact, redacts_piecewise

__all__ = ["SPLIT_MIN_ITEMS", "Split", "close_split", "split_largest"]

# Below this many entries one process writes the text faster than two plus a fork.
SPLIT_MIN_ITEMS = 5000
# The share of the list written here: this process also writes the other keys, forks, and reads
# and decodes the child's text.
_HEAD_SHARE = 0.35
_INDENT = "\n  "  # the newline before a top-level list's closing bracket
_REDACTED, _RAW = b"R", b"T"  # the first byte the child sends


@dataclass
class Split:
    """A list written as ``head``'s entries, then the text of ``child`` (read by
    ``child.tail()``, at position ``index`` of the writer's output once read)."""

    head: list[Any]
    child: _Child
    index: int = -1


def close_split(document: Any) -> None:
    """End the child behind a :class:`Split` in ``document`` (none: nothing to do)."""
    if isinstance(document, dict):
        for value in document.values():
            if isinstance(value, Split):
                value.child.close()


def split_largest(
    document: Any, items: Callable[[list[Any], str], str], *, redacted: bool = False
) -> Any:
    """``document`` with its largest top-level list replaced by a :class:`Split` whose second
    end a child process is writing (``items(entries, newline)`` gives their text), or
    ``document`` itself when it is small or this platform does not fork. ``redacted``: the
    child also redacts its text when that gives the same text as redacting the whole (see
    :func:`aiinfra_cli.redact.redacts_piecewise`)."""
    if not isinstance(document, dict) or not sys.platform.startswith("linux"):
        return document
    lists = [(len(v), k) for k, v in document.items() if type(v) is list]
    if not lists or max(lists)[0] < SPLIT_MIN_ITEMS:
        return document
    key = max(lists)[1]
    entries: list[Any] = document[key]
    if not all(type(entry) is dict for entry in entries):
        return document  # objects only: each cut then sits next to a line of its own
    half = int(len(entries) * _HEAD_SHARE)
    rest = entries[half:]
    child = _fork_writer(lambda: items(rest, _INDENT), redacted=redacted)
    if child is None:
        return document
    split = Split(entries[:half], child)
    return {k: (split if k == key else v) for k, v in document.items()}


@dataclass
class _Child:
    """A forked writer: its pipe and process id, and how to write its text here instead."""

    pid: int
    reader: int
    write: Callable[[], str]
    done: bool = False
    redacted: bool = False  # the text tail() returned is already redacted

    def tail(self) -> str:
        chunks: list[bytes] = []
        with os.fdopen(self.reader, "rb") as pipe:
            self.done = True
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        data = b"".join(chunks)
        if not self._exited_cleanly() or not data:
            return self.write()
        self.redacted = data[:1] == _REDACTED
        return data[1:].decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if not self.done:
            self.done = True
            os.close(self.reader)  # the child's next write fails: it exits
            self._exited_cleanly()

    def _exited_cleanly(self) -> bool:
        _pid, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status) == 0


def _fork_writer(write: Callable[[], str], *, redacted: bool) -> _Child | None:
    """Run ``write`` in a forked child that sends its text through a pipe, after one byte that
    says whether it redacted it (None: no child could be started; the caller writes
    everything itself)."""
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the child: write the text into the pipe, and leave without any clean-up
        code = 1
        try:
            os.close(reader)
            data = memoryview(_child_text(write(), redacted=redacted))
            while data:
                data = data[os.write(writer, data) :]
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return _Child(pid, reader, write)


def _child_text(text: str, *, redacted: bool) -> bytes:
    if redacted and redacts_piecewise(text):
        return _REDACTED + redact(text).encode("utf-8", "surrogatepass")
    return _RAW + text.encode("utf-8", "surrogatepass")
