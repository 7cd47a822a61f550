"""The validated configuration as typed, immutable objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from aiinfra_cli.config._schema import (
    DEFAULT_STATE_URL_ENV,
    DEFAULT_STORE_DSN_ENV,
    DEFAULT_STORE_REFRESH_S,
)


@dataclass(frozen=True)
class ProviderConfig:
    """A provider entry: how to reach it and where its key lives."""

    name: str
    kind: str
    base_url: str | None = None
    api_key_env: str | None = None
    api_version: str | None = None
    organization_env: str | None = None
    admin_key_env: str | None = None
    timeout_s: float | None = None
    health_url: str | None = None


@dataclass(frozen=True)
class ModelConfig:
    """A model entry. ``pricing`` holds decimal USD-per-million-token overrides."""

    id: str
    provider: str
    provider_kind: str
    model: str
    context_window: int | None = None
    max_output_tokens: int | None = None
    tier: str | None = None
    pricing: Mapping[str, Decimal] | None = None
    price_as: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateLimitConfig:
    """Client-side limits per minute; None means no limit."""

    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None

    @property
    def limited(self) -> bool:
        """Whether any limit is set."""
        return self.requests_per_minute is not None or self.tokens_per_minute is not None


@dataclass(frozen=True)
class RouteConfig:
    """A named fallback chain and its limits.

    ``requests_per_minute`` / ``tokens_per_minute`` limit the whole route; ``per_user`` and
    ``per_tenant`` apply their limits to each user / tenant separately. ``prompt_cache`` is
    None (off), ``"5m"`` or ``"1h"`` (``true`` in the file means ``"5m"``).
    """

    name: str
    chain: tuple[str, ...]
    timeout_s: float | None = None
    attempt_timeout_s: float | None = None
    max_retries: int | None = None
    max_cost_usd: Decimal | None = None
    fallback_on: tuple[str, ...] = ()
    max_fallback_depth: int | None = None
    cache_enabled: bool = False
    cache_ttl_s: float | None = None
    cache_sampled: bool = False
    prompt_cache: str | None = None
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    per_user: RateLimitConfig = field(default_factory=RateLimitConfig)
    per_tenant: RateLimitConfig = field(default_factory=RateLimitConfig)


@dataclass(frozen=True)
class BudgetConfig:
    """Spending limits; amounts in USD."""

    monthly_usd: Decimal | None = None
    daily_usd: Decimal | None = None
    per_feature: Mapping[str, Decimal] = field(default_factory=dict)
    per_model: Mapping[str, Decimal] = field(default_factory=dict)
    alert_at: tuple[float, ...] = (0.7, 0.9, 1.0)
    soft_limit_at: float | None = None
    on_hard_limit: str = "refuse"


@dataclass(frozen=True)
class OtlpConfig:
    """Where usage events are also exported as OpenTelemetry GenAI spans."""

    endpoint: str
    headers_env: str | None = None


@dataclass(frozen=True)
class UsageLogConfig:
    """Where usage events go; ``path`` is absolute (resolved against the project root).

    With a store configured, ``path`` is the local spool the shipper reads."""

    path: Path
    format: str = "aiinfra"
    rotate_mb: float | None = None
    otlp: OtlpConfig | None = None


@dataclass(frozen=True)
class StoreConfig:
    """The team's shared usage store; the DSN itself lives in the ``dsn_env`` variable."""

    kind: Literal["postgres"] = "postgres"
    dsn_env: str = DEFAULT_STORE_DSN_ENV
    refresh_s: float = DEFAULT_STORE_REFRESH_S


@dataclass(frozen=True)
class StateConfig:
    """Where shared rate limits and breakers live; the URL lives in the ``url_env`` variable."""

    kind: Literal["redis"] = "redis"
    url_env: str = DEFAULT_STATE_URL_ENV


@dataclass(frozen=True)
class InstrumentationConfig:
    """What the instrumentation check treats as a tracked call."""

    tracked_wrappers: tuple[str, ...] = ()
    tracker_module: str = "ai.cost_tracker"
    ignore_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class HealthConfig:
    """When ``model-health`` calls a working model degraded; None: the built-in default."""

    min_headroom: float | None = None
    slow_ms: float | None = None
    slow_ttft_ms: float | None = None


@dataclass(frozen=True)
class AgentConfig:
    """The opt-in analysis agent's route, cost cap and longest rate-limit wait."""

    route: str | None = None
    max_cost_usd: Decimal | None = None
    max_wait_s: float | None = None


@dataclass(frozen=True)
class Config:
    """A validated ``config/ai-models.yaml``. ``root`` is the project root the file belongs to."""

    path: Path
    root: Path
    version: int
    providers: Mapping[str, ProviderConfig]
    models: tuple[ModelConfig, ...]
    routes: Mapping[str, RouteConfig]
    budgets: BudgetConfig
    usage_log: UsageLogConfig
    instrumentation: InstrumentationConfig
    agent: AgentConfig
    health: HealthConfig = field(default_factory=HealthConfig)
    store: StoreConfig | None = None
    state: StateConfig | None = None

    def model(self, model_id: str) -> ModelConfig | None:
        """The model entry with this id, or None."""
        return next((m for m in self.models if m.id == model_id), None)
