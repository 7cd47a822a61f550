"""The generated runtime applies the config's ``pricing:`` overrides when it loads (a model added
after ``aiinfra init`` is priced without re-running it), deriving the cache rates an override
leaves out by the price engine's own rules, rendered into it: it prices an override exactly as
aiinfra does."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fakeprovider import FakeProvider
from init.init_support import USER

from aiinfra_cli.config import check_text
from aiinfra_cli.pricing import (
    CACHE_RULES,
    PLAIN_INPUT,
    VENDOR_RULES,
    TokenUsage,
    cost,
    load_price_table,
    overrides_from_config,
)
from aiinfra_cli.usage import read_events

# (config id, provider, model name, pricing): models the snapshot does not know, and models it
# knows priced afresh (a long-context tier and the table's cache rates then no longer apply).
OVERRIDDEN: list[tuple[str, str, str, dict[str, str]]] = [
    ("house", "openai", "house-model-1", {"input_per_mtok": "2", "output_per_mtok": "8"}),
    ("house-claude", "anthropic", "claude-house-9", {"input_per_mtok": "4", "output_per_mtok": "20"}),
    ("sonnet", "anthropic", "claude-sonnet-4-6",
     {"input_per_mtok": "2.5", "output_per_mtok": "12", "cache_write_per_mtok": "3.3"}),
    ("mini", "openai", "gpt-4o-mini",
     {"input_per_mtok": "0.2", "output_per_mtok": "0.7", "cache_read_per_mtok": "0.05",
      "cache_write_per_mtok": "0.25", "batch_input_per_mtok": "0.1"}),
    ("opus-1h", "anthropic", "claude-opus-4-1",
     {"input_per_mtok": "10", "output_per_mtok": "50", "cache_write_1h_per_mtok": "17"}),
]  # fmt: skip
USAGES = [  # input (cache included), output, cache read, cache write, of it 1-hour, reasoning
    (1_000, 200, 0, 0, 0, 0),
    (50_000, 3_000, 30_000, 10_000, 4_000, 1_000),
    (400_000, 9_000, 100_000, 200_000, 200_000, 0),  # past any long-context threshold
    (7, 0, 0, 7, 3, 0),
]


def config(providers: dict[str, Any], log: Path | None = None) -> dict[str, Any]:
    models = [
        {"id": i, "provider": p, "model": m, "pricing": rates} for i, p, m, rates in OVERRIDDEN
    ]
    document: dict[str, Any] = {
        "version": 1,
        "providers": providers,
        "models": models,
        "routes": {"house": {"chain": ["house"], "max_retries": 0}},
    }
    if log is not None:
        document["usage_log"] = {"path": str(log)}
    return document


def patched() -> dict[str, Any]:
    """A config whose one model's override patches a table price (no input or output
    rate): the runtime cannot price it alone."""
    model = {"id": "patched", "provider": "openai", "model": "gpt-4o-mini",
             "pricing": {"cache_read_per_mtok": "0.01"}}  # fmt: skip
    return {"version": 1, "providers": {"openai": {"kind": "openai"}}, "models": [model]}


def as_yaml(document: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(document, sort_keys=False)


def test_the_rules_are_the_price_engines(rt: ModuleType) -> None:
    def factors(rule: Any) -> tuple[Decimal | None, ...]:
        return (rule.cache_read, rule.cache_write, rule.cache_write_1h)

    tracker = rt.cost_tracker
    assert {v: factors(r) for v, r in CACHE_RULES.items()} == tracker.CACHE_RULES
    assert factors(PLAIN_INPUT) == tracker.PLAIN_INPUT
    assert tracker.VENDOR_RULES == VENDOR_RULES


def test_an_override_is_priced_exactly_as_aiinfra_prices_it(rt: ModuleType, tmp_path: Path) -> None:
    document = config({"openai": {"kind": "openai"}, "anthropic": {"kind": "anthropic"}})
    path = tmp_path / "ai-models.yaml"
    cli, problems = check_text(as_yaml(document), path)
    assert cli is not None, problems
    table = load_price_table().with_overrides(overrides_from_config(cli))
    book = rt.PriceBook({}).configured(rt.Settings.from_dict(document, root=tmp_path))
    for model_id, provider, name, _ in OVERRIDDEN:
        price = table.lookup(model_id, provider)
        assert price is not None, model_id
        for usage in USAGES:
            expected = cost(price, TokenUsage(*usage)).total
            assert book.cost(rt.Usage(*usage), model_id) == expected, (model_id, usage)
            assert book.cost(rt.Usage(*usage), None, name) == expected, (name, usage)


def test_a_model_priced_only_by_its_override_records_the_overrides_cost(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    log = tmp_path / "usage"
    fake_provider.models.append("house-model-1")  # the provider serves it; aiinfra's table lacks it
    providers = {"openai": {"kind": "openai", "base_url": fake_provider.openai_base_url},
                 "anthropic": {"kind": "anthropic", "base_url": fake_provider.anthropic_base_url}}  # fmt: skip
    settings = rt.Settings.from_dict(config(providers, log), root=tmp_path)
    assert "house-model-1" not in rt.PriceBook.load()._prices  # not in the snapshot
    ai = rt.Orchestrator(settings)
    answer = ai.complete("house", USER)
    ai.close()
    [event] = read_events([log]).events
    assert event.model_id == "house" and event.input_tokens and event.output_tokens
    expected = (event.input_tokens * Decimal(2) + event.output_tokens * Decimal(8)) / 10**6
    assert event.cost_usd == answer.cost_usd == expected


def test_an_override_changed_since_init_that_the_runtime_cannot_resolve_warns(
    rt: ModuleType, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    document = patched()
    document["models"].append({"id": "plain", "provider": "openai", "model": "gpt-4o-mini"})
    settings = rt.Settings.from_dict(document, root=tmp_path)
    with caplog.at_level(logging.WARNING):
        book = rt.PriceBook.load().configured(settings)
    assert book.price("patched") is None and book.price("plain") is None
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith(
        "model 'patched': its pricing is not what `aiinfra init` wrote _prices.json with"
    )
    assert warning.endswith(": no cost is recorded (re-run `aiinfra init`)")
    assert "input_per_mtok and output_per_mtok together" in warning


def test_a_bad_rate_is_refused_at_load(rt: ModuleType, tmp_path: Path) -> None:
    document = config({"openai": {"kind": "openai"}, "anthropic": {"kind": "anthropic"}})
    document["models"][0]["pricing"] = {"input_per_mtok": "-1", "output_per_mtok": "8"}
    with pytest.raises(rt.ConfigurationError) as raised:
        rt.Settings.from_dict(document, root=tmp_path)
    assert str(raised.value) == (
        "configuration: models[0].pricing.input_per_mtok:"
        " expected a non-negative amount in USD, got '-1'"
    )


def test_an_override_unchanged_since_init_keeps_the_snapshots_price(
    rt: ModuleType, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from aiinfra_cli.scaffold._prices import price_snapshot, snapshot_text

    document = patched()
    cli, problems = check_text(as_yaml(document), tmp_path / "ai-models.yaml")
    assert cli is not None, problems
    snapshot = tmp_path / "_prices.json"
    snapshot.write_text(snapshot_text(price_snapshot(cli)[0]))
    settings = rt.Settings.from_dict(document, root=tmp_path)
    with caplog.at_level(logging.WARNING):
        book = rt.PriceBook.load(snapshot).configured(settings)
    assert caplog.records == []
    usage = (10_000, 100, 8_000, 0, 0, 0)
    price = load_price_table().with_overrides(overrides_from_config(cli)).lookup("patched")
    assert price is not None
    assert book.cost(rt.Usage(*usage), "patched") == cost(price, TokenUsage(*usage)).total
