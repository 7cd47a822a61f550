"""The live side of ``aiinfra prompt-library test``: the model caller and the opt-in agent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiinfra_cli.commands._prompt_views import summary_dict
from aiinfra_cli.errors import UsageError

if TYPE_CHECKING:
    from aiinfra_cli.agent import AgentResult
    from aiinfra_cli.config import Config
    from aiinfra_cli.prompts import Caller, CaseResult, Environment, Problem


def agent_facts(
    rows: Sequence[CaseResult], problems: Sequence[Problem], *, live: bool
) -> dict[str, Any]:
    """What the agent sees of a test run: figures per case, never prompts, variables or outputs."""
    from aiinfra_cli.pricing import format_usd

    def money(value: Decimal | None) -> str | None:
        return None if value is None else format_usd(value)

    return {
        "mode": "live" if live else "offline",
        "summary": summary_dict(rows, live=live),
        "cases": [
            {
                "prompt": row.prompt,
                "version": row.version,
                "case": row.case,
                "status": row.status,
                "target": row.target,
                "model": row.model,
                "input_tokens": row.input_tokens,
                "output_tokens": row.output_tokens,
                "output_reserve": row.output_reserve,
                "context_window": row.context_window,
                "fits": row.fits,
                "estimated_cost_usd": money(row.estimated_cost),
                "cost_usd": money(row.cost),
                "grader_cost_usd": money(row.grader_cost),
                "latency_ms": None if row.latency_ms is None else round(row.latency_ms),
                "error": row.error,
                "notes": row.notes,
                "failed_checks": [a.type for a in row.assertions if not a.passed],
                "passed_checks": sum(1 for a in row.assertions if a.passed),
                "attempts": [{"model": a.model, "error_class": a.error} for a in row.attempts],
            }
            for row in rows
        ],
        "problems": [
            {"file": p.file, "line": p.line, "severity": p.severity, "message": p.message}
            for p in problems
        ],
    }


def agent_analysis(
    rows: Sequence[CaseResult],
    problems: Sequence[Problem],
    *,
    live: bool,
    config: Config | None,
    cap: Decimal | None,
    environ: Mapping[str, str] | None,
) -> AgentResult:
    from aiinfra_cli.agent import AgentRequest, run

    request = AgentRequest(
        "prompt-tests",
        agent_facts(rows, problems, live=live),
        # Written by aiinfra itself (render errors, fit notes, problem lines), then scrubbed.
        safe_fields=("error", "notes", "message", "target"),
    )
    return run(request, config, max_cost=cap, environ=environ)


def live_caller(env: Environment, environ: Mapping[str, str] | None = None) -> Caller:
    """The provider layer's one generation with fallback, adapted to the runner's ``Caller``."""
    from aiinfra_cli.prompts import Attempt, CallFailed, CallRequest, CallResult
    from aiinfra_cli.providers._generate import GenerationFailed, generate

    config = env.config
    if config is None:
        raise UsageError("--live needs config/ai-models.yaml (providers, models and routes)")

    def call(request: CallRequest) -> CallResult:
        try:
            answer = generate(
                config,
                request.chain,
                system=request.system,
                messages=request.messages,
                parameters=request.parameters,
                fallback_on=request.fallback_on,
                environ=environ,
            )
        except GenerationFailed as exc:
            raise CallFailed(
                str(exc), tuple(Attempt(a.model_id, a.error, a.detail) for a in exc.attempts)
            ) from None
        model = config.model(answer.model_id)
        cost = None
        if answer.usage is not None and model is not None:
            for name in (model.id, model.model):
                try:
                    breakdown = env.prices.cost_of(name, answer.usage, provider=model.provider_kind)
                except ValueError:
                    breakdown = None
                if breakdown is not None:
                    cost = breakdown.total
                    break
        usage = answer.usage
        return CallResult(
            text=answer.text,
            model=answer.model_id,
            input_tokens=usage.input_tokens if usage else None,
            output_tokens=usage.output_tokens if usage else None,
            latency_ms=answer.latency_ms,
            cost=cost,
            attempts=tuple(Attempt(a.model_id, a.error, a.detail) for a in answer.attempts),
        )

    return call
