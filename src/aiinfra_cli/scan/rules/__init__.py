"""The rules, by stable code, and the one function that runs the static ones over a module.

Codes never change meaning; a retired rule keeps its code unused. One module per rule family:

* ``output``          AIC001 missing output cap, AIC009 large cap without streaming,
                      AIC010 stream without usage
* ``reliability``     AIC002 no timeout
* ``models``          AIC003 hard-coded model id, AIC004 retired or unknown model (priced)
* ``caching``         AIC005 uncached static prompt, AIC006 dynamic before static
* ``context``         AIC007 unbounded history, AIC008 whole file in prompt
* ``keys``            AIC011 hard-coded API key
* ``instrumentation`` AIC012 uninstrumented call
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from aiinfra_cli.scan._model import Finding
from aiinfra_cli.scan.rules import (
    caching,
    context,
    instrumentation,
    keys,
    models,
    output,
    reliability,
)
from aiinfra_cli.scan.rules._base import CallContext, ModuleContext, Rule, TokenCounter

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *output.RULES,
            *reliability.RULES,
            *models.RULES,
            *caching.RULES,
            *context.RULES,
            *keys.RULES,
            *instrumentation.RULES,
        ),
        key=lambda rule: rule.code,
    )
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

_CALL_CHECKS: tuple[Callable[[CallContext], Iterable[Finding]], ...] = (
    output.check,
    reliability.check,
    models.check,
    caching.check,
    context.check,
    instrumentation.check,
)
_MODULE_CHECKS: tuple[Callable[[ModuleContext], Iterable[Finding]], ...] = (keys.check_module,)


def run_static_rules(module: ModuleContext) -> list[Finding]:
    """Every static rule over every call of ``module`` and over the module itself."""
    findings: list[Finding] = []
    for call in module.calls:
        for check in _CALL_CHECKS:
            findings.extend(check(call))
    for module_check in _MODULE_CHECKS:
        findings.extend(module_check(module))
    return findings


__all__ = [
    "ALL_RULES",
    "RULES_BY_CODE",
    "CallContext",
    "ModuleContext",
    "Rule",
    "TokenCounter",
    "run_static_rules",
]
