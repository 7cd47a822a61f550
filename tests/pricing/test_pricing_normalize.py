"""Provider usage payloads -> TokenUsage. Each golden is worked by hand in its comment.

The payloads are shaped like real responses (field names, nulls, extra fields). These are the
conversions peers keep getting wrong: Anthropic's input_tokens EXCLUDES cache tokens while
OpenAI's prompt_tokens INCLUDES them; Gemini reports thinking apart from the candidates.
"""

from __future__ import annotations

from typing import Any

import pytest

from aiinfra_cli.pricing import (
    InvalidTokenUsage,
    TokenUsage,
    from_anthropic,
    from_bedrock_converse,
    from_gemini,
    from_openai_chat,
    from_openai_responses,
)

ANTHROPIC_SONNET = {
    "input_tokens": 1_250,
    "cache_creation_input_tokens": 12_000,
    "cache_read_input_tokens": 48_000,
    "cache_creation": {"ephemeral_5m_input_tokens": 8_000, "ephemeral_1h_input_tokens": 4_000},
    "output_tokens": 900,
    "server_tool_use": None,
    "service_tier": "standard",
}


def test_anthropic_input_excludes_cache_tokens() -> None:
    # input = 1,250 (after the last breakpoint) + 12,000 written + 48,000 read = 61,250
    # writes: 12,000, of which 4,000 with the 1-hour TTL (8,000 five-minute)
    assert from_anthropic(ANTHROPIC_SONNET) == TokenUsage(
        input_tokens=61_250,
        output_tokens=900,
        cache_read_tokens=48_000,
        cache_write_tokens=12_000,
        cache_write_1h_tokens=4_000,
    )


def test_anthropic_without_ttl_breakdown_counts_writes_as_five_minute() -> None:
    # Older responses (and some server-tool turns) carry no cache_creation object:
    # input = 20 + 1,500 + 0 = 1,520; all 1,500 writes are 5-minute writes.
    usage = from_anthropic(
        {
            "input_tokens": 20,
            "cache_creation_input_tokens": 1_500,
            "cache_read_input_tokens": None,
            "output_tokens": 300,
            "cache_creation": None,
        }
    )
    assert usage == TokenUsage(input_tokens=1_520, output_tokens=300, cache_write_tokens=1_500)


def test_anthropic_thinking_tokens_are_part_of_output() -> None:
    # output_tokens 2,400 includes 1,800 thinking tokens (output_tokens_details)
    usage = from_anthropic(
        {
            "input_tokens": 500,
            "output_tokens": 2_400,
            "output_tokens_details": {"thinking_tokens": 1_800},
        }
    )
    assert (usage.output_tokens, usage.reasoning_tokens) == (2_400, 1_800)


def test_anthropic_sdk_object() -> None:
    from anthropic.types import CacheCreation, Usage

    sdk = Usage(
        input_tokens=1_250,
        output_tokens=900,
        cache_creation_input_tokens=12_000,
        cache_read_input_tokens=48_000,
        cache_creation=CacheCreation(
            ephemeral_5m_input_tokens=8_000, ephemeral_1h_input_tokens=4_000
        ),
    )
    assert from_anthropic(sdk) == from_anthropic(ANTHROPIC_SONNET)


OPENAI_CHAT_O3 = {
    "prompt_tokens": 12_000,
    "completion_tokens": 3_500,
    "total_tokens": 15_500,
    "prompt_tokens_details": {"cached_tokens": 10_240, "audio_tokens": 0},
    "completion_tokens_details": {
        "reasoning_tokens": 2_816,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}


def test_openai_chat_prompt_tokens_include_cached_tokens() -> None:
    # input stays 12,000 (10,240 of it cached: 1,760 uncached); output 3,500 includes 2,816 reasoning
    assert from_openai_chat(OPENAI_CHAT_O3) == TokenUsage(
        input_tokens=12_000, output_tokens=3_500, cache_read_tokens=10_240, reasoning_tokens=2_816
    )


def test_openai_chat_sdk_object_and_null_details() -> None:
    from openai.types import CompletionUsage

    sdk = CompletionUsage.model_validate(OPENAI_CHAT_O3)
    assert from_openai_chat(sdk) == from_openai_chat(OPENAI_CHAT_O3)
    bare = {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "total_tokens": 15,
        "prompt_tokens_details": None,
        "completion_tokens_details": None,
    }
    assert from_openai_chat(bare) == TokenUsage(input_tokens=10, output_tokens=5)


def test_deepseek_cache_hit_tokens() -> None:
    # DeepSeek: prompt_tokens (3,000) = prompt_cache_hit_tokens (2,048) + miss (952)
    usage = from_openai_chat(
        {
            "prompt_tokens": 3_000,
            "completion_tokens": 200,
            "total_tokens": 3_200,
            "prompt_cache_hit_tokens": 2_048,
            "prompt_cache_miss_tokens": 952,
        }
    )
    assert usage == TokenUsage(input_tokens=3_000, output_tokens=200, cache_read_tokens=2_048)


LITELLM_11364 = {
    # The usage object LiteLLM logged for eu.anthropic.claude-opus-4-5 in issue #11364:
    # prompt_tokens includes both cache classes (98,805 = 66,360 + 32,435 + 10).
    "total_tokens": 103_925,
    "prompt_tokens": 98_805,
    "completion_tokens": 5_120,
    "prompt_tokens_details": {
        "text_tokens": None,
        "audio_tokens": None,
        "image_tokens": None,
        "cached_tokens": 66_360,
        "cache_creation_tokens": 32_435,
    },
    "cache_read_input_tokens": 66_360,
    "completion_tokens_details": {"reasoning_tokens": 1_710},
    "cache_creation_input_tokens": 32_435,
}


def test_litellm_openai_shaped_usage_with_cache_writes() -> None:
    assert from_openai_chat(LITELLM_11364) == TokenUsage(
        input_tokens=98_805,
        output_tokens=5_120,
        cache_read_tokens=66_360,
        cache_write_tokens=32_435,
        reasoning_tokens=1_710,
    )


def test_openai_responses() -> None:
    # input 5,000 includes 4,096 cached; output 1,200 includes 832 reasoning
    payload = {
        "input_tokens": 5_000,
        "input_tokens_details": {"cached_tokens": 4_096, "cache_write_tokens": 0},
        "output_tokens": 1_200,
        "output_tokens_details": {"reasoning_tokens": 832},
        "total_tokens": 6_200,
    }
    expected = TokenUsage(
        input_tokens=5_000, output_tokens=1_200, cache_read_tokens=4_096, reasoning_tokens=832
    )
    assert from_openai_responses(payload) == expected
    from openai.types.responses import ResponseUsage

    assert from_openai_responses(ResponseUsage.model_validate(payload)) == expected


def test_openai_cache_writes_are_part_of_input() -> None:
    # newer OpenAI responses report writes too: input 9,000 = 1,000 uncached + 6,000 read + 2,000 written
    payload = {
        "input_tokens": 9_000,
        "input_tokens_details": {
            "cached_tokens": 6_000,
            "cache_write_tokens": 2_000,
            "cache_write_tokens_details": {"ttl_30m_tokens": 2_000, "ttl_12h_tokens": 0},
        },
        "output_tokens": 100,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 9_100,
    }
    usage = from_openai_responses(payload)
    assert (usage.uncached_input_tokens, usage.cache_read_tokens, usage.cache_write_tokens) == (
        1_000,
        6_000,
        2_000,
    )
    chat = {
        "prompt_tokens": 9_000,
        "completion_tokens": 100,
        "prompt_tokens_details": {"cached_tokens": 6_000, "cache_write_tokens": 2_000},
    }
    assert from_openai_chat(chat) == usage


GEMINI_THINKING = {
    "promptTokenCount": 12_000,
    "cachedContentTokenCount": 8_000,
    "candidatesTokenCount": 600,
    "thoughtsTokenCount": 1_400,
    "totalTokenCount": 14_000,
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12_000}],
    "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 8_000}],
}


def test_gemini_thoughts_are_output_and_cached_content_is_inside_the_prompt() -> None:
    # input 12,000 includes 8,000 cached; output = 600 candidates + 1,400 thoughts = 2,000
    # (total 14,000 = 12,000 + 600 + 1,400 confirms the thoughts were reported apart)
    assert from_gemini(GEMINI_THINKING) == TokenUsage(
        input_tokens=12_000, output_tokens=2_000, cache_read_tokens=8_000, reasoning_tokens=1_400
    )


def test_gemini_snake_case_sdk_dump_and_tool_prompt() -> None:
    # google-genai's model_dump() is snake_case; tool-use prompt tokens are billed input:
    # input = 1,000 + 250 = 1,250; output = 300 + 0 thoughts
    class Sdk:
        def model_dump(self) -> dict[str, Any]:
            return {
                "prompt_token_count": 1_000,
                "tool_use_prompt_token_count": 250,
                "candidates_token_count": 300,
                "thoughts_token_count": None,
                "cached_content_token_count": None,
                "total_token_count": 1_550,
            }

    assert from_gemini(Sdk()) == TokenUsage(input_tokens=1_250, output_tokens=300)


def test_gemini_thoughts_already_folded_into_candidates_are_not_added_twice() -> None:
    # total 1,500 = 1,000 prompt + 500 candidates: the 200 thoughts are inside the 500
    usage = from_gemini(
        {
            "promptTokenCount": 1_000,
            "candidatesTokenCount": 500,
            "thoughtsTokenCount": 200,
            "totalTokenCount": 1_500,
        }
    )
    assert (usage.output_tokens, usage.reasoning_tokens) == (500, 200)


BEDROCK_CONVERSE = {
    "inputTokens": 1_500,
    "outputTokens": 700,
    "totalTokens": 32_200,
    "cacheReadInputTokens": 25_000,
    "cacheWriteInputTokens": 5_000,
    "cacheDetails": [{"ttl": "1h", "inputTokens": 2_000}, {"ttl": "5m", "inputTokens": 3_000}],
}


def test_bedrock_converse_input_excludes_cache_tokens() -> None:
    # total 32,200 = 1,500 + 700 + 25,000 + 5,000, so inputTokens is the uncached part:
    # input = 1,500 + 25,000 + 5,000 = 31,500; writes 5,000 of which 2,000 1-hour
    assert from_bedrock_converse(BEDROCK_CONVERSE) == TokenUsage(
        input_tokens=31_500,
        output_tokens=700,
        cache_read_tokens=25_000,
        cache_write_tokens=5_000,
        cache_write_1h_tokens=2_000,
    )


def test_bedrock_inclusive_input_is_not_counted_twice() -> None:
    # total 1,300 = 1,000 + 300 while 400 cache reads are reported: inputTokens included them
    usage = from_bedrock_converse(
        {
            "inputTokens": 1_000,
            "outputTokens": 300,
            "totalTokens": 1_300,
            "cacheReadInputTokens": 400,
        }
    )
    assert usage == TokenUsage(input_tokens=1_000, output_tokens=300, cache_read_tokens=400)


@pytest.mark.parametrize(
    ("normaliser", "payload"),
    [
        (from_anthropic, {"input_tokens": -5, "output_tokens": 1}),
        (from_openai_chat, {"prompt_tokens": "12", "completion_tokens": 1}),
        (
            from_openai_chat,
            {
                "prompt_tokens": 10,
                "completion_tokens": 1,
                "prompt_tokens_details": {"cached_tokens": 11},
            },
        ),
        (from_gemini, {"promptTokenCount": 1.5}),
        (from_bedrock_converse, {"inputTokens": 1, "cacheDetails": "1h"}),
        (from_openai_responses, ["not", "a", "mapping"]),
    ],
)
def test_malformed_payloads_raise_invalid_token_usage(normaliser: Any, payload: object) -> None:
    with pytest.raises(InvalidTokenUsage):
        normaliser(payload)


def test_counts_written_as_whole_floats_are_accepted() -> None:
    assert from_openai_chat({"prompt_tokens": 12.0, "completion_tokens": 3.0}) == TokenUsage(12, 3)
