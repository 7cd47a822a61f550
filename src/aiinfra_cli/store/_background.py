"""A statement on a connection of its own, in a thread (the report's two reads at once)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from aiinfra_cli.store._report_sql import SESSION_SETTINGS

if TYPE_CHECKING:
    import psycopg

    Conn = psycopg.Connection[tuple[Any, ...]]


def session(conn: Conn) -> None:
    """Apply :data:`SESSION_SETTINGS` (see there) to ``conn``."""
    for name, value in SESSION_SETTINGS:
        conn.execute(f"SET {name} = {value}")


class Background:
    """One statement running on its own connection in a thread; ``join`` waits and returns
    its rows (or raises its error in the caller's thread)."""

    def __init__(self, conn: Conn, sql: bytes | None, params: dict[str, Any]) -> None:
        self.rows: list[tuple[Any, ...]] | None = None
        self._result: list[tuple[Any, ...]] = []
        self._error: BaseException | None = None
        self._conn = conn
        self._thread = threading.Thread(target=self._run, args=(conn, sql, params), daemon=True)
        self._thread.start()

    def _run(self, conn: Conn, sql: bytes | None, params: dict[str, Any]) -> None:
        if sql is None:  # no priced or unpriced model in the window: nothing to read
            return
        try:
            self._result = conn.execute(sql, params).fetchall()
        except BaseException as exc:  # re-raised by join, in the caller's thread
            self._error = exc

    def abandon(self) -> None:
        """Cancel the statement and wait for the thread: the connection may then be closed."""
        if self._thread.is_alive():
            self._conn.cancel()
        self._thread.join()

    def join(self) -> list[tuple[Any, ...]]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result
