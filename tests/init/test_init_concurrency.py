"""Processes sharing one usage log: every tracked call is exactly one valid line.

The bench (``bench/init_concurrency.py``) runs the full 8 processes x 5,000 calls; this test
runs 4 x 500 so the suite stays quick. Half the lines exceed PIPE_BUF, so atomicity comes from
the tracker's locked single write, not from small-write luck.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fakeprovider import FakeProvider
from init.init_support import run_workers

from aiinfra_cli.usage import read_events

PROCESSES, CALLS = 4, 500


def test_concurrent_processes_write_exactly_one_valid_line_per_call(
    runtime_repo: Path, tmp_path: Path
) -> None:
    log = tmp_path / "usage"
    with FakeProvider(api_key="test-key-not-a-secret", max_lifetime=300) as server:
        outputs, _ = run_workers(runtime_repo, server, log, processes=PROCESSES, calls=CALLS)
    assert [line.split()[:2] for line in outputs] == [[str(CALLS), "0"]] * PROCESSES
    result = read_events([log])
    assert result.rejects == [] and not result.unknown_fields
    assert result.lines == len(result.events) == PROCESSES * CALLS
    assert len({e.event_id for e in result.events}) == PROCESSES * CALLS
    per_worker = Counter(e.feature for e in result.events)
    assert per_worker == {f"w{n}": CALLS for n in range(PROCESSES)}
