"""Config overrides win over the table: explicit rates, partial patches, and price_as aliases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from aiinfra_cli.errors import PriceError
from aiinfra_cli.pricing import (
    PriceOverride,
    PriceTable,
    TokenUsage,
    cost,
    format_usd,
    overrides_from_config,
    read_table,
)
from aiinfra_cli.pricing._load import bundled_table_path


@dataclass(frozen=True)
class StandInModel:
    """The attributes pricing reads of ``aiinfra_cli.config.ModelConfig``."""

    id: str
    provider: str
    provider_kind: str
    model: str
    pricing: Mapping[str, Decimal] | None = None
    price_as: str | None = None


@dataclass(frozen=True)
class StandInConfig:
    models: tuple[StandInModel, ...] = ()
    path: Path = field(default_factory=lambda: Path("config/ai-models.yaml"))


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return read_table(bundled_table_path(), origin="bundled")


def test_explicit_rates_win_and_claude_fallbacks_follow_the_new_input(table: PriceTable) -> None:
    config = StandInConfig(
        (
            StandInModel(
                "smart",
                "anthropic",
                "anthropic",
                "claude-sonnet-4-5",
                pricing={"input_per_mtok": Decimal("2.4"), "output_per_mtok": Decimal(12)},
            ),
        )
    )
    priced = table.with_overrides(overrides_from_config(config))
    for alias in ("smart", "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"):
        price = priced.lookup(alias)
        assert price is not None and price.input_per_mtok == Decimal("2.4"), alias
    # The table's cache prices belonged to the list price; the Claude rule derives them from 2.4:
    # read 0.24, 5m write 3, 1h write 4.8.
    usage = TokenUsage(
        input_tokens=10_000,
        output_tokens=1_000,
        cache_read_tokens=5_000,
        cache_write_tokens=3_000,
        cache_write_1h_tokens=1_000,
    )
    # uncached 2,000 x 2.4 = 4,800; read 5,000 x 0.24 = 1,200; 5m 2,000 x 3 = 6,000;
    # 1h 1,000 x 4.8 = 4,800; output 1,000 x 12 = 12,000; total 28,800 µ$ = $0.0288
    smart = priced.lookup("smart")
    assert smart is not None
    assert format_usd(cost(smart, usage).total) == "0.0288"
    assert smart.source == "config/ai-models.yaml: model 'smart'"
    # the table itself is untouched
    plain = table.lookup("claude-sonnet-4-5")
    assert plain is not None and plain.input_per_mtok == Decimal(3)


def test_a_partial_override_patches_the_table_entry(table: PriceTable) -> None:
    override = PriceOverride(
        model="claude-sonnet-4-5",
        provider="anthropic",
        rates={"cache_write_1h_per_mtok": Decimal(5)},
        origin="test",
    )
    price = table.with_overrides({"sonnet-cheap-1h": override}).lookup("sonnet-cheap-1h")
    assert price is not None
    assert (price.input_per_mtok, price.cache_write_per_mtok, price.cache_write_1h_per_mtok) == (
        Decimal(3),
        Decimal("3.75"),
        Decimal(5),
    )


def test_azure_deployment_priced_as_a_table_model(table: PriceTable) -> None:
    config = StandInConfig(
        (
            StandInModel(
                "prod-4o", "azure-east", "azure-openai", "prod-4o-deploy", price_as="gpt-4o"
            ),
        )
    )
    priced = table.with_overrides(overrides_from_config(config))
    assert table.lookup("prod-4o-deploy") is None  # a deployment name alone means nothing
    for alias in ("prod-4o", "prod-4o-deploy", "azure/prod-4o-deploy"):
        price = priced.lookup(alias)
        assert price is not None and price.key == "azure/gpt-4o", alias
    # 10,000 input of which 2,000 cached, 500 output at 2.5 / 1.25 / 10:
    # 8,000 x 2.5 = 20,000; 2,000 x 1.25 = 2,500; 500 x 10 = 5,000; total 27,500 µ$ = $0.0275
    breakdown = priced.cost_of(
        "prod-4o", TokenUsage(input_tokens=10_000, cache_read_tokens=2_000, output_tokens=500)
    )
    assert breakdown is not None and format_usd(breakdown.total) == "0.0275"


def test_a_local_model_priced_at_zero_is_priced_not_unknown(table: PriceTable) -> None:
    config = StandInConfig(
        (
            StandInModel(
                "llama",
                "local",
                "openai-compatible",
                "llama3.1:8b",
                pricing={"input_per_mtok": Decimal(0), "output_per_mtok": Decimal(0)},
            ),
        )
    )
    priced = table.with_overrides(overrides_from_config(config))
    breakdown = priced.cost_of("llama3.1:8b", TokenUsage(input_tokens=5_000, output_tokens=100))
    assert breakdown is not None and breakdown.total == 0
    assert table.cost_of("llama3.1:8b", TokenUsage(input_tokens=5_000)) is None


def test_a_config_id_for_a_known_model_is_an_alias(table: PriceTable) -> None:
    config = StandInConfig((StandInModel("fast", "openai", "openai", "gpt-4o-mini"),))
    overrides = overrides_from_config(config)
    assert set(overrides) == {"fast"}  # the bare model name needs no alias
    price = table.with_overrides(overrides).lookup("fast")
    assert price is not None and price.key == "gpt-4o-mini"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (PriceOverride(price_as="gpt-4x"), "price_as 'gpt-4x' is not in the price table"),
        (
            PriceOverride(model="homegrown", rates={"cache_read_per_mtok": Decimal(1)}),
            "needs input_per_mtok",
        ),
        (
            PriceOverride(model="homegrown", rates={"input_per_mtok": Decimal(1)}),
            "needs input_per_mtok",
        ),
        (PriceOverride(model="gpt-4o", rates={"input_per_mtok": Decimal(-1)}), "non-negative"),
        (PriceOverride(model="gpt-4o", rates={"inputs_per_mtok": Decimal(1)}), "unknown price key"),
    ],
)
def test_unpriceable_overrides_are_clear_errors(
    table: PriceTable, override: PriceOverride, message: str
) -> None:
    with pytest.raises(PriceError, match=message):
        table.with_overrides({"alias": override})


def test_price_as_typo_suggests_the_key(table: PriceTable) -> None:
    with pytest.raises(PriceError) as caught:
        table.with_overrides(
            {"x": PriceOverride(price_as="claude-sonet-4-5", origin="cfg: model 'x'")}
        )
    assert str(caught.value) == (
        "cfg: model 'x': price_as 'claude-sonet-4-5' is not in the price table"
        " (did you mean 'claude-sonnet-4-5'?)"
    )


def test_overrides_from_a_real_config_file(tmp_path: Path, table: PriceTable) -> None:
    from aiinfra_cli.config import load_config

    path = tmp_path / "config" / "ai-models.yaml"
    path.parent.mkdir()
    path.write_text(
        """\
version: 1
providers:
  anthropic: {kind: anthropic}
  azure: {kind: azure-openai, base_url: "https://example.openai.azure.com", api_version: "2024-10-21"}
  local: {kind: openai-compatible, base_url: "http://127.0.0.1:11434/v1"}
models:
  - {id: smart, provider: anthropic, model: claude-sonnet-4-5, pricing: {input_per_mtok: 2.4, output_per_mtok: 12}}
  - {id: prod-4o, provider: azure, model: prod-4o-deploy, price_as: gpt-4o}
  - {id: llama, provider: local, model: "llama3.1:8b", pricing: {input_per_mtok: 0, output_per_mtok: 0}}
""",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config is not None
    priced = table.with_overrides(overrides_from_config(config))
    smart, azure, llama = (priced.lookup(alias) for alias in ("smart", "prod-4o-deploy", "llama"))
    assert smart is not None and smart.input_per_mtok == Decimal("2.4")
    assert azure is not None and azure.key == "azure/gpt-4o"
    assert llama is not None and llama.output_per_mtok == 0
    assert "model 'prod-4o'" in azure.source
