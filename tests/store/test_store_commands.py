"""aiinfra store migrate|push|status end to end (in process), and the one-line failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from _services import Postgres, free_port
from rich.console import Console
from store.storesupport import event, write_lines

from aiinfra_cli import output
from aiinfra_cli.cli import run
from aiinfra_cli.store import LATEST, POSITION_FILE, Target, event_id_for

Conn = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[object]:
    """Run ``aiinfra ARGS`` in process; return (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    out = StringIO()
    output.use_consoles(
        out=Console(file=out, width=200, color_system=None),
        err=Console(file=StringIO(), width=200, color_system=None),
    )

    def call(*argv: str) -> tuple[int, str, str]:
        out.seek(0)
        out.truncate()
        capsys.readouterr()
        code = run(list(argv))
        captured = capsys.readouterr()
        err = output.err_console().file.getvalue()  # type: ignore[attr-defined]
        output.err_console().file.truncate(0)  # type: ignore[attr-defined]
        output.err_console().file.seek(0)  # type: ignore[attr-defined]
        return code, captured.out + out.getvalue(), captured.err + err

    yield call
    output._consoles.clear()


def test_push_is_idempotent_and_names_rejected_lines(
    cli: object, store: Target, db: Conn, spool: Path
) -> None:
    no_id = json.dumps(event(9, event_id=None))
    write_lines(spool / "a.jsonl", [event(n) for n in range(5)], extra=[no_id, "{not json"])
    write_lines(spool / "b.jsonl", [event(n) for n in range(3, 8)])
    code, out, err = cli("store", "push", "--logs", str(spool), "--json")  # type: ignore[operator]
    assert code == 1  # a rejected line fails the run, after everything valid was pushed
    assert json.loads(out) == {
        "store": store.shown,
        "files": 2,
        "lines": 12,
        "sent": 11,
        "inserted": 9,
        "already_present": 2,
        "rejected": 1,
    }
    assert f"{spool / 'a.jsonl'}:7: not valid JSON" in err
    ids = [r[0] for r in db.execute("SELECT event_id FROM aiinfra.usage_events ORDER BY 1")]
    assert event_id_for(no_id.encode()) in ids
    assert len(ids) == 9
    code, out, _ = cli("store", "push", "--logs", str(spool / "b.jsonl"))  # type: ignore[operator]
    assert code == 0
    assert out == f"store {store.shown}: 0 events inserted, 5 already present, from 1 files\n"


def test_push_in_small_batches_sends_everything_once(store: Target, db: Conn, spool: Path) -> None:
    from aiinfra_cli.store import connect, push

    write_lines(spool / "a.jsonl", [event(n) for n in range(25)])
    with connect(store) as conn:
        done = push(conn, [spool], batch_events=4)
    assert (done.sent, done.inserted) == (25, 25)
    assert (
        db.execute("SELECT count(*), sum(events) FROM aiinfra.usage_daily").fetchone() is not None
    )
    assert db.execute("SELECT sum(events) FROM aiinfra.usage_daily").fetchone() == (25,)


def test_status_reports_version_rows_newest_and_spool_lag(
    cli: object, store: Target, spool: Path, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    shipped = write_lines(spool / "a.jsonl", [event(1), event(2)])
    write_lines(spool / "b.jsonl", [event(3)])
    cli("store", "push", "--logs", str(shipped))  # type: ignore[operator]
    with (spool / "a.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event(4)) + "\n")
    first_two = len(shipped.read_bytes()) - len(json.dumps(event(4))) - 1
    (spool / POSITION_FILE).write_text(json.dumps({"version": 1, "files": {"a.jsonl": first_two}}))
    code, out, _ = cli("store", "status", "--json")  # type: ignore[operator]
    assert code == 0
    document = json.loads(out)
    assert document == {
        "store": store.shown,
        "schema_version": LATEST,
        "known_schema_version": LATEST,
        "events": 2,
        "partitions": 2,
        "newest_event": "2026-11-03T02:15:00.250000+00:00",
        "spools": [
            {
                "path": "logs/ai-usage",
                "files": 2,
                "events_behind": 2,
                "bytes_behind": len(json.dumps(event(4))) + 1 + (spool / "b.jsonl").stat().st_size,
                "position_found": True,
            }
        ],
    }


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_dsn_unset_is_one_line(cli: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIINFRA_STORE_DSN", raising=False)
    code, _, err = cli("store", "status")  # type: ignore[operator]
    assert code == 1
    assert _one_line(err).startswith("aiinfra: error: AIINFRA_STORE_DSN is not set (export")


def test_unreachable_host_is_one_line_without_the_password(
    cli: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("AIINFRA_STORE_DSN", f"postgresql://app:s3cret-pw@127.0.0.1:{port}/usage")
    code, _, err = cli("store", "migrate")  # type: ignore[operator]
    assert code == 1
    line = _one_line(err)
    assert line.startswith(
        f"aiinfra: error: cannot reach the team store at app@127.0.0.1:{port}/usage:"
    )
    assert "is PostgreSQL running there" in line
    assert "s3cret" not in err


def test_wrong_password_is_one_line_without_the_password(
    cli: object, pg_cluster: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIINFRA_STORE_DSN", pg_cluster.dsn(password="wrong-pw-123"))
    code, _, err = cli("store", "push")  # type: ignore[operator]
    assert code == 1
    line = _one_line(err)
    assert line.startswith(
        f"aiinfra: error: the team store at postgres@127.0.0.1:{pg_cluster.port}/postgres"
        " refused the login:"
    )
    assert 'password authentication failed for user "postgres"' in line
    assert line.endswith("(check the user and password in AIINFRA_STORE_DSN)")
    assert "wrong-pw-123" not in err


def test_newer_schema_is_one_line_and_push_writes_nothing(
    cli: object, store: Target, db: Conn, spool: Path
) -> None:
    db.execute(
        "INSERT INTO aiinfra.schema_migrations (version, aiinfra_version) VALUES (%s, '99.0')",
        (LATEST + 1,),
    )
    write_lines(spool / "a.jsonl", [event(1)])
    code, _, err = cli("store", "push", "--logs", str(spool))  # type: ignore[operator]
    assert code == 1
    assert _one_line(err) == (
        f"aiinfra: error: the team store's schema is version {LATEST + 1}, newer than this"
        f" aiinfra knows ({LATEST}): upgrade aiinfra"
    )
    assert db.execute("SELECT count(*) FROM aiinfra.usage_events").fetchone() == (0,)


def test_missing_schema_says_to_migrate(
    cli: object, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIINFRA_STORE_DSN", pg_dsn)
    code, _, err = cli("store", "push")  # type: ignore[operator]
    assert code == 1
    assert _one_line(err) == (
        "aiinfra: error: the team store has no aiinfra schema yet (run `aiinfra store migrate`)"
    )
    code, out, _ = cli("store", "migrate")  # type: ignore[operator]
    assert code == 0
    applied = ", ".join(str(v) for v in range(1, LATEST + 1))
    assert out.endswith(f"schema version 0 -> {LATEST} (applied {applied})\n")


def test_single_file_spool_lag_and_crlf_lines_get_the_shippers_id(
    store: Target, db: Conn, tmp_path: Path
) -> None:
    from aiinfra_cli.store import connect, push, spool_lag

    spool = tmp_path / "usage.jsonl"
    first = json.dumps(event(1, event_id=None)).encode()
    second = json.dumps(event(2)).encode()
    spool.write_bytes(first + b"\r\n" + second + b"\n")
    (tmp_path / "usage.jsonl.store-position.json").write_text(
        json.dumps({"version": 1, "files": {"usage.jsonl": len(first) + 2}}), encoding="utf-8"
    )
    lag = spool_lag(spool)
    assert (lag.files, lag.events_behind, lag.bytes_behind, lag.position_found) == (
        1,
        1,
        len(second) + 1,
        True,
    )
    with connect(store) as conn:
        assert push(conn, [spool]).inserted == 2
    ids = {r[0] for r in db.execute("SELECT event_id FROM aiinfra.usage_events")}
    assert ids == {event_id_for(first), "ev-2"}
