"""The test runner: every case renders and fits (offline), or calls the model and checks (live).

The model call is injected (:data:`Caller`), so the runner knows nothing about providers: the
command passes the real provider layer, and the cost guard runs before any call is made.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiinfra_cli.prompts._assertions import (
    AssertionResult,
    Grade,
    Observation,
    Verdict,
    evaluate,
    grader_messages,
    parse_verdict,
)
from aiinfra_cli.prompts._budget import DEFAULT_BUDGET, RenderBudget
from aiinfra_cli.prompts._errors import PromptError
from aiinfra_cli.prompts._estimate import (
    Environment,
    Estimate,
    Target,
    estimate,
    resolve_target,
)
from aiinfra_cli.prompts._model import ModelSpec, PromptFile, TestCase
from aiinfra_cli.prompts._render import Rendered, render

GRADER_OUTPUT_RESERVE = 200


@dataclass(frozen=True)
class CallRequest:
    """One generation: a fallback chain of config model ids, the messages, the parameters."""

    chain: tuple[str, ...]
    system: str | None
    messages: Sequence[Mapping[str, str]]
    parameters: Mapping[str, Any]
    fallback_on: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Attempt:
    """One try on one model of the chain; ``error`` is an error class, None on success."""

    model: str
    error: str | None = None
    message: str = ""


@dataclass(frozen=True)
class CallResult:
    """What the provider layer returns for one generation (after fallback)."""

    text: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    latency_ms: float
    cost: Decimal | None
    attempts: tuple[Attempt, ...] = ()


class CallFailed(Exception):
    """Every model of the chain failed; ``attempts`` says how."""

    def __init__(self, message: str, attempts: tuple[Attempt, ...] = ()) -> None:
        super().__init__(message)
        self.attempts = attempts


Caller = Callable[[CallRequest], CallResult]


@dataclass
class CaseResult:
    """One case of one prompt version: offline figures, and live ones when called."""

    prompt: str
    version: str
    case: str
    status: str = "pass"
    target: str | None = None
    input_tokens: int | None = None
    tokens_exact: bool = False
    output_reserve: int | None = None
    context_window: int | None = None
    fits: bool | None = None
    estimated_cost: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    model: str | None = None
    output: str | None = None
    output_tokens: int | None = None
    latency_ms: float | None = None
    cost: Decimal | None = None
    grader_cost: Decimal | None = None
    attempts: list[Attempt] = field(default_factory=list)
    assertions: list[AssertionResult] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``prompt/case``: how a baseline matches results across versions."""
        return f"{self.prompt}/{self.case}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (money as decimal strings)."""
        from aiinfra_cli.pricing import format_usd

        def money(value: Decimal | None) -> str | None:
            return None if value is None else format_usd(value)

        return {
            "prompt": self.prompt,
            "version": self.version,
            "case": self.case,
            "status": self.status,
            "target": self.target,
            "input_tokens": self.input_tokens,
            "tokens_exact": self.tokens_exact,
            "output_reserve": self.output_reserve,
            "context_window": self.context_window,
            "fits": self.fits,
            "estimated_cost_usd": money(self.estimated_cost),
            "notes": self.notes,
            "error": self.error,
            "model": self.model,
            "output": self.output,
            "output_tokens": self.output_tokens,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "cost_usd": money(self.cost),
            "grader_cost_usd": money(self.grader_cost),
            "attempts": [
                {"model": a.model, "error": a.error, "message": a.message} for a in self.attempts
            ],
            "assertions": [a.as_dict() for a in self.assertions],
        }


@dataclass
class Plan:
    """What a run will do: each prompt version's rendered cases, and a live run's cost bound."""

    items: list[
        tuple[
            PromptFile,
            Target | None,
            str | None,
            list[tuple[TestCase, Rendered | None, CaseResult]],
        ]
    ]
    bound: Decimal = Decimal(0)
    unpriced: list[str] = field(default_factory=list)


def cases_for(prompt: PromptFile) -> list[TestCase]:
    """The prompt's test cases, plus its ``sample`` as a case named ``sample``."""
    cases = list(prompt.tests)
    if prompt.sample is not None and all(c.name != "sample" for c in cases):
        cases.append(
            TestCase(
                name="sample",
                vars=dict(prompt.sample),
                file=prompt.display,
                line=prompt.line_of("sample"),
            )
        )
    return cases


def _grader_bound(
    case: TestCase, result: CaseResult, default: str | None, env: Environment
) -> tuple[Decimal, bool]:
    """Upper bound of the grader calls of one case, and whether every one could be priced."""
    from aiinfra_cli.pricing import TokenUsage, cost
    from aiinfra_cli.tokens import count_text

    total = Decimal(0)
    for assertion in (a for a in case.asserts if a.type == "llm-rubric"):
        grader = _grader_target(assertion.grader or default, env)
        if grader is None or grader.price is None:
            return total, False
        system, messages = grader_messages(str(assertion.value), "")
        text = system + messages[0]["content"]
        tokens = count_text(text, grader.model).tokens + (result.output_reserve or 0)
        usage = TokenUsage(input_tokens=tokens, output_tokens=GRADER_OUTPUT_RESERVE)
        try:
            total += cost(grader.price, usage).total
        except ValueError:
            return total, False
    return total, True


def plan(
    prompts: Sequence[PromptFile],
    env: Environment,
    *,
    grader: str | None = None,
    cases_from: Mapping[str, Sequence[TestCase]] | None = None,
    budget: RenderBudget = DEFAULT_BUDGET,
) -> Plan:
    """Render every case of every prompt and estimate it; nothing is called."""
    result = Plan(items=[])
    for prompt in prompts:
        target, problem = resolve_target(prompt.model, env)
        cases = (
            list(cases_from[prompt.name])
            if cases_from and prompt.name in cases_from
            else cases_for(prompt)
        )
        rows: list[tuple[TestCase, Rendered | None, CaseResult]] = []
        for case in cases:
            row = CaseResult(prompt=prompt.name, version=prompt.version, case=case.name)
            row.target = target.label if target else None
            if problem:
                row.notes.append(problem)
            try:
                rendered: Rendered | None = render(prompt, case.vars, budget=budget)
            except PromptError as exc:
                row.status, row.error, rendered = "error", str(exc), None
                rows.append((case, None, row))
                continue
            assert rendered is not None
            figures: Estimate = estimate(rendered, target)
            row.input_tokens = figures.input_tokens
            row.tokens_exact = figures.exact
            row.output_reserve = figures.output_reserve
            row.context_window = figures.context_window
            row.fits = figures.fits
            row.estimated_cost = figures.cost
            row.notes.extend(figures.notes)
            if figures.reserve_source != "max_tokens":
                row.notes.append(f"output reserve: {figures.reserve_source}")
            if figures.fits is False:
                row.status = "fail"
                row.error = (
                    f"does not fit: {figures.input_tokens} input + {figures.output_reserve} output"
                    f" tokens > context window {figures.context_window}"
                )
            extra, priced = _grader_bound(case, row, grader, env)
            if figures.cost is None:
                result.unpriced.append(f"{prompt.ref}/{case.name}")
            else:
                result.bound += figures.cost + extra
            if not priced:
                result.unpriced.append(f"{prompt.ref}/{case.name} (grader)")
            rows.append((case, rendered, row))
        result.items.append((prompt, target, problem, rows))
    return result


def _grader_target(grader: str | None, env: Environment) -> Target | None:
    if grader is None:
        return None
    target, _ = resolve_target(_spec_for(grader, env), env)
    return target


def _spec_for(name: str, env: Environment) -> ModelSpec:
    """A grader names a route or a model id of the config (routes first)."""
    if env.config is not None and name in env.config.routes:
        return ModelSpec(route=name)
    return ModelSpec(name=name)


def run_live(run: Plan, env: Environment, caller: Caller, *, grader: str | None) -> None:
    """Call the model for every rendered case and check its assertions (rows updated in place)."""
    for prompt, target, problem, rows in run.items:
        for case, rendered, row in rows:
            if rendered is None:
                continue
            if target is None or not target.chain:
                row.status = "error"
                row.error = problem or (
                    f"prompt '{prompt.ref}' has no model that --live can call: set"
                    " model.configuration to a route or model id of config/ai-models.yaml"
                )
                continue
            request = CallRequest(
                chain=target.chain,
                system=rendered.system,
                messages=rendered.conversation,
                parameters=dict(prompt.model.parameters) if prompt.model else {},
                fallback_on=target.fallback_on,
            )
            started = time.perf_counter()
            try:
                answer = caller(request)
            except CallFailed as exc:
                row.status, row.error = "error", str(exc)
                row.attempts = list(exc.attempts)
                continue
            row.model = answer.model
            row.output = answer.text
            row.output_tokens = answer.output_tokens
            row.latency_ms = (
                answer.latency_ms if answer.latency_ms else (time.perf_counter() - started) * 1000
            )
            row.cost = answer.cost
            row.attempts = list(answer.attempts)
            if answer.input_tokens is not None:
                row.input_tokens = answer.input_tokens
                row.tokens_exact = True
            seen = Observation(answer.text, answer.output_tokens, row.latency_ms, answer.cost)
            grade = _grader(caller, env, grader, row)
            row.assertions = [evaluate(a, seen, grade) for a in case.asserts]
            row.status = "pass" if all(a.passed for a in row.assertions) else "fail"


def _grader(caller: Caller, env: Environment, default: str | None, row: CaseResult) -> Grade:
    def grade(rubric: str, grader: str | None, output: str) -> Verdict:
        name = grader or default
        if name is None:
            return Verdict(
                False, "no grader: set grader: in config/prompt-library.yaml or on the assertion"
            )
        spec = _spec_for(name, env)
        target, problem = resolve_target(spec, env)
        if target is None or not target.chain:
            return Verdict(
                False,
                problem or f"grader '{name}' is not a route or model id of config/ai-models.yaml",
            )
        system, messages = grader_messages(rubric, output)
        try:
            answer = caller(
                CallRequest(
                    chain=target.chain,
                    system=system,
                    messages=messages,
                    parameters={"max_tokens": GRADER_OUTPUT_RESERVE, "temperature": 0},
                    fallback_on=target.fallback_on,
                )
            )
        except CallFailed as exc:
            return Verdict(False, f"grader call failed: {exc}")
        if answer.cost is not None:
            row.grader_cost = (row.grader_cost or Decimal(0)) + answer.cost
        return parse_verdict(answer.text)

    return grade


def results(run: Plan) -> list[CaseResult]:
    """Every case result of a plan, in order."""
    return [row for _, _, _, rows in run.items for _, _, row in rows]
