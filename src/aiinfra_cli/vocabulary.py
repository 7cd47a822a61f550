"""The fixed vocabularies shared across packages, each declared once as a ``Literal`` alias.

The tuple next to each alias is derived from it (``get_args``), so the two cannot drift; code
that validates, renders or iterates uses the tuple, typed code uses the alias (a misspelt value
is a mypy error). The packages re-export what they own (``config.ERROR_CLASSES``,
``providers.STATUSES``, ...); the generated runtime receives these values rendered from here.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ERROR_CLASSES",
    "HEALTH_ERROR_CLASSES",
    "HEALTH_STATUSES",
    "KEEPING_ACTIONS",
    "PLAN_ACTIONS",
    "PROVIDER_KINDS",
    "TIERS",
    "TOKEN_CATEGORIES",
    "UPGRADE_OUTCOMES",
    "WRITING_ACTIONS",
    "ErrorClass",
    "HealthErrorClass",
    "HealthStatus",
    "KeepingAction",
    "PlanAction",
    "ProviderKind",
    "RequestErrorClass",
    "Tier",
    "TokenCategory",
    "UpgradeOutcome",
    "WritingAction",
]

ProviderKind = Literal["anthropic", "openai", "openai-compatible", "gemini", "azure-openai"]
PROVIDER_KINDS: tuple[ProviderKind, ...] = get_args(ProviderKind)

Tier = Literal["fast", "balanced", "powerful", "reasoning"]
TIERS: tuple[Tier, ...] = get_args(Tier)

# Why a model call failed: shared by the config's fallback_on, the usage event, model-health
# and the generated orchestrator.
HealthErrorClass = Literal[
    "auth",
    "not_found",
    "rate_limited",
    "quota",
    "timeout",
    "connection",
    "server_error",
    "bad_response",
]
# The classes only a caller's own request can cause. A health probe's request is fixed and
# valid, so a probe reports a provider refusing it as bad_response: the health classes are the
# error classes without these.
RequestErrorClass = Literal["context_overflow", "content_filter", "bad_request"]
ErrorClass = Literal[HealthErrorClass, RequestErrorClass]
HEALTH_ERROR_CLASSES: tuple[HealthErrorClass, ...] = get_args(HealthErrorClass)
ERROR_CLASSES: tuple[ErrorClass, ...] = get_args(ErrorClass)

# A probed model's (and a route's) health.
HealthStatus = Literal["healthy", "degraded", "unhealthy"]
HEALTH_STATUSES: tuple[HealthStatus, ...] = get_args(HealthStatus)

# Token categories a provider bills separately (billing buckets, the reconciliation section).
TokenCategory = Literal[
    "uncached_input", "cache_read", "cache_write_5m", "cache_write_1h", "output"
]
TOKEN_CATEGORIES: tuple[TokenCategory, ...] = get_args(TokenCategory)

# What ``init`` does to one generated file (the table in scaffold/_plan.py says when): the
# actions that write it, and those that leave it as it is.
WritingAction = Literal["create", "update", "overwrite", "restore"]
KeepingAction = Literal["unchanged", "adopt", "edited", "deleted", "yours", "exists"]
PlanAction = Literal[WritingAction, KeepingAction]
PLAN_ACTIONS: tuple[PlanAction, ...] = get_args(PlanAction)
WRITING_ACTIONS: tuple[WritingAction, ...] = get_args(WritingAction)
KEEPING_ACTIONS: tuple[KeepingAction, ...] = get_args(KeepingAction)

# What ``upgrade`` did (or proposes) for one file.
UpgradeOutcome = Literal[
    "created", "replaced", "merged", "conflict", "kept", "proposed", "deleted", "unchanged"
]
UPGRADE_OUTCOMES: tuple[UpgradeOutcome, ...] = get_args(UpgradeOutcome)
