"""What each provider's admin API says, as :class:`~aiinfra_cli.billing._model.Bucket` rows.

Anthropic (Usage and Cost Admin API, RFC 3339 bounds, ``group_by[]``):

* ``GET /v1/organizations/usage_report/messages``: tokens by model, API key, workspace and
  service tier; ``uncached_input_tokens`` excludes cache reads and writes.
* ``GET /v1/organizations/cost_report``: USD by workspace and description (model, token type);
  ``amount`` is in cents as a decimal string. Priority-tier spend is not in this endpoint, and
  code execution appears only here (``cost_type: code_execution``).

OpenAI (organization APIs, Unix-second bounds, ``group_by``):

* ``GET /v1/organization/usage/completions``: tokens by model, API key, project and service
  tier; ``input_tokens`` include ``input_cached_tokens``.
* ``GET /v1/organization/costs``: USD (a JSON number, read as a decimal) by project and line
  item (``"<model>, input"``, ``"<model>, cached input"``, ``"<model>, output"``).

Both are read in daily buckets (``bucket_width=1d``, at most 31 per page), following
``next_page`` while ``has_more``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from aiinfra_cli.billing._client import AdminClient
from aiinfra_cli.billing._model import Bucket, Category, Provider
from aiinfra_cli.usage import parse_timestamp

ANTHROPIC_USAGE = "/v1/organizations/usage_report/messages"
ANTHROPIC_COST = "/v1/organizations/cost_report"
OPENAI_USAGE = "/v1/organization/usage/completions"
OPENAI_COST = "/v1/organization/costs"
_CENTS = Decimal(100)
_ANTHROPIC_TOKEN_TYPES: dict[str, Category] = {
    "uncached_input_tokens": "uncached_input",
    "cache_read_input_tokens": "cache_read",
    "cache_creation.ephemeral_5m_input_tokens": "cache_write_5m",
    "cache_creation.ephemeral_1h_input_tokens": "cache_write_1h",
    "output_tokens": "output",
}
_OPENAI_LINE_ITEMS: dict[str, Category] = {
    "input": "uncached_input",
    "cached input": "cache_read",
    "output": "output",
}


def anthropic_buckets(
    client: AdminClient, start: datetime, end: datetime, now: datetime
) -> Iterator[Bucket]:
    """Usage and cost buckets of ``[start, end)`` from Anthropic's admin API."""
    bounds = [("starting_at", _rfc3339(start)), ("ending_at", _rfc3339(end))]
    usage = _daily(bounds, "group_by[]", ("model", "api_key_id", "workspace_id", "service_tier"))
    for result, first, last in _results(client, ANTHROPIC_USAGE, usage, _rfc3339_bounds):
        creation = result.get("cache_creation") or {}
        counts: dict[Category, int] = {
            "uncached_input": int(result.get("uncached_input_tokens") or 0),
            "cache_read": int(result.get("cache_read_input_tokens") or 0),
            "cache_write_5m": int(creation.get("ephemeral_5m_input_tokens") or 0),
            "cache_write_1h": int(creation.get("ephemeral_1h_input_tokens") or 0),
            "output": int(result.get("output_tokens") or 0),
        }
        row = _usage_row("anthropic", ANTHROPIC_USAGE, result, "workspace_id", first, last, now)
        yield from _usage(row, counts)
    cost = _daily(bounds, "group_by[]", ("workspace_id", "description"))
    for result, first, last in _results(client, ANTHROPIC_COST, cost, _rfc3339_bounds):
        token_type = result.get("token_type")
        yield Bucket(
            provider="anthropic",
            kind="cost",
            endpoint=ANTHROPIC_COST,
            start=first,
            end=last,
            model=result.get("model"),
            workspace=result.get("workspace_id"),
            service_tier=result.get("service_tier"),
            line_item=result.get("description") or result.get("cost_type"),
            category=_ANTHROPIC_TOKEN_TYPES.get(token_type) if token_type else None,
            billed_usd=Decimal(str(result["amount"])) / _CENTS,
            partial=last > now,
        )


def openai_buckets(
    client: AdminClient, start: datetime, end: datetime, now: datetime
) -> Iterator[Bucket]:
    """Usage and cost buckets of ``[start, end)`` from OpenAI's organization APIs."""
    bounds = [("start_time", str(int(start.timestamp()))), ("end_time", str(int(end.timestamp())))]
    usage = _daily(bounds, "group_by", ("model", "api_key_id", "project_id", "service_tier"))
    for result, first, last in _results(client, OPENAI_USAGE, usage, _unix_bounds):
        cached = int(result.get("input_cached_tokens") or 0)
        counts: dict[Category, int] = {
            "uncached_input": int(result.get("input_tokens") or 0) - cached,
            "cache_read": cached,
            "output": int(result.get("output_tokens") or 0),
        }
        row = _usage_row("openai", OPENAI_USAGE, result, "project_id", first, last, now)
        yield from _usage(row, counts)
    cost = _daily(bounds, "group_by", ("project_id", "line_item"))
    for result, first, last in _results(client, OPENAI_COST, cost, _unix_bounds):
        line_item = result.get("line_item")
        model, category = _openai_line_item(line_item)
        amount = (result.get("amount") or {}).get("value", 0)
        yield Bucket(
            provider="openai",
            kind="cost",
            endpoint=OPENAI_COST,
            start=first,
            end=last,
            model=model,
            workspace=result.get("project_id"),
            line_item=line_item,
            category=category,
            billed_usd=Decimal(str(amount)),
            partial=last > now,
        )


def _daily(
    bounds: list[tuple[str, str]], group_key: str, groups: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Query parameters for daily buckets (31 a page, the most both APIs allow) grouped by
    ``groups``."""
    return [*bounds, ("bucket_width", "1d"), ("limit", "31"), *((group_key, g) for g in groups)]


def _results(
    client: AdminClient,
    endpoint: str,
    params: list[tuple[str, str]],
    bounds: Callable[[dict[str, Any]], tuple[datetime, datetime]],
) -> Iterator[tuple[dict[str, Any], datetime, datetime]]:
    """Every result of every bucket on every page, with its bucket's start and end."""
    for page in client.pages(endpoint, params):
        for item in page["data"]:
            first, last = bounds(item)
            for result in item.get("results") or []:
                yield result, first, last


def _usage_row(
    provider: Provider,
    endpoint: str,
    result: dict[str, Any],
    workspace_key: str,
    first: datetime,
    last: datetime,
    now: datetime,
) -> Bucket:
    """A usage result's attribution (model, key, workspace or project, tier), no tokens yet."""
    return Bucket(
        provider=provider,
        kind="usage",
        endpoint=endpoint,
        start=first,
        end=last,
        model=result.get("model"),
        key_id=result.get("api_key_id"),
        workspace=result.get(workspace_key),
        service_tier=result.get("service_tier"),
        partial=last > now,
    )


def _usage(row: Bucket, counts: dict[Category, int]) -> Iterator[Bucket]:
    """``row`` (one usage result's attribution) once per token category it has tokens in."""
    for category, tokens in counts.items():
        if tokens:
            yield replace(row, category=category, tokens=tokens)


def _openai_line_item(line_item: object) -> tuple[str | None, Category | None]:
    """``"gpt-4o-2024-08-06, cached input"`` → the model and the token category."""
    if not isinstance(line_item, str) or ", " not in line_item:
        return None, None
    model, _, kind = line_item.rpartition(", ")
    return model, _OPENAI_LINE_ITEMS.get(kind.strip().lower())


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unix(value: object) -> datetime:
    return datetime.fromtimestamp(int(str(value)), tz=timezone.utc)


def _rfc3339_bounds(item: dict[str, Any]) -> tuple[datetime, datetime]:
    return parse_timestamp(item["starting_at"]), parse_timestamp(item["ending_at"])


def _unix_bounds(item: dict[str, Any]) -> tuple[datetime, datetime]:
    return _unix(item["start_time"]), _unix(item["end_time"])
