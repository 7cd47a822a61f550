"""Where the ingest cache keeps its rows: immutable Parquet segments beside the DuckDB file.

The DuckDB file holds what is small (files, rejects, the dedupe keys that repeat, memoised query
results); the rows go to Parquet, written by the same statement that reads the logs. Writing a
million rows to Parquet costs little more than holding them in memory, where DuckDB's own
on-disk tables cost about six times that extra (``bench/cost_report_floor.py``).

A file's rows live in one segment under the file's id. A file that changes is read again under
a new id, so its old rows are simply no longer selected (every query filters on the live ids);
a segment left with no live file is deleted after the commit, and one that is mostly dead is
rewritten. Segment files are written before the transaction that names them commits, so an
interrupted run leaves only files nobody names, which the next run that opens the cache deletes.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli.usage._rows import COLUMNS

if TYPE_CHECKING:
    import duckdb

# Every segment has these columns, in this order and with these types. ``line``: the row's place
# among its file's rows (line order), where a line-by-line reader wrote it; DuckDB's bulk reader
# leaves it NULL (it cannot number lines) and the ingest sees to it that nothing depends on it
# there (see ``_ingest._settle_ties``). A segment's own row order means nothing: DuckDB writes
# rows in the order its threads finish.
ROW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_id", "INTEGER"),
    ("seg", "INTEGER"),
    *COLUMNS,
    ("suspect", "BOOLEAN"),
    ("line", "INTEGER"),
)
TABLES = (
    "CREATE TABLE IF NOT EXISTS segments(seg_id INTEGER, name VARCHAR, rows BIGINT)",
    "CREATE TABLE IF NOT EXISTS twins(dedupe_key VARCHAR)",
)
_SUFFIX = ".parquet"
_GLOB_CHARS = re.compile(r"[*?\[\]{}]")
# More live segments than this and all but the _KEEP largest are merged into one.
MAX_SEGMENTS = 32
_KEEP = 8
# The Parquet writer buffers a row group per thread before it writes it: DuckDB's default (122,880
# rows) held ~60 MiB more at peak on 1M Claude Code lines than 8 MiB groups, at no cost in time.
# Uncompressed: snappy measured no faster on the same run (the cache is local disk).
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE_BYTES '8MB'"
# Temporary directories of caches kept in memory: removed when the process ends, or by a later
# run when the process was killed (the name carries its pid).
_SCRATCH: list[tempfile.TemporaryDirectory[str]] = []
_SCRATCH_PREFIX = "aiinfra-usage-"


def segment_dir(cache_path: Path | None) -> Path:
    """The directory for a cache's segments (a temporary one for a cache in memory)."""
    if cache_path is not None:
        return cache_path.with_name(cache_path.name.removesuffix(".duckdb") + ".segments")
    _sweep_scratch()
    scratch = tempfile.TemporaryDirectory(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-")
    _SCRATCH.append(scratch)
    return Path(scratch.name)


def _sweep_scratch() -> None:
    """Delete scratch directories whose process is gone (killed before it could clean up)."""
    for path in Path(tempfile.gettempdir()).glob(f"{_SCRATCH_PREFIX}*-*"):
        pid = path.name.removeprefix(_SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def attach(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    """Remember on this connection where its segments are (a TEMP table: never persisted)."""
    con.execute("CREATE OR REPLACE TEMP TABLE segment_home(dir VARCHAR)")
    con.execute("INSERT INTO segment_home VALUES (?)", [str(directory)])


def home(con: duckdb.DuckDBPyConnection) -> Path:
    found = con.execute("SELECT dir FROM segment_home").fetchone()
    assert found is not None, "open the cache with open_cache()"
    return Path(found[0])


def typed_select(exprs: Mapping[str, str]) -> str:
    """A SELECT list producing :data:`ROW_COLUMNS` from one SQL expression per column."""
    return ", ".join(f'CAST({exprs[name]} AS {kind}) AS "{name}"' for name, kind in ROW_COLUMNS)


def _next_id(con: duckdb.DuckDBPyConnection) -> int:
    found = con.execute("SELECT value FROM meta WHERE key = 'next_seg_id'").fetchone()
    seg_id = int(found[0]) if found else 1
    con.execute("DELETE FROM meta WHERE key = 'next_seg_id'")
    con.execute("INSERT INTO meta VALUES ('next_seg_id', ?)", [str(seg_id + 1)])
    return seg_id


class SegmentWriteFailed(Exception):
    """DuckDB could not write a segment (its transaction is aborted)."""


def write(con: duckdb.DuckDBPyConnection, select: Callable[[int], str]) -> tuple[int, str, int]:
    """Write the rows of ``select(segment id)`` (a query with :data:`ROW_COLUMNS`) as a new
    segment: returns (segment id, file name, rows)."""
    import duckdb

    seg_id = _next_id(con)
    name = f"{seg_id}-{secrets.token_hex(4)}{_SUFFIX}"
    directory = home(con)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    sql = select(seg_id)
    try:
        found = con.execute(f"COPY ({sql}) TO '{_quoted(target)}' ({PARQUET_OPTIONS})").fetchone()
    except duckdb.InterruptException:
        target.unlink(missing_ok=True)
        raise  # Ctrl-C: not a reason to read the logs again line by line
    except duckdb.Error as exc:
        target.unlink(missing_ok=True)
        raise SegmentWriteFailed(str(exc)) from exc
    rows = int(found[0]) if found else 0
    # On disk before the transaction that names it commits (DuckDB syncs its own WAL, not files
    # it copies to): a power cut must not leave the cache naming a segment that never landed.
    # A run without a cache keeps nothing past its end: nothing to make durable.
    if not _is_scratch(directory):
        _sync(target)
    con.execute("INSERT INTO segments VALUES (?, ?, ?)", [seg_id, name, rows])
    return seg_id, name, rows


def _is_scratch(directory: Path) -> bool:
    return any(Path(scratch.name) == directory for scratch in _SCRATCH)


def _sync(path: Path) -> None:
    for target, flags in ((path, os.O_RDONLY), (path.parent, os.O_RDONLY | os.O_DIRECTORY)):
        fd = os.open(target, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _quoted(path: Path | str) -> str:
    return str(path).replace("'", "''")


def literal_path(path: Path | str) -> str:
    """``path`` as DuckDB's readers take it: they read every path as a glob pattern, so
    ``a[b].jsonl`` would read ``ab.jsonl``; each glob character is bracketed to stand for
    itself."""
    return _GLOB_CHARS.sub(r"[\g<0>]", str(path))


def path_list(paths: Iterable[Path]) -> str:
    """A SQL list literal of file paths, for DuckDB's readers."""
    return "[" + ", ".join(f"'{_quoted(literal_path(path))}'" for path in paths) + "]"


def scan(con: duckdb.DuckDBPyConnection, names: list[str]) -> str:
    """A FROM-clause item over the named segments, with ``uid``: a row's identity in them."""
    if not names:
        empty = ", ".join(f'CAST(NULL AS {kind}) AS "{name}"' for name, kind in ROW_COLUMNS)
        return f"(SELECT {empty}, CAST(NULL AS BIGINT) AS uid WHERE FALSE)"
    files = path_list(home(con) / name for name in names)
    return (
        "(SELECT *, (seg::BIGINT << 40) | file_row_number AS uid"
        f" FROM read_parquet({files}, file_row_number=true))"
    )


def live_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Segments holding rows of at least one file the cache knows."""
    return [
        str(row[0])
        for row in con.execute(
            "SELECT name FROM segments WHERE seg_id IN (SELECT segment FROM files) ORDER BY seg_id"
        ).fetchall()
    ]


def drop_damaged(con: duckdb.DuckDBPyConnection) -> int:
    """Forget segments that are gone, unreadable or hold other than the rows recorded (removed
    or damaged outside aiinfra): their files are read again (:func:`lost_files`). Returns how
    many were dropped. Outside a transaction: a failed read would abort it."""
    import duckdb

    directory = home(con)
    recorded = {
        str(directory / str(name)): (int(seg_id), int(rows))
        for seg_id, name, rows in con.execute("SELECT seg_id, name, rows FROM segments").fetchall()
    }
    if not recorded:
        return 0
    query = "SELECT file_name, num_rows FROM parquet_file_metadata(?)"
    try:
        # Every footer in one call (a few ms for hundreds); one bad file fails it, then one by one.
        counts = dict(con.execute(query, [[literal_path(p) for p in recorded]]).fetchall())
    except duckdb.Error:
        counts = {}
        for path in recorded:
            try:
                counts.update(con.execute(query, [literal_path(path)]).fetchall())
            except duckdb.Error:
                continue
    damaged = []
    for path, (seg_id, rows) in recorded.items():
        if counts.get(path) != rows:
            damaged.append(seg_id)
            Path(path).unlink(missing_ok=True)
    if damaged:
        ids = ", ".join(str(i) for i in damaged)
        con.execute(f"DELETE FROM segments WHERE seg_id IN ({ids})")
    return len(damaged)


def lost_files(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Files whose segment the cache no longer has (see :func:`drop_damaged`): read them again."""
    rows = con.execute(
        "SELECT file_id FROM files WHERE segment IS NOT NULL"
        " AND segment NOT IN (SELECT seg_id FROM segments)"
    ).fetchall()
    return [int(row[0]) for row in rows]


def expose(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the TEMP view ``events``: every row of every live segment (reports filter on
    the file ids of their run)."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW events AS SELECT * FROM {scan(con, live_names(con))}")


def compact(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite, as one new segment, the segments where most rows belong to files no longer known
    (or read again), and, past :data:`MAX_SEGMENTS`, all but the largest few: a cache that reads
    a new day file every day would otherwise gain a segment a day."""
    live = con.execute(
        "SELECT s.seg_id, s.name, s.rows, f.live FROM segments s JOIN (SELECT segment,"
        " sum(events) AS live FROM files GROUP BY segment) f ON f.segment = s.seg_id"
        " WHERE f.live > 0 ORDER BY f.live DESC, s.seg_id"
    ).fetchall()
    chosen = {int(seg_id): str(name) for seg_id, name, rows, alive in live if 2 * alive < rows}
    if len(live) > MAX_SEGMENTS:
        chosen |= {int(seg_id): str(name) for seg_id, name, _rows, _alive in live[_KEEP:]}
    if not chosen:
        return
    sources = path_list(home(con) / name for name in chosen.values())

    def select(new: int) -> str:
        columns = {n: f'r."{n}"' for n, _ in ROW_COLUMNS} | {"seg": str(new)}
        # Only rows of the segment their file now names (a file read again left old ones).
        return (
            f"SELECT {typed_select(columns)} FROM read_parquet({sources}) r WHERE EXISTS"
            " (SELECT 1 FROM files f WHERE f.file_id = r.file_id AND f.segment = r.seg)"
        )

    new_id, _name, _rows = write(con, select)
    ids = ", ".join(str(i) for i in chosen)
    con.execute(f"UPDATE files SET segment = ? WHERE segment IN ({ids})", [new_id])


def collect_garbage(con: duckdb.DuckDBPyConnection) -> None:
    """Delete segments no known file points at (after the ingest committed), and files in the
    segment directory no segment row names (left by an interrupted run)."""
    dead = con.execute(
        "SELECT seg_id, name FROM segments WHERE seg_id NOT IN"
        " (SELECT segment FROM files WHERE segment IS NOT NULL)"
    ).fetchall()
    if dead:
        ids = ", ".join(str(int(row[0])) for row in dead)
        con.execute(f"DELETE FROM segments WHERE seg_id IN ({ids})")
    named = {str(row[0]) for row in con.execute("SELECT name FROM segments").fetchall()}
    directory = home(con)
    if not directory.is_dir():
        return
    for path in directory.glob(f"*{_SUFFIX}"):
        if path.name not in named:
            path.unlink(missing_ok=True)


def tied_files(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> list[int]:
    """Of ``file_ids`` (bulk-read files), those holding copies of one dedupe key with the same
    timestamp that differ in some column: which copy counts then depends on line order, which
    the bulk reader does not keep. Only keys in ``twins`` can have such copies."""
    if not file_ids:
        return []
    ids = ", ".join(str(i) for i in file_ids)
    columns = ", ".join(f'r."{name}"' for name, _ in COLUMNS)
    rows = con.execute(
        f"SELECT DISTINCT file_id FROM (SELECT file_id FROM {scan(con, live_names(con))} r"
        f" WHERE file_id IN ({ids}) AND dedupe_key IN (SELECT dedupe_key FROM twins)"
        f" GROUP BY file_id, dedupe_key, ts HAVING count(DISTINCT ({columns})) > 1)"
        " ORDER BY file_id"
    ).fetchall()
    return [int(row[0]) for row in rows]


def rebuild_twins(con: duckdb.DuckDBPyConnection) -> None:
    """Record every dedupe key that occurs more than once among the known files' rows: only
    rows with such a key pay for de-duplication in the reports."""
    source = scan(con, live_names(con))
    con.execute("DELETE FROM twins")
    con.execute(
        f"INSERT INTO twins SELECT dedupe_key FROM {source} r WHERE dedupe_key IS NOT NULL AND"
        " file_id IN (SELECT file_id FROM files) GROUP BY dedupe_key HAVING count(*) > 1"
    )
