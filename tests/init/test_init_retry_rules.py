"""The runtime retries what the official SDKs retry (their own retries are off): the provider's
``x-should-retry`` header first, then 408 and 409, then the error class."""

from __future__ import annotations

import contextlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fakeprovider import FakeProvider, Fault
from init.init_support import USER, matrix_config


def _statuses(rt: ModuleType, server: FakeProvider, log: Path) -> list[tuple[str, str]]:
    config = matrix_config(server, log, max_retries=2, fallback_on=["server_error"])
    settings = rt.Settings.from_dict(config, root=log.parent)
    ai: Any = rt.Orchestrator(settings, retry=rt.resilience.RetryPolicy(base_s=0.001, max_s=0.01))
    seen: list[tuple[str, str]] = []
    ai.tracker.add_listener(lambda event: seen.append((event["model_id"], event["status"])))
    with contextlib.suppress(rt.ProviderError):
        ai.complete("main", USER)
    ai.close()
    return seen


@pytest.mark.parametrize(
    ("status", "header", "tries"),
    [
        (500, "false", 1),  # the header says no: not retried, falls back at once
        (400, "true", 3),  # the header says yes: retried although a 400
        (409, None, 3),  # a conflict: retried, as the SDKs do
        (408, None, 3),  # a request timeout: retried
        (400, None, 1),  # no header: the class decides (bad_request: never retried)
    ],
)
def test_should_retry_header_then_408_409_then_the_class(
    rt: ModuleType,
    fake_provider: FakeProvider,
    keys: str,
    tmp_path: Path,
    status: int,
    header: str | None,
    tries: int,
) -> None:
    headers = (("x-should-retry", header),) if header else ()
    fault = Fault("status", error="other", status=status, headers=headers)
    fake_provider.inject(fault, route="anthropic.messages")
    seen = _statuses(rt, fake_provider, tmp_path / "usage")
    assert [s for m, s in seen if m == "claude"] == ["error"] * tries
