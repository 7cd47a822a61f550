"""The model-health history file: one JSONL line per run, appended atomically, read into trends
(uptime and latency percentiles per model id over the newest runs)."""

from __future__ import annotations

import json
import math
import os
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli.paths import MULTIAGENT_DIR
from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from aiinfra_cli.providers import ProbeResult

HISTORY_SCHEMA = "aiinfra.model-health.history/1"
HISTORY_RELPATH = MULTIAGENT_DIR / "health" / "history.jsonl"
HISTORY_WINDOW = 1000  # the newest runs the trends are computed over


def history_line(results: Iterable[ProbeResult], *, at: datetime, deep: bool) -> str:
    """One run as one JSONL line (secrets redacted, like every output). Models that were not
    probed (no API key) are left out: their absence is not downtime."""
    record = {
        "schema": HISTORY_SCHEMA,
        "at": _timestamp(at),
        "deep": deep,
        "models": [
            {
                "id": r.id,
                "provider": r.provider,
                "model": r.model,
                "status": r.status,
                "error_class": r.error_class,
                "latency_ms": _round(r.timings.total_ms),
                "ttft_ms": _round(r.timings.ttft_ms),
            }
            for r in results
            if r.probed  # a model with no key was not probed: that is not an outage
        ],
    }
    return redact(json.dumps(record, separators=(",", ":"), ensure_ascii=False)) + "\n"


def append_line(path: Path, line: str) -> None:
    """Append ``line`` with one ``write`` on an ``O_APPEND`` descriptor, so concurrent runs
    never interleave inside a line. A torn last line (a crash mid-write) is closed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = line.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and _last_byte(path) != b"\n":
            data = b"\n" + data
        written = os.write(fd, data)
        while written < len(data):  # a short write on a full disk or a signal: finish the line
            written += os.write(fd, data[written:])
    finally:
        os.close(fd)


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)


@dataclass(frozen=True)
class ModelTrend:
    """A model's record over the stored runs: uptime and latency percentiles."""

    runs: int
    up: int
    p50_ms: float | None
    p95_ms: float | None

    @property
    def uptime(self) -> float | None:
        """The share of runs in which the model was usable (healthy or degraded)."""
        return self.up / self.runs if self.runs else None


@dataclass(frozen=True)
class History:
    """What the history file holds: runs read, lines skipped, and the trend per model id."""

    runs: int
    corrupt_lines: int
    trends: dict[str, ModelTrend]


def read_history(path: Path, window: int = HISTORY_WINDOW) -> History:
    """The newest ``window`` runs of ``path``; lines that are not runs are counted, not fatal."""
    if not path.exists():
        return History(0, 0, {})
    corrupt = 0
    runs: deque[list[dict[str, Any]]] = deque(maxlen=window)
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            models = _parse_run(raw)
            if models is None:
                corrupt += 1
            else:
                runs.append(models)
    states: dict[str, list[tuple[bool, float | None]]] = {}
    for models in runs:
        for entry in models:
            up = entry["status"] in ("healthy", "degraded")
            latency: Any = entry.get("latency_ms")
            if isinstance(latency, bool) or not isinstance(latency, int | float):
                latency = None
            states.setdefault(entry["id"], []).append((up, latency))
    trends = {}
    for model_id, seen in states.items():
        latencies = sorted(lat for up, lat in seen if up and lat is not None)
        trends[model_id] = ModelTrend(
            runs=len(seen),
            up=sum(1 for up, _ in seen if up),
            p50_ms=percentile(latencies, 0.50),
            p95_ms=percentile(latencies, 0.95),
        )
    return History(len(runs), corrupt, trends)


def _parse_run(raw: bytes) -> list[dict[str, Any]] | None:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("schema") != HISTORY_SCHEMA:
        return None
    models = record.get("models")
    if not isinstance(models, list):
        return None
    valid = [
        m
        for m in models
        if isinstance(m, dict) and isinstance(m.get("id"), str) and isinstance(m.get("status"), str)
    ]
    return valid if len(valid) == len(models) else None


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an ascending sequence (None when it is empty)."""
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _timestamp(at: datetime) -> str:
    return (
        at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{at.microsecond // 1000:03d}Z"
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
