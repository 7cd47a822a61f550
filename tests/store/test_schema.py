"""Migrations and the ingest function, against a real PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal

import psycopg
import pytest
from store.storesupport import event

from aiinfra_cli import __version__
from aiinfra_cli.errors import StoreError
from aiinfra_cli.store import LATEST, Target, connect, migrate, schema_version

Conn = psycopg.Connection[tuple[object, ...]]


def _ingest(db: Conn, events: list[dict[str, object]]) -> int:
    row = db.execute("SELECT aiinfra.ingest_events(%s::jsonb)", (json.dumps(events),)).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_migrate_records_the_version_and_is_idempotent(store: Target, db: Conn) -> None:
    rows = db.execute(
        "SELECT version, aiinfra_version FROM aiinfra.schema_migrations ORDER BY version"
    ).fetchall()
    assert rows == [(version, __version__) for version in range(1, LATEST + 1)]
    with connect(store) as conn:
        again = migrate(conn)
    assert (again.before, again.after, again.applied) == (LATEST, LATEST, ())


def test_a_newer_store_is_refused_and_nothing_is_written(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as db:
        db.execute(
            "CREATE SCHEMA aiinfra; CREATE TABLE aiinfra.schema_migrations (version int PRIMARY KEY,"
            " applied_at timestamptz NOT NULL DEFAULT now(), aiinfra_version text NOT NULL);"
            " INSERT INTO aiinfra.schema_migrations (version, aiinfra_version) VALUES (99, '9.9')"
        )
        store = Target(dsn=pg_dsn, env="AIINFRA_STORE_DSN", shown="x", password="")
        with pytest.raises(StoreError) as caught, connect(store) as conn:
            migrate(conn)
        assert str(caught.value) == (
            "the team store's schema is version 99, newer than this aiinfra knows"
            f" ({LATEST}): upgrade aiinfra"
        )
        tables = db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'aiinfra'"
        ).fetchone()
        assert tables == (1,)  # only schema_migrations: nothing was created
        with connect(store) as conn:
            assert schema_version(conn) == 99


def test_ingest_is_idempotent_partitions_by_month_and_keeps_money_exact(db: Conn) -> None:
    events = [
        event(1),
        event(2, timestamp="2026-10-31T23:59:59.999Z", cost_usd="0.000000000000000001"),
        event(3, timestamp="2026-12-01T00:00:00Z", cost_usd=0.1),
    ]
    assert _ingest(db, events) == 3
    assert _ingest(db, events) == 0  # a resend inserts nothing
    assert _ingest(db, [event(1), event(4)]) == 1  # a half-shipped batch is safe
    parts = db.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'aiinfra.usage_events'::regclass ORDER BY 1"
    ).fetchall()
    assert [p[0] for p in parts] == [
        "usage_events_default",
        "usage_events_p202610",
        "usage_events_p202611",
        "usage_events_p202612",
    ]
    total = db.execute("SELECT sum(cost_usd), count(*) FROM aiinfra.usage_events").fetchone()
    assert total == (
        Decimal("0.006300000000000001") * 2 + Decimal("0.000000000000000001") + Decimal("0.1"),
        4,
    )
    rolled = db.execute(
        "SELECT sum(events), sum(cost_usd), sum(input_tokens) FROM aiinfra.usage_daily"
    ).fetchone()
    raw = db.execute(
        "SELECT count(*), sum(cost_usd), sum(input_tokens) FROM aiinfra.usage_events"
    ).fetchone()
    assert rolled == raw


def test_rollup_keys_nulls_as_empty_and_groups_by_utc_day(db: Conn) -> None:
    _ingest(
        db,
        [
            event(1, timestamp="2026-11-05T23:30:00+00:00", feature=None, user=None),
            event(2, timestamp="2026-11-06T00:30:00+01:00", feature=None, user=None),
            event(3, timestamp="2026-11-06T10:00:00Z", status="error", cost_usd=None),
        ],
    )
    rows = db.execute(
        'SELECT day::text, feature, "user", status, events, cost_usd FROM aiinfra.usage_daily'
        " ORDER BY 1, 4"
    ).fetchall()
    assert rows == [
        ("2026-11-05", "", "", "ok", 2, Decimal("0.012600000000000002")),
        ("2026-11-06", "summarize", "u0", "error", 1, Decimal(0)),
    ]


def test_rows_in_the_default_partition_move_into_a_new_month(db: Conn) -> None:
    db.execute(
        'INSERT INTO aiinfra.usage_events (event_id, "timestamp", provider, request_model,'
        " input_tokens, output_tokens, status) VALUES ('direct', '2027-03-04T05:06:07Z', 'openai',"
        " 'gpt-4o', 1, 1, 'ok')"
    )
    assert _ingest(db, [event(7, timestamp="2027-03-09T00:00:00Z")]) == 1
    where = db.execute(
        "SELECT tableoid::regclass::text, count(*) FROM aiinfra.usage_events GROUP BY 1"
    ).fetchall()
    assert where == [("aiinfra.usage_events_p202703", 2)]


def test_bad_event_rolls_back_the_whole_batch(db: Conn) -> None:
    with pytest.raises(psycopg.errors.NotNullViolation):
        _ingest(db, [event(1), event(2, provider=None)])
    assert db.execute("SELECT count(*) FROM aiinfra.usage_events").fetchone() == (0,)


def test_every_usage_event_field_is_a_column(db: Conn) -> None:
    from aiinfra_cli.usage._schema import EVENT

    columns = {
        str(r[0])
        for r in db.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'aiinfra' AND table_name = 'usage_events'"
        )
    }
    assert set(EVENT.fields) == columns


def test_new_fields_are_stored(db: Conn) -> None:
    _ingest(db, [event(1, key_id="apikey_01", workspace="ws", usage_source="sdk",
                       stream_continued=True)])  # fmt: skip
    row = db.execute(
        "SELECT key_id, workspace, usage_source, stream_continued FROM aiinfra.usage_events"
    ).fetchone()
    assert row == ("apikey_01", "ws", "sdk", True)
