"""Offline estimates for a rendered prompt: target model, token count, window fit, cost bound.

The target comes from the prompt's ``model`` section resolved through ``config/ai-models.yaml``
(a route's first model, a model id, or a provider model name); prices from the price table with
the config's overrides. The cost is an upper bound: all input, plus the output reserve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli._schema import did_you_mean
from aiinfra_cli.prompts._model import ModelSpec
from aiinfra_cli.prompts._render import Rendered

if TYPE_CHECKING:
    from aiinfra_cli.config import Config, ModelConfig
    from aiinfra_cli.pricing import ModelPrice, PriceTable

# Without parameters.max_tokens, the reserve is the model's output limit capped at this: a cap
# so an estimate stays meaningful for models that allow 64k+ output tokens.
DEFAULT_OUTPUT_RESERVE = 4096
_KIND_TO_PROVIDER = {"openai": "openai", "azure_openai": "azure"}


@dataclass(frozen=True)
class Target:
    """The model a prompt is estimated against (and, with a config, called through)."""

    label: str
    model: str
    provider: str | None = None
    chain: tuple[str, ...] = ()
    fallback_on: tuple[str, ...] | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    price: ModelPrice | None = None


@dataclass
class Environment:
    """The config (None when the repo has none) and the price table with its overrides."""

    config: Config | None
    prices: PriceTable

    def price_for(self, name: str, provider: str | None = None) -> ModelPrice | None:
        """A price-table entry, or None when unpriced."""
        return self.prices.lookup(name, provider)


def load_environment(root: Path) -> Environment:
    """Load ``config/ai-models.yaml`` under ``root`` (optional) and the price table."""
    from aiinfra_cli.config import load_config
    from aiinfra_cli.pricing import load_price_table, overrides_from_config

    config = load_config(start=root)
    table = load_price_table()
    if config is not None:
        table = table.with_overrides(overrides_from_config(config))
    return Environment(config=config, prices=table)


def _from_config(
    model: ModelConfig,
    env: Environment,
    chain: tuple[str, ...],
    fallback_on: tuple[str, ...] | None = None,
) -> Target:
    price = env.price_for(model.id, model.provider_kind)
    window = model.context_window or (price.context_window if price else None)
    max_out = model.max_output_tokens or (price.max_output_tokens if price else None)
    return Target(
        label=model.id if model.id == model.model else f"{model.id} ({model.model})",
        model=model.model,
        provider=model.provider_kind,
        chain=chain,
        fallback_on=fallback_on,
        context_window=window,
        max_output_tokens=max_out,
        price=price,
    )


def resolve_target(spec: ModelSpec | None, env: Environment) -> tuple[Target | None, str | None]:
    """The target of a prompt's model section, or None and why (None, None: no model section)."""
    if spec is None or not (spec.route or spec.name):
        return None, None
    config = env.config
    if spec.route:
        if config is None:
            return None, f"route '{spec.route}' needs config/ai-models.yaml, and there is none"
        route = config.routes.get(spec.route)
        if route is None:
            known = list(config.routes)
            return None, (
                f"route '{spec.route}' is not in config/ai-models.yaml"
                + did_you_mean(spec.route, known)
            )
        primary = config.model(route.chain[0])
        if primary is None:  # config validation guarantees chains name models
            return None, f"route '{spec.route}' has no usable model"
        return _from_config(primary, env, route.chain, route.fallback_on), None
    name = spec.name or ""
    if config is not None:
        by_id = config.model(name)
        if by_id is not None:
            return _from_config(by_id, env, (by_id.id,)), None
        by_name = next((m for m in config.models if m.model == name), None)
        if by_name is not None:
            return _from_config(by_name, env, (by_name.id,)), None
    provider = _KIND_TO_PROVIDER.get(spec.kind or "")
    price = env.price_for(name, provider)
    return (
        Target(
            label=name,
            model=name,
            provider=provider or (price.provider if price else None),
            context_window=price.context_window if price else None,
            max_output_tokens=price.max_output_tokens if price else None,
            price=price,
        ),
        None,
    )


@dataclass(frozen=True)
class Estimate:
    """Tokens, window fit and a cost bound for one rendered prompt on one target."""

    input_tokens: int
    exact: bool
    method: str
    output_reserve: int
    reserve_source: str
    context_window: int | None
    cost: Decimal | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fits(self) -> bool | None:
        """Input plus the output reserve within the window (None: window unknown)."""
        if self.context_window is None:
            return None
        return self.input_tokens + self.output_reserve <= self.context_window


def output_reserve(spec: ModelSpec | None, target: Target | None) -> tuple[int, str]:
    """How many output tokens to reserve, and where that number comes from."""
    if spec is not None and spec.max_tokens is not None:
        return spec.max_tokens, "max_tokens"
    limit = target.max_output_tokens if target is not None else None
    if limit and limit <= DEFAULT_OUTPUT_RESERVE:
        return limit, "model output limit"
    return DEFAULT_OUTPUT_RESERVE, "default reserve (set parameters.max_tokens)"


def count_prompt_tokens(rendered: Rendered, model: str | None) -> tuple[int, bool, str]:
    """Input tokens of the rendered messages as ``model`` counts them (with chat overhead)."""
    from aiinfra_cli.tokens import count_messages

    count = count_messages(rendered.conversation, model, system=rendered.system)
    return count.tokens, count.exact, count.method


def estimate(rendered: Rendered, target: Target | None) -> Estimate:
    """Token count, window fit and cost bound of ``rendered`` on ``target``."""
    from aiinfra_cli.pricing import TokenUsage, cost

    spec = rendered.prompt.model
    tokens, exact, method = count_prompt_tokens(rendered, target.model if target else None)
    reserve, source = output_reserve(spec, target)
    notes: list[str] = []
    amount: Decimal | None = None
    if target is not None and target.price is not None:
        try:
            amount = cost(
                target.price, TokenUsage(input_tokens=tokens, output_tokens=reserve)
            ).total
        except ValueError as exc:
            notes.append(f"unpriced: {exc}")
    elif target is not None:
        notes.append(f"'{target.model}' is not in the price table: no cost estimate")
    if target is not None and target.context_window is None:
        notes.append("context window unknown: set context_window in config/ai-models.yaml")
    return Estimate(
        input_tokens=tokens,
        exact=exact,
        method=method,
        output_reserve=reserve,
        reserve_source=source,
        context_window=target.context_window if target else None,
        cost=amount,
        notes=tuple(notes),
    )


def static_tokens(text: str, model: str | None) -> int:
    """Tokens of a template's static text (what every render sends)."""
    from aiinfra_cli.tokens import count_text

    return count_text(text, model).tokens
