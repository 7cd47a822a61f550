"""What a probe finds out: timings, rate-limit headroom, and the one failure it met, if any."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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


@dataclass(frozen=True)
class Generation:
    """What the deep probe's 1-token generation returned."""

    input_tokens: int
    output_tokens: int
    tokens_per_s: float | None
    cost_usd: Decimal | None
    cost_note: str | None = None


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
