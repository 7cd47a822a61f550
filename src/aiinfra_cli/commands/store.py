"""``aiinfra store migrate|push|status``: the team store's schema, backfill and state.

The DSN comes from the variable ``store.dsn_env`` names (default AIINFRA_STORE_DSN), with or
without a ``store:`` section in the config: CI can point a plain checkout at the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli import output
from aiinfra_cli.config import Config, display_path, load_config
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK
from aiinfra_cli.paths import project_root
from aiinfra_cli.store import Target, config_target

if TYPE_CHECKING:
    import psycopg

MAX_REJECTS_SHOWN = 20


def _say(text: str) -> None:
    output.out_console().print(text, markup=False, highlight=False)


def _spool(config: Config | None) -> Path:
    return config.usage_log.path if config is not None else project_root() / "logs" / "ai-usage"


@contextmanager
def _connected(
    config_path: Path | None, environ: Mapping[str, str] | None, *, schema: bool
) -> Iterator[tuple[Config | None, Target, psycopg.Connection[tuple[object, ...]]]]:
    """The config, the store it names and an open connection to it (``schema``: refuse a
    store without aiinfra's schema, or with a newer one)."""
    from aiinfra_cli.store import connect, require_schema

    config = load_config(config_path)
    store = config_target(config, environ)
    with connect(store) as conn:
        if schema:
            require_schema(conn)
        yield config, store, conn


def migrate(*, config_path: Path | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Create or upgrade the store's schema."""
    from aiinfra_cli.store import migrate as apply

    with _connected(config_path, environ, schema=False) as (_, store, conn):
        done = apply(conn)
    if done.applied:
        applied = ", ".join(str(v) for v in done.applied)
        _say(
            f"store {store.shown}: schema version {done.before} -> {done.after} (applied {applied})"
        )
    else:
        _say(f"store {store.shown}: schema version {done.after}, up to date")
    return EXIT_OK


def push(
    logs: Sequence[str] | None = None,
    *,
    as_json: bool = False,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Backfill JSONL usage logs (default: the config's usage_log.path) into the store."""
    from aiinfra_cli.store import push as send

    with _connected(config_path, environ, schema=True) as (config, store, conn):
        done = send(conn, list(logs) if logs else [str(_spool(config))])
    for reject in done.rejects[:MAX_REJECTS_SHOWN]:
        output.warn(f"{reject} (line not pushed)")
    hidden = len(done.rejects) - MAX_REJECTS_SHOWN
    if hidden > 0:
        output.warn(f"… and {hidden} more lines not pushed")
    document = {
        "store": store.shown,
        "files": done.files,
        "lines": done.lines,
        "sent": done.sent,
        "inserted": done.inserted,
        "already_present": done.sent - done.inserted,
        "rejected": len(done.rejects),
    }
    if as_json:
        output.print_json(document)
    else:
        _say(
            f"store {store.shown}: {done.inserted} events inserted,"
            f" {done.sent - done.inserted} already present, from {done.files} files"
            + (f"; {len(done.rejects)} lines rejected" if done.rejects else "")
        )
    return EXIT_FAILURE if done.rejects else EXIT_OK


def status(
    *,
    as_json: bool = False,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Print the schema version, the rows, the newest event and the local spool's lag."""
    from aiinfra_cli.store import spool_lag, store_status

    with _connected(config_path, environ, schema=False) as (config, store, conn):
        found = store_status(conn)
    lag = spool_lag(_spool(config))
    document: dict[str, Any] = {
        "store": store.shown,
        "schema_version": found.schema_version,
        "known_schema_version": found.known_version,
        "events": found.events,
        "partitions": found.partitions,
        "newest_event": found.newest_event.isoformat() if found.newest_event else None,
        "spools": [
            {
                "path": display_path(lag.path),
                "files": lag.files,
                "events_behind": lag.events_behind,
                "bytes_behind": lag.bytes_behind,
                "position_found": lag.position_found,
            }
        ],
    }
    if as_json:
        output.print_json(document)
    else:
        _print_status(document)
    return EXIT_OK


def _print_status(document: Mapping[str, Any]) -> None:
    version = document["schema_version"]
    known = document["known_schema_version"]
    note = "" if version == known else f" (this aiinfra knows {known})"
    _say(f"store            {document['store']}")
    _say(f"schema version   {version}{note}")
    _say(f"events           {document['events']}")
    _say(f"newest event     {document['newest_event'] or '-'}")
    for spool in document["spools"]:
        where = spool["path"]
        shipped = "" if spool["position_found"] else " (no shipper position yet)"
        _say(
            f"spool {where}: {spool['events_behind']} events behind"
            f" ({spool['bytes_behind']} bytes){shipped}"
        )
