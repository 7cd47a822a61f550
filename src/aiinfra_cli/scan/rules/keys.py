"""The hard-coded key rule: API keys written into the code (never printed, only named)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from aiinfra_cli.redact import find_secret
from aiinfra_cli.scan._model import Estimate, Finding
from aiinfra_cli.scan.rules._base import ModuleContext, Rule

HARDCODED_KEY = Rule(
    "AIC011",
    "hardcoded-api-key",
    "API key written into the code instead of read from the environment",
    severity="error",
)
RULES = (HARDCODED_KEY,)

_KEY_NAME = re.compile(r"(?i)(api_?key|secret_?key|access_?token|auth_?token|azure_ad_token)$")
_PLACEHOLDERS = re.compile(
    r"(?i)^(|empty|none|null|dummy|fake|test|x+|ollama|lm-studio|not[-_ ]?needed|"
    r"sk-no-key-required|no[-_ ]?key|your[-_ ].*|<.*>|\$\{.*\}|.*placeholder.*|changeme|xxx.*)$"
)
_NO_COST = Estimate(
    kind="none",
    tokens=None,
    basis="not a token cost: anyone who reads the code can spend on the account",
)


def _looks_like_key(value: str, *, key_named: bool) -> str | None:
    kind = find_secret(value)
    if kind:
        return kind
    if (
        key_named
        and len(value) >= 20
        and not any(c.isspace() for c in value)
        and not _PLACEHOLDERS.match(value)
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    ):
        return "API key"
    return None


def check_module(ctx: ModuleContext) -> Iterator[Finding]:
    """AIC011 over the string literals the module passes as keywords or assigns."""
    for where, _keyword, literal in ctx.index.string_literals:
        value = literal.value
        if not isinstance(value, str) or len(value) < 16:
            continue
        key_named = bool(_KEY_NAME.search(where.rstrip("=")))
        kind = _looks_like_key(value, key_named=key_named)
        if kind is None:
            continue
        yield ctx.finding(
            HARDCODED_KEY.code,
            f"hard-coded {kind} in {where}: read it from an environment variable and revoke"
            " this one",
            literal,
            _NO_COST,
        )
