"""A cost diff's result: changes with their monthly dollar deltas, and the totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed", "route"]


@dataclass
class Traffic:
    """Observed calls per month and average tokens per call (None: no traffic yet)."""

    calls_per_month: int
    avg_input: int
    avg_output: int

    def describe(self) -> str:
        return (
            f"{self.calls_per_month:,} calls/month, {_short(self.avg_input)} input /"
            f" {_short(self.avg_output)} output tokens each"
        )


def _short(tokens: int) -> str:
    return f"{tokens / 1000:.1f}k" if tokens >= 1000 else str(tokens)


@dataclass
class Change:
    """One change between BASE and the working tree, priced when it can be."""

    kind: ChangeKind
    where: str
    subject: str
    details: list[str] = field(default_factory=list)
    traffic: Traffic | None = None
    per_call_usd: Decimal | None = None
    monthly_usd: Decimal | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": self.where,
            "subject": self.subject,
            "details": self.details,
            "calls_per_month": self.traffic.calls_per_month if self.traffic else None,
            "avg_input_tokens": self.traffic.avg_input if self.traffic else None,
            "avg_output_tokens": self.traffic.avg_output if self.traffic else None,
            "per_call_usd": None if self.per_call_usd is None else format(self.per_call_usd, "f"),
            "monthly_usd": None if self.monthly_usd is None else format(self.monthly_usd, "f"),
            "note": self.note,
        }


@dataclass
class CostDiff:
    """Everything the renderers need."""

    base: str
    base_label: str
    window_days: int
    events: int
    changes: list[Change]
    max_monthly_delta: Decimal | None = None

    @property
    def total(self) -> Decimal:
        """The sum of the priced monthly deltas."""
        return sum((c.monthly_usd for c in self.changes if c.monthly_usd is not None), Decimal(0))

    @property
    def over_gate(self) -> bool:
        """Whether the total exceeds the gate."""
        return self.max_monthly_delta is not None and self.total > self.max_monthly_delta
