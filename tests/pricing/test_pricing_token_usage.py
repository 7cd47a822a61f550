"""TokenUsage holds OpenTelemetry GenAI semantics: the parts are inside the wholes."""

from __future__ import annotations

import pytest

from aiinfra_cli.pricing import InvalidTokenUsage, TokenUsage


def test_parts_and_derived_counts() -> None:
    usage = TokenUsage(
        input_tokens=100,
        output_tokens=40,
        cache_read_tokens=50,
        cache_write_tokens=30,
        cache_write_1h_tokens=10,
        reasoning_tokens=25,
    )
    assert usage.uncached_input_tokens == 20  # 100 - 50 - 30
    assert usage.cache_write_5m_tokens == 20  # 30 - 10
    assert usage.as_dict()["cache_write_1h_tokens"] == 10


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"input_tokens": -1}, "must not be negative"),
        (
            {"input_tokens": 10, "cache_read_tokens": 6, "cache_write_tokens": 5},
            "exceed input_tokens",
        ),
        (
            {"input_tokens": 10, "cache_write_tokens": 2, "cache_write_1h_tokens": 3},
            "of which they are a part",
        ),
        ({"output_tokens": 1, "reasoning_tokens": 2}, "reasoning_tokens"),
        ({"input_tokens": True}, "must be an integer"),
        ({"output_tokens": 1.0}, "must be an integer"),
    ],
)
def test_invalid_counts_are_refused(counts: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidTokenUsage, match=message):
        TokenUsage(**counts)  # type: ignore[arg-type]


def test_invalid_usage_is_a_value_error() -> None:
    assert issubclass(InvalidTokenUsage, ValueError)
