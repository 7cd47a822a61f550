"""Prompt-caching rules: large static prompts sent uncached, dynamic text in front of static."""

from __future__ import annotations

from collections.abc import Iterator

from aiinfra_cli.scan._model import Estimate, Finding
from aiinfra_cli.scan._runtime import SDK as RUNTIME_SDK
from aiinfra_cli.scan.rules._base import CallContext, Rule

UNCACHED_PROMPT = Rule(
    "AIC005",
    "uncached-static-prompt",
    "Large static prompt sent without prompt caching (Anthropic cache_control)",
    fixable=True,
)
DYNAMIC_FIRST = Rule(
    "AIC006",
    "dynamic-before-static",
    "Dynamic content placed before a large static part of the prompt, defeating prefix caching",
)
RULES = (UNCACHED_PROMPT, DYNAMIC_FIRST)

# OpenAI caches prompt prefixes of 1,024 tokens and more; Anthropic's minimum cacheable prompt
# is 1,024 tokens for most models, 2,048 for Haiku 3 / 3.5 and 4,096 for Opus 4.5 / Haiku 4.5.
OPENAI_MIN_CACHE = 1024


def anthropic_min_cache(model: str | None) -> int:
    """Anthropic's minimum cacheable prompt length for ``model``."""
    name = (model or "").lower()
    if "haiku-4-5" in name or "haiku-4.5" in name or "opus-4-5" in name or "opus-4.5" in name:
        return 4096
    if "haiku" in name:
        return 2048
    return 1024


def _is_anthropic(ctx: CallContext) -> bool:
    site = ctx.site
    if site.sdk == "anthropic":
        return True
    if site.sdk == RUNTIME_SDK:
        return site.provider == "anthropic"
    model = (site.model or "").lower()
    return site.sdk in ("litellm", "langchain") and (
        "claude" in model or site.provider == "anthropic"
    )


def check(ctx: CallContext) -> Iterator[Finding]:
    """AIC005 and AIC006 for one call."""
    prompt = ctx.prompt
    if not prompt.segments:
        return
    model = ctx.site.model
    if _is_anthropic(ctx) and prompt.cache_control is False:
        prefix = prompt.static_prefix()
        minimum = anthropic_min_cache(model)
        tokens, exact = ctx.counter.count(prefix, model)
        if tokens >= minimum:
            fixable = (
                ctx.site.sdk == "anthropic"
                and prompt.system is not None
                and _system_is_static_text(ctx)
                and ctx.counter.count(_system_text(ctx), model)[0] >= minimum
            )
            how = (
                f"route '{ctx.site.route}' has no prompt_cache"
                if ctx.site.sdk == RUNTIME_SDK
                else "no cache_control"
            )
            yield ctx.finding(
                UNCACHED_PROMPT.code,
                f"{ctx.site.api} sends a {tokens:,}-token static prompt prefix with {how}:"
                " every call pays full input price for it",
                Estimate(
                    kind="cache_saving",
                    tokens=tokens,
                    exact=exact,
                    basis=f"per call after the first: {tokens:,} static prefix tokens read from"
                    " cache instead of sent as input",
                ),
                fixable=fixable,
            )
    first_dynamic, after = prompt.static_after_dynamic()
    if first_dynamic is not None and after:
        minimum = anthropic_min_cache(model) if _is_anthropic(ctx) else OPENAI_MIN_CACHE
        tokens, exact = ctx.counter.count(after, model)
        if tokens >= minimum:
            yield ctx.finding(
                DYNAMIC_FIRST.code,
                f"{ctx.site.api}: dynamic content in {first_dynamic.where} comes before"
                f" {tokens:,} tokens of static prompt, so no prefix cache can hold them;"
                " move the static part first",
                Estimate(
                    kind="cache_saving",
                    tokens=tokens,
                    exact=exact,
                    basis=f"per call: {tokens:,} static tokens that could be read from the"
                    " prefix cache",
                ),
                node=first_dynamic.node,
            )


def _system_text(ctx: CallContext) -> str:
    return "".join(
        s.text for s in ctx.prompt.segments if s.where == "system" and s.kind == "static"
    )


def _system_is_static_text(ctx: CallContext) -> bool:
    """The fix wraps ``system=`` in one cached text block: only when it is one static string."""
    import ast

    system = ctx.prompt.system
    if system is None or isinstance(system, (ast.List, ast.Tuple)):
        return False
    parts = [s for s in ctx.prompt.segments if s.where == "system"]
    return bool(parts) and all(s.kind == "static" for s in parts)
