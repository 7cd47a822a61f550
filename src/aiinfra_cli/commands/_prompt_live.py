"""The live side of ``aiinfra prompt-library test``: the model caller and the opt-in agent."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from aiinfra_cli.errors import UsageError

if TYPE_CHECKING:
    from aiinfra_cli.agent import AgentStep
    from aiinfra_cli.config import Config
    from aiinfra_cli.prompts import Caller, CallRequest, CaseResult, Environment, Problem
    from aiinfra_cli.providers import Completion


def agent_step(
    rows: Sequence[CaseResult],
    problems: Sequence[Problem],
    *,
    live: bool,
    config: Config | None,
    cap: Decimal | None,
    environ: Mapping[str, str] | None,
) -> AgentStep:
    from aiinfra_cli.agent import AgentStep
    from aiinfra_cli.prompts import agent_facts

    return AgentStep.run(
        "prompt-tests",
        agent_facts(rows, problems, live=live),
        config,
        cap=cap,
        environ=environ,
        # Written by aiinfra itself (render errors, fit notes, problem lines), then scrubbed.
        safe_fields=("error", "notes", "message", "target"),
    )


PROMPT_TESTS_FEATURE = "aiinfra-prompt-tests"


def live_caller(env: Environment, environ: Mapping[str, str] | None = None) -> Caller:
    """The provider layer's one generation with fallback, adapted to the runner's ``Caller``.
    Every answered call is appended to the config's usage log (feature
    ``aiinfra-prompt-tests``), like the app's own calls and the agent's."""
    from aiinfra_cli.prompts import Attempt, CallFailed, CallResult
    from aiinfra_cli.providers import GenerationFailed, generate

    config = env.config
    if config is None:
        raise UsageError("--live needs config/ai-models.yaml (providers, models and routes)")
    record = _recorder(config)

    def call(request: CallRequest) -> CallResult:
        started = datetime.now(timezone.utc)
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
        cost = _cost(env, config, answer)
        record(answer, cost, started)
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


def _cost(env: Environment, config: Config, answer: Completion) -> Decimal | None:
    model = config.model(answer.model_id)
    if answer.usage is None or model is None:
        return None
    for name in (model.id, model.model):
        try:
            breakdown = env.prices.cost_of(name, answer.usage, provider=model.provider_kind)
        except ValueError:
            breakdown = None
        if breakdown is not None:
            return breakdown.total
    return None


def _recorder(config: Config) -> Callable[[Completion, Decimal | None, datetime], None]:
    """Appends one answered call to the usage log; warns once when it cannot."""
    from aiinfra_cli import output
    from aiinfra_cli.usage import append_event, own_call_event

    warned: list[str] = []

    def warn_once(message: str) -> None:
        if not warned:
            warned.append(message)
            output.warn(message)

    def record(answer: Completion, cost: Decimal | None, started: datetime) -> None:
        model = config.model(answer.model_id)
        if model is None:
            return
        if config.usage_log.format != "aiinfra":
            warn_once(
                f"usage_log.format is {config.usage_log.format}: the live calls were not recorded"
            )
            return
        failed = [a for a in answer.attempts if a.error is not None]
        event = own_call_event(
            feature=PROMPT_TESTS_FEATURE,
            endpoint="prompt-tests",
            model=model,
            usage=answer.usage,
            cost=cost,
            latency_ms=answer.latency_ms,
            started=started,
            route=None,
            attempt=len(failed) + 1,
            fallback_from=failed[-1].model_id if failed else None,
        )
        try:
            append_event(config.usage_log, event)
        except OSError as exc:
            warn_once(f"live calls not recorded in the usage log: {exc.strerror or exc}")

    return record
