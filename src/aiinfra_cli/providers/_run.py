"""Probe many models concurrently under one deadline, and judge each one's health."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from aiinfra_cli.config import Config, ModelConfig
from aiinfra_cli.pricing import TokenUsage
from aiinfra_cli.providers._classify import scrub
from aiinfra_cli.providers._cost import ProbePricer
from aiinfra_cli.providers._deep import Deep, SdkClients, deep_probe
from aiinfra_cli.providers._headers import headroom as read_headroom
from aiinfra_cli.providers._headers import request_id as read_request_id
from aiinfra_cli.providers._http import HttpSession, Light, light_probe
from aiinfra_cli.providers._target import Target, resolve
from aiinfra_cli.providers._types import (
    Generation,
    Headroom,
    ProbeFailure,
    ProbeResult,
    Status,
    Timings,
)

# A probe's request refused as malformed is the provider's problem, not the probe's (which is
# fixed and valid): a health check reports these classes as bad_response.
_FOLDED = {
    "bad_request": "bad_response",
    "context_overflow": "bad_response",
    "content_filter": "bad_response",
}
_GRACE_S = 0.25  # how long cancelled probes get to close their sockets after the deadline


@dataclass(frozen=True)
class Thresholds:
    """When a working model counts as degraded (see docs/model-health.md)."""

    min_headroom: float = 0.10
    slow_ms: float = 2000.0
    slow_ttft_ms: float = 5000.0


@dataclass(frozen=True)
class ProbeOptions:
    """``deep``: also generate one token. ``timeout_s``: the one deadline for the whole run."""

    deep: bool = False
    timeout_s: float = 10.0
    thresholds: Thresholds = field(default_factory=Thresholds)


def probe_models(
    config: Config,
    models: Sequence[ModelConfig] | None = None,
    options: ProbeOptions | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[ProbeResult]:
    """Probe ``models`` (default: all of the config's) and return one result each, in order."""
    return asyncio.run(
        probe_models_async(config, models, options or ProbeOptions(), environ=environ)
    )


async def probe_models_async(
    config: Config,
    models: Sequence[ModelConfig] | None,
    options: ProbeOptions,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[ProbeResult]:
    """The async core of :func:`probe_models`: every probe runs at once, and whatever has not
    answered when ``options.timeout_s`` is up is cancelled and reported as a timeout."""
    env = os.environ if environ is None else environ
    chosen = list(config.models if models is None else models)
    targets = [resolve(m, config.providers[m.provider], env) for m in chosen]
    secrets = {t.key for t in targets if t.key} | {
        t.organization for t in targets if t.organization
    }
    session = HttpSession(timeout_s=options.timeout_s, secrets=tuple(sorted(secrets)))
    pricer = None
    clients = SdkClients(options.timeout_s, session.prepare())
    if options.deep:
        _preload_sdks(targets)
        clients.prepare(targets)
        pricer = ProbePricer(config)
        pricer.prepare()
    progress: dict[int, Light] = {}  # light probes done, for models the deadline cuts short
    tasks = [
        asyncio.ensure_future(_probe(t, session, clients, options, pricer, progress.setdefault))
        for t in targets
    ]
    try:
        if tasks:  # the deadline starts here
            _done, pending = await asyncio.wait(tasks, timeout=options.timeout_s)
            leftovers = {*pending, *session.running()}
            for task in leftovers:
                task.cancel()
            if leftovers:
                await asyncio.wait(leftovers, timeout=_GRACE_S)
    finally:
        await clients.aclose()
        _retrieve([*tasks, *session.tasks()])
    results = []
    for target, task in zip(targets, tasks, strict=True):
        if task.done() and not task.cancelled():
            results.append(task.result())  # provider faults are results; only a bug raises
        else:
            late = ProbeFailure(
                "timeout", f"no answer from {target.endpoint} within {options.timeout_s:g} s"
            )
            results.append(_failed(target, options, late, progress.get(id(target))))
    return results


def _retrieve(tasks: Sequence[asyncio.Future[Any]]) -> None:
    """Mark every finished task's exception as seen: asyncio would otherwise print "Task
    exception was never retrieved" with the exception's arguments (a request's headers, a key)
    at exit. A probe's own exception is re-raised from its result below."""
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()


def preload(config: Config, models: Sequence[ModelConfig] | None = None, *, deep: bool) -> None:
    """Import what a deep probe of ``models`` needs, so a caller can keep the SDKs' import time
    (up to ~1.5 s of CPU: start-up, not latency) out of what it measures."""
    if deep:
        chosen = config.models if models is None else models
        _preload_sdks([resolve(m, config.providers[m.provider], os.environ) for m in chosen])


def _preload_sdks(targets: Sequence[Target]) -> None:
    # Before the deadline starts: importing an SDK inside it would eat into every probe's time.
    kinds = {t.kind for t in targets if not t.missing_key}
    if "anthropic" in kinds:
        import anthropic  # noqa: F401
    if kinds & {"openai", "openai-compatible", "azure-openai"}:
        import openai  # noqa: F401


async def _probe(
    target: Target,
    session: HttpSession,
    clients: SdkClients,
    options: ProbeOptions,
    pricer: ProbePricer | None,
    report: Callable[[int, Light], object],
) -> ProbeResult:
    missing = target.missing_key
    if missing:
        failed = _failed(target, options, ProbeFailure("auth", f"missing key {missing}"))
        return replace(failed, probed=False)
    limit = target.provider.timeout_s
    if limit is None or limit >= options.timeout_s:
        limit = None  # the run's deadline comes first
    light: Light | None = None
    try:
        light = await asyncio.wait_for(light_probe(target, session), limit)
        report(id(target), light)
        deep = None
        if options.deep:
            deep = await asyncio.wait_for(deep_probe(target, session, clients), limit)
    except ProbeFailure as failure:
        return _failed(target, options, failure, light)
    except asyncio.TimeoutError:
        late = ProbeFailure("timeout", f"no answer from {target.endpoint} within {limit:g} s")
        return _failed(target, options, late, light)
    return _succeeded(target, options, light, deep, pricer)


def _succeeded(
    target: Target,
    options: ProbeOptions,
    light: Light,
    deep: Deep | None,
    pricer: ProbePricer | None,
) -> ProbeResult:
    timings = light.timings
    room = light.headroom
    rid = light.request_id
    notes = list(light.notes)
    generation = None
    if deep is not None:
        timings = Timings(
            connect_ms=timings.connect_ms,
            tls_ms=timings.tls_ms,
            first_byte_ms=timings.first_byte_ms,
            total_ms=timings.total_ms,
            ttft_ms=deep.ttft_ms,
            generation_ms=deep.generation_ms,
        )
        room = read_headroom(deep.headers) or room
        rid = read_request_id(deep.headers) or rid
        generation = _generation(target, deep, pricer)
        if deep.usage is None:
            notes.append("no usage reported")
    status, reasons = judge(None, timings, room, options)
    return replace(
        _result(target, options, status),
        message=("degraded: " + "; ".join(reasons)) if reasons else None,
        reasons=reasons,
        notes=tuple(notes),
        http_status=light.http_status,
        request_id=rid,
        model_available=light.model_available,
        server=light.server,
        timings=timings,
        headroom=room,
        generation=generation,
    )


def _result(target: Target, options: ProbeOptions, status: Status) -> ProbeResult:
    """A result naming the target and the run's depth; what the probe found is added with
    ``replace``."""
    return ProbeResult(
        id=target.model.id,
        provider=target.provider.name,
        provider_kind=target.kind,
        model=target.model.model,
        endpoint=target.endpoint,
        status=status,
        deep=options.deep,
    )


def _generation(target: Target, deep: Deep, pricer: ProbePricer | None) -> Generation:
    usage = deep.usage or TokenUsage()
    seconds = deep.generation_ms / 1000
    rate = usage.output_tokens / seconds if seconds > 0 and usage.output_tokens else None
    cost: Decimal | None = None
    note: str | None = "no usage reported" if deep.usage is None else None
    if deep.usage is not None and pricer is not None:
        cost, note = pricer.price(target.model, usage)
    return Generation(usage.input_tokens, usage.output_tokens, rate, cost, note)


def _failed(
    target: Target, options: ProbeOptions, failure: ProbeFailure, light: Light | None = None
) -> ProbeResult:
    error_class = _FOLDED.get(failure.error_class, failure.error_class)
    secrets = tuple(s for s in (target.key, target.organization) if s)
    timings = failure.timings or (light.timings if light is not None else Timings())
    room = read_headroom(failure.headers) or (light.headroom if light is not None else None)
    status, reasons = judge(error_class, timings, room, options)
    detail = failure.detail
    if room is not None and room.retry_after_s is not None:
        detail += f" (retry after {room.retry_after_s:g} s)"
    available = False if error_class == "not_found" else None
    if light is not None and available is None:
        available = light.model_available
    return replace(
        _result(target, options, status),
        error_class=error_class,
        message=scrub(f"{error_class}: {detail}", secrets),
        reasons=reasons,
        notes=light.notes if light is not None else (),
        http_status=failure.http_status,
        request_id=read_request_id(failure.headers),
        model_available=available,
        server=light.server if light is not None else None,
        timings=timings,
        headroom=room,
    )


def judge(
    error_class: str | None,
    timings: Timings,
    headroom: Headroom | None,
    options: ProbeOptions,
) -> tuple[Status, tuple[str, ...]]:
    """The status and the reasons for a degraded one.

    unhealthy: any failure but a rate limit. degraded: rate-limited (reachable and authorised,
    refused for now), rate-limit headroom under ``min_headroom``, or slower than ``slow_ms``
    (light probe) / ``slow_ttft_ms`` (deep probe's time to first token). healthy: the rest.
    """
    limits = options.thresholds
    if error_class is not None and error_class != "rate_limited":
        return "unhealthy", ()
    reasons: list[str] = []
    if error_class == "rate_limited":
        reasons.append("rate limited")
    elif (
        headroom is not None
        and (room := headroom.fraction) is not None
        and room < limits.min_headroom
    ):
        reasons.append(
            f"rate-limit headroom {room:.0%} of {headroom.tightest}"
            f" (under {limits.min_headroom:.0%})"
        )
    if timings.total_ms is not None and timings.total_ms > limits.slow_ms:
        reasons.append(f"slow: {timings.total_ms:.0f} ms (over {limits.slow_ms:g} ms)")
    if timings.ttft_ms is not None and timings.ttft_ms > limits.slow_ttft_ms:
        reasons.append(
            f"slow first token: {timings.ttft_ms:.0f} ms (over {limits.slow_ttft_ms:g} ms)"
        )
    return ("degraded" if reasons else "healthy"), tuple(reasons)
