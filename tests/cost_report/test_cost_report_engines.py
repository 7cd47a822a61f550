"""The two engines give the same report byte for byte: DuckDB (the ingest cache) and the
small-input path (the logs read in Python, no DuckDB; #21 decision 3).

Each scenario writes the same logs into two fresh repositories and runs the command once per
engine; the JSON on stdout, the terminal summary, the warnings, and the Markdown and JSON files
written under ``.multiagent/reports`` must be identical.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cost_report.crsupport import CONFIG, NOW, Runner, event, write_jsonl
from cost_report.test_cost_report_golden import E1, LOGS
from cost_report.test_cost_report_importers import (
    NOV2_10H,
    SESSION,
    USAGE_1,
    USER_LINE,
    _assistant,
    _otlp,
    _span,
)
from rich.console import Console

from aiinfra_cli import output
from aiinfra_cli.commands import cost_report
from aiinfra_cli.errors import UsageError
from aiinfra_cli.report._rowagg import quantile_index
from aiinfra_cli.usage import _small as small_module

Scenario = Callable[[Path], dict[str, Any]]


def _compact(record: object, spaced: bool = False) -> str:
    return json.dumps(record, separators=(",", ": ") if spaced else (",", ":"))


def _golden(root: Path) -> dict[str, Any]:
    """The hand-checked golden logs: a duplicate across files, an error, a retry, an unpriced
    model, 1-hour cache writes, recorded costs."""
    write_jsonl(root / "logs" / "a.jsonl", LOGS)
    write_jsonl(root / "logs" / "b.jsonl", [E1])
    return {"since": "2026-11-01", "until": "2026-11-03", "budget": "4"}


def _rejects(root: Path) -> dict[str, Any]:
    """Named rejects, unknown fields, a malformed field no report reads (a warning), a BOM, a
    repeated key, blank lines, a missing log and a file of no known format."""
    good = event(event_id="g1", timestamp="2026-11-02T10:00:00Z", input_tokens=10, feature="f")
    lines: list[Any] = [
        "\ufeff" + _compact(good),
        "{not json",
        event(event_id="g2", timestamp="2026-11-02T11:00:00Z", input_tokens="12"),
        event(event_id="g3", timestamp="2026-11-02", input_tokens=5),
        event(event_id="g4", timestamp="2026-11-02T12:00:00Z", input_tokens=7, colour="red"),
        event(event_id="g5", timestamp="2026-11-02T13:00:00Z", input_tokens=9, latency_ms="x"),
        '{"schema_version": 1, "timestamp": "2026-11-02T14:00:00Z", "provider": "openai",'
        ' "request_model": "gpt-4o-mini", "input_tokens": 3, "input_tokens": 99,'
        ' "output_tokens": 1, "status": "ok", "event_id": "g6"}',
        "",
        "[1, 2]",
        event(event_id="g1", timestamp="2026-11-02T09:00:00Z", input_tokens=500),
    ]
    write_jsonl(root / "logs" / "own.jsonl", lines)
    write_jsonl(root / "logs" / "more.jsonl", [good, event(timestamp="2026-11-03T01:00:00Z")])
    (root / "logs" / "notes.txt").write_text("hello\n", encoding="utf-8")
    return {
        "logs": ["logs", "missing.jsonl"],
        "since": "2026-11-01",
        "until": "2026-11-03",
        "group_by": ["model,provider,feature,endpoint,user,tenant,session,call_site,day"],
    }


def _claude(root: Path) -> dict[str, Any]:
    """Claude Code logs: a repeated response (in one file and across files), the
    ``"usage": {`` spacing, 1-hour writes, the long-context tier, a synthetic message, an API
    error, a recorded cost past 18 decimals, broken lines."""
    base = root / "claude" / "projects"
    big = {"input_tokens": 250_000, "output_tokens": 1000, "cache_read_input_tokens": 10}
    line1 = _assistant("msg_1", "req_1", "2026-11-02T10:00:05.000Z", USAGE_1)
    later = {**line1, "timestamp": "2026-11-02T10:00:09.000Z"}
    error = {
        **_assistant("msg_4", "req_4", "2026-11-02T23:59:59.999Z", {"input_tokens": 5}),
        "isApiErrorMessage": True,
        "costUSD": 0.0000123456789012345678,
    }
    synthetic = _assistant(
        "msg_5", "req_5", "2026-11-02T11:00:00Z", {"input_tokens": 1}, "<synthetic>"
    )
    first = [
        _compact(USER_LINE),
        _compact(later),
        _compact(line1),
        _compact(
            _assistant("msg_2", "req_2", "2026-11-02T10:01:05Z", {"input_tokens": 1000}), True
        ),
        _compact(_assistant("msg_3", "req_3", "2026-11-03T00:30:00+02:00", big)),
        _compact(error),
        _compact(synthetic),
        '{"type": "assistant", "message": {"model": "claude-sonnet-4-5", "usage": {}}}',
        _compact(_assistant("msg_6", "req_6", "2026-11-02T12:00:00Z", {"input_tokens": -1})),
        '{"type": "summary", "summary": "Fix test", "leafUuid": "x"}',
    ]
    write_jsonl(base / "-home-dev-shop" / f"{SESSION}.jsonl", first)
    other = _assistant("msg_7", "req_7", "2026-11-01T08:00:00Z", USAGE_1, "claude-opus-4-1")
    write_jsonl(base / "-home-dev-api" / "s2.jsonl", [_compact(line1), _compact(other)])
    return {"logs": ["claude"], "timeframe": "7d", "until": "2026-11-04", "top": 3}


def _many(root: Path, tz_name: str) -> dict[str, Any]:
    """Enough varied calls for the percentiles and the breakdowns, around a DST switch and
    local midnights, over two months (budgets month to date, the previous period)."""
    rng = random.Random(21)
    models = [("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-4o-mini"), ("acme", "acme-x")]
    records: list[dict[str, Any]] = []
    for n in range(97):
        provider, model = models[n % 3]
        day = 20 + n % 15
        month, day = (10, day) if day <= 31 else (11, day - 31)
        records.append(
            event(
                event_id=f"m{n % 90}",
                timestamp=f"2026-{month:02d}-{day:02d}T{rng.randrange(24):02d}:{n % 60:02d}:00Z",
                provider=provider,
                request_model=model,
                model_id="mini" if model == "gpt-4o-mini" else None,
                input_tokens=rng.randrange(1000, 300_000),
                cache_read_tokens=rng.randrange(0, 500),
                output_tokens=rng.randrange(1, 5000),
                status="error" if n % 11 == 0 else "ok",
                attempt=2 if n % 7 == 0 else 1,
                cache_hit=n % 13 == 0,
                feature=rng.choice(["chat", "search", None]),
                user=rng.choice(["u1", "u2"]),
                tenant=rng.choice(["t1", None]),
                call_site=f"app/x.py:{n % 4}",
                cost_usd=str(rng.randrange(1, 10**6) / 10**7) if n % 5 == 0 else None,
            )
        )
        extra: dict[str, Any] = {
            "endpoint": ["/chat", "/search"][n % 2],
            "batch": n % 6 == 0,
            "reasoning_tokens": min(records[-1]["output_tokens"], 300) if n % 4 == 0 else 0,
        }
        if model != "gpt-4o-mini":
            written = rng.randrange(0, 900)
            extra |= {"cache_write_tokens": written, "cache_write_1h_tokens": written // 3}
        if n % 9 == 0:
            extra |= {"fallback_from": "gpt-4o", "saved_cost_usd": "0.000123456789"}
        records[-1].update(extra)
    # Each side of New York's switch to winter time (2026-11-01 06:00 UTC) and of local
    # midnights: the day a call lands on depends on the offset at its own instant.
    for stamp in ("2026-11-01T05:30:00Z", "2026-11-02T04:30:00Z", "2026-10-31T18:40:00Z"):
        records.append(event(event_id=stamp, timestamp=stamp, input_tokens=10, output_tokens=1))
    clean = [{k: v for k, v in r.items() if v is not None} for r in records]
    write_jsonl(root / "logs" / "a.jsonl", clean[:50])
    packed = root / "logs" / "b.jsonl.gz"
    packed.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in clean[50:]).encode()))
    span = _span("a1", NOV2_10H, {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "o4-mini", "gen_ai.usage.input_tokens": 2000,
        "gen_ai.usage.cache_read.input_tokens": 1000, "gen_ai.usage.output_tokens": 500,
        "gen_ai.usage.reasoning.output_tokens": 200,
    })  # fmt: skip
    (root / "logs" / "spans.json").write_text(json.dumps(_otlp([span])), encoding="utf-8")
    return {
        "tz": tz_name,
        "since": "2026-10-25",
        "until": "2026-11-03",
        "group_by": ["feature,user,tenant,session,call_site"],
    }


SCENARIOS: dict[str, Scenario] = {
    "golden": _golden,
    "rejects": _rejects,
    "claude-code": _claude,
    "new-york-dst": lambda root: _many(root, "America/New_York"),
    "kolkata": lambda root: _many(root, "Asia/Kolkata"),
    "all-time": lambda root: {**_many(root, "UTC"), "since": None, "timeframe": "all"},
}


def _run(root: Path, engine: str, options: dict[str, Any], capsys: Any) -> dict[str, str]:
    """Everything the command shows and writes, run in ``root`` with ``engine``."""
    out, err = StringIO(), StringIO()
    output.use_consoles(
        out=Console(file=out, width=120, color_system=None),
        err=Console(file=err, width=120, color_system=None),
    )
    capsys.readouterr()
    try:
        code = cost_report.run(as_json=True, now=NOW, engine=engine, environ={}, **options)
    finally:
        output._consoles.clear()
    reports = root / ".multiagent" / "reports"
    shown = {
        "code": str(code),
        "stdout": capsys.readouterr().out,
        "terminal": out.getvalue(),
        "warnings": err.getvalue(),
    }
    for path in sorted(reports.iterdir()):
        shown[path.name] = path.read_text(encoding="utf-8")
    return shown


def _both(
    tmp_path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> dict[str, dict[str, str]]:
    """What each engine shows for ``scenario``, each in a fresh repository of its own."""
    shown: dict[str, dict[str, str]] = {}
    for engine in ("duckdb", "python"):
        root = tmp_path / engine
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / "config").mkdir()
        (root / "config" / "ai-models.yaml").write_text(CONFIG, encoding="utf-8")
        monkeypatch.chdir(root)
        options = {k: v for k, v in scenario(root).items() if v is not None}
        shown[engine] = _run(root, engine, options, capsys)
    return shown


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_both_engines_give_the_same_report(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    shown = _both(tmp_path, SCENARIOS[name], monkeypatch, capsys)
    duck, small = shown["duckdb"], shown["python"]
    assert json.loads(duck["stdout"])["totals"]["requests"] > 0
    assert sorted(duck) == sorted(small)
    for part in duck:
        assert small[part] == duck[part], part


def _tied(root: Path) -> dict[str, Any]:
    """Copies of one response with the same dedupe key, file and timestamp that differ (a copy
    written mid-stream holds fewer output tokens), in Claude Code logs and the tracker's JSONL
    (one of each read line by line: a broken line, a field this version does not know). The
    first copy by line counts. Output tokens of the first copies: 10 + n."""
    claude: list[str] = ["{broken"]
    own: list[Any] = []
    for n in range(TIED_GROUPS):
        stamp = f"2026-11-02T10:{n // 60:02d}:{n % 60:02d}.000Z"
        for output_tokens in (10 + n, 5000 + n, 9000 + n)[: 2 + n % 2]:
            usage = {"input_tokens": 100, "output_tokens": output_tokens}
            claude.append(_compact(_assistant(f"msg_{n}", f"req_{n}", stamp, usage)))
            own.append(event(event_id=f"t{n}", timestamp=stamp, output_tokens=output_tokens))
    base = root / "claude" / "projects" / "-home-dev-shop"
    write_jsonl(base / f"{SESSION}.jsonl", claude[1:])
    write_jsonl(
        base / "s2.jsonl", [claude[0], *(line.replace("msg_", "m2_") for line in claude[1:])]
    )
    write_jsonl(root / "logs" / "own.jsonl", own)
    write_jsonl(
        root / "logs" / "more.jsonl",
        [{**e, "event_id": f"x{e['event_id']}", "colour": 1} for e in own],
    )
    return {"logs": ["claude", "logs"], "since": "2026-11-01", "until": "2026-11-03"}


TIED_GROUPS = 40


def test_tied_copies_count_in_line_order_on_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """DuckDB keeps no row order while it writes the cache (a file that spans several of its
    read buffers, over 16 MiB, comes out in the order its threads finish): here every segment
    is written shuffled, and the copy that counts must still be the first by line."""
    from aiinfra_cli.usage import _segments

    write = _segments.write

    def shuffled(con: Any, select: Callable[[int], str]) -> tuple[int, str, int]:
        return write(
            con,
            lambda seg: f"SELECT * FROM ({select(seg)}) s ORDER BY hash(s.ts, s.output, s.input)",
        )

    monkeypatch.setattr(_segments, "write", shuffled)
    shown = _both(tmp_path, _tied, monkeypatch, capsys)
    first = sum(10 + n for n in range(TIED_GROUPS))
    for engine, seen in shown.items():
        totals = json.loads(seen["stdout"])["totals"]
        assert (totals["requests"], totals["output_tokens"]) == (4 * TIED_GROUPS, 4 * first), engine
    for part in shown["duckdb"]:
        assert shown["python"][part] == shown["duckdb"][part], part


def test_the_scenarios_hold_what_they_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The comparison above is only as good as its inputs: rejects, warnings, duplicates and
    the long-context tier really are in them."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "ai-models.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    rejects = _run(tmp_path, "python", _rejects(tmp_path), capsys)
    doc = json.loads(rejects["stdout"])
    assert doc["rejected"]["count"] >= 5
    assert [u["field"] for u in doc["rejected"]["unknown_fields"]] == ["colour"]
    assert "field the report does not read is malformed" in rejects["warnings"]
    claude = _run(tmp_path, "python", _claude(tmp_path), capsys)
    doc = json.loads(claude["stdout"])
    assert doc["totals"]["requests"] == 5  # msg_1 once (of three), msg_2, _3, _4, _7
    assert doc["rejected"]["count"] == 2
    assert doc["totals"]["errors"] == 1
    many = json.loads(_run(tmp_path, "python", _many(tmp_path, "UTC"), capsys)["stdout"])
    assert many["sources"]["formats"]["otel"] == 1
    totals = many["totals"]
    assert totals["reasoning_tokens"] > 0
    assert totals["cache_write_1h_tokens"] > 0
    assert totals["response_cache_hits"] > 0


def test_percentile_ranks_are_duckdbs() -> None:
    import duckdb

    con = duckdb.connect()
    for count in [*range(1, 70), 199, 200, 1001]:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT range AS v FROM range(?)", [count])
        row = con.execute("SELECT quantile_disc(v, [0.5, 0.95, 0.99]) FROM t").fetchone()
        assert row is not None
        assert list(row[0]) == [quantile_index(count, q) for q in (0.5, 0.95, 0.99)], count


def test_the_small_path_imports_neither_duckdb_nor_yaml(tmp_path: Path) -> None:
    """In a repo without a config file, a small report loads no DuckDB and no PyYAML (each
    would add tens of milliseconds to its fixed cost)."""
    (tmp_path / ".git").mkdir()
    write_jsonl(tmp_path / "a.jsonl", LOGS)
    code = (
        "import sys\n"
        "from aiinfra_cli.commands import cost_report\n"
        f"cost_report.run(logs=[{str(tmp_path / 'a.jsonl')!r}], timeframe='all', no_write=True,"
        " environ={})\n"
        "assert 'duckdb' not in sys.modules, 'duckdb imported'\n"
        "assert 'yaml' not in sys.modules, 'yaml imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_auto_picks_the_engine_by_input_size(
    project: Path, report: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small logs take the small path (it keeps no cache); past the threshold, DuckDB and its
    ingest cache; a compressed file counts as ten times its size."""
    log = write_jsonl(project / "logs" / "a.jsonl", LOGS)
    cache = project / ".multiagent" / "cache"
    report(timeframe="all", environ={})
    assert not cache.exists()
    monkeypatch.setattr(small_module, "SMALL_INPUT_BYTES", log.stat().st_size - 1)
    report(timeframe="all", environ={})
    assert cache.is_dir()
    packed = project / "packed" / "a.jsonl.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(log.read_bytes()))
    size = packed.stat().st_size
    assert small_module.input_bytes([str(packed)]) == size * small_module.GZIP_RATIO
    monkeypatch.setattr(small_module, "SMALL_INPUT_BYTES", size * small_module.GZIP_RATIO)
    assert small_module.small_enough([str(packed)])
    assert not small_module.small_enough([str(packed)], "duckdb")


def test_an_unknown_engine_is_one_line_naming_the_variable(project: Path, report: Runner) -> None:
    write_jsonl(project / "logs" / "a.jsonl", LOGS)
    with pytest.raises(UsageError, match="AIINFRA_REPORT_ENGINE=sqlite: unknown engine"):
        report(environ={cost_report.ENGINE_VARIABLE: "sqlite"})
