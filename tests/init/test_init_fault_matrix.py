"""The fault matrix: each way a provider fails, against the generated orchestrator with the
real anthropic and openai SDKs over the loopback fake provider. Every attempt must be one
usage event that aiinfra's own reader accepts."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from init.init_support import SCENARIOS, Row, Scenario, format_matrix, run_scenario

ROWS: list[Row] = []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(rt: ModuleType, keys: str, tmp_path: Path, scenario: Scenario) -> None:
    row = run_scenario(rt, scenario, tmp_path / "usage", keys)
    ROWS.append(row)
    assert (row.answered_by, row.error) == (scenario.expect_model, scenario.expect_error)
    assert row.statuses == scenario.expect_statuses
    assert row.rejects == 0
    if scenario.name.startswith("429"):
        assert row.seconds >= 1.0  # Retry-After: 1 was honoured
    if scenario.name.startswith("hang"):
        assert row.seconds < 3.0  # two 0.5 s attempt timeouts, not the 5 s hang


def test_print_the_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    """Shows the matrix in the test output (``pytest -s`` or the summary of -rA)."""
    assert len(ROWS) == len(SCENARIOS), "run the whole module to build the matrix"
    with capsys.disabled():
        print("\n" + format_matrix(ROWS))
