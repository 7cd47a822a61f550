"""``billing pull`` against a loopback server speaking both providers' admin APIs, and
``cost-report --reconcile`` on known data: coverage, untracked USD and where the dark spend is
are checked exactly, to the micro-dollar."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from _support import invoke_cli
from billing.admin_server import ADMIN_KEYS, AdminServer, Call

from aiinfra_cli._jsonschema import validate
from aiinfra_cli.billing import (
    BillingError,
    PullRequest,
    billing_file,
    json_schema,
    pull,
    read_buckets,
    reconcile,
)
from aiinfra_cli.config import load_config
from aiinfra_cli.pricing import TokenUsage, load_price_table
from aiinfra_cli.usage import read_events

SINCE, UNTIL = date(2026, 11, 1), date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 12, tzinfo=timezone.utc)  # the last day is still open
ENV = {"ANTHROPIC_ADMIN_KEY": ADMIN_KEYS["anthropic"], "OPENAI_ADMIN_KEY": ADMIN_KEYS["openai"]}
MODELS = {"anthropic": "claude-sonnet-4-6", "openai": "gpt-4.1-mini"}


def _call(provider: str, day: date, key: str, ws: str, **tokens: int) -> Call:
    """A call billed at the price table's rates, by category (what a correct bill holds)."""
    usage = TokenUsage(
        input_tokens=sum(v for k, v in tokens.items() if k != "output"),
        output_tokens=tokens.get("output", 0),
        cache_read_tokens=tokens.get("cache_read", 0),
        cache_write_tokens=tokens.get("cache_write_5m", 0) + tokens.get("cache_write_1h", 0),
        cache_write_1h_tokens=tokens.get("cache_write_1h", 0),
    )
    cost = load_price_table().cost_of(MODELS[provider], usage, provider=provider)
    assert cost is not None
    usd = {
        "uncached": cost.input,
        "cache_read": cost.cache_read,
        "cache_write_5m": cost.cache_write,
        "cache_write_1h": cost.cache_write_1h,
        "output": cost.output,
    }
    return Call(
        provider,
        day.isoformat(),
        MODELS[provider],
        key,
        ws,
        dict(tokens),
        {k: v for k, v in usd.items() if tokens.get(k)},
    )


def _days() -> list[date]:
    return [SINCE + timedelta(days=n) for n in range((UNTIL - SINCE).days + 1)]


TRACKED = [
    *(
        _call(
            "anthropic",
            d,
            "apikey_01Tracked",
            "wrkspc_app",
            uncached=1000 * d.day,
            cache_read=2000,
            cache_write_5m=500,
            cache_write_1h=300,
            output=400,
        )
        for d in _days()
    ),
    *(
        _call("openai", d, "key_TrackedOAI", "proj_app", uncached=3000, cache_read=1000, output=700)
        for d in _days()
    ),
]
DARK = [
    _call(
        "anthropic",
        date(2026, 11, 3),
        "apikey_01Dark",
        "wrkspc_batch",
        uncached=50000,
        output=10000,
    ),
    _call(
        "anthropic",
        date(2026, 11, 7),
        "apikey_01Dark",
        "wrkspc_batch",
        uncached=50000,
        output=10000,
    ),
    _call("openai", date(2026, 11, 5), "key_DarkOAI", "proj_batch", uncached=100000, output=20000),
]


def _total(calls: list[Call]) -> Decimal:
    return sum((sum(c.usd.values(), Decimal(0)) for c in calls), Decimal(0))


@pytest.fixture
def server() -> Iterator[AdminServer]:
    made = AdminServer(calls=[*TRACKED, *DARK])
    yield made
    made.close()


@pytest.fixture
def project(git_repo: Path, server: AdminServer) -> Path:
    (git_repo / "config").mkdir()
    (git_repo / "config" / "ai-models.yaml").write_text(
        f"""version: 1
providers:
  anthropic: {{kind: anthropic, base_url: "{server.url}"}}
  openai: {{kind: openai, base_url: "{server.url}"}}
models:
  - {{id: sonnet, provider: anthropic, model: claude-sonnet-4-6}}
  - {{id: mini, provider: openai, model: gpt-4.1-mini}}
usage_log: {{path: logs/ai-usage}}
"""
    )
    log = git_repo / "logs" / "ai-usage" / "2026-11.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text("".join(json.dumps(_event(c, n)) + "\n" for n, c in enumerate(TRACKED)))
    return git_repo


def _event(call: Call, n: int) -> dict[str, object]:
    t = call.tokens
    writes = t.get("cache_write_5m", 0) + t.get("cache_write_1h", 0)
    return {
        "schema_version": 1,
        "event_id": f"ev-{n}",
        "timestamp": f"{call.day}T12:00:00Z",
        "provider": call.provider,
        "request_model": call.model,
        "input_tokens": t.get("uncached", 0) + t.get("cache_read", 0) + writes,
        "output_tokens": t.get("output", 0),
        "cache_read_tokens": t.get("cache_read", 0),
        "cache_write_tokens": writes,
        "cache_write_1h_tokens": t.get("cache_write_1h", 0),
        "status": "ok",
        "key_id": call.key_id,
        "workspace": call.workspace,
    }


def _request(sleeps: list[float]) -> PullRequest:
    return PullRequest(
        providers=("anthropic", "openai"),
        since=SINCE,
        until=UNTIL,
        explicit=True,
        now=NOW,
        sleep=sleeps.append,
    )


def test_pull_then_reconcile_is_exact(project: Path, server: AdminServer) -> None:
    server.fail_429 = {"/v1/organizations/usage_report/messages", "/v1/organization/costs"}
    sleeps: list[float] = []
    results, skipped = pull(
        _request(sleeps), load_config(project / "config" / "ai-models.yaml"), project, ENV
    )
    assert skipped == []
    assert sleeps == [2.0, 2.0]  # each 429 waited out its retry-after, then went on
    pages = [p for p, q in server.requests if p == "/v1/organizations/cost_report"]
    assert len(pages) == 3  # ten daily buckets, four a page
    billed = {r.provider: r.billed_usd for r in results}
    assert billed["anthropic"] == _total(
        [c for c in [*TRACKED, *DARK] if c.provider == "anthropic"]
    )
    assert billed["openai"] == _total([c for c in [*TRACKED, *DARK] if c.provider == "openai"])
    buckets, problems = read_buckets(project)
    assert problems == []
    assert {b.day for b in buckets if b.partial} == {"2026-11-10"}
    for line in (project / ".multiagent" / "billing" / "anthropic.jsonl").read_text().splitlines():
        assert validate(json.loads(line), json_schema()) == []

    events = read_events([str(project / "logs" / "ai-usage")]).events
    compared = reconcile(buckets, events, load_price_table(), since=SINCE, until=UNTIL)
    assert compared.billed_usd == _total([*TRACKED, *DARK])
    assert compared.tracked_usd == _total(TRACKED)
    assert compared.untracked_usd == _total(DARK)
    assert compared.over_tracked_usd == Decimal(0)
    expected = float(round(_total(TRACKED) / _total([*TRACKED, *DARK]) * 100, 1))
    assert compared.coverage_pct == expected
    dark = {k.key_id: k for k in compared.dark_keys}
    assert set(dark) == {"apikey_01Dark", "key_DarkOAI"}
    assert dark["apikey_01Dark"].billed_at_list_usd == _total(DARK[:2])
    assert dark["apikey_01Dark"].workspace == "wrkspc_batch"
    assert dark["key_DarkOAI"].billed_at_list_usd == _total(DARK[2:])
    day3 = next(c for c in compared.by_day if c.key == ("2026-11-03",))
    assert day3.untracked_usd == _total(DARK[:1])
    tokens = {(t.provider, t.category): t for t in compared.tokens}
    read = tokens[("openai", "cache_read")]
    assert (read.billed_tokens, read.tracked_tokens) == (10_000, 10_000)
    uncached = tokens[("openai", "uncached_input")]
    assert uncached.billed_tokens - uncached.tracked_tokens == 100_000  # the dark call only


def test_a_re_pull_replaces_the_same_buckets(project: Path, server: AdminServer) -> None:
    config = load_config(project / "config" / "ai-models.yaml")
    pull(_request([]), config, project, ENV)
    first = (project / ".multiagent" / "billing" / "openai.jsonl").read_text()
    pull(_request([]), config, project, ENV)
    assert (project / ".multiagent" / "billing" / "openai.jsonl").read_text() == first


def test_an_ordinary_key_is_one_line_asking_for_an_admin_key(
    project: Path, server: AdminServer
) -> None:
    config = load_config(project / "config" / "ai-models.yaml")
    wrong = {"ANTHROPIC_ADMIN_KEY": "sk-ant-api03-" + "w" * 30, "OPENAI_ADMIN_KEY": "x" * 40}
    with pytest.raises(BillingError) as caught:
        pull(_request([]), config, project, wrong)
    text = str(caught.value)
    assert "HTTP 401: this needs an admin key (sk-ant-admin…) in $ANTHROPIC_ADMIN_KEY" in text
    assert "w" * 30 not in text


def test_cli_pull_and_reconcile_gate(project: Path, server: AdminServer) -> None:
    pulled = invoke_cli(
        "billing", "pull", "--since", "2026-11-01", "--until", "2026-11-10", cwd=project, env=ENV
    )
    assert pulled.returncode == 0, pulled.stderr
    assert "anthropic:" in pulled.stderr and "openai:" in pulled.stderr
    report = invoke_cli(
        "cost-report",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-10",
        "--json",
        "--fail-under-coverage",
        "99",
        cwd=project,
        env=ENV,
    )
    assert report.returncode == 1, report.stderr
    assert "under 99 % (--fail-under-coverage)" in report.stderr
    recon = json.loads(report.stdout)["reconciliation"]
    assert Decimal(recon["billed_usd"]) == _total([*TRACKED, *DARK])
    assert Decimal(recon["untracked_usd"]) == _total(DARK)
    assert any("apikey_01Dark" in line and "wrkspc_batch" in line for line in recon["dark_spend"])
    markdown = next((project / ".multiagent" / "reports").glob("*.md")).read_text()
    assert "## Billed vs tracked" in markdown and "xychart-beta" in markdown
    everything = pulled.stdout + pulled.stderr + report.stdout + report.stderr + markdown
    everything += "".join(p.read_text() for p in (project / ".multiagent").rglob("*.jsonl"))
    for key in ADMIN_KEYS.values():
        assert key not in everything


def test_with_a_team_store_the_pull_lands_there_too(
    project: Path, server: AdminServer, pg_dsn: str
) -> None:
    import psycopg

    from aiinfra_cli.store import config_target, connect, migrate

    config_file = project / "config" / "ai-models.yaml"
    config_file.write_text(config_file.read_text() + "store: {kind: postgres}\n")
    env = {**ENV, "AIINFRA_STORE_DSN": pg_dsn}
    config = load_config(config_file)
    with connect(config_target(config, env)) as conn:
        migrate(conn)
    for _ in range(2):  # a re-pull replaces the same range: nothing doubles
        results, _skipped = pull(_request([]), config, project, env)
    assert {r.provider: r.in_store for r in results} == {
        r.provider: r.cost_buckets + r.usage_buckets for r in results
    }
    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute(
            "SELECT count(*), sum(billed_usd) FROM aiinfra.billing_buckets"
        ).fetchone()
    assert row is not None
    on_disk, _problems = read_buckets(project)
    assert row[0] == len(on_disk)
    assert row[1] == _total([*TRACKED, *DARK])


def test_a_line_that_is_not_a_bucket_says_what_is_wrong(git_repo: Path) -> None:
    good = {
        "schema_version": 1,
        "provider": "openai",
        "kind": "cost",
        "endpoint": "costs",
        "start": "2026-11-01T00:00:00Z",
        "end": "2026-11-02T00:00:00Z",
        "billed_usd": "1.5",
    }
    missing = {k: v for k, v in good.items() if k != "provider"}
    path = billing_file(git_repo, "openai")
    path.parent.mkdir(parents=True)
    lines = [good, missing, [1, 2], {**good, "tokens": "many"}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n{oops\n")
    buckets, problems = read_buckets(git_repo, ("openai",))
    assert [b.billed_usd for b in buckets] == [Decimal("1.5")]
    assert problems == [
        f'{path}:2: not a billing bucket: missing key "provider"',
        f"{path}:3: not a billing bucket: expected a JSON object, got list",
        f"{path}:4: not a billing bucket: tokens must be an integer",
        f"{path}:5: not a billing bucket: invalid JSON (Expecting property name enclosed in"
        " double quotes: line 1 column 2 (char 1))",
    ]
