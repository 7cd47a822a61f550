"""The CLI's own provider layer: probes today (model-health); one call with fallback later
(prompt tests, the agent).

Public surface::

    probe_models(config, models=None, options=ProbeOptions(), *, environ=None) -> [ProbeResult]
    probe_models_async(...)                  the same, inside a running event loop
    preload(config, models, *, deep)         import the SDKs a deep probe needs, ahead of timing
    ProbeOptions(deep, timeout_s, thresholds), Thresholds(min_headroom, slow_ms, slow_ttft_ms)
    ProbeResult, Timings, Headroom, Limit, Generation, Status, STATUSES, HEALTH_ERROR_CLASSES
    classify_http(status, body, *, kind) -> error class;  headroom(headers), retry_after(headers)

Heavy libraries (httpx here; the anthropic and openai SDKs on a deep probe) load with this
package, never at CLI start-up. No key ever appears in a result: keys are read from the
environment variables the config names, sent in headers only, and scrubbed from every message
a provider sends back.
"""

from __future__ import annotations

from aiinfra_cli.providers._classify import classify_http, parse_error_body
from aiinfra_cli.providers._cost import ProbePricer
from aiinfra_cli.providers._generate import (
    Completion,
    GenerationAttempt,
    GenerationFailed,
    generate,
)
from aiinfra_cli.providers._headers import headroom, request_id, retry_after
from aiinfra_cli.providers._run import (
    ProbeOptions,
    Thresholds,
    judge,
    preload,
    probe_models,
    probe_models_async,
)
from aiinfra_cli.providers._target import DEFAULT_BASE_URLS, display_endpoint, read_secret
from aiinfra_cli.providers._target import resolve as resolve_target
from aiinfra_cli.providers._types import (
    HEALTH_ERROR_CLASSES,
    STATUSES,
    Generation,
    Headroom,
    Limit,
    ProbeFailure,
    ProbeResult,
    Status,
    Timings,
)

__all__ = [
    "DEFAULT_BASE_URLS",
    "HEALTH_ERROR_CLASSES",
    "STATUSES",
    "Completion",
    "Generation",
    "GenerationAttempt",
    "GenerationFailed",
    "Headroom",
    "Limit",
    "ProbeFailure",
    "ProbeOptions",
    "ProbePricer",
    "ProbeResult",
    "Status",
    "Thresholds",
    "Timings",
    "classify_http",
    "display_endpoint",
    "generate",
    "headroom",
    "judge",
    "parse_error_body",
    "preload",
    "probe_models",
    "probe_models_async",
    "read_secret",
    "request_id",
    "resolve_target",
    "retry_after",
]
