"""Ctrl-C that stops a long DuckDB query at once.

DuckDB notices SIGINT only when it polls for Python signals, which a busy query may not do for
seconds, or at all once the signal has landed before it started polling. Here a thread waits
on Python's signal wake-up descriptor (written by the C-level handler whatever the main thread
is doing) and interrupts the connection; the interrupted query then ends as
:class:`KeyboardInterrupt`, which the CLI reports as "interrupted" with exit 130.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


@contextlib.contextmanager
def interruptible(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block with Ctrl-C interrupting ``con``'s running query."""
    import duckdb

    reader, writer = socket.socketpair()
    writer.setblocking(False)
    try:
        previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except ValueError:  # not the main thread: signals are not ours to watch
        reader.close()
        writer.close()
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data or done.is_set():
                return
            if signal.SIGINT in data:
                con.interrupt()

    watcher = threading.Thread(target=watch, name="aiinfra-interrupt", daemon=True)
    watcher.start()
    try:
        yield
    except duckdb.InterruptException as exc:
        # When DuckDB's own SIGINT polling gets there first it raises RuntimeError("Query
        # interrupted") instead, which the CLI's handler reports the same way.
        raise KeyboardInterrupt from exc
    finally:
        done.set()
        signal.set_wakeup_fd(previous)
        writer.close()  # wakes the watcher: recv returns b""
        watcher.join(timeout=1)
        reader.close()
