"""``aiinfra model-health``: probe every configured model at once, show a dashboard, keep history.

The probing is :mod:`aiinfra_cli.providers`; this module chooses the models, writes and reads
the history file, builds the JSON document (the one source for ``--json`` and the dashboard),
renders it with Rich, and runs the ``--watch`` loop. Exit code: 0 when every probed model is
healthy, 1 when any is not.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli import output
from aiinfra_cli._schema import did_you_mean
from aiinfra_cli.config import Config, ModelConfig, display_path, load_config
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK, UsageError
from aiinfra_cli.paths import MULTIAGENT_DIR
from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from aiinfra_cli.providers import ProbeResult

SCHEMA = "aiinfra.model-health/1"
HISTORY_SCHEMA = "aiinfra.model-health.history/1"
HISTORY_RELPATH = MULTIAGENT_DIR / "health" / "history.jsonl"
HISTORY_WINDOW = 1000  # the newest runs the trends are computed over
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_INTERVAL_S = 30.0


def run(
    *,
    as_json: bool = False,
    deep: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    only: Sequence[str] = (),
    watch: bool = False,
    interval: float = DEFAULT_INTERVAL_S,
    history: Path | None = None,
    no_history: bool = False,
    config_path: Path | None = None,
    count: int | None = None,
) -> int:
    """Probe, report, record. ``count`` bounds ``--watch`` to that many rounds (for scripts)."""
    if history is not None and no_history:
        raise UsageError("--history and --no-history cannot be used together")
    if watch and as_json:
        raise UsageError(
            "--watch and --json cannot be used together",
            hint="run --json in a loop of your own for one JSON document per run",
        )
    if count is not None and not watch:
        raise UsageError("--count only applies to --watch")
    config = load_config(config_path, required=True)
    assert config is not None
    models = select_models(config, only)
    history_path = None if no_history else (history or config.root / HISTORY_RELPATH)
    check = HealthCheck(config, models, deep=deep, timeout_s=timeout, history_path=history_path)
    if not models:
        output.warn(f"{display_path(config.path)} configures no models: nothing to probe")
    if watch:
        return _watch(check, interval=interval, count=count)
    document = check.run_once()
    if as_json:
        output.print_json(document)
    else:
        console = output.out_console()
        console.print(dashboard(document))
    return exit_code(document)


def select_models(config: Config, only: Sequence[str]) -> list[ModelConfig]:
    """The models ``--only`` names (model ids or provider names), in config order; all if none."""
    if not only:
        return list(config.models)
    known = [m.id for m in config.models] + list(config.providers)
    for name in only:
        if name not in known:
            raise UsageError(
                f"--only {name!r} is neither a model id nor a provider of"
                f" {display_path(config.path)}{did_you_mean(name, known)}",
                hint=f"model ids: {', '.join(m.id for m in config.models) or 'none'}",
            )
    wanted = set(only)
    return [m for m in config.models if m.id in wanted or m.provider in wanted]


def exit_code(document: dict[str, Any]) -> int:
    """0 when every probed model is healthy, else 1."""
    return EXIT_OK if document["summary"]["ok"] else EXIT_FAILURE


@dataclass
class HealthCheck:
    """One configured check, run once or repeatedly (``--watch``)."""

    config: Config
    models: list[ModelConfig]
    deep: bool
    timeout_s: float
    history_path: Path | None
    warned: set[str] = field(default_factory=set)

    def run_once(self) -> dict[str, Any]:
        """Probe, append to the history, and return the JSON document of this run."""
        from aiinfra_cli.providers import ProbeOptions, Thresholds, preload, probe_models

        preload(self.config, self.models, deep=self.deep)  # start-up, not probing time
        started = time.perf_counter()
        at = datetime.now(timezone.utc)
        limits = {k: v for k, v in vars(self.config.health).items() if v is not None}
        options = ProbeOptions(
            deep=self.deep, timeout_s=self.timeout_s, thresholds=Thresholds(**limits)
        )
        results = probe_models(self.config, self.models, options)
        elapsed_ms = (time.perf_counter() - started) * 1000
        trends: History | None = None
        if self.history_path is not None:
            self._append(history_line(results, at=at, deep=self.deep))
            trends = self._read()
        return build_document(
            self.config,
            results,
            at=at,
            deep=self.deep,
            timeout_s=self.timeout_s,
            elapsed_ms=elapsed_ms,
            history=trends,
            history_path=self.history_path,
        )

    def _append(self, line: str) -> None:
        assert self.history_path is not None
        try:
            append_line(self.history_path, line)
        except OSError as exc:
            self._warn_once("append", f"cannot append to {self.history_path}: {exc.strerror}")

    def _read(self) -> History | None:
        assert self.history_path is not None
        try:
            return read_history(self.history_path)
        except OSError as exc:
            self._warn_once("read", f"cannot read {self.history_path}: {exc.strerror}")
            return None

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            output.warn(message)


# --- history -------------------------------------------------------------------------------


def history_line(results: Iterable[ProbeResult], *, at: datetime, deep: bool) -> str:
    """One run as one JSONL line (secrets redacted, like every output)."""
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

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        uptime = self.uptime
        return {
            "runs": self.runs,
            "uptime": None if uptime is None else round(uptime, 4),
            "p50_ms": _round(self.p50_ms),
            "p95_ms": _round(self.p95_ms),
        }


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


# --- the JSON document ---------------------------------------------------------------------


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
) -> dict[str, Any]:
    """The run as one JSON-ready dict (the schema is in docs/model-health.md)."""
    counts = {status: sum(1 for r in results if r.status == status) for status in _STATUSES}
    models = []
    for result in results:
        entry = result.as_dict()
        trend = history.trends.get(result.id) if history is not None else None
        entry["history"] = None if trend is None else trend.as_dict()
        models.append(entry)
    return {
        "schema": SCHEMA,
        "generated_at": _timestamp(at),
        "config": display_path(config.path),
        "deep": deep,
        "timeout_s": timeout_s,
        "elapsed_ms": _round(elapsed_ms),
        "summary": {
            "models": len(results),
            **counts,
            "ok": counts["healthy"] == len(results),
        },
        "models": models,
        "routes": route_summaries(config, results),
        "history": None
        if history_path is None
        else {
            "path": display_path(history_path),
            "runs": history.runs if history is not None else 0,
            "corrupt_lines": history.corrupt_lines if history is not None else 0,
        },
    }


_STATUSES = ("healthy", "degraded", "unhealthy")


def route_summaries(config: Config, results: Sequence[ProbeResult]) -> list[dict[str, Any]]:
    """Each route whose chain holds a probed model: is at least one model of it healthy?"""
    by_id = {r.id: r for r in results}
    summaries = []
    for route in config.routes.values():
        probed = [model_id for model_id in route.chain if model_id in by_id]
        if not probed:
            continue
        healthy = [m for m in probed if by_id[m].status == "healthy"]
        usable = healthy or [m for m in probed if by_id[m].status == "degraded"]
        status = "healthy" if healthy else "degraded" if usable else "unhealthy"
        summaries.append(
            {
                "name": route.name,
                "chain": list(route.chain),
                "probed": probed,
                "status": status,
                "healthy": bool(healthy),
                "first_usable": usable[0] if usable else None,
            }
        )
    return summaries


def _timestamp(at: datetime) -> str:
    return (
        at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{at.microsecond // 1000:03d}Z"
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- the dashboard -------------------------------------------------------------------------

_STYLE = {"healthy": "green", "degraded": "yellow", "unhealthy": "red"}


def dashboard(document: dict[str, Any], *, footer: str | None = None) -> RenderableType:
    """The terminal view of a run's document: the table, each model's problem or note, the
    routes, and one summary line."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    deep = bool(document["deep"])
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Model", no_wrap=True)
    table.add_column("Provider", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Latency", justify="right", no_wrap=True)
    if deep:
        table.add_column("TTFT", justify="right", no_wrap=True)
        table.add_column("Cost", justify="right", no_wrap=True)
    table.add_column("Headroom", justify="right", no_wrap=True)
    table.add_column("Uptime", justify="right", no_wrap=True)
    table.add_column("p50/p95", justify="right", no_wrap=True)
    details: list[RenderableType] = []
    for model in document["models"]:
        status = model["status"]
        latency = model["latency_ms"]
        row = [model["id"], model["provider"], Text(status, style=_STYLE.get(status, ""))]
        row.append(_ms(latency["total"]))
        if deep:
            cost = (model["generation"] or {}).get("cost_usd")
            row += [_ms(latency["ttft"]), f"${cost}" if cost is not None else "—"]
        trend = model["history"] or {}
        uptime = trend.get("uptime")
        row += [
            _percent((model["headroom"] or {}).get("fraction")),
            f"{_percent(uptime)} of {trend['runs']}" if uptime is not None else "—",
            _p50_p95(trend.get("p50_ms"), trend.get("p95_ms")),
        ]
        table.add_row(*row)
        detail = _detail(model)
        if detail:
            line = Text(f"  {model['id']}: ", style=_STYLE.get(status, ""))
            line.append(redact(detail), style="")
            details.append(line)
    parts: list[RenderableType] = [table, *details]
    for route in document["routes"]:
        parts.append(Text(redact(_route_line(route)), style=_STYLE.get(route["status"], "")))
    parts.append(Text(redact(_summary_line(document))))
    if footer:
        parts.append(Text(footer, style="dim"))
    return Group(*parts)


def render_dashboard(console: Console, document: dict[str, Any]) -> None:
    """Print the dashboard of ``document`` to ``console``."""
    console.print(dashboard(document))


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _p50_p95(p50: float | None, p95: float | None) -> str:
    if p50 is None or p95 is None:
        return "—"
    return f"{p50:.0f}/{p95:.0f} ms"


def _detail(model: dict[str, Any]) -> str:
    message = model["message"] or ""
    parts = [message] if message else []
    if model["error_class"] not in (None, "auth"):
        where = [] if model["model"] in message else [f"model {model['model']}"]
        where += [] if model["endpoint"] in message else [f"at {model['endpoint']}"]
        if where:
            parts[0] += f" ({' '.join(where)})"
    if model["server"]:
        parts.append(model["server"])
    parts += model["notes"]
    return "; ".join(parts)


def _route_line(route: dict[str, Any]) -> str:
    chain = " → ".join(route["chain"])
    skipped = [m for m in route["chain"] if m not in route["probed"]]
    unprobed = f"; not probed: {', '.join(skipped)}" if skipped else ""
    name = route["name"]
    if route["status"] == "healthy":
        return f"route {name}: ok via {route['first_usable']} ({chain}{unprobed})"
    if route["status"] == "degraded":
        return f"route {name}: degraded, only {route['first_usable']} usable ({chain}{unprobed})"
    return f"route {name}: DOWN, no usable model ({chain}{unprobed})"


def _summary_line(document: dict[str, Any]) -> str:
    summary = document["summary"]
    noun = "model" if summary["models"] == 1 else "models"
    text = (
        f"{summary['models']} {noun}: {summary['healthy']} healthy, {summary['degraded']} degraded,"
        f" {summary['unhealthy']} unhealthy in {document['elapsed_ms'] / 1000:.2f} s"
        f" ({'deep' if document['deep'] else 'light'} probe, timeout {document['timeout_s']:g} s)"
    )
    history = document["history"]
    if history is not None:
        runs = history["runs"]
        text += f"; history: {runs} run{'s' if runs != 1 else ''} in {history['path']}"
        if history["corrupt_lines"]:
            lines = history["corrupt_lines"]
            text += f" ({lines} corrupt line{'s' if lines != 1 else ''} skipped)"
    return text


# --- watch ---------------------------------------------------------------------------------


def _watch(check: HealthCheck, *, interval: float, count: int | None) -> int:
    """Re-probe every ``interval`` seconds in a live view until Ctrl-C (or ``count`` rounds)."""
    from rich.live import Live

    console = output.out_console()
    code = EXIT_OK
    rounds = 0
    with Live(console=console, auto_refresh=False, transient=False) as live:
        while True:
            document = check.run_once()
            code = exit_code(document)
            rounds += 1
            stamp = document["generated_at"][11:19]
            footer = f"round {rounds} at {stamp} UTC; every {interval:g} s; Ctrl-C to stop"
            live.update(dashboard(document, footer=footer), refresh=True)
            if count is not None and rounds >= count:
                return code
            time.sleep(interval)
