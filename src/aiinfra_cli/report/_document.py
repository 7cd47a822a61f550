"""The cost report document, ``schema_version`` 1, declared once.

These frozen dataclasses are the report: :meth:`CostReport.to_json` is the ``--json`` document
and the ``ai-cost-report-*.json`` file, :func:`json_schema` is derived from them (draft 2020-12),
and :attr:`CostReport.agent_view` is what ``--agent`` may send. Within a version, keys are only
ever added; a key is never renamed or given a new meaning without a version bump. Money is a
decimal string (exact, no exponent); percentages are numbers with one decimal, or null when the
base is zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from aiinfra_cli._jsondoc import (
    FLAT,
    HIDDEN,
    OPTIONAL,
    Count,
    Leaf,
    described,
    groups,
    json_schema_of,
    keyed,
    to_json,
)
from aiinfra_cli._jsonschema import schema_document
from aiinfra_cli.pricing import TokenUsage
from aiinfra_cli.vocabulary import TokenCategory

REPORT_SCHEMA_VERSION: Literal[1] = 1

MONEY: Mapping[str, Any] = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
DAY: Mapping[str, Any] = {"type": "string", "format": "date"}
Money = Annotated[str, Leaf(MONEY)]
MoneyOrNull = Annotated[str | None, Leaf({"anyOf": [MONEY, {"type": "null"}]})]
Pct = float | None
Day = Annotated[str, Leaf(DAY)]
BudgetStatus = Literal["ok", "alert", "exceeded"]
Direction = Literal["spike", "drop"]
# Dimensions that can have their own ``by_*`` table (``--group-by``), in schema order.
GROUP_DIMENSIONS = ("feature", "endpoint", "user", "tenant", "session", "call_site")
# Of those, the ones the agent sees (sessions and call sites are not sent).
AGENT_DIMENSIONS = ("feature", "endpoint", "user", "tenant")
# Token columns that are zero in every row say nothing; the agent's view drops them.
_SPARSE_TOKENS = (
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "reasoning_tokens",
)


@dataclass(frozen=True, kw_only=True)
class Usage:
    """One group's figures in a breakdown table."""

    requests: Count
    tokens: TokenUsage = field(metadata=FLAT)
    cost_usd: Money
    share_pct: Pct
    errors: Count
    unpriced_requests: Count


@dataclass(frozen=True, kw_only=True)
class Row:
    """A breakdown row: the group's value (written under the group's name) and its usage."""

    key: str | None
    usage: Usage = field(metadata=FLAT)


@dataclass(frozen=True, kw_only=True)
class ModelRow:
    model: str
    provider: str
    priced: bool
    price_key: str | None
    requests: Count
    tokens: TokenUsage = field(metadata=FLAT)
    cost_usd: MoneyOrNull = field(
        metadata=described("null when the model is unpriced (never reported as $0)")
    )
    share_pct: Pct
    errors: Count
    unpriced_requests: Count


@dataclass(frozen=True, kw_only=True)
class Tool:
    name: Literal["aiinfra"]
    version: str


@dataclass(frozen=True, kw_only=True)
class ReportPeriod:
    since: Day
    until: Day
    tz: str
    days: Count
    timeframe: str | None


@dataclass(frozen=True, kw_only=True)
class Totals:
    cost_usd: Money
    requests: Count
    tokens: TokenUsage = field(metadata=FLAT)
    priced_requests: Count
    unpriced_requests: Count
    errors: Count
    response_cache_hits: Count


@dataclass(frozen=True, kw_only=True)
class PreviousPeriod:
    since: Day
    until: Day
    cost_usd: Money
    requests: Count
    change_usd: Money
    change_pct: Pct


@dataclass(frozen=True, kw_only=True)
class Cache:
    hit_rate_pct: Pct
    cache_read_tokens: Count
    cache_write_tokens: Count
    savings_usd: Money
    write_premium_usd: Money
    net_savings_usd: Money
    cost_without_cache_usd: Money


@dataclass(frozen=True, kw_only=True)
class ResponseCache:
    hits: Count
    saved_usd: Money


@dataclass(frozen=True, kw_only=True)
class Percentiles:
    requests: Count
    mean_usd: MoneyOrNull
    method: str
    p50_usd: MoneyOrNull
    p95_usd: MoneyOrNull
    p99_usd: MoneyOrNull


@dataclass(frozen=True, kw_only=True)
class Part:
    requests: Count
    cost_usd: Money


@dataclass(frozen=True, kw_only=True)
class ErrorsAndRetries:
    requests: Count
    cost_usd: Money
    share_pct: Pct
    errors: Part
    retries: Part
    fallbacks: Part


@dataclass(frozen=True, kw_only=True)
class UnpricedRow:
    model: str
    provider: str
    requests: Count
    tokens: TokenUsage = field(metadata=FLAT)
    did_you_mean: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RecordedCost:
    requests: Count
    recorded_usd: Money
    repriced_usd: Money
    difference_usd: Money
    unpriced_requests: Count


@dataclass(frozen=True, kw_only=True)
class Anomaly:
    date: Day
    cost_usd: Money
    baseline_usd: Money
    change_pct: Pct
    direction: Direction


@dataclass(frozen=True, kw_only=True)
class Anomalies:
    method: str
    days_judged: Count
    days: tuple[Anomaly, ...]


@dataclass(frozen=True, kw_only=True)
class Forecast:
    month: Annotated[str, Leaf({"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}$"})]
    month_to_date_usd: Money
    daily_run_rate_usd: Money
    basis_days: Count
    days_elapsed: Count
    days_in_month: Count
    forecast_usd: Money


@dataclass(frozen=True, kw_only=True)
class Budget:
    name: str = field(metadata=described("monthly, daily, feature:X, model:X or --budget"))
    scope: str
    limit_usd: Money
    spent_usd: Money
    used_pct: Pct
    tier_reached_pct: int | None
    status: BudgetStatus
    forecast_usd: Money | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True, kw_only=True)
class Pricing:
    table_as_of: str
    notes: Mapping[str, tuple[str, ...]]
    percentiles_exact: bool


@dataclass(frozen=True, kw_only=True)
class RejectedLine:
    file: str
    line: Count
    reason: str


@dataclass(frozen=True, kw_only=True)
class UnknownField:
    field: str
    count: Count
    file: str
    line: Count


@dataclass(frozen=True, kw_only=True)
class Rejected:
    count: Count
    examples: tuple[RejectedLine, ...]
    unknown_fields: tuple[UnknownField, ...]


@dataclass(frozen=True, kw_only=True)
class Sources:
    kind: Literal["logs", "store"] = "logs"
    store: str | None = field(default=None, metadata=OPTIONAL)
    logs: tuple[str, ...]
    files: Count
    files_read: Count
    files_reused: Count
    events: Count
    formats: Mapping[str, Count]
    first_event_day: Day | None


_NULLABLE = Leaf({"type": ["string", "null"]})
_TEXT = Leaf({"type": "string"})
_RECOMMENDATION: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "rationale": {"type": "string"},
        "impact": {"enum": ["saving", "risk"]},
        "estimated_monthly_usd": MONEY,
        "action": {"type": "string"},
        "location": {"type": ["string", "null"]},
    },
    "required": ["title", "rationale", "impact", "estimated_monthly_usd", "action", "location"],
}


_AGENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"const": "cost-report"},
        "status": {"enum": ["ok", "refused", "unavailable", "failed", "invalid"]},
        "reason": {"type": ["string", "null"]},
        "summary": {"type": ["string", "null"]},
        "recommendations": {"type": "array", "items": _RECOMMENDATION},
        "model_id": {"type": ["string", "null"]},
        "model": {"type": ["string", "null"]},
        "route": {"type": ["string", "null"]},
        "estimated_cost_usd": {"anyOf": [MONEY, {"type": "null"}]},
        "max_cost_usd": {"anyOf": [MONEY, {"type": "null"}]},
        "cost_usd": {"anyOf": [MONEY, {"type": "null"}]},
        "input_tokens": {"type": "integer", "minimum": 0},
        "output_tokens": {"type": "integer", "minimum": 0},
        "calls": {"type": "integer", "minimum": 0},
        "attempts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "model_id": {"type": "string"},
                    "error": {"type": ["string", "null"]},
                    "detail": {"type": "string"},
                },
                "required": ["model_id", "error", "detail"],
            },
        },
        "notes": {"type": "array", "items": {"type": "string"}},
        "usage_log": {"type": ["string", "null"]},
        "redaction": {
            "type": "object",
            "properties": {
                "dropped": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0},
                },
                "pseudonymised": {"type": "integer", "minimum": 0},
                "scrubbed": {"type": "integer", "minimum": 0},
                "truncated": {"type": "integer", "minimum": 0},
            },
            "required": ["dropped", "pseudonymised", "scrubbed", "truncated"],
        },
    },
}
_AGENT_SCHEMA["required"] = list(_AGENT_SCHEMA["properties"])
AgentSection = Annotated[Mapping[str, Any], Leaf(_AGENT_SCHEMA)]


@dataclass(frozen=True, kw_only=True)
class ReconDay:
    date: Day
    billed_usd: Money
    tracked_usd: Money
    untracked_usd: Money
    over_tracked_usd: Money


@dataclass(frozen=True, kw_only=True)
class ReconModel:
    provider: str
    model: str
    billed_usd: Money
    tracked_usd: Money
    untracked_usd: Money
    over_tracked_usd: Money


@dataclass(frozen=True, kw_only=True)
class ReconWorkspace:
    provider: str
    workspace: str = field(metadata=described("workspace (Anthropic) or project (OpenAI) id"))
    billed_usd: Money
    tracked_usd: Money


@dataclass(frozen=True, kw_only=True)
class ReconKey:
    provider: str
    key_id: str = field(metadata=described("the API key's public id, never the key"))
    workspace: str | None
    billed_tokens: Count
    billed_at_list_usd: Money = field(
        metadata=described("the key's billed tokens at the price table's list price")
    )
    tracked_calls: Count
    tracked_usd: Money
    dark: bool = field(metadata=described("billed tokens and no tracked call"))


@dataclass(frozen=True, kw_only=True)
class ReconTokens:
    provider: str
    category: TokenCategory
    billed_tokens: Count
    tracked_tokens: Count
    difference: int = field(metadata=described("tracked minus billed"))


@dataclass(frozen=True, kw_only=True)
class Reconciliation:
    """Tracked spend against the providers' own bill (``--reconcile``; docs/billing.md)."""

    since: Day
    until: Day
    providers: tuple[str, ...]
    billed_usd: Money
    tracked_usd: Money
    coverage_pct: Pct = field(metadata=described("tracked ÷ billed; null when nothing billed"))
    untracked_usd: Money = field(metadata=described("billed beyond what was tracked, per cell"))
    over_tracked_usd: Money = field(metadata=described("tracked beyond the bill, per cell"))
    estimated_usd: Money = field(
        metadata=described("tracked spend whose usage was estimated (no usage returned)")
    )
    partial_days: tuple[Day, ...]
    by_day: tuple[ReconDay, ...]
    by_model: tuple[ReconModel, ...]
    by_workspace: tuple[ReconWorkspace, ...]
    by_api_key: tuple[ReconKey, ...]
    tokens: tuple[ReconTokens, ...]
    dark_spend: tuple[str, ...] = field(metadata=described("one sentence per dark key"))


@dataclass(frozen=True, kw_only=True)
class CostReport:
    """The whole report. Add a section here (a field typed by its own frozen dataclass): the
    JSON, the schema and the agent's view follow; then give the renderers a function for it."""

    schema_version: Literal[1] = field(default=REPORT_SCHEMA_VERSION, metadata=HIDDEN)
    generated_at: Annotated[str, Leaf({"type": "string", "format": "date-time"})] = field(
        metadata=HIDDEN
    )
    tool: Tool = field(metadata=HIDDEN)
    period: ReportPeriod
    totals: Totals
    previous_period: PreviousPeriod
    by_model: tuple[ModelRow, ...]
    by_provider: tuple[Row, ...] = field(metadata=keyed("provider", _TEXT))
    by_day: tuple[Row, ...] = field(metadata=keyed("date", Leaf(DAY)))
    by_group: Mapping[str, tuple[Row, ...]] = field(
        metadata=groups("by_", GROUP_DIMENSIONS, _NULLABLE, visible=AGENT_DIMENSIONS)
    )
    top_features: tuple[Row, ...] = field(metadata=keyed("feature", _NULLABLE, hide=True))
    top_call_sites: tuple[Row, ...] = field(metadata=keyed("call_site", _NULLABLE))
    cache: Cache
    response_cache: ResponseCache
    cost_per_successful_request: Percentiles
    errors_and_retries: ErrorsAndRetries
    unpriced: tuple[UnpricedRow, ...]
    recorded_cost: RecordedCost
    anomalies: Anomalies
    forecast: Forecast
    budgets: tuple[Budget, ...]
    budget_exceeded: bool
    pricing: Pricing = field(metadata=HIDDEN)
    rejected: Rejected = field(metadata=HIDDEN)
    sources: Sources = field(metadata=HIDDEN)
    # Only with --reconcile (see docs/billing.md).
    reconciliation: Reconciliation | None = field(default=None, metadata=OPTIONAL)
    # Only with --agent (see docs/agent.md): the agent's own result, never part of its input.
    agent: Annotated[Mapping[str, Any], Leaf(_AGENT_SCHEMA)] | None = field(
        default=None, metadata=OPTIONAL
    )

    def to_json(self) -> dict[str, Any]:
        """The JSON document (``--json``, ``ai-cost-report-*.json``)."""
        document: dict[str, Any] = to_json(self)
        return document

    @property
    def agent_view(self) -> dict[str, Any]:
        """What the agent sees: the aggregates (money as decimal strings), not sources,
        rejected lines or pricing notes; token columns that are zero in a row are dropped.
        People in ``by_user``/``by_tenant`` are pseudonymised later by the agent's redaction."""
        view: dict[str, Any] = to_json(self, view="agent")
        view.pop("agent", None)
        return {key: _sparse(value) for key, value in view.items()}

    @property
    def exceeded_budgets(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.budgets if b.status == "exceeded")


def _sparse(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [
        {k: v for k, v in row.items() if not (k in _SPARSE_TOKENS and v == 0)}
        if isinstance(row, dict)
        else row
        for row in value
    ]


def json_schema() -> dict[str, Any]:
    """The schema every ``--json`` document and ``ai-cost-report-*.json`` file follows."""
    return schema_document(
        "urn:aiinfra:cost-report:v1", "aiinfra cost report", json_schema_of(CostReport)
    )
