"""Budgets across replicas: spend comes from the store's rollup plus this process's own
unshipped events, each counted once."""

from __future__ import annotations

import importlib
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from store_runtime.test_store_shipper import record, shipper, tracker


def ledger(rt: ModuleType, tmp_path: Path, **options: Any) -> Any:
    module = importlib.import_module(f"{rt.__name__}.store_spend")
    options = {"service": "api", "environment": "test", **options}
    return module.StoreSpendLedger("AIINFRA_STORE_DSN", tmp_path / "unused", **options)


def test_spend_is_the_store_plus_own_unshipped_events_counted_once(
    rt: ModuleType, store_dsn: str, tmp_path: Path
) -> None:
    month, day = time.strftime("%Y-%m", time.gmtime()), time.strftime("%Y-%m-%d", time.gmtime())
    replica = tmp_path / "replica"
    theirs = record(tracker(rt, replica), rt, 200)
    shipper(rt, replica).ship()
    other = rt.cost_tracker.CostTracker(
        rt.cost_tracker.JsonlSink(tmp_path / "other"), tracker(rt, replica).prices,
        service="batch", environment="test",
    )  # fmt: skip
    record(other, rt, 50)  # another service: not this budget
    shipper(rt, tmp_path / "other").ship()

    mine = tracker(rt, tmp_path / "mine")
    spend = ledger(rt, tmp_path)
    mine.add_listener(spend.add)
    assert spend.refresh_now()
    assert spend.spent("month", month) == theirs
    own = record(mine, rt, 120, start=1000)
    assert spend.spent("month", month) == theirs + own  # at once, before any shipping
    assert spend.spent("day", day) == theirs + own
    assert spend.refresh_now()
    assert spend.spent("month", month) == theirs + own  # not in the store yet: still own
    shipper(rt, tmp_path / "mine").ship()
    assert spend.spent("month", month) == theirs + own  # shipped, not refreshed: own
    assert spend.refresh_now()
    assert spend.spent("month", month) == theirs + own  # now from the store, not twice
    assert spend._unshipped == {}
    by_feature = sum((spend.spent("feature", f"{month}|f{i}") for i in range(3)), Decimal(0))
    assert by_feature == theirs + own
    assert spend.spent("model", f"{month}|mini") == theirs + own


def test_a_replica_over_the_monthly_budget_stops_this_one(
    rt: ModuleType, store_dsn: str, tmp_path: Path
) -> None:
    replica = tmp_path / "replica"
    theirs = record(tracker(rt, replica), rt, 10)
    shipper(rt, replica).ship()
    settings = rt.Settings.from_dict(
        {
            "version": 1,
            "providers": {"p": {"kind": "openai-compatible", "base_url": "http://127.0.0.1:9/v1"}},
            "models": [{"id": "mini", "provider": "p", "model": "gpt-4o-mini"}],
            "usage_log": {"path": str(tmp_path / "mine")},
            "budgets": {"monthly_usd": str(theirs - Decimal("0.000001"))},
            "store": {"kind": "postgres", "refresh_s": 0.05},
        },
        root=tmp_path,
    )
    ai = rt.Orchestrator(settings, tracker=tracker(rt, tmp_path / "mine"))
    assert type(ai.ledger).__name__ == "StoreSpendLedger"
    statuses = ai.budgets()
    assert statuses[0].spent_usd == theirs
    with pytest.raises(rt.BudgetExceededError, match="monthly budget"):
        ai.complete("mini", [{"role": "user", "content": "hi"}])


def test_with_the_store_down_budgets_keep_the_last_spend_and_calls_go_on(
    rt: ModuleType,
    store_dsn: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    month = time.strftime("%Y-%m", time.gmtime())
    replica = tmp_path / "replica"
    theirs = record(tracker(rt, replica), rt, 30)
    shipper(rt, replica).ship()
    spend = ledger(rt, tmp_path)
    assert spend.refresh_now()
    monkeypatch.setenv("AIINFRA_STORE_DSN", "postgresql://u:pw-123@127.0.0.1:9/x")
    spend._drop_connection()
    assert not spend.refresh_now()
    assert not spend.refresh_now()
    assert spend.spent("month", month) == theirs
    warnings = [r.getMessage() for r in caplog.records if "team store" in r.getMessage()]
    assert len(warnings) == 1 and "pw-123" not in warnings[0], warnings
