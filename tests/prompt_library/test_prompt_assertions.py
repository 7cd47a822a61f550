"""Assertions on model output and the JSON Schema subset behind json-schema."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aiinfra_cli._jsonschema import schema_problems, validate
from aiinfra_cli.prompts import Assertion, Observation, Verdict, evaluate
from aiinfra_cli.prompts._assertions import parse_verdict, unfence

SEEN = Observation(
    text='```json\n{"title": "Q3", "points": ["a", "b"], "score": 7}\n```',
    output_tokens=42,
    latency_ms=812.0,
    cost=Decimal("0.0031"),
)


@pytest.mark.parametrize(
    ("kind", "value", "passed", "detail"),
    [
        ("contains", '"Q3"', True, "found"),
        (
            "contains",
            ["Q3", "Q4"],
            False,
            'missing \'Q4\' in \'```json {"title": "Q3", "points": ["a", "b"], "score": 7}...\'',
        ),
        ("icontains", "TITLE", True, "found"),
        ("not-contains", "As an AI", True, "none found"),
        ("not-icontains", ["q3"], False, "found 'q3'"),
        ("regex", r'"score": (\d+)', True, "matched '\"score\": 7'"),
        ("not-regex", r"\bsorry\b", True, "no match"),
        (
            "equals",
            "nope",
            False,
            'got \'```json {"title": "Q3", "points": ["a", "b"], "score": 7}...\'',
        ),
        ("is-json", None, True, "valid JSON"),
        (
            "json-schema",
            {"type": "object", "required": ["title", "points"]},
            True,
            "matches the schema",
        ),
        (
            "json-schema",
            {"type": "object", "properties": {"score": {"type": "integer", "maximum": 5}}},
            False,
            "$.score: 7 is more than the maximum 5",
        ),
        ("max-tokens", 40, False, "42 output tokens (limit 40)"),
        ("latency", 1000, True, "812 ms (limit 1000 ms)"),
        ("cost", "0.003", False, "$0.0031 (limit $0.003)"),
    ],
)
def test_assertions(kind: str, value: object, passed: bool, detail: str) -> None:
    result = evaluate(Assertion(type=kind, value=value), SEEN)
    assert (result.passed, result.detail) == (passed, detail)


def test_rubric_goes_to_the_grader() -> None:
    asked: list[tuple[str, str | None, str]] = []

    def grade(rubric: str, grader: str | None, output: str) -> Verdict:
        asked.append((rubric, grader, output))
        return Verdict(False, "too vague")

    result = evaluate(Assertion("llm-rubric", "Names the quarter", grader="smart"), SEEN, grade)
    assert (result.passed, result.detail) == (False, "too vague")
    assert asked == [("Names the quarter", "smart", SEEN.text)]
    assert evaluate(Assertion("llm-rubric", "x"), SEEN).detail == "no grader available"


def test_unpriced_and_unmeasured_fail_rather_than_pass() -> None:
    bare = Observation(text="hi")
    assert (
        evaluate(Assertion("cost", 1), bare).detail
        == "unpriced: the model is not in the price table"
    )
    assert evaluate(Assertion("max-tokens", 10), bare).passed is False
    assert evaluate(Assertion("latency", 10), bare).passed is False


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ('{"pass": true, "reason": "ok"}', Verdict(True, "ok")),
        ('```json\n{"pass": false}\n```', Verdict(False, "fails the rubric")),
        (
            "Yes, it passes.",
            Verdict(False, "the grader's reply is not a verdict: 'Yes, it passes.'"),
        ),
        (
            '{"pass": "yes"}',
            Verdict(False, 'the grader\'s reply is not a verdict: \'{"pass": "yes"}\''),
        ),
    ],
)
def test_grader_replies(reply: str, verdict: Verdict) -> None:
    assert parse_verdict(reply) == verdict


def test_unfence() -> None:
    assert unfence("```\n[1]\n```") == "[1]"
    assert unfence("  plain  ") == "plain"
    assert unfence("```json\n{}\n``` trailing") == "```json\n{}\n``` trailing"


SCHEMA = {
    "type": "object",
    "required": ["name", "tags"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 2, "pattern": "^[A-Z]"},
        "tags": {
            "type": "array",
            "items": {"enum": ["a", "b"]},
            "uniqueItems": True,
            "maxItems": 2,
        },
        "size": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
        "kind": {"oneOf": [{"const": "x"}, {"const": "y"}]},
        "note": {"not": {"type": "number"}},
    },
}


def test_schema_subset_validation() -> None:
    assert (
        validate({"name": "Ab", "tags": ["a"], "size": None, "kind": "x", "note": "n"}, SCHEMA)
        == []
    )
    assert validate(
        {"name": "a", "tags": ["a", "a", "c"], "size": -1, "kind": "z", "note": 1, "x": 0}, SCHEMA
    ) == [
        "$.name: shorter than 2 characters",
        "$.name: does not match pattern '^[A-Z]'",
        "$.tags: allows at most 2 items, has 3",
        "$.tags: items must be unique",
        '$.tags[2]: "c" is not one of ["a", "b"]',
        "$.size: matches none of the anyOf schemas",
        "$.kind: matches 0 of the oneOf schemas (exactly 1 required)",
        "$.note: must not match the 'not' schema",
        "$: property 'x' is not allowed",
    ]
    assert validate([], SCHEMA) == ["$: expected object, got array"]
    assert validate(3.0, {"type": "integer"}) == []
    assert validate(True, {"type": "integer"}) == ["$: expected integer, got boolean"]


def test_schema_problems_name_unsupported_keywords() -> None:
    assert schema_problems(SCHEMA) == []
    assert schema_problems(
        {"type": "strin", "properties": {"a": {"$ref": "#"}}, "minItems": -1}
    ) == [
        "schema.type: unknown type 'strin'",
        "schema.properties.a.$ref: keyword not supported (supported: additionalProperties, allOf,"
        " anyOf, const, enum, exclusiveMaximum, exclusiveMinimum, items, maxItems, maxLength,"
        " maximum, minItems, minLength, minimum, not, oneOf, pattern, patternProperties,"
        " properties, propertyNames, required, type, uniqueItems)",
        "schema.minItems: expected a whole number >= 0",
    ]


def test_pattern_properties_and_property_names_are_checked() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "patternProperties": {"^x-": {"type": "string"}},
        "propertyNames": {"maxLength": 5},
        "additionalProperties": False,
    }
    assert schema_problems(schema) == []
    assert validate({"a": 1, "x-b": "ok"}, schema) == []
    assert validate({"a": 1, "x-b": 2, "zz": 1, "toolong": 1}, schema) == [
        "$.x-b: expected string, got integer",
        "$: property 'zz' is not allowed",
        "$: property name 'toolong': longer than 5 characters",
        "$: property 'toolong' is not allowed",
    ]
    assert schema_problems({"patternProperties": {"(": {}}})[0].startswith(
        "schema.patternProperties.(: invalid regular expression"
    )
