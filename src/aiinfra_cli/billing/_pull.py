"""``billing pull``: read each provider's admin API for a range of days and store the buckets."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import httpx

from aiinfra_cli.billing._client import ADMIN_KEY_SHAPE, AdminClient, BillingError
from aiinfra_cli.billing._files import billing_file, replace_range
from aiinfra_cli.billing._model import PROVIDERS, Bucket, Provider
from aiinfra_cli.billing._providers import anthropic_buckets, openai_buckets
from aiinfra_cli.config import DEFAULT_ADMIN_KEY_ENV, Config, ProviderConfig
from aiinfra_cli.providers import DEFAULT_BASE_URLS, read_secret

_FETCHERS = {"anthropic": anthropic_buckets, "openai": openai_buckets}


@dataclass(frozen=True)
class PullResult:
    """What one provider's pull stored."""

    provider: Provider
    file: Path
    usage_buckets: int
    cost_buckets: int
    billed_usd: Decimal
    partial_buckets: int
    stored: int
    in_store: int | None = None  # buckets written to the team store (None: no store in use)


@dataclass(frozen=True)
class PullRequest:
    """Which providers and days to pull (``until`` inclusive), and how."""

    providers: tuple[Provider, ...]
    since: date
    until: date
    explicit: bool  # named on the command line: a missing admin key is an error, not a skip
    now: datetime
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None


def pull(
    request: PullRequest, config: Config | None, root: Path, environ: Mapping[str, str]
) -> tuple[list[PullResult], list[str]]:
    """Pull every requested provider; the results, and a note per provider skipped."""
    start = datetime(
        request.since.year, request.since.month, request.since.day, tzinfo=timezone.utc
    )
    end = datetime(request.until.year, request.until.month, request.until.day, tzinfo=timezone.utc)
    end += timedelta(days=1)
    results: list[PullResult] = []
    skipped: list[str] = []
    for provider in request.providers:
        client = _client(provider, config, environ, request)
        if client is None:
            env = _key_env(provider, config)
            skipped.append(f"{provider}: ${env} is not set (an admin key reads the bill)")
            continue
        buckets = list(_FETCHERS[provider](client, start, end, request.now))
        stored = replace_range(root, provider, start, end, buckets)
        in_store = _to_store(config, environ, provider, start, end, buckets)
        results.append(replace(_result(provider, root, buckets, stored), in_store=in_store))
    if not results:
        raise BillingError(
            "no provider's bill was pulled: " + "; ".join(skipped),
            hint="export ANTHROPIC_ADMIN_KEY / OPENAI_ADMIN_KEY (or set providers.<name>"
            ".admin_key_env in config/ai-models.yaml)",
        )
    return results, skipped


def _client(
    provider: Provider, config: Config | None, environ: Mapping[str, str], request: PullRequest
) -> AdminClient | None:
    env = _key_env(provider, config)
    key = read_secret(environ, env)
    if key is None:
        if request.explicit:
            raise BillingError(
                f"--provider {provider}: ${env} is not set",
                hint=f"export an admin key ({ADMIN_KEY_SHAPE[provider]}) in ${env}",
            )
        return None
    return AdminClient(
        provider=provider,
        base_url=_base_url(provider, config),
        key=key,
        key_env=env,
        sleep=request.sleep,
        transport=request.transport,
    )


def _configured(provider: Provider, config: Config | None) -> ProviderConfig | None:
    """The config's first provider entry of this kind (None without a config or one)."""
    if config is None:
        return None
    return next((p for p in config.providers.values() if p.kind == provider), None)


def _key_env(provider: Provider, config: Config | None) -> str:
    """The admin key's variable: the config's (which defaults it by kind when loading), else
    the same default."""
    entry = _configured(provider, config)
    return (entry.admin_key_env if entry else None) or DEFAULT_ADMIN_KEY_ENV[provider]


def _base_url(provider: Provider, config: Config | None) -> str:
    """The provider's API root (admin paths carry their own ``/v1``)."""
    entry = _configured(provider, config)
    base = (entry.base_url if entry else None) or DEFAULT_BASE_URLS[provider]
    return base.rstrip("/").removesuffix("/v1")


def _result(provider: Provider, root: Path, buckets: Sequence[Bucket], stored: int) -> PullResult:
    costs = [b for b in buckets if b.kind == "cost"]
    return PullResult(
        provider=provider,
        file=billing_file(root, provider),
        usage_buckets=len(buckets) - len(costs),
        cost_buckets=len(costs),
        billed_usd=sum((b.billed_usd or Decimal(0) for b in costs), Decimal(0)),
        partial_buckets=sum(1 for b in buckets if b.partial),
        stored=stored,
    )


BILLING_SCHEMA = 2  # the team store's first version with aiinfra.billing_buckets


def _to_store(
    config: Config | None,
    environ: Mapping[str, str],
    provider: Provider,
    start: datetime,
    end: datetime,
    buckets: Sequence[Bucket],
) -> int | None:
    """Write ``buckets`` in place of the store's ``[start, end)`` for ``provider``, when a team
    store is configured and its DSN variable is set (as ``cost-report`` decides); else None."""
    if config is None or config.store is None or not environ.get(config.store.dsn_env, "").strip():
        return None
    import json

    from aiinfra_cli.errors import StoreError
    from aiinfra_cli.store import config_target, connect, require_schema

    store = config_target(config, environ)
    with connect(store) as conn:
        if require_schema(conn) < BILLING_SCHEMA:
            raise StoreError(
                "the team store has no billing table yet",
                hint="run `aiinfra store migrate` (it adds aiinfra.billing_buckets)",
            )
        payload = json.dumps([b.to_json() for b in buckets])
        with conn.transaction():
            row = conn.execute(
                "SELECT aiinfra.replace_billing(%s, %s, %s, %s::jsonb)",
                (provider, start, end, payload),
            ).fetchone()
    return int(str(row[0])) if row else 0


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def configured_providers(config: Config | None) -> tuple[Provider, ...]:
    """The billable providers the config uses (both when there is no config)."""
    if config is None:
        return PROVIDERS
    kinds = {p.kind for p in config.providers.values()}
    return tuple(p for p in PROVIDERS if p in kinds) or PROVIDERS
