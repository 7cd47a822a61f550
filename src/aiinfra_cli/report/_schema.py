"""The JSON Schema (draft 2020-12) of the cost report document, ``schema_version`` 1.

Within a version, keys are only ever added; a key is never renamed or given a new meaning
without a version bump. Money is a decimal string (exact, no exponent); percentages are numbers
with one decimal, or null when the base is zero.
"""

from __future__ import annotations

from typing import Any

MONEY: dict[str, Any] = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
MONEY_OR_NULL: dict[str, Any] = {"anyOf": [MONEY, {"type": "null"}]}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
PCT: dict[str, Any] = {"type": ["number", "null"]}
DAY: dict[str, Any] = {"type": "string", "format": "date"}
TOKENS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "reasoning_tokens",
)


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }


def _usage_row(key: str, key_schema: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {key: key_schema, "requests": COUNT}
    props.update({name: COUNT for name in TOKENS})
    props.update({"cost_usd": MONEY, "share_pct": PCT, "errors": COUNT, "unpriced_requests": COUNT})
    return _obj(props)


_NULLABLE_STR = {"type": ["string", "null"]}
_BUDGET = _obj(
    {
        "name": {"type": "string", "description": "monthly, daily, feature:X, model:X or --budget"},
        "scope": {"type": "string"},
        "limit_usd": MONEY,
        "spent_usd": MONEY,
        "used_pct": PCT,
        "tier_reached_pct": {"type": ["integer", "null"]},
        "status": {"enum": ["ok", "alert", "exceeded"]},
        "forecast_usd": MONEY,
    },
    ["name", "scope", "limit_usd", "spent_usd", "used_pct", "tier_reached_pct", "status"],
)

_RECOMMENDATION = _obj(
    {
        "title": {"type": "string"},
        "rationale": {"type": "string"},
        "impact": {"enum": ["saving", "risk"]},
        "estimated_monthly_usd": MONEY,
        "action": {"type": "string"},
        "location": _NULLABLE_STR,
    }
)
# Optional: only with --agent (see docs/agent.md); the report never depends on it.
_AGENT = _obj(
    {
        "kind": {"const": "cost-report"},
        "status": {"enum": ["ok", "refused", "unavailable", "failed", "invalid"]},
        "reason": _NULLABLE_STR,
        "summary": _NULLABLE_STR,
        "recommendations": {"type": "array", "items": _RECOMMENDATION},
        "model_id": _NULLABLE_STR,
        "model": _NULLABLE_STR,
        "route": _NULLABLE_STR,
        "estimated_cost_usd": MONEY_OR_NULL,
        "max_cost_usd": MONEY_OR_NULL,
        "cost_usd": MONEY_OR_NULL,
        "input_tokens": COUNT,
        "output_tokens": COUNT,
        "calls": COUNT,
        "attempts": {
            "type": "array",
            "items": _obj(
                {
                    "model_id": {"type": "string"},
                    "error": _NULLABLE_STR,
                    "detail": {"type": "string"},
                }
            ),
        },
        "notes": {"type": "array", "items": {"type": "string"}},
        "usage_log": _NULLABLE_STR,
        "redaction": _obj(
            {
                "dropped": {"type": "object", "additionalProperties": COUNT},
                "pseudonymised": COUNT,
                "scrubbed": COUNT,
                "truncated": COUNT,
            }
        ),
    }
)


def json_schema() -> dict[str, Any]:
    """The schema every ``--json`` document and ``ai-cost-report-*.json`` file follows."""
    part = _obj({"requests": COUNT, "cost_usd": MONEY})
    model_row = _usage_row("model", {"type": "string"})
    model_row["properties"].update(
        {"provider": {"type": "string"}, "priced": {"type": "boolean"}, "price_key": _NULLABLE_STR}
    )
    model_row["required"] += ["provider", "priced", "price_key"]
    model_row["properties"]["cost_usd"] = {
        **MONEY_OR_NULL,
        "description": "null when the model is unpriced (never reported as $0)",
    }
    groups = {
        f"by_{name}": {"type": "array", "items": _usage_row(name, _NULLABLE_STR)}
        for name in ("feature", "endpoint", "user", "tenant", "session", "call_site")
    }
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:aiinfra:cost-report:v1",
        "title": "aiinfra cost report",
        **_obj(
            {
                "schema_version": {"const": 1},
                "generated_at": {"type": "string", "format": "date-time"},
                "tool": _obj({"name": {"const": "aiinfra"}, "version": {"type": "string"}}),
                "period": _obj(
                    {
                        "since": DAY,
                        "until": DAY,
                        "tz": {"type": "string"},
                        "days": COUNT,
                        "timeframe": _NULLABLE_STR,
                    }
                ),
                "totals": _obj(
                    {
                        "cost_usd": MONEY,
                        "requests": COUNT,
                        **{name: COUNT for name in TOKENS},
                        "priced_requests": COUNT,
                        "unpriced_requests": COUNT,
                        "errors": COUNT,
                        "response_cache_hits": COUNT,
                    }
                ),
                "previous_period": _obj(
                    {
                        "since": DAY,
                        "until": DAY,
                        "cost_usd": MONEY,
                        "requests": COUNT,
                        "change_usd": MONEY,
                        "change_pct": PCT,
                    }
                ),
                "by_model": {"type": "array", "items": model_row},
                "by_provider": {
                    "type": "array",
                    "items": _usage_row("provider", {"type": "string"}),
                },
                "by_day": {"type": "array", "items": _usage_row("date", DAY)},
                **groups,
                "top_features": {"type": "array", "items": _usage_row("feature", _NULLABLE_STR)},
                "top_call_sites": {
                    "type": "array",
                    "items": _usage_row("call_site", _NULLABLE_STR),
                },
                "cache": _obj(
                    {
                        "hit_rate_pct": PCT,
                        "cache_read_tokens": COUNT,
                        "cache_write_tokens": COUNT,
                        "savings_usd": MONEY,
                        "write_premium_usd": MONEY,
                        "net_savings_usd": MONEY,
                        "cost_without_cache_usd": MONEY,
                    }
                ),
                "response_cache": _obj({"hits": COUNT, "saved_usd": MONEY}),
                "cost_per_successful_request": _obj(
                    {
                        "requests": COUNT,
                        "mean_usd": MONEY_OR_NULL,
                        "p50_usd": MONEY_OR_NULL,
                        "p95_usd": MONEY_OR_NULL,
                        "p99_usd": MONEY_OR_NULL,
                        "method": {"type": "string"},
                    }
                ),
                "errors_and_retries": _obj(
                    {
                        "requests": COUNT,
                        "cost_usd": MONEY,
                        "share_pct": PCT,
                        "errors": part,
                        "retries": part,
                        "fallbacks": part,
                    }
                ),
                "unpriced": {
                    "type": "array",
                    "items": _obj(
                        {
                            "model": {"type": "string"},
                            "provider": {"type": "string"},
                            "requests": COUNT,
                            **{name: COUNT for name in TOKENS},
                            "did_you_mean": {"type": "array", "items": {"type": "string"}},
                        }
                    ),
                },
                "recorded_cost": _obj(
                    {
                        "requests": COUNT,
                        "recorded_usd": MONEY,
                        "repriced_usd": MONEY,
                        "difference_usd": MONEY,
                        "unpriced_requests": COUNT,
                    }
                ),
                "anomalies": _obj(
                    {
                        "method": {"type": "string"},
                        "days_judged": COUNT,
                        "days": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "date": DAY,
                                    "cost_usd": MONEY,
                                    "baseline_usd": MONEY,
                                    "change_pct": PCT,
                                    "direction": {"enum": ["spike", "drop"]},
                                }
                            ),
                        },
                    }
                ),
                "forecast": _obj(
                    {
                        "month": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}$"},
                        "month_to_date_usd": MONEY,
                        "daily_run_rate_usd": MONEY,
                        "basis_days": COUNT,
                        "days_elapsed": COUNT,
                        "days_in_month": COUNT,
                        "forecast_usd": MONEY,
                    }
                ),
                "budgets": {"type": "array", "items": _BUDGET},
                "budget_exceeded": {"type": "boolean"},
                "pricing": _obj(
                    {
                        "table_as_of": {"type": "string"},
                        "notes": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "percentiles_exact": {"type": "boolean"},
                    }
                ),
                "rejected": _obj(
                    {
                        "count": COUNT,
                        "examples": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "file": {"type": "string"},
                                    "line": COUNT,
                                    "reason": {"type": "string"},
                                }
                            ),
                        },
                        "unknown_fields": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "field": {"type": "string"},
                                    "count": COUNT,
                                    "file": {"type": "string"},
                                    "line": COUNT,
                                }
                            ),
                        },
                    }
                ),
                "sources": _obj(
                    {
                        "kind": {"enum": ["logs", "store"]},
                        "store": {"type": "string"},
                        "logs": {"type": "array", "items": {"type": "string"}},
                        "files": COUNT,
                        "files_read": COUNT,
                        "files_reused": COUNT,
                        "events": COUNT,
                        "formats": {"type": "object", "additionalProperties": COUNT},
                        "first_event_day": {"anyOf": [DAY, {"type": "null"}]},
                    },
                    [
                        "kind",
                        "logs",
                        "files",
                        "files_read",
                        "files_reused",
                        "events",
                        "formats",
                        "first_event_day",
                    ],
                ),
                "agent": _AGENT,
            },
            [
                "schema_version",
                "generated_at",
                "tool",
                "period",
                "totals",
                "previous_period",
                "by_model",
                "by_provider",
                "by_day",
                "top_features",
                "top_call_sites",
                "cache",
                "response_cache",
                "cost_per_successful_request",
                "errors_and_retries",
                "unpriced",
                "recorded_cost",
                "anomalies",
                "forecast",
                "budgets",
                "budget_exceeded",
                "pricing",
                "rejected",
                "sources",
            ],
        ),
    }
    return schema
