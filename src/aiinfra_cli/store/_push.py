"""``store push``: backfill JSONL usage logs into the store through ``aiinfra.ingest_events``.

Lines are validated exactly as ``cost-report`` validates them, then sent as they are written
(the raw bytes, so every cost keeps its exact decimal text) in batches, one transaction each.
A line without ``event_id`` gets ``sha256:`` + the hex SHA-256 of its bytes (without the
``\n`` / ``\r\n`` that ends it), the id the runtime's shipper gives it too: pushing a file
again, or pushing what the shipper already shipped, inserts nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli.usage import (
    InvalidEvent,
    Reject,
    UnreadableLine,
    expand_log_paths,
    open_log,
    parse_event,
    parse_line,
)

if TYPE_CHECKING:
    import psycopg

BATCH_EVENTS = 2000
INGEST_SQL = "SELECT aiinfra.ingest_events(%s::jsonb)"


@dataclass
class Pushed:
    """What a push read, sent and inserted (``sent - inserted`` were already in the store)."""

    files: int = 0
    lines: int = 0
    sent: int = 0
    inserted: int = 0
    rejects: list[Reject] = field(default_factory=list)


def event_id_for(raw: bytes) -> str:
    """The deterministic id of a line that has none: ``sha256:<hex of the line's bytes>``."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _with_id(raw: bytes, obj: dict[str, object]) -> bytes:
    if isinstance(obj.get("event_id"), str):
        return raw
    head = b'{"event_id":"' + event_id_for(raw).encode() + b'"'
    body = raw.strip()[1:].lstrip()
    return head + (b"," + body if not body.startswith(b"}") else body)


def _checked(shown: str, number: int, raw: bytes, rejects: list[Reject]) -> bytes | None:
    """The line to send (with an event_id), or None after recording why it is refused."""
    try:
        obj = parse_line(raw)
        if b"\\u0000" in raw:
            raise UnreadableLine("holds a \\u0000 character, which no PostgreSQL text can store")
        parse_event(obj)
    except (UnreadableLine, InvalidEvent) as exc:
        rejects.append(Reject(shown, number, str(exc)))
        return None
    return _with_id(raw, obj)


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes without the line end) of each non-blank line."""
    with open_log(path) as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip(b"\n").rstrip(b"\r")
            if line.strip():
                yield number, line


def _lines(paths: Sequence[Path], result: Pushed) -> Iterator[bytes]:
    for path in paths:
        result.files += 1
        number = 0
        try:
            for number, raw in _raw_lines(path):
                result.lines += 1
                line = _checked(str(path), number, raw, result.rejects)
                if line is not None:
                    yield line
        except (OSError, EOFError) as exc:
            reason = f"cannot read: {exc}; the rest of the file was not pushed"
            result.rejects.append(Reject(str(path), number + 1, reason))


def _send(conn: psycopg.Connection[tuple[object, ...]], batch: list[bytes]) -> int:
    payload = (b"[" + b",".join(batch) + b"]").decode("utf-8")
    with conn.transaction():
        row = conn.execute(INGEST_SQL, (payload,)).fetchone()
    return int(str(row[0])) if row else 0


def _batches(lines: Iterator[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def push(
    conn: psycopg.Connection[tuple[object, ...]],
    specs: Sequence[str | Path],
    *,
    batch_events: int = BATCH_EVENTS,
) -> Pushed:
    """Send every valid event under ``specs`` (files, directories, globs) to the store.

    While the store ingests one batch, the next is read and validated (one sender thread; the
    connection is only ever used by one thread at a time)."""
    paths, missing = expand_log_paths(specs)
    result = Pushed(rejects=list(missing))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aiinfra-push") as sender:
        pending: Future[int] | None = None
        for batch in _batches(_lines(paths, result), batch_events):
            if pending is not None:
                result.inserted += pending.result()
            pending = sender.submit(_send, conn, batch)
            result.sent += len(batch)
        if pending is not None:
            result.inserted += pending.result()
    return result
