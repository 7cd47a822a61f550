"""Reliability rules: calls with no timeout (the SDK defaults wait up to ten minutes)."""

from __future__ import annotations

from collections.abc import Iterator

from aiinfra_cli.scan._model import Finding
from aiinfra_cli.scan.rules._base import CallContext, Rule

NO_TIMEOUT = Rule(
    "AIC002",
    "no-timeout",
    "LLM call with no explicit timeout on the call or its client",
)
RULES = (NO_TIMEOUT,)


def check(ctx: CallContext) -> Iterator[Finding]:
    """AIC002 for one call."""
    site = ctx.site
    if site.has_timeout is not False:
        return
    client = ctx.item.client
    retries = "" if client is None or client.retries else " and the default retry policy"
    where = f"its {site.client} client" if site.client else "its client"
    yield ctx.finding(
        NO_TIMEOUT.code,
        f"{site.api} sets no timeout on the call or {where}: it relies on the SDK default"
        f" (up to 10 minutes){retries}",
        ctx.call_estimate(
            "per call: the cost of a call that may hang (static prompt + output cap)"
        ),
    )
