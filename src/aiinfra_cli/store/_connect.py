"""Connecting to the team store, and the one boundary where psycopg's errors become one line.

The DSN comes only from the environment variable the config names (``store.dsn_env``); it is
never printed: messages name the user, host, port and database, never the password.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiinfra_cli.config import DEFAULT_STORE_DSN_ENV
from aiinfra_cli.errors import StoreError

if TYPE_CHECKING:
    import psycopg

    from aiinfra_cli.config import Config

CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class Target:
    """A store to connect to: the DSN, the variable it came from, and a password-free name."""

    dsn: str
    env: str
    shown: str
    password: str


def _shown(dsn: str, env: str) -> tuple[str, str]:
    """``user@host:port/db`` and the password (to scrub from messages)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # psycopg.ProgrammingError; its text would echo the DSN
        raise StoreError(
            f"{env} is not a valid PostgreSQL DSN",
            hint="e.g. postgresql://aiinfra@db.internal:5432/usage",
        ) from None
    user = str(parts.get("user") or os.environ.get("PGUSER") or "")
    host = str(parts.get("host") or parts.get("hostaddr") or "localhost")
    port = str(parts.get("port") or "5432")
    database = str(parts.get("dbname") or user)
    name = f"{user}@{host}:{port}/{database}" if user else f"{host}:{port}/{database}"
    return name, str(parts.get("password") or "")


def target(
    dsn_env: str = DEFAULT_STORE_DSN_ENV, environ: Mapping[str, str] | None = None
) -> Target:
    """The store named by ``dsn_env``; StoreError when the variable is unset or malformed."""
    env = os.environ if environ is None else environ
    dsn = env.get(dsn_env, "").strip()
    if not dsn:
        raise StoreError(
            f"{dsn_env} is not set",
            hint=f"export {dsn_env}=postgresql://USER@HOST:5432/DB (the DSN comes from the"
            " environment only; a password can also come from PGPASSWORD or ~/.pgpass)",
        )
    shown, password = _shown(dsn, dsn_env)
    return Target(dsn=dsn, env=dsn_env, shown=shown, password=password)


def config_target(config: Config | None, environ: Mapping[str, str] | None = None) -> Target:
    """The store the config names (``store.dsn_env``), or AIINFRA_STORE_DSN without one."""
    env = config.store.dsn_env if config is not None and config.store else DEFAULT_STORE_DSN_ENV
    return target(env, environ)


def _first_line(exc: BaseException, secret: str) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    text = text.removeprefix("connection failed: ")
    return text.replace(secret, "***") if secret else text


def _connect_message(exc: BaseException, store: Target) -> StoreError:
    text = _first_line(exc, store.password)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return StoreError(
            f"the team store at {store.shown} refused the login: {text}",
            hint=f"check the user and password in {store.env}",
        )
    if "does not exist" in lowered:
        return StoreError(f"the team store at {store.shown}: {text}", hint=f"check {store.env}")
    return StoreError(
        f"cannot reach the team store at {store.shown}: {text}",
        hint=f"is PostgreSQL running there, and is {store.env} right?",
    )


@contextlib.contextmanager
def translated(store: Target, *, connecting: bool = False) -> Iterator[None]:
    """Turn psycopg's errors into one StoreError line (password scrubbed)."""
    import psycopg

    try:
        yield
    except psycopg.OperationalError as exc:
        if connecting:
            raise _connect_message(exc, store) from None
        raise StoreError(
            f"the team store at {store.shown} failed: {_first_line(exc, store.password)}"
        ) from None
    except psycopg.Error as exc:
        state = f" [{exc.sqlstate}]" if exc.sqlstate else ""
        raise StoreError(
            f"the team store at {store.shown} refused a query{state}:"
            f" {_first_line(exc, store.password)}"
        ) from None


@contextlib.contextmanager
def connect(store: Target) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An open autocommit connection (closed at the end): writes go in explicit
    ``conn.transaction()`` blocks. Every psycopg error inside becomes StoreError."""
    import psycopg

    with translated(store, connecting=True):
        conn = psycopg.connect(
            store.dsn,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="aiinfra-cli",
        )
    try:
        with translated(store):
            yield conn
    finally:
        conn.close()
