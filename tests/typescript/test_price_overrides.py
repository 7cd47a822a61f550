"""The TypeScript runtime applies the config's ``pricing:`` overrides when it loads, as the
Python one does (tests/init/test_init_price_overrides.py): the cache-price rules rendered into
it are the price engine's, an override costs to the exact decimal string aiinfra computes, a
model known only by its override is priced on a real call, and an override it cannot resolve
alone keeps the snapshot's price with one warning."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fakeprovider import FakeProvider
from fakeprovider.fixtures import TEST_KEY
from init.test_init_price_overrides import OVERRIDDEN, USAGES, as_yaml, config
from typescript.ts_support import Driver

from aiinfra_cli.config import check_text
from aiinfra_cli.pricing import (
    CACHE_RULES,
    PLAIN_INPUT,
    VENDOR_RULES,
    CacheRule,
    TokenUsage,
    cost,
    format_usd,
    load_price_table,
    overrides_from_config,
)
from aiinfra_cli.scaffold._prices import price_snapshot, snapshot_text
from aiinfra_cli.usage import read_events

PROVIDERS = {"openai": {"kind": "openai"}, "anthropic": {"kind": "anthropic"}}


def cli_costs(document: dict[str, Any], names: list[str], where: Path) -> list[list[str | None]]:
    """What aiinfra itself computes for each usage on each name, as the log records it."""
    cli, problems = check_text(as_yaml(document), where / "ai-models.yaml")
    assert cli is not None, problems
    table = load_price_table().with_overrides(overrides_from_config(cli))
    found: list[list[str | None]] = []
    for name in names:
        price = table.lookup(name)
        assert price is not None, name
        found.append([format_usd(cost(price, TokenUsage(*usage)).total) for usage in USAGES])
    return found


def empty_snapshot(where: Path) -> str:
    path = where / "_prices.json"
    path.write_text(json.dumps({"models": {}}))
    return str(path)


def test_the_rendered_rules_are_the_price_engines(driver: Driver) -> None:
    def factors(rule: CacheRule) -> list[str | None]:
        parts = (rule.cache_read, rule.cache_write, rule.cache_write_1h)
        return [None if p is None else str(p) for p in parts]

    assert driver.ask(op="rules") == {
        "cache_rules": {vendor: factors(rule) for vendor, rule in CACHE_RULES.items()},
        "plain_input": factors(PLAIN_INPUT),
        "vendor_rules": [[v, list(names), list(kinds)] for v, names, kinds in VENDOR_RULES],
    }


def test_an_override_costs_what_aiinfra_computes(driver: Driver, tmp_path: Path) -> None:
    document = config(PROVIDERS)
    ids = [model_id for model_id, *_ in OVERRIDDEN]
    names = [name for _, _, name, _ in OVERRIDDEN]
    expected = cli_costs(document, ids, tmp_path)
    answer = driver.ask(
        op="price", config=document, usages=USAGES, names=ids + names,
        snapshot=empty_snapshot(tmp_path), root=str(tmp_path),
    )  # fmt: skip
    assert answer["warnings"] == []
    assert answer["costs"] == expected + expected  # by id, and by the provider's model name


def test_rates_written_as_yaml_numbers_cost_what_aiinfra_computes(
    driver: Driver, tmp_path: Path
) -> None:
    pricing = {"input_per_mtok": 1e-7, "output_per_mtok": 0.25, "cache_read_per_mtok": 3}
    document = {
        "version": 1,
        "providers": PROVIDERS,
        "models": [{"id": "tiny", "provider": "openai", "model": "tiny-1", "pricing": pricing}],
    }
    answer = driver.ask(
        op="price", config=document, usages=USAGES, names=["tiny"],
        snapshot=empty_snapshot(tmp_path), root=str(tmp_path),
    )  # fmt: skip
    assert answer["costs"] == cli_costs(document, ["tiny"], tmp_path)


def test_a_model_priced_only_by_its_override_records_the_overrides_cost(
    driver: Driver, ts_project: Path, tmp_path: Path
) -> None:
    snapshot = json.loads((ts_project / "src" / "ai" / "_prices.json").read_text())
    assert "house" not in snapshot["models"] and "house-model-1" not in snapshot["aliases"]
    log = tmp_path / "usage"
    with FakeProvider(api_key=TEST_KEY, max_lifetime=60) as server:
        server.models.append("house-model-1")  # the provider serves it; the table lacks it
        providers = {
            "openai": {"kind": "openai", "base_url": server.openai_base_url},
            "anthropic": {"kind": "anthropic", "base_url": server.anthropic_base_url},
        }
        answer = driver.ask(
            op="scenario", config=config(providers, log), root=str(tmp_path), route="house"
        )
    assert answer["answered_by"] == "house" and answer["error"] is None
    [event] = read_events([log]).events
    assert event.model_id == "house" and event.input_tokens and event.output_tokens
    expected = (event.input_tokens * Decimal(2) + event.output_tokens * Decimal(8)) / 10**6
    assert event.cost_usd is not None and event.cost_usd == expected
    [line] = [json.loads(text) for text in next(log.glob("*.jsonl")).read_text().splitlines()]
    assert line["cost_usd"] == format_usd(expected)


WARNING = "model 'patched': its pricing is not what `aiinfra init` wrote _prices.json with"
AT_INIT: dict[str, Any] = {"price_as": "gpt-4o", "pricing": {"cache_read_per_mtok": "0.01"}}


@pytest.mark.parametrize(
    ("now", "outcome"),
    [
        (AT_INIT, None),  # unchanged since init: the snapshot's price, no warning
        ({**AT_INIT, "pricing": {"cache_read_per_mtok": "0.02"}}, "the snapshot's price is used"),
        ({**AT_INIT, "price_as": "gpt-4.1"}, "the snapshot's price is used"),
        ({"pricing": {"output_per_mtok": "9"}}, "the snapshot's price is used"),
    ],
    ids=["unchanged", "partial-changed", "price-as-changed", "partial-added"],
)
def test_an_override_the_runtime_cannot_resolve_keeps_the_snapshots_price(
    driver: Driver, tmp_path: Path, now: dict[str, Any], outcome: str | None
) -> None:
    def document(override: dict[str, Any]) -> dict[str, Any]:
        model = {"id": "patched", "provider": "openai", "model": "gpt-4o-mini", **override}
        return {"version": 1, "providers": {"openai": {"kind": "openai"}}, "models": [model]}

    at_init = document(AT_INIT)
    cli, problems = check_text(as_yaml(at_init), tmp_path / "ai-models.yaml")
    assert cli is not None, problems
    snapshot = tmp_path / "_prices.json"
    snapshot.write_text(snapshot_text(price_snapshot(cli)[0]))
    answer = driver.ask(
        op="price", config=document(now), usages=USAGES, names=["patched"],
        snapshot=str(snapshot), root=str(tmp_path),
    )  # fmt: skip
    assert answer["costs"] == cli_costs(at_init, ["patched"], tmp_path)
    if outcome is None:
        assert answer["warnings"] == []
        return
    [warning] = answer["warnings"]
    assert warning.startswith(WARNING)
    assert "input_per_mtok and output_per_mtok together" in warning
    assert warning.endswith(f": {outcome} (re-run `aiinfra init`)")


def test_an_override_of_a_model_the_snapshot_lacks_warns_and_records_no_cost(
    driver: Driver, tmp_path: Path
) -> None:
    document = {
        "version": 1,
        "providers": {"openai": {"kind": "openai"}},
        "models": [
            {"id": "patched", "provider": "openai", "model": "gpt-4o-mini",
             "pricing": {"cache_read_per_mtok": "0.01"}},
            {"id": "plain", "provider": "openai", "model": "gpt-4o-mini"},
        ],
    }  # fmt: skip
    answer = driver.ask(op="price", config=document, usages=USAGES[:1], names=["patched", "plain"])
    assert answer["costs"] == [[None], [None]]
    [warning] = answer["warnings"]
    assert warning.startswith(WARNING)
    assert warning.endswith(": no cost is recorded (re-run `aiinfra init`)")


@pytest.mark.parametrize("bad", ["-1", -0.5, "abc", True, None, [1], "1e999999999"])
def test_a_bad_rate_is_refused_at_load(driver: Driver, bad: object) -> None:
    document = config(PROVIDERS)
    document["models"][0]["pricing"] = {"input_per_mtok": bad, "output_per_mtok": "8"}
    answer = driver.ask(op="price", config=document, usages=[], names=[])
    assert answer == {
        "error": "configuration: models[0].pricing.input_per_mtok:"
        f" expected a non-negative amount in USD, got {json.dumps(bad)}"
    }
