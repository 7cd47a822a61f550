"""Shared by the init tests and the bench scripts: render the runtime into a real repo, import
it, and run the fault matrix against the fake provider with the real SDKs."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fakeprovider import FakeProvider, Fault, first

from aiinfra_cli.scaffold import apply_plan, plan_init
from aiinfra_cli.usage import read_events

RUNTIME_PACKAGE = "genai_rt"  # unique, so importing it never clashes with anything else
USER = [{"role": "user", "content": "Say hello"}]


def render_repo(root: Path, *, package_dir: str = "src/ai", **options: Any) -> Path:
    """A real git repo at ``root`` with a pyproject and everything ``aiinfra init`` writes."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    plan, _ = plan_init(root, package_dir=package_dir, **options)
    apply_plan(plan)
    return root


def import_runtime(root: Path, package: str = RUNTIME_PACKAGE) -> ModuleType:
    """Import the generated package rendered under ``root/src`` (once per process)."""
    source = str(root / "src")
    if source not in sys.path:
        sys.path.insert(0, source)
    return importlib.import_module(package)


def matrix_config(server: FakeProvider, log_dir: Path, **route: Any) -> dict[str, Any]:
    """Both SDK providers on ``server``; a chain claude → gpt → long (the largest window)."""
    return {
        "version": 1,
        "providers": {
            "anthropic": {"kind": "anthropic", "base_url": server.anthropic_base_url},
            "openai": {"kind": "openai", "base_url": server.openai_base_url},
        },
        "models": [
            {
                "id": "claude",
                "provider": "anthropic",
                "model": "claude-haiku-4-5",
                "context_window": 200000,
            },
            {"id": "gpt", "provider": "openai", "model": "gpt-4o-mini", "context_window": 128000},
            {"id": "long", "provider": "openai", "model": "gpt-4.1", "context_window": 1047576},
        ],
        "routes": {
            "main": {
                "chain": ["claude", "gpt", "long"],
                "max_retries": 1,
                "attempt_timeout_s": 0.5,
                "timeout_s": 20,
                **route,
            }
        },
        "usage_log": {"path": str(log_dir)},
    }


@dataclass(frozen=True)
class Scenario:
    """One row of the fault matrix: a fault on the primary (Anthropic) model."""

    name: str
    fault: Callable[[], Fault]
    calls: frozenset[int] | None = None  # None: every call to the primary
    stream: bool = False
    expect_model: str | None = None  # None: the request fails
    expect_error: str | None = None
    expect_statuses: tuple[str, ...] = ()
    route: tuple[tuple[str, Any], ...] = ()  # route settings for this scenario


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("none (baseline)", lambda: Fault.http(200), frozenset(), False, "claude", None,
             ("ok",)),
    Scenario("429 + Retry-After: 1", lambda: Fault.rate_limited(retry_after=1), first(1),
             False, "claude", None, ("error", "ok")),
    Scenario("500", Fault.server_error, None, False, "gpt", None, ("error", "error", "ok")),
    Scenario("503", Fault.unavailable, None, False, "gpt", None, ("error", "error", "ok")),
    Scenario("529 overloaded", Fault.overloaded, None, False, "gpt", None,
             ("error", "error", "ok")),
    Scenario("hang past the timeout", lambda: Fault.hang(5.0), None, False, "gpt", None,
             ("error", "error", "ok")),
    Scenario("connection reset", Fault.reset, None, False, "gpt", None,
             ("error", "error", "ok")),
    Scenario("stream cut before the first token", lambda: Fault.cut_stream(2), None, True,
             "gpt", None, ("error", "error", "ok")),
    Scenario("stream cut mid-way", lambda: Fault.cut_stream(5), None, True, None,
             "connection", ("error",)),
    Scenario("invalid JSON", Fault.invalid_json, None, False, None, "bad_response",
             ("error", "error")),
    Scenario("invalid JSON, fallback_on += bad_response", Fault.invalid_json, None, False,
             "gpt", None, ("error", "error", "ok"),
             (("fallback_on", ["bad_response", "server_error", "timeout", "connection"]),)),
    Scenario("401", Fault.unauthorized, None, False, None, "auth", ("error",)),
    Scenario("400 context length", Fault.context_length, None, False, "long", None,
             ("error", "ok")),
)  # fmt: skip


@dataclass
class Row:
    """What one scenario did."""

    scenario: str
    answered_by: str | None
    error: str | None
    attempts: int
    events: list[tuple[str, str, str | None]] = field(default_factory=list)
    rejects: int = 0
    seconds: float = 0.0

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(status for _, status, _ in self.events)


def run_scenario(rt: ModuleType, scenario: Scenario, log_dir: Path, key: str) -> Row:
    """Run one scenario on a fresh server and orchestrator; read the events back with
    aiinfra's own reader."""
    with FakeProvider(api_key=key, max_lifetime=60) as server:
        if scenario.calls != frozenset():
            server.inject(scenario.fault(), route="anthropic.messages", calls=scenario.calls)
        config = matrix_config(server, log_dir, **dict(scenario.route))
        settings = rt.Settings.from_dict(config, root=log_dir)
        tracker = rt.CostTracker(rt.cost_tracker.JsonlSink(settings.usage_log), rt.PriceBook.load())
        ai = rt.Orchestrator(
            settings, tracker=tracker, retry=rt.resilience.RetryPolicy(base_s=0.01, max_s=0.05)
        )
        started = time.perf_counter()
        answered_by = error = None
        attempts = 0
        try:
            if scenario.stream:
                with ai.stream("main", USER, feature="matrix") as stream:
                    "".join(stream)
                answered_by, attempts = stream.completion.model_id, stream.completion.attempts
            else:
                answer = ai.complete("main", USER, feature="matrix")
                answered_by, attempts = answer.model_id, answer.attempts
        except rt.ProviderError as exc:
            error = exc.error_class
        seconds = time.perf_counter() - started
        ai.close()
        tracker.close()
    result = read_events([log_dir])
    events = [(e.model_id or "", e.status, e.error_class) for e in result.events]
    if error is not None:
        attempts = len(events)  # every provider call is one event
    return Row(
        scenario.name,
        answered_by,
        error,
        attempts,
        events,
        len(result.rejects) + sum(result.unknown_fields.values()),
        seconds,
    )


def format_matrix(rows: list[Row]) -> str:
    """The matrix as a Markdown table (for the closing note and docs/benchmarks.md)."""
    lines = [
        "| fault on the primary (claude) | answered by | error | attempts | events"
        " (model:status/class) | rejects | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        events = ", ".join(f"{m}:{s}" + (f"/{c}" if c else "") for m, s, c in row.events)
        lines.append(
            f"| {row.scenario} | {row.answered_by or '-'} | {row.error or '-'} |"
            f" {row.attempts} | {events} | {row.rejects} | {row.seconds:.2f} |"
        )
    return "\n".join(lines)


# Makes ``count`` tracked calls through the generated orchestrator in each of ``processes``
# forked workers (argv: source root, package, anthropic URL, openai URL, log dir, count,
# processes). The runtime and the SDK are imported once, before forking, so the workers start
# at once. Every other call carries a 3 KB tag: half the lines are longer than PIPE_BUF.
WORKER = """
import importlib, os, sys
from pathlib import Path
source, package, anthropic_url, openai_url, log, count, processes = sys.argv[1:8]
sys.path.insert(0, source)
rt = importlib.import_module(package)
importlib.import_module("openai")
os.environ.setdefault("OPENAI_API_KEY", "test-key-not-a-secret")
settings = rt.Settings.from_dict({
    "version": 1,
    "providers": {"anthropic": {"kind": "anthropic", "base_url": anthropic_url},
                  "openai": {"kind": "openai", "base_url": openai_url}},
    "models": [{"id": "claude", "provider": "anthropic", "model": "claude-haiku-4-5"},
               {"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"}],
    "routes": {"main": {"chain": ["gpt", "claude"]}},
    "usage_log": {"path": log},
}, root=Path(log))
children = []
for number in range(int(processes)):
    pid = os.fork()
    if pid:
        children.append(pid)
        continue
    code = 1
    try:
        import time
        started = time.perf_counter()
        ai = rt.Orchestrator(settings)
        padding = "x" * 3000
        for i in range(int(count)):
            tags = {"pad": padding} if i % 2 else {}
            ai.complete("main", [{"role": "user", "content": "hi"}],
                        feature=f"w{number}", tags=tags)
        ai.close()
        ai.tracker.close()
        elapsed = time.perf_counter() - started
        print(ai.tracker.sink.written, ai.tracker.sink.dropped, f"{elapsed:.3f}", flush=True)
        code = 0
    finally:
        os._exit(code)
failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
sys.exit(1 if failed else 0)
"""


def run_workers(
    root: Path, server: FakeProvider, log: Path, *, processes: int, calls: int
) -> tuple[list[str], float]:
    """``processes`` forked workers making ``calls`` calls each, in parallel: each worker's
    ``"written dropped seconds"`` line, and the wall time (the one import included)."""
    args = [str(root / "src"), RUNTIME_PACKAGE, server.anthropic_base_url,
            server.openai_base_url, str(log), str(calls), str(processes)]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WORKER, *args],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    return sorted(result.stdout.split("\n")[:-1]), elapsed
