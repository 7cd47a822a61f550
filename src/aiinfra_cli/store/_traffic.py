"""cost-diff's observed traffic from the team store: per call site and per route, as sums.

The same numbers ``cost-diff --usage-logs`` takes from the events, computed in PostgreSQL so
only aggregates cross the wire. A call site's events are summed per model, provider, batch
flag, recorded-cost presence and long-context bucket, so each sum prices exactly as its events
would one by one (a price is linear in the tokens within one tier and batch flag). The bucket
counts the price table's long-context thresholds the request's input exceeds: requests in one
bucket are in the same tier of every model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

    from aiinfra_cli.pricing import PriceTable
    from aiinfra_cli.scan import SiteUsage, UsageJoin

    Conn = psycopg.Connection[tuple[Any, ...]]

_WINDOW = 'FROM aiinfra.usage_events WHERE "timestamp" >= %(since)s'
_SITES = (
    "SELECT call_site, coalesce(response_model, request_model), provider, batch,"
    " cost_usd IS NOT NULL, count(*), sum(CASE WHEN status = 'ok' THEN 0 ELSE 1 END),"
    " sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),"
    ' sum(cache_write_1h_tokens), sum(reasoning_tokens), sum(cost_usd), min("timestamp"),'
    ' max("timestamp"), max(CASE WHEN status = \'ok\' THEN "timestamp" END), {bucket}'
    f" {_WINDOW} AND call_site <> '' GROUP BY 1, 2, 3, 4, 5, {{bucket}}"
)
_ROUTES = (
    "SELECT route, count(*), sum(input_tokens), sum(output_tokens)"
    f" {_WINDOW} AND route <> '' AND status = 'ok' GROUP BY 1"
)


@dataclass(frozen=True)
class StoreTraffic:
    """The window's traffic: per call site (for the scan), per route, and all events;
    ``names``: the call_site values as stored, by (path, line); ``limits``: the long-context
    buckets' lower bounds."""

    usage: UsageJoin
    by_route: dict[str, dict[str, int]]
    events: int
    names: dict[tuple[str, int], tuple[str, ...]]
    limits: list[int]


def thresholds(table: PriceTable) -> list[int]:
    """Every long-context threshold in ``table``, ascending."""
    found: set[int] = set()
    for key in table:
        price = table.get(key)
        if price is not None:
            found.update(tier.above_tokens for tier in price.long_context)
    return sorted(found)


def tier_input(limits: list[int], bucket: int) -> int:
    """An input in ``bucket``'s long-context tier: the bucket's lower bound (0: below all)."""
    return limits[bucket - 1] if bucket else 0


def _instant(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat()


def _group(row: tuple[Any, ...], limits: list[int]) -> SiteUsage:
    from aiinfra_cli.pricing import TokenUsage
    from aiinfra_cli.scan import SiteUsage

    return SiteUsage(
        model=str(row[1]),
        provider=str(row[2]),
        batch=bool(row[3]),
        calls=int(row[5]),
        errors=int(row[6]),
        tokens=TokenUsage(*(int(v) for v in row[7:13])),
        recorded_usd=Decimal(row[13]) if row[4] else None,
        first=_instant(row[14]),
        last=_instant(row[15]),
        last_ok=_instant(row[16]) if row[16] is not None else None,
        tier_input=tier_input(limits, int(row[17])),
    )


def store_traffic(conn: Conn, since: datetime, table: PriceTable) -> StoreTraffic:
    """The traffic of events at or after ``since``, long-context buckets from ``table``."""
    from collections import defaultdict

    from aiinfra_cli.scan import UsageJoin, split_site

    params: dict[str, Any] = {"since": since}
    limits = thresholds(table)
    bucket = "0"
    if limits:  # above a threshold t means input >= t + 1: width_bucket's lower bounds
        bucket = "width_bucket(input_tokens, %(limits)s::bigint[])"
        params["limits"] = [t + 1 for t in limits]
    by_site: dict[tuple[str, int], list[SiteUsage]] = defaultdict(list)
    names: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in conn.execute(_SITES.format(bucket=bucket).encode(), params).fetchall():
        key = split_site(str(row[0]))
        if key is not None:
            by_site[key].append(_group(row, params.get("limits", [])))
            names[key].add(str(row[0]))
    by_route = {
        str(r[0]): {"calls": int(r[1]), "input_tokens": int(r[2]), "output_tokens": int(r[3])}
        for r in conn.execute(_ROUTES.encode(), params).fetchall()
    }
    found = conn.execute(f"SELECT count(*) {_WINDOW}".encode(), params).fetchone()
    events = int(found[0]) if found else 0
    return StoreTraffic(
        UsageJoin(dict(by_site), [], events),
        by_route,
        events,
        {key: tuple(sorted(found)) for key, found in names.items()},
        params.get("limits", []),
    )
