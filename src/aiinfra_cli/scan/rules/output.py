"""Output-side rules: no output cap, a large cap without streaming, streams without usage."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from aiinfra_cli.scan._model import Estimate, Finding
from aiinfra_cli.scan.rules._base import CallContext, Rule

MISSING_CAP = Rule(
    "AIC001",
    "missing-output-cap",
    "LLM call without an output-token cap (max_tokens / max_completion_tokens / max_output_tokens)",
)
LARGE_OUTPUT = Rule(
    "AIC009",
    "large-output-without-streaming",
    "Large output cap on a call that does not stream",
)
STREAM_NO_USAGE = Rule(
    "AIC010",
    "stream-without-usage",
    "Streaming call that does not ask for token usage, so its cost goes unrecorded",
)
RULES = (MISSING_CAP, LARGE_OUTPUT, STREAM_NO_USAGE)

# At 50–100 output tokens a second, 8,192 tokens take 1.5–3 minutes with no byte on the wire:
# longer than the idle timeout of many proxies and load balancers (60–120 s).
LARGE_OUTPUT_TOKENS = 8192
_USAGE_STREAM_APIS = frozenset(
    {
        "openai.chat.completions.create",
        "openai.chat.completions.stream",
        "litellm.completion",
        "litellm.acompletion",
    }
)


def check(ctx: CallContext) -> Iterator[Finding]:
    """AIC001, AIC009, AIC010 for one call."""
    site = ctx.site
    if site.has_max_tokens is False:
        yield ctx.finding(
            MISSING_CAP.code,
            f"{site.api} has no output-token cap: one call may generate up to the model's"
            " maximum output",
            Estimate(
                kind="output",
                tokens=None,
                bound="max_output",
                basis="worst case per call: the model's maximum output tokens",
            ),
        )
    cap = site.max_tokens
    if cap is not None and cap >= LARGE_OUTPUT_TOKENS and site.streaming is False:
        yield ctx.finding(
            LARGE_OUTPUT.code,
            f"{site.api} allows {cap:,} output tokens but does not stream: a long answer can"
            " outlast proxy and client timeouts and is lost whole",
            Estimate(
                kind="output", tokens=cap, basis=f"per call: up to {cap:,} output tokens at risk"
            ),
        )
    if site.streaming and site.api in _USAGE_STREAM_APIS and not _asks_usage(ctx):
        yield ctx.finding(
            STREAM_NO_USAGE.code,
            f"{site.api} streams without stream_options={{'include_usage': True}}: the stream"
            " carries no token usage, so this call's cost is never recorded",
            ctx.call_estimate(),
        )


def _asks_usage(ctx: CallContext) -> bool:
    option = ctx.item.named.get("stream_options")
    if option is None:
        return bool(ctx.item.keys_unknown) or bool(
            ctx.item.star_keys and "stream_options" in ctx.item.star_keys
        )
    if isinstance(option, ast.Dict):
        for key, value in zip(option.keys, option.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "include_usage":
                return not (isinstance(value, ast.Constant) and value.value is False)
        return False
    return True  # not a literal: the scanner cannot tell, so it does not claim a problem
