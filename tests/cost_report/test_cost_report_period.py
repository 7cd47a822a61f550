"""Period boundaries: inclusive local days in --tz, across a DST switch, and option errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cost_report.crsupport import Runner, event, write_jsonl

from aiinfra_cli.errors import UsageError
from aiinfra_cli.report import resolve_period

# 1000 input tokens on claude-sonnet-4-5 = $0.003 each.
STAMPS = [
    "2026-03-28T22:59:59Z",  # Berlin 23:59:59 on 03-28 (UTC+1)
    "2026-03-28T23:00:00Z",  # Berlin 00:00:00 on 03-29
    "2026-03-29T21:59:59Z",  # Berlin 23:59:59 on 03-29 (UTC+2 since 01:00 UTC)
    "2026-03-29T22:00:00Z",  # Berlin 00:00:00 on 03-30
]


def _logs(project: Path) -> None:
    write_jsonl(
        project / "logs" / "a.jsonl",
        [event(timestamp=s, input_tokens=1000, event_id=f"e{i}") for i, s in enumerate(STAMPS)],
    )


def test_days_are_local_across_a_dst_switch(project: Path, report: Runner) -> None:
    _logs(project)
    _code, doc = report(since="2026-03-28", until="2026-03-30", tz="Europe/Berlin")
    assert [(d["date"], d["requests"]) for d in doc["by_day"]] == [
        ("2026-03-28", 1),
        ("2026-03-29", 2),
        ("2026-03-30", 1),
    ]
    _code, doc = report(since="2026-03-29", until="2026-03-29", tz="Europe/Berlin")
    assert (doc["totals"]["requests"], doc["totals"]["cost_usd"]) == (2, "0.006")
    assert doc["period"]["tz"] == "Europe/Berlin"


def test_same_logs_in_utc(project: Path, report: Runner) -> None:
    _logs(project)
    _code, doc = report(since="2026-03-28", until="2026-03-29")
    assert [(d["date"], d["requests"]) for d in doc["by_day"]] == [
        ("2026-03-28", 2),
        ("2026-03-29", 2),
    ]


def test_half_hour_zone(project: Path, report: Runner) -> None:
    # Kolkata is UTC+5:30: 18:29:59Z is 23:59:59 local, 18:30:00Z is the next day.
    write_jsonl(
        project / "logs" / "a.jsonl",
        [
            event(timestamp="2026-11-01T18:29:59Z", input_tokens=1000, event_id="a"),
            event(timestamp="2026-11-01T18:30:00Z", input_tokens=1000, event_id="b"),
        ],
    )
    _code, doc = report(since="2026-11-01", until="2026-11-02", tz="Asia/Kolkata")
    assert [(d["date"], d["requests"]) for d in doc["by_day"]] == [
        ("2026-11-01", 1),
        ("2026-11-02", 1),
    ]


def test_timeframe_counts_back_from_until() -> None:
    period, end = resolve_period(
        timeframe="7d", since=None, until="2026-11-30", tz="UTC", today=date(2026, 12, 5)
    )
    assert period is not None
    assert (period.since, period.until, period.days, end) == (
        date(2026, 11, 24),
        date(2026, 11, 30),
        7,
        date(2026, 11, 30),
    )
    previous = period.previous()
    assert (previous.since, previous.until) == (date(2026, 11, 17), date(2026, 11, 23))
    default, _ = resolve_period(
        timeframe=None, since=None, until=None, tz="UTC", today=date(2026, 12, 5)
    )
    assert default is not None and (default.since, default.days) == (date(2026, 11, 6), 30)


def test_timeframe_all_starts_at_the_first_event(project: Path, report: Runner) -> None:
    write_jsonl(
        project / "logs" / "a.jsonl", [event(timestamp="2026-10-20T10:00:00Z", input_tokens=1000)]
    )
    _code, doc = report(timeframe="all", until="2026-11-03")
    assert (doc["period"]["since"], doc["period"]["timeframe"]) == ("2026-10-20", "all")
    assert doc["totals"]["requests"] == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tz": "Mars/Olympus"}, "--tz Mars/Olympus: unknown time zone"),
        ({"since": "2026-13-01"}, "--since 2026-13-01: not a date"),
        ({"since": "2026-11-05", "until": "2026-11-01"}, "--since 2026-11-05 is after --until"),
        ({"since": "2026-11-01", "timeframe": "7d"}, "--since and --timeframe both set"),
        ({"timeframe": "week"}, "--timeframe week: expected 7d, 30d, 90d"),
    ],
)
def test_bad_period_options(options: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_period(
            timeframe=options.get("timeframe"),
            since=options.get("since"),
            until=options.get("until"),
            tz=options.get("tz", "UTC"),
            today=date(2026, 11, 4),
        )
    assert str(caught.value).startswith(message)
