"""Whole-process wall and CPU time of `aiinfra --help`, a few sub-command helps and the
cost-report fixed cost (one empty log, no cache, no output file), against a bare
`python -c pass` as the floor. Target: `aiinfra --help` <= 100 ms.

Usage: python bench/cli_startup.py [--runs N] [--against SRC]

``--against SRC`` runs every case a second time with ``PYTHONPATH=SRC`` (another checkout's
``src`` directory, e.g. from ``git archive``), interleaved with this one (A B A B ...), and prints
both side by side: compare two versions in one run on a loaded machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _aiinfra() -> list[str]:
    script = Path(sys.executable).with_name("aiinfra")
    found = str(script) if script.exists() else shutil.which("aiinfra")
    return [found] if found else [sys.executable, "-m", "aiinfra_cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(argv: list[str], env: dict[str, str] | None, cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh process."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=False, env=env, cwd=cwd)
    return time.perf_counter() - start, _children_cpu() - cpu


def _cases(work: Path) -> dict[str, list[str]]:
    empty = work / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    # -m, not the console script: PYTHONPATH must decide which checkout runs.
    cli = [sys.executable, "-m", "aiinfra_cli"]
    return {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "aiinfra --help": [*cli, "--help"],
        "aiinfra --version": [*cli, "--version"],
        "aiinfra cost-report --help": [*cli, "cost-report", "--help"],
        "aiinfra prices cost --help": [*cli, "prices", "cost", "--help"],
        "cost-report fixed cost": [
            *cli, "cost-report", "--logs", str(empty), "--timeframe", "all",
            "--no-cache", "--no-write", "--json",
        ],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--against", type=Path, help="another checkout's src directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aiinfra-startup-") as tmp:
        work = Path(tmp)
        subprocess.run(["git", "init", "-q", str(work)], check=True)
        # An installed package runs from compiled bytecode: let the warm-up run write it.
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        envs: dict[str, dict[str, str] | None] = {"this": base}
        if args.against is not None:
            envs["against"] = {**base, "PYTHONPATH": str(args.against.resolve())}
        print(f"{'case':28} {'version':8} {'wall ms':>8} {'CPU ms':>8}   (medians of {args.runs})")
        for name, argv in _cases(work).items():
            got: dict[str, list[tuple[float, float]]] = {label: [] for label in envs}
            for env in envs.values():
                once(argv, env, work)  # warm-up: page cache, .pyc files
            for _ in range(args.runs):
                for label, env in envs.items():
                    got[label].append(once(argv, env, work))
            for label, runs in got.items():
                wall = statistics.median(w for w, _ in runs) * 1000
                cpu = statistics.median(c for _, c in runs) * 1000
                print(f"{name:28} {label:8} {wall:8.1f} {cpu:8.1f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
