"""One agent run: redact, plan the chain, check the cost cap, ask with fallback, validate (one
retry), record the calls as usage events. Nothing here raises for a missing key, a dead provider
or a bad answer: those are outcomes (:class:`AgentResult`), and the command's report stands.

The answer's schema goes to the API where it takes one (OpenAI ``response_format``, Anthropic
``output_config.format``) besides the instructions; an Anthropic model that refuses
``output_config`` is asked once more with the instructions alone. A chain whose every model
answers 429 waits once for the time the provider names (at most ``max_wait_s``) and asks again.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from aiinfra_cli._schema import parse_usd_option
from aiinfra_cli.agent._allowlist import redact_facts
from aiinfra_cli.agent._answer import Answer, Recommendation
from aiinfra_cli.agent._plan import (
    OUTPUT_CONFIG_KINDS,
    SCHEMA_KINDS,
    Candidate,
    Chain,
    plan_chain,
    request_bound,
)
from aiinfra_cli.agent._prompt import answer_format, facts_message, retry_messages, system_prompt
from aiinfra_cli.agent._proposals import Proposals, RouteProposal, grounded_routes
from aiinfra_cli.agent._result import AgentRequest, AgentResult, Attempt, Status
from aiinfra_cli.agent._usage import FEATURE
from aiinfra_cli.config import Config, display_path
from aiinfra_cli.pricing import format_usd
from aiinfra_cli.providers import (
    Completion,
    GenerationAttempt,
    GenerationFailed,
    ProbePricer,
    generate,
)

DEFAULT_MAX_COST = Decimal("0.50")
# The longest a rate-limited chain waits for the provider's Retry-After before giving up.
DEFAULT_MAX_WAIT_S = 10.0
_FILE_LINE = re.compile(r"\S+:\d+(?::\d+)?")
# Words of a 400 that refuses structured output (the parameter, or the feature, named).
_OUTPUT_CONFIG_WORDS = ("output_config", "output_format", "structured output", "json_schema")


def parse_max_cost(text: str | None, flag: str = "--agent-max-cost") -> Decimal | None:
    """``--agent-max-cost USD`` as a Decimal (None when not given); UsageError when malformed."""
    return parse_usd_option(text, flag, "0.25")


@dataclass
class _Log:
    """What the requests of one run did and cost."""

    attempts: list[Attempt] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cost: Decimal = Decimal(0)
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    usage_log: str | None = None
    # Models whose API refused output_config: asked with the instructions alone from then on.
    unstructured: set[str] = field(default_factory=set)
    # Why a rate-limited chain did not wait, or what the wait came to (for the reason).
    wait_note: str | None = None


@dataclass(frozen=True)
class _Context:
    request: AgentRequest
    config: Config
    pricer: ProbePricer
    chain: Chain
    system: str
    environ: Mapping[str, str]
    record_usage: bool
    max_wait_s: float = DEFAULT_MAX_WAIT_S


def _money(amount: Decimal) -> str:
    return "$" + format_usd(amount)


def _cap(explicit: Decimal | None, config: Config, chain: Chain) -> tuple[Decimal, str]:
    if explicit is not None:
        cap, source = explicit, "--agent-max-cost"
    elif config.agent.max_cost_usd is not None:
        cap, source = config.agent.max_cost_usd, "agent.max_cost_usd"
    else:
        cap, source = DEFAULT_MAX_COST, "the default cap; set --agent-max-cost"
    if chain.route_cap is not None and chain.route_cap < cap:
        cap, source = chain.route_cap, f"routes.{chain.route}.max_cost_usd"
    return cap, source


def _no_model_reason(config: Config, chain: Chain) -> str:
    if not config.models:
        return f"{display_path(config.path)} lists no models"
    if chain.missing_keys and len(chain.missing_keys) == len(chain.skipped):
        keys = " or ".join(f"${k}" for k in dict.fromkeys(chain.missing_keys))
        return f"no model of the agent's chain has its key: set {keys}"
    return "no usable model: " + "; ".join(chain.skipped)


def _parameters(kind: str, candidate: Candidate, *, structured: bool) -> dict[str, Any]:
    parameters: dict[str, Any] = {"max_tokens": candidate.output_tokens}
    provider_kind = candidate.model.provider_kind
    form = answer_format(kind)
    if provider_kind in SCHEMA_KINDS:
        parameters["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": form.name, "strict": True, "schema": form.schema()},
        }
    elif provider_kind in OUTPUT_CONFIG_KINDS and structured:
        parameters["output_config"] = {"format": {"type": "json_schema", "schema": form.schema()}}
    return parameters


def _log_failure(log: _Log, attempts: Sequence[GenerationAttempt]) -> list[Attempt]:
    """The provider layer's failed attempts, as the agent reports them, added to ``log``."""
    failed = [Attempt(a.model_id, a.error, a.detail) for a in attempts]
    log.attempts.extend(failed)
    return failed


def _refused_structure(candidate: Candidate, failure: GenerationFailed) -> bool:
    """Whether the API answered 400 naming structured output (a model without it)."""
    last = failure.attempts[-1] if failure.attempts else None
    if candidate.model.provider_kind not in OUTPUT_CONFIG_KINDS or last is None:
        return False
    detail = last.detail.lower()
    return last.error == "bad_request" and any(w in detail for w in _OUTPUT_CONFIG_WORDS)


def _call(
    ctx: _Context,
    log: _Log,
    candidate: Candidate,
    messages: Sequence[Mapping[str, str]],
    *,
    attempt: int,
    fallback_from: str | None,
) -> Completion:
    """One request to one model; the answer is priced, counted and recorded as a usage event.
    A model refusing structured output is asked once more without it (the 400 cost nothing)."""
    started = datetime.now(timezone.utc)
    structured = candidate.model.id not in log.unstructured
    try:
        answer = generate(
            ctx.config,
            [candidate.model.id],
            system=ctx.system,
            messages=messages,
            parameters=_parameters(ctx.request.kind, candidate, structured=structured),
            fallback_on=(),
            timeout_s=ctx.chain.attempt_timeout_s,
            environ=ctx.environ,
        )
    except GenerationFailed as exc:
        if not structured or not _refused_structure(candidate, exc):
            raise
        _log_failure(log, exc.attempts[-1:])
        log.unstructured.add(candidate.model.id)
        log.notes.append(
            f"{candidate.model.id}: the API refused structured output (output_config.format);"
            " asked again with the schema in the instructions only"
        )
        return _call(ctx, log, candidate, messages, attempt=attempt, fallback_from=fallback_from)
    log.attempts.append(Attempt(candidate.model.id))
    log.calls += 1
    cost = None
    if answer.usage is not None:
        cost, _ = ctx.pricer.price(candidate.model, answer.usage)
        log.input_tokens += answer.usage.input_tokens
        log.output_tokens += answer.usage.output_tokens
    log.cost += cost or Decimal(0)
    if ctx.record_usage:
        _record(ctx, log, candidate, answer, cost, started, attempt, fallback_from)
    return answer


def _record(
    ctx: _Context,
    log: _Log,
    candidate: Candidate,
    answer: Completion,
    cost: Decimal | None,
    started: datetime,
    attempt: int,
    fallback_from: str | None,
) -> None:
    usage_log = ctx.config.usage_log
    if usage_log.format != "aiinfra":
        note = f"usage_log.format is {usage_log.format}: the agent's calls were not recorded"
        if note not in log.notes:
            log.notes.append(note)
        return
    from aiinfra_cli.usage import append_event, own_call_event

    event = own_call_event(
        feature=FEATURE,
        endpoint=ctx.request.kind,
        model=candidate.model,
        usage=answer.usage,
        cost=cost,
        latency_ms=answer.latency_ms,
        started=started,
        route=ctx.chain.route,
        attempt=attempt,
        fallback_from=fallback_from,
    )
    try:
        path = append_event(usage_log, event)
    except OSError as exc:
        log.notes.append(f"usage event not recorded: {exc.strerror or exc}")
        return
    log.usage_log = display_path(path)


def _ask_chain(
    ctx: _Context, log: _Log, messages: Sequence[Mapping[str, str]]
) -> tuple[Candidate, Completion] | None:
    """The first model of the chain that answers; None when none does (attempts in ``log``).
    When every model asked was rate limited, one more request after the wait they name."""
    deadline = time.monotonic() + ctx.chain.timeout_s if ctx.chain.timeout_s else None
    failed: str | None = None
    asked = 0
    limited: list[tuple[Candidate, float | None]] = []
    for candidate in ctx.chain.candidates:
        if deadline is not None and time.monotonic() > deadline:
            log.attempts.append(
                Attempt(candidate.model.id, "timeout", "the route's timeout_s passed first")
            )
            return None
        asked += 1
        try:
            answer = _call(ctx, log, candidate, messages, attempt=1, fallback_from=failed)
        except GenerationFailed as exc:
            _log_failure(log, exc.attempts)
            last = exc.attempts[-1] if exc.attempts else None
            if last is not None and last.error == "rate_limited":
                limited.append((candidate, last.retry_after_s))
            if last is None or last.error not in ctx.chain.fallback_on:
                break
            failed = candidate.model.id
            continue
        return candidate, answer
    if limited and len(limited) == asked:
        return _after_the_wait(ctx, log, messages, limited, deadline)
    return None


def _after_the_wait(
    ctx: _Context,
    log: _Log,
    messages: Sequence[Mapping[str, str]],
    limited: Sequence[tuple[Candidate, float | None]],
    deadline: float | None,
) -> tuple[Candidate, Completion] | None:
    """Every model asked answered 429: wait what the soonest of them asked for, when that fits
    in ``max_wait_s`` (and the route's timeout_s), and ask it once more."""
    named = [(candidate, seconds) for candidate, seconds in limited if seconds is not None]
    if not named:
        log.wait_note = "rate limited, and no wait was named (Retry-After), so none was made"
        return None
    candidate, seconds = min(named, key=lambda pair: pair[1])
    limit, source = ctx.max_wait_s, "the agent's limit"
    if deadline is not None and deadline - time.monotonic() < limit:
        limit, source = max(0.0, deadline - time.monotonic()), "the route's timeout_s"
    if seconds > limit:
        log.wait_note = (
            f"rate limited: {candidate.model.id} asked to wait {seconds:g} s, more than"
            f" the {limit:g} s left by {source}; try again later"
        )
        return None
    time.sleep(seconds)
    log.notes.append(
        f"{candidate.model.id}: rate limited; waited {seconds:g} s as it asked, then asked again"
    )
    try:
        answer = _call(ctx, log, candidate, messages, attempt=2, fallback_from=None)
    except GenerationFailed as exc:
        _log_failure(log, exc.attempts)
        log.wait_note = f"asked again after waiting {seconds:g} s, in vain"
        return None
    return candidate, answer


def _known_locations(payload: Any) -> set[str]:
    """Every ``file:line`` the input offers: strings of that shape, and file + line pairs."""
    found: set[str] = set()
    if isinstance(payload, Mapping):
        where = payload.get("file") or payload.get("path")
        line = payload.get("line")
        if isinstance(where, str) and isinstance(line, int) and not isinstance(line, bool):
            found.add(f"{where}:{line}")
        for value in payload.values():
            found |= _known_locations(value)
    elif isinstance(payload, list):
        for value in payload:
            found |= _known_locations(value)
    elif isinstance(payload, str) and _FILE_LINE.fullmatch(payload):
        found.add(payload)
    return found


def _grounded(answer: Answer, payload: Any, notes: list[str]) -> tuple[Recommendation, ...]:
    """The recommendations, each location kept only when the input holds it."""
    known = _known_locations(payload)
    kept: list[Recommendation] = []
    for number, item in enumerate(answer.recommendations, start=1):
        if item.location is not None and item.location not in known:
            notes.append(f"recommendation {number}: location {item.location} is not in the input")
            item = replace(item, location=None)
        kept.append(item)
    return tuple(kept)


def _failures(attempts: Sequence[Attempt]) -> str:
    return "; ".join(f"{a.model_id}: {a.error}: {a.detail}" for a in attempts if a.error)


def run(
    request: AgentRequest,
    config: Config | None,
    *,
    max_cost: Decimal | None = None,
    environ: Mapping[str, str] | None = None,
    record_usage: bool = True,
    max_wait_s: float | None = None,
) -> AgentResult:
    """Analyse ``request`` with the config's agent model chain; never raises for a missing key,
    a dead provider, a refused cost or an invalid answer (see :class:`AgentResult`).
    ``max_wait_s`` bounds the one wait a rate-limited chain makes (see the module docstring);
    None: the config's ``agent.max_wait_s``, else :data:`DEFAULT_MAX_WAIT_S`."""
    payload, report = redact_facts(request.facts, request.safe_fields)
    system = system_prompt(request.kind)
    messages = [{"role": "user", "content": facts_message(request.kind, payload)}]

    def result(status: Status, reason: str | None = None, **values: Any) -> AgentResult:
        return AgentResult(
            kind=request.kind, status=status, reason=reason, redaction=report, **values
        )

    if config is None:
        return result(
            "unavailable",
            "the agent needs config/ai-models.yaml with a model and its key"
            " (write one with 'aiinfra init')",
        )
    env = os.environ if environ is None else environ
    pricer = ProbePricer(config)
    chain = plan_chain(config, pricer, system, messages, env)
    if not chain.candidates:
        return result("unavailable", _no_model_reason(config, chain), notes=chain.skipped)
    cap, source = _cap(max_cost, config, chain)
    dearest = chain.dearest
    assert dearest is not None
    if chain.bound > cap:
        return result(
            "refused",
            f"it could cost up to {_money(chain.bound)} on {dearest.model.id}"
            f" ({dearest.input_tokens} input + {dearest.output_tokens} output tokens),"
            f" more than the {_money(cap)} cap ({source})",
            estimated_cost=chain.bound,
            max_cost=cap,
            route=chain.route,
            notes=chain.skipped,
        )
    if max_wait_s is None:
        max_wait_s = config.agent.max_wait_s
    wait = DEFAULT_MAX_WAIT_S if max_wait_s is None else max_wait_s
    ctx = _Context(request, config, pricer, chain, system, env, record_usage, wait)
    log = _Log(notes=list(chain.skipped))
    status, reason, answer, candidate = _answer(ctx, log, messages, cap)
    recommendations: tuple[Recommendation, ...] = ()
    routes: tuple[RouteProposal, ...] = ()
    if isinstance(answer, Answer):
        recommendations = _grounded(answer, payload, log.notes)
    elif isinstance(answer, Proposals):
        routes = grounded_routes(answer, config, log.notes)
    return result(
        status,
        reason,
        summary=answer.summary if answer is not None else None,
        recommendations=recommendations,
        routes=routes,
        route=chain.route,
        estimated_cost=chain.bound,
        max_cost=cap,
        cost=log.cost if log.calls else None,
        input_tokens=log.input_tokens,
        output_tokens=log.output_tokens,
        calls=log.calls,
        attempts=tuple(log.attempts),
        usage_log=log.usage_log,
        model_id=candidate.model.id if candidate else None,
        model=candidate.model.model if candidate else None,
        notes=tuple(log.notes),
    )


def _answer(
    ctx: _Context, log: _Log, messages: list[dict[str, str]], cap: Decimal
) -> tuple[Status, str | None, Answer | Proposals | None, Candidate | None]:
    """Ask along the chain, then once more on the same model if the answer is invalid."""
    asked = _ask_chain(ctx, log, messages)
    if asked is None:
        wait = f"; {log.wait_note}" if log.wait_note else ""
        return (
            "failed",
            f"no model answered ({_failures(log.attempts) or 'the chain is empty'}){wait}",
            None,
            None,
        )
    candidate, reply = asked
    parse = answer_format(ctx.request.kind).parse
    answer, problems = parse(reply.text)
    if answer is not None:
        return "ok", None, answer, candidate
    again = retry_messages(messages, reply.text, problems)
    _, bound, _ = request_bound(ctx.pricer, candidate.model, ctx.system, again)
    if bound is None or log.cost + bound > cap:
        return (
            "invalid",
            f"the answer did not follow the schema ({'; '.join(problems)}),"
            f" and a retry could take the cost over the {_money(cap)} cap",
            None,
            candidate,
        )
    try:
        reply = _call(ctx, log, candidate, again, attempt=2, fallback_from=None)
    except GenerationFailed as exc:
        failed = _log_failure(log, exc.attempts)
        return (
            "invalid",
            f"the answer did not follow the schema ({'; '.join(problems)}), and the retry"
            f" failed ({_failures(failed)})",
            None,
            candidate,
        )
    answer, problems = parse(reply.text)
    if answer is None:
        return (
            "invalid",
            f"the answer did not follow the schema, twice ({'; '.join(problems)})",
            None,
            candidate,
        )
    return "ok", None, answer, candidate
