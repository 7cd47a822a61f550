"""aiinfra cost-report --source logs|store: the same events give the same report, and the
report says where its events came from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from store.storesupport import write_lines
from store.test_store_report import CONFIG, NOW, _events

from aiinfra_cli import output
from aiinfra_cli.commands import cost_report
from aiinfra_cli.errors import StoreError, UsageError
from aiinfra_cli.store import Target, connect, push

TEAM_CONFIG = CONFIG + "store: {kind: postgres, dsn_env: TEAM_PG}\n"


@pytest.fixture
def project(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (git_repo / "config").mkdir()
    (git_repo / "config" / "ai-models.yaml").write_text(TEAM_CONFIG, encoding="utf-8")
    write_lines(git_repo / "logs" / "a.jsonl", _events(600, seed=5))
    monkeypatch.chdir(git_repo)
    return git_repo


@pytest.fixture
def terminal() -> Iterator[StringIO]:
    text = StringIO()
    output.use_consoles(
        out=Console(file=text, width=160, color_system=None),
        err=Console(file=text, width=160, color_system=None),
    )
    yield text
    output._consoles.clear()


def _report(capsys: pytest.CaptureFixture[str], **options: Any) -> dict[str, Any]:
    capsys.readouterr()
    code = cost_report.run(as_json=True, no_write=True, now=NOW, timeframe="30d", **options)
    assert code == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_store_and_logs_give_the_same_report(
    project: Path,
    store: Target,
    terminal: StringIO,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with connect(store) as conn:
        push(conn, [project / "logs"])
    monkeypatch.setenv("TEAM_PG", store.dsn)
    from_store = _report(capsys)  # the default, with store: configured and TEAM_PG set
    assert "the team store" in terminal.getvalue()
    assert store.password not in terminal.getvalue()
    from_logs = _report(capsys, source="logs")
    assert from_store["sources"]["kind"] == "store"
    assert from_logs["sources"]["kind"] == "logs"
    assert from_store["totals"]["requests"] > 50
    for document in (from_store, from_logs):
        del document["sources"]
    assert from_store == from_logs


def test_default_is_logs_without_the_dsn_variable(
    project: Path, terminal: StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _report(capsys)
    assert document["sources"]["kind"] == "logs"
    assert "1 log file(s)" in terminal.getvalue()


def test_store_source_without_the_dsn_is_one_error(project: Path) -> None:
    with pytest.raises(StoreError, match=r"^TEAM_PG is not set"):
        cost_report.run(source="store", no_write=True, now=NOW)


def test_logs_and_source_store_together_are_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError, match="--logs reads log files; --source store reads"):
        cost_report.run(source="store", logs=["logs"], no_write=True, now=NOW)
    with pytest.raises(UsageError, match="--source db: unknown source"):
        cost_report.run(source="db", no_write=True, now=NOW)
