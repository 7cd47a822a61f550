"""Exact money: LiteLLM floats become exact per-MTok decimals, and amounts print without exponents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aiinfra_cli.pricing import format_usd
from aiinfra_cli.pricing._money import parse_decimal, per_token_to_per_mtok, tokens_cost


@pytest.mark.parametrize(
    ("per_token", "per_mtok"),
    [
        (3e-06, "3"),  # the classic: float 3e-06 is 3.0000000000000001e-06 in binary
        (1.5e-05, "15"),
        (1e-05, "10"),  # Decimal would print 1E+1
        (3.75e-06, "3.75"),
        (1.875e-06, "1.875"),
        (6.25e-08, "0.0625"),
        (2.8e-08, "0.028"),
        (5e-09, "0.005"),
        (0.00015, "150"),
        (1.1e-05, "11"),
        (0, "0"),
        (0.0, "0"),
        ("2.5e-06", "2.5"),
    ],
)
def test_litellm_per_token_prices_become_exact_per_mtok_decimals(
    per_token: object, per_mtok: str
) -> None:
    assert format_usd(per_token_to_per_mtok(per_token)) == per_mtok


@pytest.mark.parametrize("bad", [True, None, "abc", float("nan"), float("inf"), -1e-06, [1]])
def test_non_prices_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError):
        per_token_to_per_mtok(bad)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1.5E+1"), "15"),
        (Decimal("3000E-6"), "0.003"),
        (Decimal("0.0000001"), "0.0000001"),
        (Decimal("1E-12"), "0.000000000001"),
        (Decimal("0E-6"), "0"),
        (Decimal("-0"), "0"),
        (Decimal("1234567.891"), "1234567.891"),
    ],
)
def test_format_usd_is_plain_notation(amount: Decimal, text: str) -> None:
    assert format_usd(amount) == text
    assert "E" not in format_usd(amount)


def test_token_costs_are_exact_at_any_scale() -> None:
    # 1 token at $0.0625/MTok is $0.0000000625; ten billion tokens at $3/MTok is $30,000.
    assert tokens_cost(1, Decimal("0.0625")) == Decimal("0.0000000625")
    assert tokens_cost(10_000_000_000, Decimal(3)) == Decimal(30_000)
    # Summing a million tiny records stays exact (floats would drift).
    total = sum((tokens_cost(7, Decimal("0.3")) for _ in range(1_000_000)), Decimal(0))
    assert total == Decimal("2.1")


def test_stored_decimal_strings_are_validated() -> None:
    assert parse_decimal("0.075") == Decimal("0.075")
    for bad in ("", "x", "-1", "NaN"):
        with pytest.raises(ValueError):
            parse_decimal(bad)
