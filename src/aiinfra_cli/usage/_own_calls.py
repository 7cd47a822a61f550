"""aiinfra's own LLM calls (the agent, live prompt tests) as usage events, appended to the
config's usage log, so they show in the cost report like the app's calls.

The file is the one the generated cost tracker writes: ``usage_log.path`` itself when it names a
``.jsonl`` file, else ``usage-YYYY-MM-DD.jsonl`` (UTC day) in that directory, or the newest rotated
``usage-YYYY-MM-DD.N.jsonl`` of the day when ``rotate_mb`` is set. Each event is one line written
with one ``O_APPEND`` write under an exclusive ``flock``, so lines of concurrent writers (the
tracker in a running service) never interleave.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from aiinfra_cli.config import ModelConfig, UsageLogConfig
from aiinfra_cli.pricing import TokenUsage, format_usd
from aiinfra_cli.usage._event import UsageEvent

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: O_APPEND alone keeps small writes whole
    fcntl = None  # type: ignore[assignment]

SERVICE = "aiinfra"


def own_call_event(
    *,
    feature: str,
    endpoint: str,
    model: ModelConfig,
    usage: TokenUsage | None,
    cost: Decimal | None,
    latency_ms: float,
    started: datetime,
    route: str | None,
    attempt: int,
    fallback_from: str | None,
) -> UsageEvent:
    """The usage event of one answered request aiinfra itself made (``feature`` says which
    part: ``aiinfra-agent``, ``aiinfra-prompt-tests``; service ``aiinfra``)."""
    counts = usage or TokenUsage()
    return UsageEvent(
        timestamp=started.astimezone(timezone.utc),
        provider=model.provider_kind,
        request_model=model.model,
        model_id=model.id,
        input_tokens=counts.input_tokens,
        output_tokens=counts.output_tokens,
        cache_read_tokens=counts.cache_read_tokens,
        cache_write_tokens=counts.cache_write_tokens,
        cache_write_1h_tokens=counts.cache_write_1h_tokens,
        reasoning_tokens=counts.reasoning_tokens,
        status="ok",
        event_id=uuid.uuid4().hex,
        latency_ms=round(latency_ms, 1),
        cost_usd=None if cost is None else Decimal(format_usd(cost)),
        feature=feature,
        endpoint=endpoint,
        route=route,
        attempt=attempt,
        fallback_from=fallback_from,
        service=SERVICE,
        tags={} if usage is not None else {"usage": "not reported by the provider"},
    )


def log_file(log: UsageLogConfig, now: datetime | None = None) -> Path:
    """The file the next event goes to (see the module docstring)."""
    if log.path.suffix == ".jsonl":
        return log.path
    day = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%d")
    plain = log.path / f"usage-{day}.jsonl"
    if not log.rotate_mb:
        return plain
    stem = plain.name[: -len(".jsonl")]
    numbers = [
        int(middle)
        for p in log.path.glob(f"{stem}.*.jsonl")
        if (middle := p.name[len(stem) + 1 : -len(".jsonl")]).isdigit()
    ]
    return plain.with_name(f"{stem}.{max(numbers)}.jsonl") if numbers else plain


def append_event(log: UsageLogConfig, event: UsageEvent) -> Path:
    """Append ``event`` as one JSON line; the file written. Raises OSError when unwritable."""
    path = log_file(log, event.timestamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
    payload = memoryview(line.encode("utf-8"))
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        while payload:
            payload = payload[os.write(fd, payload) :]
    finally:
        os.close(fd)  # closing releases the lock
    return path
