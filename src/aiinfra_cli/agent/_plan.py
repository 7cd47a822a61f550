"""Which models the agent may ask, in which order, and what one request could cost on each.

The chain is ``agent.route`` of the config when set; otherwise the config's best available
models: those whose key is present (or that need none), ordered by tier — balanced, powerful,
reasoning, untiered, fast — then by their order in the config, at most three. Either way, a model
without its key or without a price is skipped with a note: the cost cap must be checked before
any request, and an unpriced model cannot be checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from aiinfra_cli.config import DEFAULT_FALLBACK_ON, Config, ModelConfig
from aiinfra_cli.pricing import TokenUsage
from aiinfra_cli.providers import ProbePricer
from aiinfra_cli.providers import resolve_target as resolve

TIER_ORDER = ("balanced", "powerful", "reasoning", None, "fast")
DEFAULT_CHAIN_LENGTH = 3
# Output reserve per request: a full answer of ten recommendations fits in about 1,500 tokens.
OUTPUT_TOKENS = 2000
# Kinds whose API takes a JSON Schema for the answer: OpenAI's response_format json_schema,
# Anthropic's output_config.format (structured outputs).
SCHEMA_KINDS = ("openai", "azure-openai")
OUTPUT_CONFIG_KINDS = ("anthropic",)


@dataclass(frozen=True)
class Candidate:
    """One model the agent may ask, with the upper bound of one request on it."""

    model: ModelConfig
    output_tokens: int
    input_tokens: int
    bound: Decimal


@dataclass(frozen=True)
class Chain:
    """The models to ask in order, why others were left out, and the route's limits."""

    route: str | None
    candidates: tuple[Candidate, ...]
    skipped: tuple[str, ...]
    missing_keys: tuple[str, ...]  # one per model skipped for its key
    fallback_on: tuple[str, ...]
    attempt_timeout_s: float | None = None
    timeout_s: float | None = None
    route_cap: Decimal | None = None

    @property
    def bound(self) -> Decimal:
        """The most one request can cost: on the dearest model of the chain."""
        return max((c.bound for c in self.candidates), default=Decimal(0))

    @property
    def dearest(self) -> Candidate | None:
        """The candidate the bound comes from."""
        return max(self.candidates, key=lambda c: c.bound, default=None)


def _tier_rank(model: ModelConfig) -> int:
    return TIER_ORDER.index(model.tier) if model.tier in TIER_ORDER else TIER_ORDER.index(None)


def output_tokens(model: ModelConfig) -> int:
    """The output reserve of one request on ``model``."""
    return min(OUTPUT_TOKENS, model.max_output_tokens or OUTPUT_TOKENS)


def request_bound(
    pricer: ProbePricer,
    model: ModelConfig,
    system: str,
    messages: Sequence[Mapping[str, str]],
) -> tuple[int, Decimal | None, str | None]:
    """Input tokens of a request on ``model`` and the cost of it with the full output reserve."""
    from aiinfra_cli.tokens import count_messages

    tokens = count_messages(messages, model.model, system=system).tokens
    usage = TokenUsage(input_tokens=tokens, output_tokens=output_tokens(model))
    amount, note = pricer.price(model, usage)
    return tokens, amount, note


def plan_chain(
    config: Config,
    pricer: ProbePricer,
    system: str,
    messages: Sequence[Mapping[str, str]],
    environ: Mapping[str, str],
) -> Chain:
    """The chain for this request (see the module docstring)."""
    route = config.routes.get(config.agent.route) if config.agent.route else None
    if route is not None:
        depth = route.max_fallback_depth or len(route.chain)
        ids: list[str] = list(route.chain[:depth])
        limit = len(ids)
    else:
        ranked = sorted(config.models, key=_tier_rank)  # stable: config order within a tier
        ids = [m.id for m in ranked]
        limit = DEFAULT_CHAIN_LENGTH
    candidates: list[Candidate] = []
    skipped: list[str] = []
    missing: list[str] = []
    for model_id in ids:
        if len(candidates) >= limit:
            break
        model = config.model(model_id)
        if model is None:  # validation guarantees route chains name models
            continue
        target = resolve(model, config.providers[model.provider], environ)
        if target.missing_key:
            missing.append(target.missing_key)
            skipped.append(f"{model.id}: ${target.missing_key} is not set")
            continue
        tokens, amount, note = request_bound(pricer, model, system, messages)
        if amount is None:
            skipped.append(
                f"{model.id}: {note or 'unpriced'} (give it pricing: in config/ai-models.yaml)"
            )
            continue
        candidates.append(Candidate(model, output_tokens(model), tokens, amount))
    return Chain(
        route=route.name if route is not None else None,
        candidates=tuple(candidates),
        skipped=tuple(skipped),
        missing_keys=tuple(missing),
        fallback_on=route.fallback_on if route is not None else DEFAULT_FALLBACK_ON,
        attempt_timeout_s=route.attempt_timeout_s if route is not None else None,
        timeout_s=route.timeout_s if route is not None else None,
        route_cap=route.max_cost_usd if route is not None else None,
    )
