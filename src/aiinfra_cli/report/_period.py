"""The report period: inclusive calendar days in a time zone, and how UTC instants map to them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiinfra_cli.errors import UsageError

TIMEFRAMES = ("7d", "30d", "90d", "all")
_EPOCH_DAY = date(1970, 1, 1)
_DAY_US = 86_400_000_000
_TIMEFRAME = re.compile(r"^([1-9][0-9]{0,3})d$")


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``UTC``, ``Europe/Berlin``); a UsageError when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--tz {name}: unknown time zone", hint="use an IANA name such as UTC or Europe/Berlin"
        ) from None


def parse_day(text: str, option: str) -> date:
    """``YYYY-MM-DD`` → date; a UsageError naming the option otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text}: not a date", hint="write it as YYYY-MM-DD") from None


def timeframe_days(text: str) -> int | None:
    """``7d`` → 7; ``all`` → None; a UsageError for anything else."""
    if text == "all":
        return None
    match = _TIMEFRAME.match(text)
    if not match:
        raise UsageError(
            f"--timeframe {text}: expected 7d, 30d, 90d (any Nd) or all",
        )
    return int(match.group(1))


def day_start_us(day: date, tz: ZoneInfo) -> int:
    """Microseconds since the epoch (UTC) at local midnight starting ``day``."""
    moment = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(timezone.utc)
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def epoch_day(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - _EPOCH_DAY).days


def from_epoch_day(number: int) -> date:
    """Inverse of :func:`epoch_day`."""
    return _EPOCH_DAY + timedelta(days=number)


@dataclass(frozen=True)
class Period:
    """Inclusive days ``since``..``until`` in ``tz``; ``timeframe`` as asked (None: explicit)."""

    since: date
    until: date
    tz: str
    timeframe: str | None = None

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.tz)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(
            self.since - timedelta(days=self.days), self.since - timedelta(days=1), self.tz
        )

    def start_us(self) -> int:
        return day_start_us(self.since, self.zone)

    def end_us(self) -> int:
        """Exclusive end: local midnight after ``until``."""
        return day_start_us(self.until + timedelta(days=1), self.zone)


def resolve_period(
    *,
    timeframe: str | None,
    since: str | None,
    until: str | None,
    tz: str,
    today: date,
) -> tuple[Period | None, date]:
    """The period asked for. ``None`` with ``--timeframe all`` (the caller fills ``since`` from the
    first event); the second value is the resolved ``until``."""
    zone(tz)
    end = parse_day(until, "--until") if until else today
    if since is not None and timeframe is not None:
        raise UsageError("--since and --timeframe both set", hint="give one of them")
    if since is not None:
        start = parse_day(since, "--since")
        if start > end:
            raise UsageError(f"--since {start} is after --until {end}")
        return Period(start, end, tz), end
    frame = timeframe or "30d"
    days = timeframe_days(frame)
    if days is None:
        return None, end
    return Period(end - timedelta(days=days - 1), end, tz, frame), end


def offset_changes(tz: ZoneInfo, start: int, end: int) -> list[tuple[int, int]]:
    """The zone's UTC offset over UTC seconds ``start``..``end``: (from second, offset seconds),
    ascending; the first entry starts at ``start``.

    The offset is piecewise constant; each change inside the range is found exactly (bisection
    to the second) so events on either side of a DST switch land on the right day."""
    segments: list[tuple[int, int]] = []

    def offset(second: int) -> int:
        moment = datetime.fromtimestamp(second, tz)
        delta = moment.utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    current = offset(start)
    segments.append((start, current))
    step = 86_400
    probe = start
    while probe < end:
        nxt = min(probe + step, end)
        if offset(nxt) != current:
            lo, hi = probe, nxt  # offset(lo) == current != offset(hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == current:
                    lo = mid
                else:
                    hi = mid
            current = offset(hi)
            segments.append((hi, current))
        probe = nxt
    return segments


def local_day_sql(tz: ZoneInfo, first: date, last: date, column: str = "ts") -> str:
    """A SQL expression: the local epoch day of ``column`` (UTC µs) for instants between local
    midnight of ``first`` and local midnight after ``last`` (see :func:`offset_changes`)."""
    start = day_start_us(first, tz) // 1_000_000
    end = day_start_us(last + timedelta(days=1), tz) // 1_000_000
    segments = offset_changes(tz, start, end)
    if len(segments) == 1:
        shift = f"{segments[0][1] * 1_000_000}"
    else:
        cases = " ".join(
            f"WHEN {column} >= {second * 1_000_000} THEN {off * 1_000_000}"
            for second, off in reversed(segments[1:])
        )
        shift = f"(CASE {cases} ELSE {segments[0][1] * 1_000_000} END)"
    return f"CAST(({column} + {shift}) // {_DAY_US} AS INTEGER)"
