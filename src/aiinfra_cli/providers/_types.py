"""What a probe finds out: timings, rate-limit headroom, and the one failure it met, if any."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiinfra_cli.vocabulary import HEALTH_ERROR_CLASSES as HEALTH_ERROR_CLASSES
from aiinfra_cli.vocabulary import HEALTH_STATUSES, HealthStatus

# A probe's status, and the failure classes it reports (config.ERROR_CLASSES without those only
# a caller's own request can cause): declared once in aiinfra_cli.vocabulary.
Status = HealthStatus
STATUSES = HEALTH_STATUSES


class ProbeFailure(Exception):
    """A probe's request failed; raised inside the provider layer, turned into a result.

    ``error_class`` is one of ``config.ERROR_CLASSES``; ``detail`` is already free of secrets.
    """

    def __init__(
        self,
        error_class: str,
        detail: str,
        *,
        http_status: int | None = None,
        headers: dict[str, str] | None = None,
        timings: Timings | None = None,
    ) -> None:
        super().__init__(f"{error_class}: {detail}")
        self.error_class = error_class
        self.detail = detail
        self.http_status = http_status
        self.headers = headers or {}
        self.timings = timings


@dataclass(frozen=True)
class Limit:
    """One rate-limit dimension from the response headers (requests, tokens, …)."""

    limit: int | None
    remaining: int | None
    reset_s: float | None = None

    @property
    def fraction(self) -> float | None:
        """``remaining / limit`` (None when either is unknown or the limit is 0)."""
        if self.limit is None or self.remaining is None or self.limit <= 0:
            return None
        return max(0.0, min(1.0, self.remaining / self.limit))

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        fraction = self.fraction
        return {
            "limit": self.limit,
            "remaining": self.remaining,
            "reset_s": self.reset_s,
            "fraction": None if fraction is None else round(fraction, 4),
        }


@dataclass(frozen=True)
class Headroom:
    """Rate-limit headroom read from headers: each dimension and ``Retry-After``, if sent."""

    limits: dict[str, Limit] = field(default_factory=dict)
    retry_after_s: float | None = None

    @property
    def fraction(self) -> float | None:
        """The smallest ``remaining / limit`` over the dimensions (None: no usable header)."""
        fractions = [f for limit in self.limits.values() if (f := limit.fraction) is not None]
        return min(fractions) if fractions else None

    @property
    def tightest(self) -> str | None:
        """The name of the dimension with the least headroom."""
        tightest: tuple[float, str] | None = None
        for name, limit in self.limits.items():  # on a tie, the first listed (requests, tokens)
            fraction = limit.fraction
            if fraction is not None and (tightest is None or fraction < tightest[0]):
                tightest = (fraction, name)
        return None if tightest is None else tightest[1]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        fraction = self.fraction
        return {
            "fraction": None if fraction is None else round(fraction, 4),
            "retry_after_s": self.retry_after_s,
            **{name: limit.as_dict() for name, limit in self.limits.items()},
        }


@dataclass(frozen=True)
class Timings:
    """Milliseconds. Light probe: ``connect`` (TCP), ``tls``, ``first_byte``, ``total``.
    Deep probe: ``ttft`` (first token) and ``generation`` (whole streamed call)."""

    connect_ms: float | None = None
    tls_ms: float | None = None
    first_byte_ms: float | None = None
    total_ms: float | None = None
    ttft_ms: float | None = None
    generation_ms: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        """JSON form (rounded to 0.1 ms)."""

        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {
            "connect": r(self.connect_ms),
            "tls": r(self.tls_ms),
            "first_byte": r(self.first_byte_ms),
            "total": r(self.total_ms),
            "ttft": r(self.ttft_ms),
            "generation": r(self.generation_ms),
        }


@dataclass(frozen=True)
class Generation:
    """What the deep probe's 1-token generation returned."""

    input_tokens: int
    output_tokens: int
    tokens_per_s: float | None
    cost_usd: Decimal | None
    cost_note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form (the cost as a decimal string: money is exact)."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "tokens_per_s": None if self.tokens_per_s is None else round(self.tokens_per_s, 2),
            "cost_usd": None if self.cost_usd is None else str(self.cost_usd),
            "cost_note": self.cost_note,
        }


@dataclass(frozen=True)
class ProbeResult:
    """The health of one configured model."""

    id: str
    provider: str
    provider_kind: str
    model: str
    endpoint: str
    status: Status
    error_class: str | None = None
    message: str | None = None
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    http_status: int | None = None
    request_id: str | None = None
    model_available: bool | None = None
    server: str | None = None
    timings: Timings = field(default_factory=Timings)
    headroom: Headroom | None = None
    generation: Generation | None = None
    deep: bool = False
    probed: bool = True  # False: no request was sent (no API key), so the run says nothing

    def as_dict(self) -> dict[str, Any]:
        """JSON form (see docs/model-health.md)."""
        return {
            "id": self.id,
            "provider": self.provider,
            "provider_kind": self.provider_kind,
            "model": self.model,
            "endpoint": self.endpoint,
            "status": self.status,
            "error_class": self.error_class,
            "message": self.message,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "http_status": self.http_status,
            "request_id": self.request_id,
            "model_available": self.model_available,
            "server": self.server,
            "latency_ms": self.timings.as_dict(),
            "headroom": None if self.headroom is None else self.headroom.as_dict(),
            "generation": None if self.generation is None else self.generation.as_dict(),
        }
