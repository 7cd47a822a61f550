"""cost-diff's repricing of output-cap and prompt-cache changes from the team store, as sums.

For the changed call sites only, one query sums their successful calls in the window per
model, provider, batch flag, recorded-cost presence and long-context bucket (the same groups
as the traffic in ``_traffic``): how many, how many reached the old ``max_tokens``, and the
tokens of the calls above the new one and of the calls with cache reads or writes. The caps
and call sites are query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from aiinfra_cli.store._traffic import tier_input

if TYPE_CHECKING:
    from datetime import datetime

    import psycopg

    from aiinfra_cli.pricing import TokenUsage

    Conn = psycopg.Connection[tuple[Any, ...]]

_OVER = "e.output_tokens > a.new_cap"
_CACHED = "(e.cache_read_tokens <> 0 OR e.cache_write_tokens <> 0)"


def _sql(bucket: str) -> bytes:
    """The query, each token sum in ``TokenUsage``'s field order."""
    from aiinfra_cli.pricing import TokenUsage

    tokens = [f.name for f in fields(TokenUsage)]
    over = "".join(f" coalesce(sum(e.{t}) FILTER (WHERE {_OVER}), 0)," for t in tokens)
    cached = ",".join(f" coalesce(sum(e.{t}) FILTER (WHERE {_CACHED}), 0)" for t in tokens)
    return (
        "SELECT a.ask, coalesce(e.response_model, e.request_model), e.provider,"
        f" {bucket}, count(*), count(*) FILTER (WHERE e.output_tokens >= a.old_cap),"
        f" count(*) FILTER (WHERE {_OVER}),{over}"
        f" coalesce(sum(least(e.reasoning_tokens, a.new_cap)) FILTER (WHERE {_OVER}), 0),"
        f" count(*) FILTER (WHERE {_CACHED}),{cached}"
        " FROM aiinfra.usage_events e JOIN unnest(%(sites)s::text[], %(asks)s::int[],"
        " %(new)s::bigint[], %(old)s::bigint[]) AS a(call_site, ask, new_cap, old_cap)"
        ' ON e.call_site = a.call_site WHERE e."timestamp" >= %(since)s'
        " AND e.status = 'ok' GROUP BY 1, 2, 3, e.batch, e.cost_usd IS NOT NULL, 4"
    ).encode()


@dataclass(frozen=True)
class CallsAsk:
    """The calls cost-diff reprices at one changed call site: its stored call_site values and
    the old and new ``max_tokens``."""

    sites: tuple[str, ...]
    old_cap: int | None
    new_cap: int | None


@dataclass(frozen=True)
class CallsSum:
    """One model, provider, batch flag, recorded-cost presence and long-context bucket of an
    ask's successful calls: how many, how many reached the old cap, and the tokens of those
    that wrote more than the new cap (``over_reasoning_capped``: their reasoning cut to it)
    and of those with cache tokens."""

    model: str
    provider: str
    tier_input: int
    calls: int
    reached: int
    over_calls: int
    over: TokenUsage
    over_reasoning_capped: int
    cached_calls: int
    cached: TokenUsage


def site_calls(
    conn: Conn, since: datetime, limits: list[int], asks: list[CallsAsk]
) -> list[list[CallsSum]]:
    """Each ask's sums over the successful calls at or after ``since`` (one query, the caps
    as parameters)."""
    from aiinfra_cli.pricing import TokenUsage

    params: dict[str, Any] = {"since": since, "sites": [], "asks": [], "new": [], "old": []}
    for index, ask in enumerate(asks):
        for site in ask.sites:
            params["sites"].append(site)
            params["asks"].append(index)
            params["new"].append(ask.new_cap)
            params["old"].append(ask.old_cap)
    bucket = "0"
    if limits:
        bucket = "width_bucket(e.input_tokens, %(limits)s::bigint[])"
        params["limits"] = limits
    found: list[list[CallsSum]] = [[] for _ in asks]
    for row in conn.execute(_sql(bucket), params).fetchall():
        counts = [int(v) for v in row[3:]]
        found[int(row[0])].append(
            CallsSum(
                model=str(row[1]),
                provider=str(row[2]),
                tier_input=tier_input(limits, counts[0]),
                calls=counts[1],
                reached=counts[2],
                over_calls=counts[3],
                over=TokenUsage(*counts[4:10]),
                over_reasoning_capped=counts[10],
                cached_calls=counts[11],
                cached=TokenUsage(*counts[12:18]),
            )
        )
    return found
