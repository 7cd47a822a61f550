"""The fault matrix of the generated orchestrator (the table for the closing note).

For each way a provider fails (429 with Retry-After, 500, 503, 529, a hang past the attempt
timeout, a connection reset, a stream cut before and after the first token, invalid JSON, 401,
400 context length), on the primary model of a claude -> gpt -> long route: which model
answered, the error raised if none did, the provider calls made, the usage events recorded (read
back with aiinfra's own reader) and the wall time. Real anthropic and openai SDKs, loopback fake
provider, no key, no network.

Usage: ``python bench/init_fault_matrix.py``.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "test-key-not-a-secret"


def main() -> int:
    """Run every scenario and print the Markdown table."""
    sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]
    support: Any = importlib.import_module("init.init_support")
    os.environ["ANTHROPIC_API_KEY"] = os.environ["OPENAI_API_KEY"] = KEY
    rows = []
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        root = support.render_repo(
            Path(scratch) / "repo", package_dir=f"src/{support.RUNTIME_PACKAGE}"
        )
        rt = support.import_runtime(root)
        for index, scenario in enumerate(support.SCENARIOS):
            row = support.run_scenario(rt, scenario, Path(scratch) / f"usage-{index}", KEY)
            rows.append(row)
            expected = (scenario.expect_model, scenario.expect_error, scenario.expect_statuses)
            failures += (row.answered_by, row.error, row.statuses) != expected or row.rejects
    print(support.format_matrix(rows))
    print(f"\n{len(rows)} scenarios, {failures} not as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
