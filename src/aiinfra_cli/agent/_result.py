"""The agent's input and outcome as values: what a command passes in and gets back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from aiinfra_cli._jsondoc import json_object
from aiinfra_cli.agent._allowlist import RedactionReport
from aiinfra_cli.agent._answer import Recommendation
from aiinfra_cli.agent._prompt import KINDS
from aiinfra_cli.agent._proposals import RouteProposal

Status = Literal["ok", "refused", "unavailable", "failed", "invalid"]
STATUSES: tuple[Status, ...] = ("ok", "refused", "unavailable", "failed", "invalid")


@dataclass(frozen=True)
class AgentRequest:
    """A command's aggregated, deterministic results, to be analysed.

    ``kind`` is one of :data:`KINDS`. ``facts`` is a plain JSON-like mapping (numbers, decimal
    strings, model names, ``file:line``, rule codes, nested mappings and lists). Strings under field
    names the agent does not know are withheld unless listed in ``safe_fields`` (e.g. a finding's
    ``message`` that the command wrote itself); see ``docs/agent.md`` for the allow-list.
    """

    kind: str
    facts: Mapping[str, Any]
    safe_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"agent kind must be one of {', '.join(KINDS)}, not {self.kind!r}")


@dataclass(frozen=True)
class Attempt:
    """One request to one model; ``error`` is an error class, None when it answered."""

    model_id: str
    error: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return json_object(self)


@dataclass(frozen=True)
class AgentResult:
    """What the agent produced, or why it produced nothing (the command's own result stands).

    ``status``: ``ok`` (recommendations, possibly none), ``refused`` (over the cost cap, nothing
    sent), ``unavailable`` (no config, no usable model or key: nothing sent), ``failed`` (no model
    answered), ``invalid`` (answers did not follow the schema, after the one retry).
    ``init`` answers carry ``routes`` (proposals) instead of ``recommendations``.
    """

    kind: str
    status: Status
    reason: str | None = None
    summary: str | None = None
    recommendations: tuple[Recommendation, ...] = ()
    routes: tuple[RouteProposal, ...] = ()
    model_id: str | None = None
    model: str | None = None
    route: str | None = None
    estimated_cost: Decimal | None = None
    max_cost: Decimal | None = None
    cost: Decimal | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    attempts: tuple[Attempt, ...] = ()
    notes: tuple[str, ...] = ()
    usage_log: str | None = None
    redaction: RedactionReport = field(default_factory=RedactionReport)

    @property
    def ok(self) -> bool:
        """Whether recommendations were written."""
        return self.status == "ok"

    def notice(self) -> str | None:
        """One line for stderr when there are no recommendations, saying why; else None."""
        if self.ok:
            return None
        nothing = "no proposals" if self.kind == "init" else "no recommendations"
        lead = "not run" if self.status in ("refused", "unavailable") else nothing
        return f"agent: {lead}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        """JSON form for a command's report (money as decimal strings)."""

        from aiinfra_cli.pricing import format_usd

        def money(value: Decimal | None) -> str | None:
            return None if value is None else format_usd(value)

        document: dict[str, Any] = {
            "kind": self.kind,
            "status": self.status,
            "reason": self.reason,
            "summary": self.summary,
            "recommendations": [r.as_dict() for r in self.recommendations],
        }
        if self.kind == "init":
            document["routes"] = [r.as_dict() for r in self.routes]
        return document | {
            "model_id": self.model_id,
            "model": self.model,
            "route": self.route,
            "estimated_cost_usd": money(self.estimated_cost),
            "max_cost_usd": money(self.max_cost),
            "cost_usd": money(self.cost),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "calls": self.calls,
            "attempts": [a.as_dict() for a in self.attempts],
            "notes": list(self.notes),
            "usage_log": self.usage_log,
            "redaction": self.redaction.as_dict(),
        }
