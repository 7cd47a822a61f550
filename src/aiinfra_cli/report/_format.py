"""Human formatting of the report document's exact values (the JSON keeps them exact)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiinfra_cli.report._document import Sources

_CENT = Decimal("0.01")


def money(text: str | None) -> str:
    """``"1234.5678"`` → ``$1,234.57``; under a dollar four decimals (``$0.0412``); under
    $0.0001 two significant digits."""
    if text is None:
        return "—"
    amount = Decimal(text)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == 0:
        return "$0.00"
    if amount >= 1:
        return f"{sign}${amount.quantize(_CENT, rounding=ROUND_HALF_EVEN):,}"
    if amount >= Decimal("0.0001"):
        return f"{sign}${amount.quantize(Decimal('0.0001'), rounding=ROUND_HALF_EVEN):f}"
    digits = -amount.adjusted() + 1  # two significant digits
    return f"{sign}${amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN):f}"


def signed_money(text: str) -> str:
    amount = Decimal(text)
    return ("+" if amount > 0 else "") + money(text)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def signed_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f} %"


def count(value: int) -> str:
    return f"{value:,}"


def compact(value: int) -> str:
    for limit, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if value >= limit:
            return f"{value / limit:.1f}{suffix}"
    return str(value)


def label(value: Any) -> str:
    return "(none)" if value is None else str(value)


def source(sources: Sources, files: str = "log file(s)") -> str:
    """Where the report's events came from: ``3 log file(s)`` or ``the team store u@h:5432/db``."""
    if sources.kind == "store":
        return f"the team store {sources.store or ''}"
    return f"{count(sources.files)} {files}"
