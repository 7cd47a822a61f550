"""The ingest cache: every log file read once, re-read only when it changes.

A file is known by its identity ``(path, size, mtime_ns, inode)`` and the format it was read
as; when all four match the cache, its rows are reused without opening the file. A changed
file (appended, rewritten, rotated) is read again in full, under a new file id.

How a file is read:

* The tracker's own JSONL and Claude Code session logs go through DuckDB's ``read_ndjson``
  with explicit columns and ``ignore_errors`` (a malformed line becomes a NULL row, so nothing
  is skipped unseen). SQL flags every row it cannot vouch for; a file with any such row, or
  with a field this version does not know in its first lines, is read again line by line in
  Python, which names each reject with its line number and exact reason (the same reasons as
  :func:`aiinfra_cli.usage.read_events`). Clean files, the common case, never touch Python.
* OTLP JSON is read in Python (one document, or JSON Lines of documents).

Rows are stored normalised (:data:`aiinfra_cli.usage._rows.COLUMNS`) with their dedupe key, in
Parquet segments (:mod:`._segments`); the DuckDB file keeps the files, rejects, the dedupe keys
that repeat (so queries only pay for de-duplication where a duplicate can exist) and memoised
query results. After :func:`ingest`, the TEMP view ``events`` shows the rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli._gitignore import keep_out_of_git
from aiinfra_cli.usage import _segments as segments
from aiinfra_cli.usage._detect import expand_paths
from aiinfra_cli.usage._files import FileStat, file_format, unreadable
from aiinfra_cli.usage._formats import READERS, BulkRead, LineRead
from aiinfra_cli.usage._reader import (
    Reject,
)
from aiinfra_cli.usage._rows import COLUMN_NAMES, COLUMNS, Row
from aiinfra_cli.usage._segments import ROW_COLUMNS, SegmentWriteFailed

if TYPE_CHECKING:
    import duckdb

CACHE_VERSION = "7"
CACHE_FILE = "usage-ingest.duckdb"
_SAMPLE_LINES = 200
# Claude Code lines can carry whole files or images; DuckDB's default limit is 16 MiB. The JSON
# reader allocates a buffer of the limit's size for every file it opens, so a batch asks only for
# what its largest file could hold (see _object_limit): 1 GiB buffers for hundreds of small
# session logs cost more than parsing them.
_MIN_LINE_BYTES = 1 << 24
_MAX_LINE_BYTES = 1 << 30
# DuckDB's memory limit while a batch streams into the cache (see _ingest_memory).
_INGEST_MEMORY = 512 << 20

_TABLES = (
    "meta",
    "files",
    "segments",
    "twins",
    "rejects",
    "malformed",
    "unknown_fields",
    "memo",
)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta(key VARCHAR, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS files(file_id INTEGER, path VARCHAR, size BIGINT,"
    " mtime_ns BIGINT, inode BIGINT, mode VARCHAR, format VARCHAR, method VARCHAR, events BIGINT,"
    " first_ts BIGINT, last_ts BIGINT, segment INTEGER)",
    *segments.TABLES,
    "CREATE TABLE IF NOT EXISTS rejects(file_id INTEGER, line BIGINT, reason VARCHAR)",
    # Lines that count but carry a malformed field no report reads.
    "CREATE TABLE IF NOT EXISTS malformed(file_id INTEGER, line BIGINT, reason VARCHAR)",
    "CREATE TABLE IF NOT EXISTS unknown_fields(file_id INTEGER, name VARCHAR, count BIGINT,"
    " first_line BIGINT)",
    # Query results of reports, keyed by a digest of the files and every query input; emptied
    # whenever a file is added, changed or forgotten (see aiinfra_cli.report._query).
    "CREATE TABLE IF NOT EXISTS memo(key VARCHAR, value VARCHAR)",
)


@dataclass
class Ingested:
    """The outcome of :func:`ingest`: what the cache holds for this run's files."""

    con: duckdb.DuckDBPyConnection
    files: list[FileStat] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    # Lines that count although a field no report reads is malformed (see usage._schema).
    malformed: list[Reject] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    # Where each unknown field was first seen: name -> (file as shown, line).
    unknown_first: dict[str, tuple[str, int]] = field(default_factory=dict)
    cache_path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def file_ids(self) -> list[int]:
        return [f.file_id for f in self.files]

    @property
    def read(self) -> list[FileStat]:
        """Files opened in this run (new or changed)."""
        return [f for f in self.files if f.method != "cached"]

    @property
    def reused(self) -> list[FileStat]:
        """Files whose rows came from the cache without opening them."""
        return [f for f in self.files if f.method == "cached"]


def _connect(path: Path | None) -> tuple[duckdb.DuckDBPyConnection, list[str], Path | None]:
    import duckdb

    warnings: list[str] = []
    if path is not None:
        try:
            # The cache holds copies of every usage log's rows: hundreds of MB that `git add -A`
            # must not pick up.
            keep_out_of_git(path.parent, "the usage-log ingest cache")
            con = duckdb.connect(str(path))
            return con, warnings, path
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                warnings.append(f"ingest cache {path} is in use by another run; reading without it")
            else:
                warnings.append(
                    f"ingest cache {path} is unreadable ({text.splitlines()[0]}); rebuilding it"
                )
                try:
                    path.unlink()
                    Path(f"{path}.wal").unlink(missing_ok=True)
                    return duckdb.connect(str(path)), warnings, path
                except (OSError, duckdb.Error):
                    pass
        except (OSError, duckdb.Error) as exc:
            warnings.append(
                f"ingest cache {path} cannot be opened ({str(exc).splitlines()[0]});"
                " reading without it"
            )
    return duckdb.connect(":memory:"), warnings, None


def open_cache(path: Path | None) -> tuple[duckdb.DuckDBPyConnection, list[str], Path | None]:
    """Open (or create) the cache at ``path`` (None: in memory). Returns the connection, warnings
    to show, and the path actually used (None when the cache could not be used)."""
    import duckdb

    con, warnings, used = _connect(path)
    _configure(con)
    try:
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        version = None
        if "meta" in tables:
            found = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            version = found[0] if found else None
        if tables and version != CACHE_VERSION:
            for table in tables & {*_TABLES, "events"}:
                con.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA:
            con.execute(statement)
        if version != CACHE_VERSION:
            con.execute("DELETE FROM meta")
            con.execute("INSERT INTO meta VALUES ('version', ?)", [CACHE_VERSION])
        segments.attach(con, segments.segment_dir(used))
        if used is not None:
            segments.collect_garbage(con)
    except (duckdb.Error, OSError) as exc:
        con.close()
        warnings.append(f"ingest cache is damaged ({str(exc).splitlines()[0]}); reading without it")
        con = duckdb.connect(":memory:")
        _configure(con)
        for statement in _SCHEMA:
            con.execute(statement)
        segments.attach(con, segments.segment_dir(None))
        used = None
    return con, warnings, used


def _configure(con: duckdb.DuckDBPyConnection) -> None:
    # UTC so timestamps without a zone never take the machine's; no progress bar on stdout
    # (it would corrupt --json); insertion order is not needed and costs memory.
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")


_FILES_TYPES = (
    "INTEGER",
    "VARCHAR",
    "BIGINT",
    "BIGINT",
    "BIGINT",
    "VARCHAR",
    "VARCHAR",
    "VARCHAR",
    "BIGINT",
    "BIGINT",
    "BIGINT",
    "INTEGER",
)


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    types: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> None:
    """Insert ``rows`` in one statement: one list parameter per column, unnested side by side.
    (A VALUES list of one placeholder per value costs ~17x more: DuckDB binds each one; 5,000
    files took 1.3 s of CPU that way.)"""
    columns = [list(column) for column in zip(*rows, strict=True)]
    unnested = ", ".join(f"unnest(?::{kind}[])" for kind in types)
    con.execute(f"INSERT INTO {table} SELECT {unnested}", columns)


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _columns_literal(columns: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


def _object_limit(paths: Sequence[Path]) -> int:
    """The ``maximum_object_size`` a batch needs: no line of a plain file is longer than the file
    (rounded up to a power of two, which leaves room for a file that grows while it is read);
    compressed files, or files that cannot be measured, get the full limit."""
    need = _MIN_LINE_BYTES
    for path in paths:
        if path.name.endswith(".gz"):
            return _MAX_LINE_BYTES
        try:
            need = max(need, path.stat().st_size + 1)
        except OSError:
            return _MAX_LINE_BYTES
    return min(1 << (need - 1).bit_length(), _MAX_LINE_BYTES)


def _ingest_memory(object_limit: int) -> int | None:
    """A memory limit for the streaming insert, or None to keep DuckDB's (80 % of RAM).

    The insert only streams parsed rows to the cache file, but under the default limit DuckDB
    holds on to far more memory than that needs; a limit there cuts a cold run's peak memory by
    a third or more, at no measurable cost in time. It leaves room for the reader's buffers (a
    few times the line limit per thread). The reports' queries run under the default limit
    again (quantiles and windows need their inputs in memory)."""
    cap = max(_INGEST_MEMORY, 8 * object_limit)
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return cap if cap < ram // 2 else None


# What the ingest learnt of one file it read: (events, first ts, last ts, segment id).
_Read = tuple[int, "int | None", "int | None", "int | None"]


class _Writer:
    """Writes rows to segments: DuckDB fast path per format, Python rows via a temp file."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def python_rows(self, files: Sequence[tuple[int, Sequence[Row]]]) -> int | None:
        """Write each ``(file id, rows in line order)`` as one segment; its id (None when there
        are no rows). Each row keeps its place in its file (``line``)."""
        if not any(rows for _file_id, rows in files):
            return None
        fd, name = tempfile.mkstemp(prefix="aiinfra-rows-", suffix=".jsonl")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for file_id, rows in files:
                    for line, row in enumerate(rows):
                        data = {"file_id": file_id, "line": line, **row.as_json()}
                        handle.write(json.dumps(data, separators=(",", ":")) + "\n")
            columns = _columns_literal({"file_id": "INTEGER", "line": "INTEGER", **dict(COLUMNS)})
            exprs = {n: f'"{n}"' for n, _ in ROW_COLUMNS} | {"suspect": "FALSE"}

            def select(seg: int) -> str:
                return (
                    f"SELECT {segments.typed_select(exprs | {'seg': str(seg)})} FROM read_ndjson("
                    f"'{name}', columns={columns}, format='newline_delimited')"
                )

            seg_id, _name, _rows = segments.write(self.con, select)
            return seg_id
        finally:
            Path(name).unlink(missing_ok=True)

    def fast(self, files: dict[Path, int], bulk: BulkRead) -> dict[int, tuple[int, _Read]]:
        """Write through read_ndjson as one segment; {file_id: (suspect rows, what was read)}."""
        import duckdb

        if not files:
            return {}
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_files(filename VARCHAR,"
            " file_id INTEGER, project VARCHAR, session VARCHAR)"
        )
        _insert(
            self.con,
            "batch_files",
            ("VARCHAR", "INTEGER", "VARCHAR", "VARCHAR"),
            [[str(path), file_id, *bulk.extra(path)] for path, file_id in files.items()],
        )
        exprs = {name: bulk.select[name] for name in COLUMN_NAMES}
        exprs |= {"file_id": "b.file_id", "suspect": bulk.suspect, "line": "NULL"}
        limit = _object_limit(list(files))

        def sql(seg: int) -> str:
            return (
                f"SELECT {segments.typed_select(exprs | {'seg': str(seg)})} FROM "
                + bulk.source(
                    f"read_ndjson({segments.path_list(files)},"
                    f" columns={_columns_literal(bulk.columns)}, ignore_errors=true,"
                    f" filename=true, format='newline_delimited', maximum_object_size={limit})"
                )
                + " r JOIN batch_files b ON b.filename = r.filename"
                + f" WHERE {bulk.keep} OR {bulk.suspect}"
            )

        cap = _ingest_memory(limit)
        try:
            if cap is not None:
                self.con.execute(f"SET memory_limit = '{cap}B'")
            seg_id, name, _rows = segments.write(self.con, sql)
        except SegmentWriteFailed as exc:
            # Something the reader cannot skip row by row (e.g. a truncated gzip stream). DuckDB
            # has aborted the ingest transaction by now, so nothing more can run in it: the caller
            # rolls back and ingests again with these files on the line-by-line reader.
            raise _FastPathFailed(list(files)) from exc
        finally:
            if cap is not None:
                # In an aborted transaction this fails too; the error that aborted it counts.
                with contextlib.suppress(duckdb.Error):
                    self.con.execute("RESET memory_limit")
        stats = self.con.execute(
            "SELECT file_id, count(*), count(*) FILTER (WHERE suspect), min(ts), max(ts)"
            f" FROM {segments.scan(self.con, [name])} GROUP BY file_id"
        ).fetchall()
        return {
            int(fid): (int(bad), (int(n), first, last, seg_id))
            for fid, n, bad, first, last in stats
        }


class _FastPathFailed(Exception):
    """DuckDB's bulk reader failed on a batch and aborted the transaction."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(f"bulk read failed for {len(paths)} file(s)")
        self.paths = paths


def ingest(
    con: duckdb.DuckDBPyConnection,
    specs: Sequence[str | Path],
    log_format: str = "auto",
    *,
    display: Callable[[Path], str] = str,
    cache_path: Path | None = None,
) -> Ingested:
    """Bring the cache up to date for the files under ``specs`` and say what it holds for them.

    All changes happen in one transaction: a run that is interrupted leaves the cache as it was.
    """
    damaged = segments.drop_damaged(con)
    python_only: set[Path] = set()
    while True:
        con.execute("BEGIN TRANSACTION")
        try:
            result = _ingest(
                con,
                specs,
                log_format,
                display=display,
                cache_path=cache_path,
                python_only=frozenset(python_only),
            )
        except _FastPathFailed as failed:
            con.execute("ROLLBACK")
            # The batch's memory limit could not be reset inside the aborted transaction.
            con.execute("RESET memory_limit")
            # Terminates: the failed batch held only files not yet in python_only.
            python_only.update(failed.paths)
            continue
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        break
    segments.collect_garbage(con)
    segments.expose(con)
    _collect(con, result, display)
    if damaged:
        result.warnings.append(
            f"ingest cache: {damaged} damaged or missing segment(s) dropped; their logs were"
            " read again"
        )
    return result


@dataclass
class _Plan:
    """Which files this run reads, reuses and forgets, and the ids the new ones get."""

    result: Ingested
    position: dict[Path, int]
    next_id: int
    todo: dict[Path, tuple[int, str]] = field(default_factory=dict)  # path -> (file id, format)
    identities: dict[Path, tuple[int, int, int]] = field(default_factory=dict)
    forget: list[int] = field(default_factory=list)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


def _ingest(
    con: duckdb.DuckDBPyConnection,
    specs: Sequence[str | Path],
    log_format: str,
    *,
    display: Callable[[Path], str],
    cache_path: Path | None,
    python_only: frozenset[Path] = frozenset(),
) -> Ingested:
    plan = _plan(con, specs, log_format, display=display, cache_path=cache_path)
    _forget(con, plan.forget)
    if plan.todo or plan.forget:
        con.execute("DELETE FROM memo")
    done = _read(con, plan, display, python_only)
    con.execute("DELETE FROM meta WHERE key = 'next_file_id'")
    con.execute("INSERT INTO meta VALUES ('next_file_id', ?)", [str(plan.next_id)])
    _record(con, plan, done, log_format)
    if plan.todo or plan.forget:
        segments.compact(con)
        segments.rebuild_twins(con)
        _settle_ties(con, plan, display)
    # The order the logs were given in, whatever ids the files got (a file read again, or read
    # line by line, gets a later id): de-duplication keeps the first copy in this order.
    plan.result.files.sort(key=lambda f: plan.position[f.path])
    return plan.result


def _plan(
    con: duckdb.DuckDBPyConnection,
    specs: Sequence[str | Path],
    log_format: str,
    *,
    display: Callable[[Path], str],
    cache_path: Path | None,
) -> _Plan:
    """Resolve: the files under ``specs``, each reused from the cache (unchanged), or to read
    (new or changed, with its format); the ids of files to forget (changed, lost or gone)."""
    paths, missing = expand_paths(specs)
    lost = segments.lost_files(con)
    _forget(con, lost)  # their rows are gone: read them again
    known = {
        row[1]: row
        for row in con.execute(
            "SELECT file_id, path, size, mtime_ns, inode, mode, format, method, events FROM files"
        ).fetchall()
    }
    # File ids are never reused (memoised query results name files by id).
    found = con.execute("SELECT value FROM meta WHERE key = 'next_file_id'").fetchone()
    plan = _Plan(
        Ingested(con=con, rejects=list(missing), cache_path=cache_path),
        {path: n for n, path in enumerate(paths)},
        int(found[0]) if found else 1,
        forget=list(lost),
    )
    for path in paths:
        try:
            identity = _identity(path)
        except OSError as exc:
            plan.result.rejects.append(unreadable(path, exc, display))
            continue
        cached = known.get(str(path))
        if cached is not None and tuple(cached[2:6]) == (*identity, log_format):
            plan.result.files.append(
                FileStat(int(cached[0]), path, str(cached[6]), "cached", int(cached[8]))
            )
            continue
        if cached is not None:
            plan.forget.append(int(cached[0]))
        fmt = file_format(path, log_format, display)
        if isinstance(fmt, Reject):
            plan.result.rejects.append(fmt)
            continue
        plan.todo[path] = (plan.new_id(), fmt)
        plan.identities[path] = identity
    listed = {str(p) for p in paths}
    plan.forget += [
        int(row[0]) for key, row in known.items() if key not in listed and not Path(key).exists()
    ]
    return plan


def _read(
    con: duckdb.DuckDBPyConnection,
    plan: _Plan,
    display: Callable[[Path], str],
    python_only: frozenset[Path],
) -> dict[Path, tuple[int, str, _Read]]:
    """Build: every file to read, through its format's bulk reader where it can vouch for every
    line, else line by line. {path: (file id, method, what was read)}."""
    writer = _Writer(con)
    done: dict[Path, tuple[int, str, _Read]] = {}
    slow: list[Path] = []
    for name, log_format in READERS.items():
        files = {p: i for p, (i, fmt) in plan.todo.items() if fmt == name}
        bulk = log_format.bulk
        chosen = (
            {p: i for p, i in files.items() if p not in python_only and bulk.eligible(p)}
            if bulk is not None
            else {}
        )
        slow += [p for p in files if p not in chosen]
        outcome = writer.fast(chosen, bulk) if bulk is not None and chosen else {}
        for path, file_id in chosen.items():
            bad, read = outcome.get(file_id, (0, (0, None, None, None)))
            if bad:
                slow.append(path)  # read again under a new id: the rows just written stay unused
            else:
                done[path] = (file_id, "duckdb", read)
    done |= _read_lines(con, plan, slow, display)
    return done


def _read_lines(
    con: duckdb.DuckDBPyConnection, plan: _Plan, paths: list[Path], display: Callable[[Path], str]
) -> dict[Path, tuple[int, str, _Read]]:
    """Read ``paths`` line by line, each under a new file id, into one segment."""
    done: dict[Path, tuple[int, str, _Read]] = {}
    read: list[tuple[int, Sequence[Row]]] = []
    for path in sorted(paths, key=plan.position.__getitem__):
        file_id = plan.new_id()
        lines = READERS[plan.todo[path][1]].read_lines(path, display(path))
        read.append((file_id, lines.rows))
        _store_findings(con, file_id, lines)
        stamps = [row.ts for row in lines.rows]
        bounds = (min(stamps), max(stamps)) if stamps else (None, None)
        done[path] = (file_id, "python", (len(lines.rows), *bounds, None))
    seg = _Writer(con).python_rows(read)
    return {path: (i, how, (n, lo, hi, seg)) for path, (i, how, (n, lo, hi, _)) in done.items()}


def _settle_ties(
    con: duckdb.DuckDBPyConnection, plan: _Plan, display: Callable[[Path], str]
) -> None:
    """Read again line by line the files this run read in bulk where copies of one dedupe key
    at the same instant differ: the first by line counts, and only that reader numbers lines.
    Their rows are the same, so the twins stand; the bulk rows stay unused."""
    by_id = {f.file_id: f for f in plan.result.files if f.method == "duckdb"}
    tied = segments.tied_files(con, sorted(by_id))
    if not tied:
        return
    done = _read_lines(con, plan, [by_id[i].path for i in tied], display)
    for old in tied:
        path = by_id[old].path
        file_id, method, (events, _first, _last, seg) = done[path]
        con.execute(
            "UPDATE files SET file_id = ?, method = ?, segment = ? WHERE file_id = ?",
            [file_id, method, seg, old],
        )
        at = plan.result.files.index(by_id[old])
        plan.result.files[at] = FileStat(file_id, path, by_id[old].format, method, events)


def _store_findings(con: duckdb.DuckDBPyConnection, file_id: int, lines: LineRead) -> None:
    for table, listed in (("rejects", lines.rejects), ("malformed", lines.malformed)):
        if listed:
            con.executemany(
                f"INSERT INTO {table} VALUES (?, ?, ?)",
                [[file_id, r.line, r.reason] for r in listed],
            )
    if lines.unknown:
        con.executemany(
            "INSERT INTO unknown_fields VALUES (?, ?, ?, ?)",
            [
                [file_id, name, count, lines.unknown_first.get(name, 0)]
                for name, count in lines.unknown.items()
            ],
        )


def _record(
    con: duckdb.DuckDBPyConnection,
    plan: _Plan,
    done: dict[Path, tuple[int, str, _Read]],
    log_format: str,
) -> None:
    """Emit: the files read in this run, into the cache's ``files`` table and the result."""
    if not plan.todo:
        return
    new_files: list[list[object]] = []
    for path, (_first_id, fmt) in plan.todo.items():
        file_id, method, (events, first_ts, last_ts, seg) = done[path]
        segment = seg if events else None
        where = [str(path), *plan.identities[path], log_format]
        new_files.append([file_id, *where, fmt, method, events, first_ts, last_ts, segment])
        plan.result.files.append(FileStat(file_id, path, fmt, method, events))
    _insert(con, "files", _FILES_TYPES, new_files)


def _forget(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> None:
    if not file_ids:
        return
    ids = ", ".join(str(i) for i in file_ids)
    for table in ("rejects", "malformed", "unknown_fields", "files"):
        con.execute(f"DELETE FROM {table} WHERE file_id IN ({ids})")


def _collect(
    con: duckdb.DuckDBPyConnection, result: Ingested, display: Callable[[Path], str]
) -> None:
    if not result.files:
        return
    by_id = {f.file_id: f.path for f in result.files}
    ids = ", ".join(str(i) for i in by_id)
    for file_id, line, reason in con.execute(
        f"SELECT file_id, line, reason FROM rejects WHERE file_id IN ({ids}) ORDER BY file_id, line"
    ).fetchall():
        result.rejects.append(Reject(display(by_id[int(file_id)]), int(line), str(reason)))
    for file_id, line, reason in con.execute(
        f"SELECT file_id, line, reason FROM malformed WHERE file_id IN ({ids})"
        " ORDER BY file_id, line"
    ).fetchall():
        result.malformed.append(Reject(display(by_id[int(file_id)]), int(line), str(reason)))
    for file_id, name, count, line in con.execute(
        f"SELECT file_id, name, count, first_line FROM unknown_fields WHERE file_id IN ({ids})"
        " ORDER BY file_id, first_line"
    ).fetchall():
        result.unknown_fields[str(name)] += int(count)
        result.unknown_first.setdefault(str(name), (display(by_id[int(file_id)]), int(line)))
