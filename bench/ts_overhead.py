"""What the TypeScript orchestrator adds to a call over the raw SDK, next to the same figure for
the Python orchestrator, in one run on one loopback server.

The server (the fake provider, in its own process) speaks the Anthropic Messages API. Per
runtime, two variants: ``raw`` (``client.messages.create`` with ``maxRetries: 0`` /
``max_retries=0``) and ``orchestrator`` (``complete()`` on a one-model route, the tracker
writing the usage log). TypeScript runs in one node process (the rendered runtime through tsx,
driven by tests/typescript/driver.mts), alternating its variants run by run; Python
interleaves call by call, as bench/orchestrator_overhead.py does. A run's figure is its median
call; the result is the median over ``--runs`` runs.

Usage: ``python bench/ts_overhead.py [--runs 7] [--calls 300]`` after ``npm ci`` in
tests/typescript/fixture. Offline, no key.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "test-key-not-a-secret"
USER: Any = [{"role": "user", "content": "Say hello"}]


def _config(url: str, log: Path) -> dict[str, Any]:
    return {
        "version": 1,
        "providers": {"p": {"kind": "anthropic", "base_url": url}},
        "models": [{"id": "m", "provider": "p", "model": "claude-haiku-4-5"}],
        "routes": {"r": {"chain": ["m"]}},
        "usage_log": {"path": str(log)},
    }


def _python(scratch: Path, url: str, runs: int, calls: int) -> tuple[float, float]:
    """Median per-call seconds of the raw SDK and of the Python orchestrator."""
    import anthropic

    support: Any = importlib.import_module("init.init_support")
    root = support.render_repo(scratch / "py", package_dir=f"src/{support.RUNTIME_PACKAGE}")
    rt = support.import_runtime(root)
    log = scratch / "py-log"
    ai = rt.Orchestrator(rt.Settings.from_dict(_config(url, log), root=log))
    client = anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=0)

    def call_raw() -> Any:
        return client.messages.create(model="claude-haiku-4-5", messages=USER, max_tokens=64)

    def call_orchestrator() -> Any:
        return ai.complete("r", USER, max_tokens=64)

    variants: dict[str, Callable[[], Any]] = {"raw": call_raw, "orchestrator": call_orchestrator}
    for call in variants.values():
        for _ in range(30):
            call()
    medians: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for _ in range(runs):
        walls: dict[str, list[float]] = {name: [] for name in names}
        for index in range(calls):
            for name in names[index % 2 :] + names[: index % 2]:
                started = time.perf_counter()
                variants[name]()
                walls[name].append(time.perf_counter() - started)
        for name in names:
            medians[name].append(statistics.median(walls[name]))
    ai.close()
    return statistics.median(medians["raw"]), statistics.median(medians["orchestrator"])


def _typescript(scratch: Path, url: str, runs: int, calls: int) -> tuple[float, float]:
    """The same two figures for the TypeScript runtime, from one node process."""
    support: Any = importlib.import_module("typescript.ts_support")
    reason = support.node_ready()
    if reason:
        raise SystemExit(reason)
    root = support.render_project(scratch / "ts")
    driver = support.Driver(root, {"ANTHROPIC_API_KEY": KEY})
    try:
        config = _config(url, scratch / "ts-log")
        orchestrated: dict[str, Any] = {"op": "bench", "config": config, "route": "r"}
        orchestrated["root"] = str(scratch)
        raw: dict[str, Any] = {"op": "raw", "baseUrl": url}
        driver.ask(**raw, calls=30)  # warm up: imports, connections, JIT
        driver.ask(**orchestrated, calls=30)
        medians: dict[str, list[float]] = {"raw": [], "orchestrator": []}
        for run in range(runs):
            order = [("raw", raw), ("orchestrator", orchestrated)]
            for name, command in order if run % 2 == 0 else order[::-1]:
                times = driver.ask(**command, calls=calls)["times"]
                medians[name].append(statistics.median(times) / 1000)
    finally:
        driver.close()
    return statistics.median(medians["raw"]), statistics.median(medians["orchestrator"])


def main() -> int:
    """Run both and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]
    os.environ["ANTHROPIC_API_KEY"] = KEY
    server = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "init_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = json.loads(server.stdout.readline())["anthropic"]
        with tempfile.TemporaryDirectory() as scratch:
            figures = {
                "Python": _python(Path(scratch), url, args.runs, args.calls),
                "TypeScript": _typescript(Path(scratch), url, args.runs, args.calls),
            }
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    print(f"{args.runs} runs x {args.calls} calls per variant; figures: median per call")
    header = ("runtime", "raw SDK ms", "orchestrator ms", "added ms", "added")
    print(f"{header[0]:<11} {header[1]:>10} {header[2]:>15} {header[3]:>9} {header[4]:>7}")
    for name, (raw, orchestrated) in figures.items():
        added = orchestrated - raw
        print(
            f"{name:<11} {raw * 1000:10.3f} {orchestrated * 1000:15.3f} {added * 1000:9.3f}"
            f" {added / raw * 100:6.1f}%"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
