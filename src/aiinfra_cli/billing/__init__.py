"""The providers' own bill: admin usage/cost API clients, normalised buckets, reconciliation.

Public surface::

    PullRequest, pull(request, config, root, environ) -> ([PullResult], skipped notes)
    configured_providers(config)
    read_buckets(root) -> ([Bucket], problems);  billing_file(root, provider);  BILLING_DIR
    replace_range(root, provider, start, end, buckets) -> buckets in the file
    reconcile(buckets, events, prices, since=, until=) -> Reconciliation
    Bucket, json_schema(), BillingError, PROVIDERS, CATEGORIES, Provider, Category
    event_categories(event);  the endpoints read: ANTHROPIC_USAGE / _COST, OPENAI_USAGE / _COST

Nothing here imports Typer or Rich. Admin keys come from the environment only and are never
printed or written. See ``docs/billing.md``.
"""

from __future__ import annotations

from aiinfra_cli.billing._client import BillingError
from aiinfra_cli.billing._files import BILLING_DIR, billing_file, read_buckets, replace_range
from aiinfra_cli.billing._model import (
    CATEGORIES,
    PROVIDERS,
    Bucket,
    Category,
    Provider,
    json_schema,
)
from aiinfra_cli.billing._providers import (
    ANTHROPIC_COST,
    ANTHROPIC_USAGE,
    OPENAI_COST,
    OPENAI_USAGE,
)
from aiinfra_cli.billing._pull import PullRequest, PullResult, configured_providers, pull
from aiinfra_cli.billing._reconcile import (
    CellFigures,
    KeyFigures,
    Reconciliation,
    TokenFigures,
    event_categories,
    reconcile,
)

__all__ = [
    "ANTHROPIC_COST",
    "ANTHROPIC_USAGE",
    "BILLING_DIR",
    "CATEGORIES",
    "OPENAI_COST",
    "OPENAI_USAGE",
    "PROVIDERS",
    "BillingError",
    "Bucket",
    "Category",
    "CellFigures",
    "KeyFigures",
    "Provider",
    "PullRequest",
    "PullResult",
    "Reconciliation",
    "TokenFigures",
    "billing_file",
    "configured_providers",
    "event_categories",
    "json_schema",
    "pull",
    "read_buckets",
    "reconcile",
    "replace_range",
]
