"""The engine's own housekeeping: what it leaves behind in the process that ran the scan."""

from __future__ import annotations

import gc

from tests.optimize_context.conftest import Project

CODE = """
    from openai import OpenAI

    client = OpenAI()

    def ask(text: str) -> str:
        return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
"""


def test_the_scan_frees_each_file_and_restores_the_collector(project: Project) -> None:
    """Each file's scopes and bindings form reference cycles: the engine collects them itself,
    file by file (nothing is left for the collector even when automatic collection is off),
    and leaves the collector in the state it found it."""
    project.write({f"app/m{i}.py": CODE for i in range(3)})
    gc.collect()
    gc.disable()
    try:
        report = project.scan(jobs=1)
        assert not gc.isenabled()
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert len(report.calls) == 3
    project.scan(jobs=1)
    assert gc.isenabled()
