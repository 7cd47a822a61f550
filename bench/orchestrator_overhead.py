"""What the generated orchestrator adds to a call: the same request through the raw SDK and
through ``Orchestrator.complete`` against the same local server (target: <= 5 % median added).

The server (the loopback fake provider with TCP_NODELAY) runs in its own process, so it does not
compete for this interpreter's GIL. Both clients are the official SDKs with ``max_retries=0``.
Variants, each measured in every run, in rotating order:

* ``raw``: ``client.chat.completions.create(...)`` / ``client.messages.create(...)``;
* ``orchestrator``: a one-model route, tracker writing the usage log (the default setup);
* ``all features``: the same with budgets, route and per-user rate limits, and a cache lookup;
* ``previous …``: the same two through the runtime rendered from an earlier edition's templates
  (``--previous``, by default the frozen copy the upgrade tests use), in the same process and
  the same rotation, so an edition is compared with its predecessor under the same load.

Each run makes ``--calls`` sequential calls per variant, interleaved call by call in rotating
order (the machine's load then hits every variant alike); a run's figure is its median call,
and the result is the median over ``--runs`` runs. Also printed: CPU time per call (this
process, which includes the usage log's writer thread), and the load average at the end.

Usage: ``python bench/orchestrator_overhead.py [--runs 7] [--calls 300] [--previous TEMPLATES]``
(``--previous none`` leaves the earlier edition out). Offline, no key.
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
USER: Any = [{"role": "user", "content": "Say hello"}]  # the SDKs type their own params
PREVIOUS = REPO / "tests" / "init" / "fixtures" / "templates_v0"  # the first edition, frozen


def _runtime(root: Path, package: str, templates: Path | None = None) -> Any:
    """The runtime rendered into ``root`` as package ``package`` (this aiinfra's templates, or
    ``templates``) and imported; distinct package names let two editions share the process."""
    if str(REPO / "tests") not in sys.path:
        sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]
    support: Any = importlib.import_module("init.init_support")
    options = {} if templates is None else {"templates": templates}
    support.render_repo(root, package_dir=f"src/{package}", **options)
    return support.import_runtime(root, package)


def _settings(rt: Any, urls: dict[str, str], log: Path, *, features: bool) -> Any:
    route: dict[str, Any] = {"chain": ["m"]}
    budgets: dict[str, Any] = {}
    if features:
        route["cache"] = {"enabled": True, "ttl_s": 60}
        route["rate_limit"] = {
            "requests_per_minute": 10**7,
            "tokens_per_minute": 10**9,
            "per_user": {"requests_per_minute": 10**7},
        }
        budgets = {"monthly_usd": 10**6, "daily_usd": 10**5, "soft_limit_at": 0.9}
    return {
        "openai": rt.Settings.from_dict(
            {
                "version": 1,
                "providers": {"p": {"kind": "openai", "base_url": urls["openai"]}},
                "models": [{"id": "m", "provider": "p", "model": "gpt-4o-mini"}],
                "routes": {"r": route},
                "budgets": budgets,
                "usage_log": {"path": str(log)},
            },
            root=log,
        ),
        "anthropic": rt.Settings.from_dict(
            {
                "version": 1,
                "providers": {"p": {"kind": "anthropic", "base_url": urls["anthropic"]}},
                "models": [{"id": "m", "provider": "p", "model": "claude-haiku-4-5"}],
                "routes": {"r": route},
                "budgets": budgets,
                "usage_log": {"path": str(log)},
            },
            root=log,
        ),
    }


def _raw(urls: dict[str, str], kind: str) -> Callable[[], Any]:
    import anthropic
    import openai

    if kind == "openai":
        client = openai.OpenAI(base_url=urls["openai"], api_key=KEY, max_retries=0)

        def raw() -> Any:
            return client.chat.completions.create(
                model="gpt-4o-mini", messages=USER, max_completion_tokens=64
            )
    else:
        client2 = anthropic.Anthropic(base_url=urls["anthropic"], api_key=KEY, max_retries=0)

        def raw() -> Any:
            return client2.messages.create(model="claude-haiku-4-5", messages=USER, max_tokens=64)

    return raw


def _orchestrated(
    rt: Any, urls: dict[str, str], log: Path, kind: str, label: str
) -> dict[str, Callable[[], Any]]:
    """The two orchestrator variants of one runtime edition, named with ``label``."""
    plain = rt.Orchestrator(_settings(rt, urls, log / "plain", features=False)[kind])
    full = rt.Orchestrator(_settings(rt, urls, log / "full", features=True)[kind])
    counter = iter(range(10**9))

    def orchestrated() -> Any:
        return plain.complete("r", USER, max_tokens=64)

    def everything() -> Any:
        # Unique text, temperature 0: a cache lookup that misses, then a store.
        text = f"Say hello {next(counter)}"
        message = [{"role": "user", "content": text}]
        return full.complete("r", message, max_tokens=64, temperature=0, user="u-1")

    return {f"{label}orchestrator": orchestrated, f"{label}all features": everything}


def _run(variants: dict[str, Callable[[], Any]], calls: int) -> dict[str, tuple[float, float]]:
    """One run: the variants' calls interleaved one by one (so a load spike hits them all
    alike); per variant, the median wall seconds per call and the CPU seconds per call."""
    names = list(variants)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, float] = dict.fromkeys(names, 0.0)
    for index in range(calls):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            cpu = time.process_time()
            started = time.perf_counter()
            variants[name]()
            walls[name].append(time.perf_counter() - started)
            cpus[name] += time.process_time() - cpu
    return {name: (statistics.median(walls[name]), cpus[name] / calls) for name in names}


def _measure(variants: dict[str, Callable[[], Any]], runs: int, calls: int) -> list[str]:
    """Warm up, run ``runs`` runs, and the table's rows: per variant the median of the run
    medians, its difference from ``raw`` (wall and CPU)."""
    for call in variants.values():  # warm up: imports, connections, caches
        for _ in range(30):
            call()
    walls: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, (wall, cpu) in _run(variants, calls).items():
            walls[name].append(wall)
            cpus[name].append(cpu)
    raw, raw_cpu = statistics.median(walls["raw"]), statistics.median(cpus["raw"])
    rows = []
    for name in variants:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        rows.append(
            f"{name:<22} {wall * 1000:8.3f} {(wall - raw) * 1000:9.3f}"
            f" {(wall - raw) / raw * 100:6.1f}% {cpu * 1000:7.3f} {(cpu - raw_cpu) * 1000:9.3f}"
        )
    return rows


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--previous", default=str(PREVIOUS), help="templates, or 'none'")
    args = parser.parse_args()
    os.environ["OPENAI_API_KEY"] = os.environ["ANTHROPIC_API_KEY"] = KEY
    server = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "init_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        urls = json.loads(server.stdout.readline())
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            editions = {"": _runtime(root / "repo", "genai_rt")}
            if args.previous != "none":
                previous = Path(args.previous)
                editions["previous "] = _runtime(root / "prev", "genai_rt_prev", previous)
            print(f"{args.runs} runs x {args.calls} calls per variant; figures: median per call")
            print(f"{'variant':<22} {'wall ms':>8} {'added ms':>9} {'added':>7} {'CPU ms':>7}"
                  f" {'added CPU':>9}")  # fmt: skip
            for kind in ("openai", "anthropic"):
                print(kind)
                variants = {"raw": _raw(urls, kind)}
                for label, rt in editions.items():
                    log = root / "logs" / f"{kind}{label.strip()}"
                    variants.update(_orchestrated(rt, urls, log, kind, label))
                for row in _measure(variants, args.runs, args.calls):
                    print(f"  {row}")
            print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
