"""The instrumentation rule: LLM calls that bypass the cost tracker (the pre-commit check)."""

from __future__ import annotations

from collections.abc import Iterator

from aiinfra_cli.scan._model import Finding
from aiinfra_cli.scan.rules._base import CallContext, Rule

UNINSTRUMENTED = Rule(
    "AIC012",
    "uninstrumented-call",
    "LLM call that does not go through the cost tracker or model orchestrator",
    severity="error",
)
RULES = (UNINSTRUMENTED,)


def check(ctx: CallContext) -> Iterator[Finding]:
    """AIC012 for one call."""
    if ctx.site.instrumented or not ctx.check_instrumentation:
        return
    yield ctx.finding(
        UNINSTRUMENTED.code,
        f"{ctx.site.api} bypasses the cost tracker: its tokens and spend are never recorded"
        " (call the model through the orchestrator, or inside the tracker's observe())",
        ctx.call_estimate("per call: untracked spend (static prompt + output cap)"),
    )
