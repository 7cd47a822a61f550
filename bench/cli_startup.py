"""Whole-process wall time of `aiinfra --help` (and a few sub-command helps), against a bare
`python -c pass` as the floor. Target: `aiinfra --help` <= 100 ms.

Usage: python bench/cli_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _aiinfra() -> list[str]:
    script = Path(sys.executable).with_name("aiinfra")
    found = str(script) if script.exists() else shutil.which("aiinfra")
    return [found] if found else [sys.executable, "-m", "aiinfra_cli"]


def measure(argv: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` fresh processes (after one warm-up run for the page cache)."""
    subprocess.run(argv, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    cases = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "aiinfra --help": [*_aiinfra(), "--help"],
        "aiinfra --version": [*_aiinfra(), "--version"],
        "aiinfra cost-report --help": [*_aiinfra(), "cost-report", "--help"],
        "aiinfra prices cost --help": [*_aiinfra(), "prices", "cost", "--help"],
    }
    print(f"{'case':32} {'median ms':>10} {'min ms':>8} {'max ms':>8}   (runs={args.runs})")
    for name, argv in cases.items():
        times = measure(argv, args.runs)
        print(
            f"{name:32} {statistics.median(times) * 1000:10.1f} {min(times) * 1000:8.1f}"
            f" {max(times) * 1000:8.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
