"""Exact money: per-token prices from LiteLLM floats to per-million-token decimals, and printing.

Binary floats never enter a sum. A LiteLLM price such as ``3e-06`` is read through ``repr`` (the
shortest string that round-trips), so it becomes exactly ``Decimal("3E-6")`` and, per million
tokens, exactly ``3``.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

TOKENS_PER_UNIT = 1_000_000
# Token counts times per-MTok prices need ~25 significant digits at worst (10^12 tokens times a
# price with 12 digits); 60 leaves room for sums of millions of records without rounding.
EXACT = Context(prec=60)


def per_token_to_per_mtok(value: object) -> Decimal:
    """A LiteLLM per-token price (int, float or numeric string) as an exact per-MTok Decimal.

    Raises ValueError for anything that is not a finite, non-negative number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"not a number: {value!r}")
    try:
        # repr() of a float is its shortest round-tripping decimal form: 3e-06 -> "3e-06".
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"not a finite, non-negative number: {value!r}")
    return _clean(number.scaleb(6))


def parse_decimal(text: str) -> Decimal:
    """A stored decimal string (``"0.075"``) back into a Decimal; ValueError if malformed."""
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError):
        raise ValueError(f"not a decimal string: {text!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"not a finite, non-negative decimal: {text!r}")
    return number


def tokens_cost(tokens: int, per_mtok: Decimal) -> Decimal:
    """The exact cost of ``tokens`` at ``per_mtok`` USD per million tokens."""
    return EXACT.multiply(Decimal(tokens), per_mtok).scaleb(-6, EXACT)


def format_usd(amount: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: ``Decimal("1.5E+1")`` -> ``"15"``."""
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    text = format(_clean(amount), "f")
    return "0" if text in ("-0", "0") else text


def _clean(number: Decimal) -> Decimal:
    # normalize() drops trailing zeros (3.000000 -> 3) but may produce an exponent (1E+1); callers
    # format with "f", which always prints plain digits.
    return number.normalize(EXACT) if number else Decimal(0)
