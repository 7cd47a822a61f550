"""The DuckDB ingest cache: unchanged files are not read again, changed files are, damage is
survived."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from cost_report.crsupport import Runner, event, write_jsonl

from aiinfra_cli.commands import cost_report
from aiinfra_cli.usage import ingest, open_cache

CACHE = Path(".multiagent") / "cache" / "usage-ingest.duckdb"


@pytest.fixture(autouse=True)
def _duckdb_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """These logs are small enough for the small-input path, which keeps no cache: the cache
    is the DuckDB engine's."""
    monkeypatch.setenv(cost_report.ENGINE_VARIABLE, "duckdb")


def test_second_run_reads_no_unchanged_file_and_rereads_an_appended_one(
    project: Path, report: Runner
) -> None:
    a = write_jsonl(project / "logs" / "a.jsonl", [event(input_tokens=1000, event_id="a1")])
    write_jsonl(project / "logs" / "b.jsonl", [event(input_tokens=2000, event_id="b1")])
    _code, first = report(since="2026-11-01", until="2026-11-01")
    assert (first["sources"]["files_read"], first["sources"]["files_reused"]) == (2, 0)
    assert (project / CACHE).is_file()
    _code, second = report(since="2026-11-01", until="2026-11-01")
    assert (second["sources"]["files_read"], second["sources"]["files_reused"]) == (0, 2)
    assert second["totals"] == first["totals"]
    with a.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event(input_tokens=4000, event_id="a2")) + "\n")
    _code, third = report(since="2026-11-01", until="2026-11-01")
    assert (third["sources"]["files_read"], third["sources"]["files_reused"]) == (1, 1)
    assert (third["totals"]["requests"], third["totals"]["cost_usd"]) == (3, "0.021")


def test_ingest_reports_which_files_it_opened(tmp_path: Path) -> None:
    logs = write_jsonl(tmp_path / "logs" / "a.jsonl", [event(input_tokens=10)])
    con, warnings, used = open_cache(tmp_path / "cache.duckdb")
    assert (warnings, used) == ([], tmp_path / "cache.duckdb")
    first = ingest(con, [logs], "auto")
    second = ingest(con, [logs], "auto")
    assert [(f.method, f.events) for f in first.files] == [("duckdb", 1)]
    assert [(f.method, f.events) for f in second.files] == [("cached", 1)]
    # Asking for another format is a different reading of the file: read again.
    third = ingest(con, [logs], "aiinfra")
    assert [f.method for f in third.files] == ["duckdb"]
    con.close()


def test_damaged_cache_is_rebuilt_with_a_warning(
    project: Path, report: Runner, consoles: tuple[StringIO, StringIO]
) -> None:
    write_jsonl(project / "logs" / "a.jsonl", [event(input_tokens=1000)])
    (project / CACHE).parent.mkdir(parents=True)
    (project / CACHE).write_bytes(b"this is not a duckdb file" * 100)
    code, doc = report(since="2026-11-01", until="2026-11-01")
    assert code == 0
    assert doc["totals"]["requests"] == 1
    assert "ingest cache" in consoles[1].getvalue()
    _code, again = report(since="2026-11-01", until="2026-11-01")
    assert again["sources"]["files_reused"] == 1


def test_a_file_that_shrinks_or_disappears_is_forgotten(project: Path, report: Runner) -> None:
    a = write_jsonl(
        project / "logs" / "a.jsonl",
        [event(input_tokens=1000, event_id="x"), event(input_tokens=1000, event_id="y")],
    )
    write_jsonl(project / "logs" / "b.jsonl", [event(input_tokens=1000, event_id="z")])
    _code, doc = report(since="2026-11-01", until="2026-11-01")
    assert doc["totals"]["requests"] == 3
    write_jsonl(a, [event(input_tokens=1000, event_id="x")])
    (project / "logs" / "b.jsonl").unlink()
    _code, doc = report(since="2026-11-01", until="2026-11-01")
    assert (doc["totals"]["requests"], doc["sources"]["files"]) == (1, 1)


SEGMENTS = Path(".multiagent") / "cache" / "usage-ingest.segments"


def _segment_files(project: Path) -> list[str]:
    return sorted(p.name for p in (project / SEGMENTS).glob("*.parquet"))


def test_a_dedupe_key_repeated_in_a_later_file_counts_once(project: Path, report: Runner) -> None:
    write_jsonl(project / "logs" / "a.jsonl", [event(input_tokens=1000, event_id="x")])
    _code, first = report(since="2026-11-01", until="2026-11-01")
    assert first["totals"]["requests"] == 1
    write_jsonl(
        project / "logs" / "b.jsonl",
        [event(input_tokens=1000, event_id="x"), event(input_tokens=2000, event_id="y")],
    )
    _code, second = report(since="2026-11-01", until="2026-11-01")
    assert (second["sources"]["files_read"], second["sources"]["files_reused"]) == (1, 1)
    assert (second["totals"]["requests"], second["totals"]["input_tokens"]) == (2, 3000)


def test_rows_of_changed_files_do_not_pile_up(project: Path, report: Runner) -> None:
    logs = project / "logs"
    for name in ("a", "b", "c"):
        write_jsonl(logs / f"{name}.jsonl", [event(input_tokens=1000, event_id=f"{name}1")])
    report(since="2026-11-01", until="2026-11-01")
    [original] = _segment_files(project)
    # Two of the three files change: their old rows are dead, most of the segment is; the
    # segment is rewritten with the live file only, and the old one deleted.
    for name in ("a", "b"):
        write_jsonl(logs / f"{name}.jsonl", [event(input_tokens=5, event_id=f"{name}2")])
    _code, doc = report(since="2026-11-01", until="2026-11-01")
    assert (doc["totals"]["requests"], doc["totals"]["input_tokens"]) == (3, 1010)
    after = _segment_files(project)
    assert len(after) == 2 and original not in after  # c's rows rewritten; a and b read again
    (logs / "c.jsonl").unlink()
    _code, doc = report(since="2026-11-01", until="2026-11-01")
    assert (doc["totals"]["requests"], doc["totals"]["input_tokens"]) == (2, 10)
    assert len(_segment_files(project)) == 1


def test_removed_segments_are_read_again_and_stray_ones_deleted(
    project: Path, report: Runner
) -> None:
    write_jsonl(project / "logs" / "a.jsonl", [event(input_tokens=1000, event_id="a1")])
    write_jsonl(project / "logs" / "b.jsonl", [event(input_tokens=2000, event_id="b1")])
    _code, first = report(since="2026-11-01", until="2026-11-01")
    for name in _segment_files(project):
        (project / SEGMENTS / name).unlink()
    # What an interrupted run leaves: a segment file the cache never recorded.
    stray = project / SEGMENTS / "99-00000000.parquet"
    stray.write_bytes(b"PAR1")
    _code, second = report(since="2026-11-01", until="2026-11-01")
    assert (second["sources"]["files_read"], second["sources"]["files_reused"]) == (2, 0)
    assert second["totals"] == first["totals"]
    assert not stray.exists()
    assert len(_segment_files(project)) == 1


def test_git_never_sees_the_cache(project: Path, report: Runner) -> None:
    write_jsonl(project / "logs" / "a.jsonl", [event(input_tokens=1000, event_id="a1")])
    report(since="2026-11-01", until="2026-11-01")
    assert any((project / SEGMENTS).glob("*.parquet"))
    untracked = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert untracked, "the report, the logs and the config are there to be committed"
    assert not [line for line in untracked if ".multiagent/cache/" in line]


def test_a_damaged_segment_is_dropped_and_its_logs_read_again(
    project: Path, report: Runner, consoles: tuple[StringIO, StringIO]
) -> None:
    write_jsonl(project / "logs" / "a.jsonl", [event(input_tokens=1000, event_id="a1")])
    _code, first = report(since="2026-11-01", until="2026-11-01")
    [name] = _segment_files(project)
    segment = project / SEGMENTS / name
    # What a power cut or a full disk leaves: the cache names a segment whose bytes are not all
    # there. Every later run must survive it, not only the next.
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    code, second = report(since="2026-11-01", until="2026-11-01")
    assert code == 0 and second["totals"] == first["totals"]
    assert second["sources"]["files_read"] == 1
    assert "1 damaged or missing segment(s) dropped" in consoles[1].getvalue()
    _code, third = report(since="2026-11-01", until="2026-11-01")
    assert (third["sources"]["files_reused"], third["totals"]) == (1, first["totals"])


def test_the_first_copy_in_log_order_counts_however_the_files_were_read(
    project: Path, report: Runner
) -> None:
    logs = project / "logs"
    # a.jsonl goes through the line-by-line reader (a bad line), b.jsonl through DuckDB: the
    # copy in a still comes first, on a cold cache and after a.jsonl changes (read again).
    a = write_jsonl(logs / "a.jsonl", [event(input_tokens=1000, event_id="k"), "{not json"])
    write_jsonl(logs / "b.jsonl", [event(input_tokens=3000, event_id="k")])
    _code, cold = report(since="2026-11-01", until="2026-11-01")
    assert (cold["totals"]["requests"], cold["totals"]["input_tokens"]) == (1, 1000)
    with a.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event(input_tokens=1, event_id="new")) + "\n")
    _code, warm = report(since="2026-11-01", until="2026-11-01")
    assert (warm["totals"]["requests"], warm["totals"]["input_tokens"]) == (2, 1001)


def test_copies_at_one_instant_that_differ_send_their_file_to_the_line_reader(
    tmp_path: Path,
) -> None:
    """Only the line-by-line reader numbers lines: a bulk-read file whose copies of one key at
    one instant differ is read again by it (which copy counts depends on line order); alike
    copies, or copies at different instants, keep the bulk read; so does the next run."""
    at = "2026-11-01T10:00:00Z"
    later = "2026-11-01T10:00:01Z"
    logs = tmp_path / "logs"
    write_jsonl(
        logs / "differ.jsonl", [event(event_id="k", timestamp=at, input_tokens=n) for n in (1, 2)]
    )
    write_jsonl(logs / "alike.jsonl", [event(event_id="a", timestamp=at)] * 2)
    write_jsonl(
        logs / "apart.jsonl",
        [event(event_id="p", timestamp=at, input_tokens=1), event(event_id="p", timestamp=later)],
    )
    con, _warnings, _used = open_cache(tmp_path / "cache.duckdb")
    first = ingest(con, [logs], "auto")
    assert {f.path.name: (f.method, f.events) for f in first.files} == {
        "alike.jsonl": ("duckdb", 2),
        "apart.jsonl": ("duckdb", 2),
        "differ.jsonl": ("python", 2),
    }
    assert con.execute(
        "SELECT line, input FROM events WHERE file_id = ? ORDER BY line",
        [next(f.file_id for f in first.files if f.path.name == "differ.jsonl")],
    ).fetchall() == [(0, 1), (1, 2)]
    second = ingest(con, [logs], "auto")
    assert {f.method for f in second.files} == {"cached"}
    con.close()


def test_scratch_segments_of_a_killed_run_are_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run that cannot use the cache (another run holds it) keeps its segments in a scratch
    # directory; killed, it cannot remove it: the next such run does, and keeps a live one's.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = tmp_path / f"aiinfra-usage-{gone.stdout.strip()}-x1"
    live = tmp_path / f"aiinfra-usage-{os.getppid()}-x2"
    for directory in (dead, live):
        directory.mkdir()
        (directory / "1-00.parquet").write_bytes(b"PAR1")
    logs = write_jsonl(tmp_path / "logs" / "a.jsonl", [event(input_tokens=10)])
    con, _warnings, used = open_cache(None)
    assert used is None
    ingest(con, [logs], "auto")
    assert not dead.exists() and live.exists()
    con.close()


def test_segments_of_a_new_file_a_day_are_merged(
    project: Path, report: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiinfra_cli.usage import _segments

    monkeypatch.setattr(_segments, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(_segments, "_KEEP", 1)
    logs = project / "logs"
    for day in range(1, 9):
        # One new day file per run, and a copy of the first day's event each time (counts once).
        records = [
            event(input_tokens=100 * day, event_id=f"d{day}"),
            event(input_tokens=100, event_id="d1"),
        ]
        write_jsonl(logs / f"usage-{day:02d}.jsonl", records)
        _code, doc = report(since="2026-11-01", until="2026-11-01")
        assert len(_segment_files(project)) <= 3 + 1  # merged once past the limit
        assert doc["totals"]["requests"] == day
        assert doc["totals"]["input_tokens"] == sum(100 * d for d in range(1, day + 1))
    assert (doc["sources"]["files_read"], doc["sources"]["files_reused"]) == (1, 7)
