"""The AnyOf schema node: a value any one alternative accepts, one problem otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from aiinfra_cli._schema import AnyOf, Bool, Obj, Problem, Str

TTL = AnyOf(
    (Bool(), Str(enum=("5m", "1h"))),
    "Prompt cache TTL.",
    expected='true, false, "5m" or "1h"',
)


def _check(node: AnyOf, value: Any) -> list[Problem]:
    problems: list[Problem] = []
    node.check(value, ("routes", "chat", "prompt_cache"), problems)
    return problems


@pytest.mark.parametrize("value", [True, False, "5m", "1h"])
def test_a_value_any_alternative_accepts_is_valid(value: Any) -> None:
    assert _check(TTL, value) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1hr", """expected true, false, "5m" or "1h", got '1hr' (did you mean '1h'?)"""),
        ("10m", """expected true, false, "5m" or "1h", got '10m'"""),
        (5, """expected true, false, "5m" or "1h", got a number"""),
        (None, """expected true, false, "5m" or "1h", got null"""),
        ({"ttl": "5m"}, """expected true, false, "5m" or "1h", got a mapping"""),
    ],
)
def test_a_value_no_alternative_accepts_is_one_problem_listing_what_is_allowed(
    value: Any, message: str
) -> None:
    assert _check(TTL, value) == [Problem(("routes", "chat", "prompt_cache"), message)]


def test_json_schema_is_an_any_of_of_the_alternatives() -> None:
    assert TTL.json_schema() == {
        "anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["5m", "1h"]}],
        "description": "Prompt cache TTL.",
    }


def test_it_nests_inside_an_object_with_its_path() -> None:
    route = Obj({"prompt_cache": TTL})
    problems: list[Problem] = []
    route.check({"prompt_cache": "1d"}, ("routes", "chat"), problems)
    assert [(p.dotted, p.message) for p in problems] == [
        ("routes.chat.prompt_cache", """expected true, false, "5m" or "1h", got '1d'""")
    ]
