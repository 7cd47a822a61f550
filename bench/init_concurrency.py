"""Processes sharing one usage log: N processes x M tracked calls must give exactly N x M valid
lines (aiinfra's own reader, zero rejects, unique event ids).

Each worker is a forked process calling the generated orchestrator (real openai SDK) against the
loopback fake provider, which runs in a separate process; every other event carries a 3 KB tag,
so half the lines are longer than PIPE_BUF. Prints lines, rejects, wall time and calls/s.

Usage: ``python bench/init_concurrency.py [--processes 8] [--calls 5000]``. Offline, no key.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class _Urls:
    """Quacks like the fake provider for ``run_workers``: just the base URLs."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.anthropic_base_url = urls["anthropic"]
        self.openai_base_url = urls["openai"]


def main() -> int:
    """Run the workers and check the log."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]
    support: Any = importlib.import_module("init.init_support")
    usage: Any = importlib.import_module("aiinfra_cli.usage")
    server = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "init_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        urls = _Urls(json.loads(server.stdout.readline()))
        with tempfile.TemporaryDirectory() as scratch:
            root = support.render_repo(
                Path(scratch) / "repo", package_dir=f"src/{support.RUNTIME_PACKAGE}"
            )
            log = Path(scratch) / "usage"
            outputs, wall = support.run_workers(
                root, urls, log, processes=args.processes, calls=args.calls
            )
            result = usage.read_events([log])
            expected = args.processes * args.calls
            ids = {event.event_id for event in result.events}
            worker_seconds = max(float(line.split()[2]) for line in outputs)
            size = sum(p.stat().st_size for p in log.rglob("*.jsonl"))
            print(f"{args.processes} processes x {args.calls} tracked calls = {expected}")
            print(f"lines read: {result.lines}, valid events: {len(result.events)},"
                  f" rejects: {len(result.rejects)}, unknown fields: {dict(result.unknown_fields)},"
                  f" unique ids: {len(ids)}")  # fmt: skip
            print(f"workers (written dropped seconds): {outputs}")
            print(f"log: {size / 1e6:.1f} MB in {len(list(log.rglob('*.jsonl')))} file(s)")
            print(f"wall {wall:.1f} s (one import included); slowest worker {worker_seconds:.1f} s;"
                  f" {expected / worker_seconds:,.0f} tracked calls/s overall")  # fmt: skip
            ok = len(result.events) == len(ids) == result.lines == expected and not result.rejects
            print("OK" if ok else "MISMATCH")
            return 0 if ok else 1
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
