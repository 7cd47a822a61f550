"""Helper for the init benchmarks: the loopback fake provider in a process of its own.

Run as a script: prints ``{"anthropic": URL, "openai": URL}`` on one line, then serves until its
stdin closes. A separate process keeps the server off the benchmarked interpreter's GIL.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "test-key-not-a-secret"


@contextmanager
def served() -> Iterator[dict[str, str]]:
    """This script in a process of its own while the block runs: its URLs by provider."""
    server = subprocess.Popen(
        [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        urls: dict[str, str] = json.loads(server.stdout.readline())
        yield urls
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)


def main() -> int:
    """Serve until stdin closes."""
    sys.path.insert(0, str(REPO / "tests"))
    fakeprovider: Any = importlib.import_module("fakeprovider")
    with fakeprovider.FakeProvider(api_key=KEY, max_lifetime=3600) as server:
        urls = {"anthropic": server.anthropic_base_url, "openai": server.openai_base_url}
        print(json.dumps(urls), flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
