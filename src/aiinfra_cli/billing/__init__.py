"""The providers' own bill: admin usage/cost API clients, normalised buckets, reconciliation.

Public surface::

    PullRequest, pull(request, config, root, environ) -> ([PullResult], skipped notes)
    configured_providers(config)
    read_buckets(root) -> ([Bucket], problems);  billing_file(root, provider);  BILLING_DIR
    reconcile(buckets, events, prices, since=, until=) -> Reconciliation
    Bucket, json_schema(), BillingError, PROVIDERS, CATEGORIES

Nothing here imports Typer or Rich. Admin keys come from the environment only and are never
printed or written. See ``docs/billing.md``.
"""

from __future__ import annotations

from aiinfra_cli.billing._client import BillingError
from aiinfra_cli.billing._files import BILLING_DIR, billing_file, read_buckets
from aiinfra_cli.billing._model import CATEGORIES, PROVIDERS, Bucket, json_schema
from aiinfra_cli.billing._pull import PullRequest, PullResult, configured_providers, pull
from aiinfra_cli.billing._reconcile import (
    CellFigures,
    KeyFigures,
    Reconciliation,
    TokenFigures,
    reconcile,
)

__all__ = [
    "BILLING_DIR",
    "CATEGORIES",
    "PROVIDERS",
    "BillingError",
    "Bucket",
    "CellFigures",
    "KeyFigures",
    "PullRequest",
    "PullResult",
    "Reconciliation",
    "TokenFigures",
    "billing_file",
    "configured_providers",
    "json_schema",
    "pull",
    "read_buckets",
    "reconcile",
]
