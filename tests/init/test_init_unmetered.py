"""Unmetered spend: an attempt that reached the provider and returned no usage is recorded with
its input counted locally and ``usage_source: estimated``; one that never left records nothing.
Events carry the key's public id and workspace from the config, never the key."""

from __future__ import annotations

import socket
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fakeprovider import FakeProvider, Fault
from init.init_support import USER

from aiinfra_cli.usage import read_events

PROMPT = [{"role": "user", "content": "Summarise the quarterly report in three sentences. " * 20}]


def _orchestrator(rt: ModuleType, base_url: str, log: Path, **provider: Any) -> Any:
    config = {
        "version": 1,
        "providers": {"openai": {"kind": "openai", "base_url": base_url, **provider}},
        "models": [{"id": "gpt", "provider": "openai", "model": "gpt-4o-mini"}],
        "routes": {"main": {"chain": ["gpt"], "max_retries": 0, "attempt_timeout_s": 0.3}},
        "usage_log": {"path": str(log)},
    }
    return rt.Orchestrator(rt.Settings.from_dict(config, root=log.parent))


def _raw_events(log: Path) -> list[str]:
    return [line for path in sorted(log.glob("*.jsonl")) for line in path.read_text().split()]


@pytest.mark.parametrize(
    ("fault", "stream"),
    [(lambda: Fault.hang(5.0), False), (Fault.reset, False), (lambda: Fault.cut_stream(3), True)],
    ids=["timeout after sending", "reset", "stream cut before its usage"],
)
def test_an_attempt_that_reached_the_provider_counts_its_input(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path, fault: Any, stream: bool
) -> None:
    log = tmp_path / "usage"
    ai = _orchestrator(rt, fake_provider.openai_base_url, log)
    fake_provider.inject(fault(), route="openai.chat")
    with pytest.raises(rt.ProviderError):
        if stream:
            with ai.stream("main", PROMPT) as answer:
                "".join(answer)
        else:
            ai.complete("main", PROMPT)
    ai.close()
    (event,) = read_events([log]).events
    counted = ai.context.count(PROMPT, "gpt-4o-mini")
    assert event.status == "error" and event.usage_source == "estimated"
    assert event.input_tokens == counted > 100


def test_an_attempt_that_never_left_records_no_tokens(
    rt: ModuleType, keys: str, tmp_path: Path
) -> None:
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "usage"
    ai = _orchestrator(rt, f"http://127.0.0.1:{port}/v1", log)
    with pytest.raises(rt.ProviderError):
        ai.complete("main", PROMPT)
    ai.close()
    (event,) = read_events([log]).events
    assert (event.error_class, event.input_tokens, event.usage_source) == ("connection", 0, None)


def test_events_carry_the_keys_public_id_and_workspace(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    log = tmp_path / "usage"
    ai = _orchestrator(rt, fake_provider.openai_base_url, log, key_id="key_01abc",
                       workspace="batch-jobs")  # fmt: skip
    ai.complete("main", USER)
    ai.close()
    (event,) = read_events([log]).events
    assert (event.key_id, event.workspace, event.usage_source) == ("key_01abc", "batch-jobs", None)
    assert keys not in "".join(_raw_events(log))


def test_a_key_given_as_key_id_is_refused(rt: ModuleType, keys: str, tmp_path: Path) -> None:
    with pytest.raises(rt.ConfigurationError, match=r"providers\.openai\.key_id: this looks like"):
        _orchestrator(rt, "http://127.0.0.1:9/v1", tmp_path / "usage", key_id=keys)
