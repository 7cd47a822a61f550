"""Model-id rules: ids hard-coded at the call, and ids the price table knows as retired or not at
all (the second needs the price table, so it runs in the main process)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from aiinfra_cli.scan._model import Finding
from aiinfra_cli.scan._runtime import SDK as RUNTIME_SDK
from aiinfra_cli.scan.rules._base import CallContext, Rule

HARDCODED_MODEL = Rule(
    "AIC003",
    "hardcoded-model",
    "Model id hard-coded in the call instead of coming from configuration",
    severity="note",
)
RETIRED_MODEL = Rule(
    "AIC004",
    "retired-or-unknown-model",
    "Model id that the price table lists as retired, or does not know",
    severity="error",
    stage="priced",
)
RULES = (HARDCODED_MODEL, RETIRED_MODEL)


def check(ctx: CallContext) -> Iterator[Finding]:
    """AIC003 for one call (AIC004 is applied after pricing: see ``scan._estimate``)."""
    site = ctx.site
    if site.model is None or site.sdk == RUNTIME_SDK:
        return  # a runtime call's model comes from the route in the config
    node: ast.AST | None = ctx.item.model_node
    if node is None and ctx.item.chat is not None:
        node = ctx.item.chat.node
    yield ctx.finding(
        HARDCODED_MODEL.code,
        f"model '{site.model}' is hard-coded: route it through config/ai-models.yaml so a"
        " price, fallback or retirement change is one edit",
        ctx.call_estimate(),
        node=node,
    )
