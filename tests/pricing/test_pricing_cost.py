"""Golden costs, each worked by hand in its comment, on the bundled table's real prices.

Amounts are in USD; "µ$" means millionths of a dollar (tokens x USD-per-MTok). A change to one
of these prices in a rebuilt table fails here on purpose: check the new price, then the figure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from aiinfra_cli.pricing import (
    ModelPrice,
    PriceTable,
    TokenUsage,
    cost,
    format_usd,
    from_anthropic,
    from_bedrock_converse,
    from_gemini,
    from_openai_chat,
    from_openai_responses,
    read_table,
)
from aiinfra_cli.pricing._load import bundled_table_path


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return read_table(bundled_table_path(), origin="bundled")


def _price(table: PriceTable, model: str, provider: str | None = None) -> ModelPrice:
    price = table.lookup(model, provider)
    assert price is not None, model
    return price


def test_anthropic_sonnet_with_cache_read_and_both_write_ttls(table: PriceTable) -> None:
    # claude-sonnet-4-5: input 3, output 15, cache read 0.3, 5m write 3.75, 1h write 6 (per MTok)
    usage = from_anthropic(
        {
            "input_tokens": 1_250,
            "cache_creation_input_tokens": 12_000,
            "cache_read_input_tokens": 48_000,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 8_000,
                "ephemeral_1h_input_tokens": 4_000,
            },
            "output_tokens": 900,
        }
    )
    # uncached  1,250 x 3    =  3,750 µ$
    # read     48,000 x 0.3  = 14,400 µ$
    # 5m write  8,000 x 3.75 = 30,000 µ$
    # 1h write  4,000 x 6    = 24,000 µ$
    # output      900 x 15   = 13,500 µ$
    # total                  = 85,650 µ$ = $0.08565
    breakdown = cost(_price(table, "claude-sonnet-4-5-20250929"), usage)
    assert breakdown.as_dict() == {
        "input": "0.00375",
        "cache_read": "0.0144",
        "cache_write": "0.03",
        "cache_write_1h": "0.024",
        "output": "0.0135",
        "total": "0.08565",
    }
    assert breakdown.tier == "standard" and breakdown.notes == ()


def test_older_anthropic_model_without_a_1h_price_gets_anthropics_2x_rule(
    table: PriceTable,
) -> None:
    # claude-3-5-haiku-20241022 (retired; last known price from LiteLLM 1.77.0):
    # input 0.8, output 4, cache read 0.08, 5m write 1; no 1h price -> 2 x 0.8 = 1.6
    usage = from_anthropic(
        {
            "input_tokens": 300,
            "cache_creation_input_tokens": 5_000,
            "cache_read_input_tokens": 20_000,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 2_000,
                "ephemeral_1h_input_tokens": 3_000,
            },
            "output_tokens": 400,
        }
    )
    # uncached    300 x 0.8  =   240 µ$
    # read     20,000 x 0.08 = 1,600 µ$
    # 5m write  2,000 x 1    = 2,000 µ$
    # 1h write  3,000 x 1.6  = 4,800 µ$
    # output      400 x 4    = 1,600 µ$
    # total                  = 10,240 µ$ = $0.01024
    price = _price(table, "claude-3-5-haiku-20241022")
    assert price.retired and price.cache_write_1h_per_mtok is None
    breakdown = cost(price, usage)
    assert format_usd(breakdown.total) == "0.01024"
    assert breakdown.rates.cache_write_1h_per_mtok == Decimal("1.6")
    assert breakdown.notes == ("1-hour cache writes: Anthropic's published rule, 2x input",)


def test_claude_entry_without_any_cache_price_uses_all_three_multipliers() -> None:
    # input 3 -> read 0.1x = 0.3, 5m write 1.25x = 3.75, 1h write 2x = 6
    bare = ModelPrice(
        key="claude-x",
        provider="bedrock",
        mode="chat",
        input_per_mtok=Decimal(3),
        output_per_mtok=Decimal(15),
        vendor="anthropic",
    )
    usage = TokenUsage(
        input_tokens=3_000,
        cache_read_tokens=1_000,
        cache_write_tokens=1_500,
        cache_write_1h_tokens=500,
    )
    # uncached 500 x 3 = 1,500; read 1,000 x 0.3 = 300; 5m 1,000 x 3.75 = 3,750; 1h 500 x 6 = 3,000
    # total 8,550 µ$
    breakdown = cost(bare, usage)
    assert format_usd(breakdown.total) == "0.00855"
    assert len(breakdown.notes) == 3


def test_openai_chat_with_cached_and_reasoning_tokens(table: PriceTable) -> None:
    # o3: input 2, output 8, cache read 0.5
    usage = from_openai_chat(
        {
            "prompt_tokens": 12_000,
            "completion_tokens": 3_500,
            "total_tokens": 15_500,
            "prompt_tokens_details": {"cached_tokens": 10_240},
            "completion_tokens_details": {"reasoning_tokens": 2_816},
        }
    )
    # uncached 12,000 - 10,240 = 1,760 x 2 = 3,520 µ$
    # read     10,240 x 0.5                = 5,120 µ$
    # output    3,500 x 8 (reasoning inside, not added again) = 28,000 µ$
    # total                                  = 36,640 µ$ = $0.03664
    breakdown = cost(_price(table, "o3"), usage)
    assert (format_usd(breakdown.input), format_usd(breakdown.cache_read)) == ("0.00352", "0.00512")
    assert format_usd(breakdown.output) == "0.028"
    assert format_usd(breakdown.total) == "0.03664"


def test_openai_cache_writes_have_no_surcharge(table: PriceTable) -> None:
    # gpt-4o lists no write price: 1,000 writes are plain input, 1,000 x 2.5 = 2,500 µ$
    breakdown = cost(
        _price(table, "gpt-4o"), TokenUsage(input_tokens=1_000, cache_write_tokens=1_000)
    )
    assert format_usd(breakdown.cache_write) == "0.0025"
    assert breakdown.notes == ("5-minute cache writes: no cache price, priced as plain input",)


def test_openai_responses(table: PriceTable) -> None:
    # gpt-5: input 1.25, output 10, cache read 0.125
    usage = from_openai_responses(
        {
            "input_tokens": 5_000,
            "input_tokens_details": {"cached_tokens": 4_096, "cache_write_tokens": 0},
            "output_tokens": 1_200,
            "output_tokens_details": {"reasoning_tokens": 832},
            "total_tokens": 6_200,
        }
    )
    # uncached 904 x 1.25 = 1,130; read 4,096 x 0.125 = 512; output 1,200 x 10 = 12,000
    # total 13,642 µ$ = $0.013642
    assert format_usd(cost(_price(table, "openai/gpt-5"), usage).total) == "0.013642"


def test_gemini_with_thoughts_and_cache(table: PriceTable) -> None:
    # gemini/gemini-2.5-pro up to 200k input: input 1.25, output 10, cache read 0.125
    usage = from_gemini(
        {
            "promptTokenCount": 12_000,
            "cachedContentTokenCount": 8_000,
            "candidatesTokenCount": 600,
            "thoughtsTokenCount": 1_400,
            "totalTokenCount": 14_000,
        }
    )
    # uncached 4,000 x 1.25 = 5,000; read 8,000 x 0.125 = 1,000; output (600 + 1,400) x 10 = 20,000
    # total 26,000 µ$ = $0.026
    breakdown = cost(_price(table, "gemini-2.5-pro", "gemini"), usage)
    assert breakdown.tier == "standard"
    assert format_usd(breakdown.total) == "0.026"


def test_gemini_long_context_rate_applies_to_the_whole_request(table: PriceTable) -> None:
    # above 200,000 input tokens (cache included): input 2.5, output 15, cache read 0.25
    usage = from_gemini(
        {
            "promptTokenCount": 250_000,
            "cachedContentTokenCount": 200_000,
            "candidatesTokenCount": 3_000,
            "thoughtsTokenCount": 5_000,
            "totalTokenCount": 258_000,
        }
    )
    # uncached 50,000 x 2.5 = 125,000; read 200,000 x 0.25 = 50,000; output 8,000 x 15 = 120,000
    # total 295,000 µ$ = $0.295 (at the base rates it would be 62,500 + 25,000 + 80,000 = $0.1675)
    price = _price(table, "models/gemini-2.5-pro")
    breakdown = cost(price, usage)
    assert (breakdown.tier, breakdown.long_context_above) == ("long_context_above_200k", 200_000)
    assert format_usd(breakdown.total) == "0.295"
    # exactly 200,000 is not above the threshold
    assert cost(price, TokenUsage(input_tokens=200_000)).tier == "standard"
    assert cost(price, TokenUsage(input_tokens=200_001)).tier == "long_context_above_200k"


def test_long_context_cache_price_missing_from_the_tier_scales_like_input() -> None:
    # base input 1, cache read 0.1; tier above 100k lists input 2 only -> cache read 0.1 x 2 = 0.2
    from aiinfra_cli.pricing import LongContextTier

    price = ModelPrice(
        key="m",
        provider="openai",
        mode="chat",
        input_per_mtok=Decimal(1),
        output_per_mtok=Decimal(4),
        cache_read_per_mtok=Decimal("0.1"),
        long_context=(LongContextTier(100_000, input_per_mtok=Decimal(2)),),
    )
    breakdown = cost(
        price, TokenUsage(input_tokens=150_000, cache_read_tokens=100_000, output_tokens=10)
    )
    # uncached 50,000 x 2 = 100,000; read 100,000 x 0.2 = 20,000; output 10 x 4 (tier lists none) = 40
    assert format_usd(breakdown.total) == "0.12004"
    assert breakdown.rates.cache_read_per_mtok == Decimal("0.2")


def test_batch_uses_the_tables_batch_prices(table: PriceTable) -> None:
    # claude-sonnet-4-5 batch: input 1.5, output 7.5, read 0.15, 5m write 1.875 (listed);
    # 1h write not listed: 6 x (1.5 / 3 batch ratio) = 3
    usage = TokenUsage(
        input_tokens=20_000,
        output_tokens=4_000,
        cache_read_tokens=10_000,
        cache_write_tokens=2_000,
        cache_write_1h_tokens=2_000,
    )
    # uncached 8,000 x 1.5 = 12,000; read 10,000 x 0.15 = 1,500; 1h 2,000 x 3 = 6,000;
    # output 4,000 x 7.5 = 30,000; total 49,500 µ$ = $0.0495
    breakdown = cost(_price(table, "claude-sonnet-4-5"), usage, batch=True)
    assert breakdown.tier == "batch"
    assert format_usd(breakdown.total) == "0.0495"
    assert breakdown.rates.cache_write_1h_per_mtok == Decimal(3)


def test_batch_without_table_prices_follows_the_published_rule(table: PriceTable) -> None:
    # claude-3-5-haiku-20241022 lists no batch price; Anthropic publishes 50% off:
    # 10,000 x 0.4 = 4,000 + 1,000 x 2 = 2,000 -> $0.006
    usage = TokenUsage(input_tokens=10_000, output_tokens=1_000)
    breakdown = cost(_price(table, "claude-3-5-haiku-20241022"), usage, batch=True)
    assert format_usd(breakdown.total) == "0.006"
    assert "published 50% discount" in breakdown.notes[0]
    # deepseek-chat: no batch price and no published batch discount -> standard rates, said so
    # 10,000 x 0.28 = 2,800 + 1,000 x 0.42 = 420 -> $0.00322
    deepseek = cost(_price(table, "deepseek-chat"), usage, batch=True)
    assert format_usd(deepseek.total) == "0.00322"
    assert "standard rates applied" in deepseek.notes[0]


def test_bedrock_converse_claude_with_1h_writes(table: PriceTable) -> None:
    # us.anthropic.claude-sonnet-4-5 (US geo, +10%): input 3.3, output 16.5, read 0.33,
    # 5m write 4.125, 1h write 6.6
    usage = from_bedrock_converse(
        {
            "inputTokens": 1_500,
            "outputTokens": 700,
            "totalTokens": 32_200,
            "cacheReadInputTokens": 25_000,
            "cacheWriteInputTokens": 5_000,
            "cacheDetails": [
                {"ttl": "1h", "inputTokens": 2_000},
                {"ttl": "5m", "inputTokens": 3_000},
            ],
        }
    )
    # uncached 1,500 x 3.3 = 4,950; read 25,000 x 0.33 = 8,250; 5m 3,000 x 4.125 = 12,375;
    # 1h 2,000 x 6.6 = 13,200; output 700 x 16.5 = 11,550; total 50,325 µ$ = $0.050325
    price = _price(table, "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert format_usd(cost(price, usage).total) == "0.050325"


def test_litellm_issue_11364_payload_is_priced_in_full(table: PriceTable) -> None:
    # LiteLLM reported $0.047080 for this eu.anthropic.claude-opus-4-5 request. At the table's
    # prices (input 5.5, read 0.55, 5m write 6.875, output 27.5):
    # uncached 98,805 - 66,360 - 32,435 = 10 x 5.5 = 55
    # read 66,360 x 0.55 = 36,498; write 32,435 x 6.875 = 222,990.625; output 5,120 x 27.5 = 140,800
    # total 400,343.625 µ$ = $0.400343625
    usage = from_openai_chat(
        {
            "prompt_tokens": 98_805,
            "completion_tokens": 5_120,
            "prompt_tokens_details": {"cached_tokens": 66_360, "cache_creation_tokens": 32_435},
            "completion_tokens_details": {"reasoning_tokens": 1_710},
        }
    )
    price = _price(table, "eu.anthropic.claude-opus-4-5-20251101-v1:0")
    assert format_usd(cost(price, usage).total) == "0.400343625"


def test_unknown_model_is_unpriced_never_zero(table: PriceTable) -> None:
    assert table.lookup("my-homegrown-model-7b") is None
    assert table.cost_of("my-homegrown-model-7b", TokenUsage(input_tokens=1_000)) is None
    priced = table.cost_of("gpt-4o", TokenUsage(input_tokens=1_000))
    assert priced is not None and format_usd(priced.total) == "0.0025"


def test_an_entry_without_base_prices_cannot_be_costed() -> None:
    broken = ModelPrice(
        key="x", provider="openai", mode="chat", input_per_mtok=None, output_per_mtok=None
    )
    with pytest.raises(ValueError, match="no input or output price"):
        cost(broken, TokenUsage())
