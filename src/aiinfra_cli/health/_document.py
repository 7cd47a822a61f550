"""The model-health document, ``aiinfra.model-health/1``, declared once.

These frozen dataclasses are the run: :func:`aiinfra_cli._jsondoc.to_json` of a
:class:`HealthDocument` is the ``--json`` document, :func:`json_schema` is derived from them,
and the dashboard renders the same typed sections. Values are what the document shows: times
rounded to 0.1 ms, fractions to 4 places, tokens per second to 2 (the schema is described in
docs/model-health.md). Within the schema id, keys are only ever added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from aiinfra_cli._jsondoc import SPREAD, Count, DateTime, Leaf, json_schema_of, to_json
from aiinfra_cli._jsonschema import schema_document
from aiinfra_cli.config import Config, display_path
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK
from aiinfra_cli.health._history import History, ModelTrend, _round, _timestamp
from aiinfra_cli.vocabulary import HealthStatus

if TYPE_CHECKING:
    from aiinfra_cli.providers import Generation, Headroom, Limit, ProbeResult, Timings

SCHEMA: Literal["aiinfra.model-health/1"] = "aiinfra.model-health/1"

Ms = float | None  # milliseconds, rounded to 0.1
Fraction = Annotated[float | None, Leaf({"type": ["number", "null"], "minimum": 0, "maximum": 1})]


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True, kw_only=True)
class Latency:
    """The light probe's steps and the deep probe's times (null where a step did not happen)."""

    connect: Ms
    tls: Ms
    first_byte: Ms
    total: Ms
    ttft: Ms
    generation: Ms

    @classmethod
    def of(cls, t: Timings) -> Latency:
        return cls(
            connect=_round(t.connect_ms),
            tls=_round(t.tls_ms),
            first_byte=_round(t.first_byte_ms),
            total=_round(t.total_ms),
            ttft=_round(t.ttft_ms),
            generation=_round(t.generation_ms),
        )


@dataclass(frozen=True, kw_only=True)
class LimitEntry:
    """One rate-limit dimension (requests, tokens, …) the headers carried."""

    limit: int | None
    remaining: int | None
    reset_s: float | None
    fraction: Fraction

    @classmethod
    def of(cls, limit: Limit) -> LimitEntry:
        return cls(
            limit=limit.limit,
            remaining=limit.remaining,
            reset_s=limit.reset_s,
            fraction=_fraction(limit.fraction),
        )


@dataclass(frozen=True, kw_only=True)
class HeadroomEntry:
    """The smallest fraction left, ``Retry-After``, and each dimension under its own name."""

    fraction: Fraction
    retry_after_s: float | None
    limits: Mapping[str, LimitEntry] = field(metadata=SPREAD)

    @classmethod
    def of(cls, room: Headroom) -> HeadroomEntry:
        return cls(
            fraction=_fraction(room.fraction),
            retry_after_s=room.retry_after_s,
            limits={name: LimitEntry.of(limit) for name, limit in room.limits.items()},
        )


@dataclass(frozen=True, kw_only=True)
class GenerationEntry:
    """What the deep probe's one-token generation returned (its cost as a decimal string)."""

    input_tokens: Count
    output_tokens: Count
    tokens_per_s: float | None
    cost_usd: str | None
    cost_note: str | None

    @classmethod
    def of(cls, g: Generation) -> GenerationEntry:
        return cls(
            input_tokens=g.input_tokens,
            output_tokens=g.output_tokens,
            tokens_per_s=None if g.tokens_per_s is None else round(g.tokens_per_s, 2),
            cost_usd=None if g.cost_usd is None else str(g.cost_usd),
            cost_note=g.cost_note,
        )


@dataclass(frozen=True, kw_only=True)
class TrendEntry:
    """A model over the stored runs: uptime (usable share) and latency percentiles."""

    runs: Count
    uptime: Fraction
    p50_ms: Ms
    p95_ms: Ms

    @classmethod
    def of(cls, trend: ModelTrend) -> TrendEntry:
        return cls(
            runs=trend.runs,
            uptime=_fraction(trend.uptime),
            p50_ms=_round(trend.p50_ms),
            p95_ms=_round(trend.p95_ms),
        )


@dataclass(frozen=True, kw_only=True)
class ModelEntry:
    """One configured model's probe, in config order."""

    id: str
    provider: str
    provider_kind: str
    model: str
    endpoint: str
    status: HealthStatus
    error_class: str | None
    message: str | None
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    http_status: int | None
    request_id: str | None
    model_available: bool | None
    server: str | None
    latency_ms: Latency
    headroom: HeadroomEntry | None
    generation: GenerationEntry | None
    history: TrendEntry | None

    @classmethod
    def of(cls, r: ProbeResult, trend: ModelTrend | None) -> ModelEntry:
        return cls(
            id=r.id,
            provider=r.provider,
            provider_kind=r.provider_kind,
            model=r.model,
            endpoint=r.endpoint,
            status=r.status,
            error_class=r.error_class,
            message=r.message,
            reasons=r.reasons,
            notes=r.notes,
            http_status=r.http_status,
            request_id=r.request_id,
            model_available=r.model_available,
            server=r.server,
            latency_ms=Latency.of(r.timings),
            headroom=None if r.headroom is None else HeadroomEntry.of(r.headroom),
            generation=None if r.generation is None else GenerationEntry.of(r.generation),
            history=None if trend is None else TrendEntry.of(trend),
        )


@dataclass(frozen=True, kw_only=True)
class Summary:
    """How many models were probed and how many are in each status; ``ok``: all healthy."""

    models: Count
    healthy: Count
    degraded: Count
    unhealthy: Count
    ok: bool

    @classmethod
    def of(cls, statuses: Sequence[HealthStatus]) -> Summary:
        healthy = statuses.count("healthy")
        return cls(
            models=len(statuses),
            healthy=healthy,
            degraded=statuses.count("degraded"),
            unhealthy=statuses.count("unhealthy"),
            ok=healthy == len(statuses),
        )


@dataclass(frozen=True, kw_only=True)
class RouteEntry:
    """A route whose chain holds a probed model: is one model of it usable?"""

    name: str
    chain: tuple[str, ...]
    probed: tuple[str, ...]
    status: HealthStatus
    healthy: bool
    first_usable: str | None


@dataclass(frozen=True, kw_only=True)
class HistoryEntry:
    """The history file: where it is, runs read, lines skipped."""

    path: str
    runs: Count
    corrupt_lines: Count


@dataclass(frozen=True, kw_only=True)
class HealthDocument:
    """One model-health run: the ``--json`` document and what the dashboard shows."""

    schema: Literal["aiinfra.model-health/1"]
    generated_at: DateTime
    config: str
    deep: bool
    timeout_s: float
    elapsed_ms: float
    summary: Summary
    models: tuple[ModelEntry, ...]
    routes: tuple[RouteEntry, ...]
    history: HistoryEntry | None

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        document: dict[str, Any] = to_json(self)
        return document


def json_schema() -> dict[str, Any]:
    """The schema every model-health ``--json`` document follows."""
    return schema_document(
        "urn:aiinfra:model-health:v1", "aiinfra model-health run", json_schema_of(HealthDocument)
    )


def exit_code(document: HealthDocument) -> int:
    """0 when every probed model is healthy, else 1."""
    return EXIT_OK if document.summary.ok else EXIT_FAILURE


def build_document(
    config: Config,
    results: Sequence[ProbeResult],
    *,
    at: datetime,
    deep: bool,
    timeout_s: float,
    elapsed_ms: float,
    history: History | None,
    history_path: Path | None,
) -> HealthDocument:
    """The run as one typed document."""
    trends = history.trends if history is not None else {}
    return HealthDocument(
        schema=SCHEMA,
        generated_at=_timestamp(at),
        config=display_path(config.path),
        deep=deep,
        timeout_s=timeout_s,
        elapsed_ms=round(elapsed_ms, 1),
        summary=Summary.of([r.status for r in results]),
        models=tuple(ModelEntry.of(r, trends.get(r.id)) for r in results),
        routes=route_summaries(config, results),
        history=None
        if history_path is None
        else HistoryEntry(
            path=display_path(history_path),
            runs=history.runs if history is not None else 0,
            corrupt_lines=history.corrupt_lines if history is not None else 0,
        ),
    )


def route_summaries(config: Config, results: Sequence[ProbeResult]) -> tuple[RouteEntry, ...]:
    """Each route whose chain holds a probed model: is at least one model of it healthy?"""
    by_id = {r.id: r for r in results}
    summaries = []
    for route in config.routes.values():
        probed = tuple(model_id for model_id in route.chain if model_id in by_id)
        if not probed:
            continue
        healthy = [m for m in probed if by_id[m].status == "healthy"]
        usable = healthy or [m for m in probed if by_id[m].status == "degraded"]
        status: HealthStatus = "healthy" if healthy else "degraded" if usable else "unhealthy"
        summaries.append(
            RouteEntry(
                name=route.name,
                chain=tuple(route.chain),
                probed=probed,
                status=status,
                healthy=bool(healthy),
                first_usable=usable[0] if usable else None,
            )
        )
    return tuple(summaries)
