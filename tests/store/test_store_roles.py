"""The GRANTs docs/team.md gives, run as written: the writer writes only through
ingest_events, the CI role reads the report and writes nothing."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from _support import REPO
from store.storesupport import event

from aiinfra_cli.pricing import load_price_table
from aiinfra_cli.report import ReportRequest, build_from, load_baselines
from aiinfra_cli.store import Target, connect, store_source, target


def _grants(database: str, suffix: str) -> str:
    text = (REPO / "docs" / "team.md").read_text(encoding="utf-8")
    block = text.split("<!-- grants:begin -->", 1)[1].split("<!-- grants:end -->", 1)[0]
    sql = block.split("```sql", 1)[1].split("```", 1)[0]
    sql = re.sub(r"\baiinfra_(writer|ci)\b", rf"aiinfra_\1_{suffix}", sql)
    return sql.replace("DATABASE usage", f"DATABASE {database}")


def _as(store: Target, role: str, password: str, monkeypatch: pytest.MonkeyPatch) -> Target:
    dsn = re.sub(r"//[^@]*@", f"//{role}:{password}@", store.dsn)
    monkeypatch.setenv("ROLE_DSN", dsn)
    return target("ROLE_DSN")


def test_writer_and_ci_roles(
    store: Target,
    db: psycopg.Connection[tuple[object, ...]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    database = store.dsn.rsplit("/", 1)[1]
    db.execute(_grants(database, suffix).encode())
    writer = _as(store, f"aiinfra_writer_{suffix}", "writer-password", monkeypatch)
    with connect(writer) as conn:
        row = conn.execute(
            "SELECT aiinfra.ingest_events(%s::jsonb)", (json.dumps([event(1), event(2)]),)
        ).fetchone()
        assert row == (2,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="usage_events"):
            conn.execute("DELETE FROM aiinfra.usage_events")

    ci = _as(store, f"aiinfra_ci_{suffix}", "ci-password", monkeypatch)
    with connect(ci) as conn, connect(ci) as side:
        built = build_from(
            store_source(conn, ci.shown, side),
            ReportRequest(period=None, until=date(2026, 11, 30), tz="UTC"),
            prices=load_price_table(),
            config=None,
            baselines=load_baselines(tmp_path / "b.json"),
        )
        assert built.document.totals.requests == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="ingest_events"):
            conn.execute("SELECT aiinfra.ingest_events('[]'::jsonb)")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TEMP TABLE scratch (x int)")
