"""A key pasted where an environment variable's NAME belongs is refused and never repeated,
whatever its shape: vendor-shaped keys are caught by shape, the rest because they are not names."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from _support import EXAMPLE_CONFIG

from aiinfra_cli.config import check_text
from aiinfra_cli.redact import REDACTED, redact, register_secret

ORIGINAL = "api_key_env: ANTHROPIC_API_KEY"


def _problems(text: str) -> list[str]:
    _config, problems = check_text(text, Path("config/ai-models.yaml"))
    return problems


@pytest.mark.parametrize(
    "pasted",
    [
        "0123456789abcdef0123456789abcdef",  # 32 hex characters: no vendor shape
        "0123456789ABCDEF0123456789ABCDEF01",  # the same in upper case is still not a name
        "a1b2c3_d4e5f6_g7h8i9_j0k1l2_m3n4",  # contains "_", as some keys do
        "lowercase_name",  # a name is upper case by convention: refused, not guessed at
    ],
)
def test_a_value_that_is_not_a_variable_name_is_refused_without_echo(pasted: str) -> None:
    assert ORIGINAL in EXAMPLE_CONFIG
    problems = _problems(EXAMPLE_CONFIG.replace(ORIGINAL, f"api_key_env: {pasted}"))
    assert len(problems) == 1
    assert problems[0].startswith("config/ai-models.yaml:3: providers.anthropic.api_key_env:")
    assert "give the NAME of an environment variable" in problems[0]
    assert pasted not in problems[0]


@pytest.mark.parametrize("name", ["ANTHROPIC_API_KEY", "_PRIVATE_KEY2", "A"])
def test_real_names_validate(name: str) -> None:
    assert _problems(EXAMPLE_CONFIG.replace(ORIGINAL, f"api_key_env: {name}")) == []


def test_a_registered_secret_is_masked_in_every_escaped_form() -> None:
    key = "plain+value/" + "93f1c2d4" * 3 + "\r"
    register_secret(key)
    forms = (key, repr(key), repr(key.encode()), json.dumps(key), key.strip(), quote(key, safe=""))
    for text in forms:
        assert "93f1c2d4" not in redact(f"error: {text} here"), text
    assert redact("short words stay") == "short words stay"
    assert REDACTED in redact(key)
