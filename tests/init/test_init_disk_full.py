"""A full disk never tears the usage log: lines are all or nothing, the counts are true, and the
LLM calls go on. The disk fills up for real: a child process runs under a file-size limit
(RLIMIT_FSIZE, so writes fail with EFBIG part-way), then the limit is lifted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fakeprovider import FakeProvider
from init.init_support import RUNTIME_PACKAGE

CHILD = """
import importlib, json, os, resource, signal, sys
from pathlib import Path
source, package, url, log = sys.argv[1:5]
sys.path.insert(0, source)
rt = importlib.import_module(package)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
settings = rt.Settings.from_dict({
    "version": 1,
    "providers": {"openai": {"kind": "openai", "base_url": url}},
    "models": [{"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"}],
    "routes": {"main": {"chain": ["gpt"]}},
    "usage_log": {"path": log},
}, root=Path(log).parent)
sink = rt.cost_tracker.JsonlSink(Path(log), retry_s=0.0, interval_s=3600)
ai = rt.Orchestrator(settings, tracker=rt.CostTracker(sink, rt.PriceBook.load()))
def calls(count, feature):
    for _ in range(count):
        ai.complete("main", [{"role": "user", "content": "hi"}], feature=feature,
                    tags={"pad": "x" * 300})
    sink.flush()
    return count
answered = calls(3, "before")
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(log) + 2500, hard))
answered += calls(8, "full")  # one batch of 8 lines: about two of them fit
answered += calls(4, "full")  # the disk stays full: nothing of this batch fits
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
answered += calls(3, "after")
ai.close()
print(json.dumps({"answered": answered, "written": sink.written, "dropped": sink.dropped}))
"""


def test_a_full_disk_cuts_back_to_whole_lines_and_counts_true(
    runtime_repo: Path, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    log = tmp_path / "usage.jsonl"
    args = [str(runtime_repo / "src"), RUNTIME_PACKAGE, fake_provider.openai_base_url, str(log)]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    counts = json.loads(result.stdout.strip().split("\n")[-1])
    data = log.read_bytes()
    assert data.endswith(b"\n")
    lines = data.decode().split("\n")[:-1]
    events = [json.loads(line) for line in lines]  # no torn or glued line
    assert counts["answered"] == 18  # every call answered while the disk was full
    assert counts["written"] == len(events) and counts["written"] + counts["dropped"] == 18
    features = [event["feature"] for event in events]
    assert features.count("before") == 3 and features.count("after") == 3
    assert 0 < features.count("full") < 8  # the lines that fitted, whole
