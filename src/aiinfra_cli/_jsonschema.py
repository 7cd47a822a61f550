"""A small JSON Schema validator for the subset ``docs/prompt-format.md`` lists.

Enough for checking a model's structured output; any keyword outside the subset is reported by
:func:`schema_problems` when the prompt file is read, so nothing is silently ignored.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_document(urn: str, title: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A published top-level schema: ``$schema`` (draft 2020-12), ``$id`` and ``title``, then
    ``schema``'s keywords."""
    return {"$schema": DRAFT, "$id": urn, "title": title, **schema}


_ANNOTATIONS = frozenset(
    {"title", "description", "$schema", "$id", "default", "examples", "$comment", "format"}
)
_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
    }
)
_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})


# Python types of parsed JSON/YAML and their JSON names, in test order (bool is an int).
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (type(None), "null"),
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def json_type(value: Any) -> str:
    """The JSON type name of a parsed JSON or YAML value (a Python type's name otherwise)."""
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def _is_type(value: Any, name: str) -> bool:
    actual = json_type(value)
    if name == "number":
        return actual in ("integer", "number")
    if name == "integer":
        return actual == "integer" or (
            actual == "number" and math.isfinite(value) and float(value).is_integer()
        )
    return actual == name


def schema_problems(schema: Any, where: str = "schema") -> list[str]:
    """Problems with the schema itself: unsupported keywords, wrong shapes, bad patterns."""
    if isinstance(schema, bool):
        return []
    if not isinstance(schema, Mapping):
        return [f"{where}: a schema is a mapping (or true/false)"]
    problems: list[str] = []
    for key, value in schema.items():
        here = f"{where}.{key}"
        if key in _ANNOTATIONS:
            continue
        if key not in _KEYWORDS:
            problems.append(
                f"{here}: keyword not supported (supported: {', '.join(sorted(_KEYWORDS))})"
            )
        elif key == "type":
            names = value if isinstance(value, list) else [value]
            bad = [n for n in names if n not in _TYPES]
            if bad:
                problems.append(f"{here}: unknown type {bad[0]!r}")
        elif key in ("properties", "patternProperties"):
            if not isinstance(value, Mapping):
                problems.append(f"{here}: expected a mapping of property schemas")
            else:
                for name, sub in value.items():
                    if key == "patternProperties":
                        problems.extend(_pattern_problem(name, f"{here}.{name}"))
                    problems.extend(schema_problems(sub, f"{here}.{name}"))
        elif key in ("items", "additionalProperties", "propertyNames", "not"):
            problems.extend(schema_problems(value, here))
        elif key in ("allOf", "anyOf", "oneOf"):
            if not isinstance(value, list) or not value:
                problems.append(f"{here}: expected a non-empty list of schemas")
            else:
                for index, sub in enumerate(value):
                    problems.extend(schema_problems(sub, f"{here}[{index}]"))
        elif key == "required":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(f"{here}: expected a list of property names")
        elif key == "enum":
            if not isinstance(value, list):
                problems.append(f"{here}: expected a list")
        elif key == "pattern":
            problems.extend(_pattern_problem(str(value), here))
        elif key in ("minItems", "maxItems", "minLength", "maxLength"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{here}: expected a whole number >= 0")
        elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"{here}: expected a number")
        elif key == "uniqueItems" and not isinstance(value, bool):
            problems.append(f"{here}: expected true or false")
    return problems


def _pattern_problem(pattern: str, where: str) -> list[str]:
    try:
        re.compile(pattern)
    except re.error as exc:
        return [f"{where}: invalid regular expression: {exc}"]
    return []


def validate(instance: Any, schema: Any, where: str = "$") -> list[str]:
    """Every way ``instance`` fails ``schema`` (a schema :func:`schema_problems` accepted)."""
    if schema is True:
        return []
    if schema is False:
        return [f"{where}: no value is allowed here"]
    errors: list[str] = []
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_is_type(instance, n) for n in names):
            return [f"{where}: expected {' or '.join(names)}, got {json_type(instance)}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{where}: {json.dumps(instance)} is not one of {json.dumps(schema['enum'])}")
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{where}: expected {json.dumps(schema['const'])}")
    if isinstance(instance, dict):
        errors.extend(_object(instance, schema, where))
    elif isinstance(instance, list):
        errors.extend(_array(instance, schema, where))
    elif isinstance(instance, str):
        errors.extend(_string(instance, schema, where))
    elif _is_type(instance, "number"):
        errors.extend(_number(instance, schema, where))
    for sub in schema.get("allOf", []):
        errors.extend(validate(instance, sub, where))
    if "anyOf" in schema and not any(not validate(instance, s, where) for s in schema["anyOf"]):
        errors.append(f"{where}: matches none of the anyOf schemas")
    if "oneOf" in schema:
        matches = sum(1 for s in schema["oneOf"] if not validate(instance, s, where))
        if matches != 1:
            errors.append(f"{where}: matches {matches} of the oneOf schemas (exactly 1 required)")
    if "not" in schema and not validate(instance, schema["not"], where):
        errors.append(f"{where}: must not match the 'not' schema")
    return errors


def _object(instance: dict[str, Any], schema: Mapping[str, Any], where: str) -> list[str]:
    errors = [
        f"{where}: required property {name!r} is missing"
        for name in schema.get("required", [])
        if name not in instance
    ]
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    for key, value in instance.items():
        if "propertyNames" in schema:
            errors.extend(validate(key, schema["propertyNames"], f"{where}: property name {key!r}"))
        matched = [sub for pattern, sub in patterns.items() if re.search(pattern, key)]
        for sub in matched:
            errors.extend(validate(value, sub, f"{where}.{key}"))
        if key in properties:
            errors.extend(validate(value, properties[key], f"{where}.{key}"))
        elif matched:
            continue
        elif extra is False:
            errors.append(f"{where}: property {key!r} is not allowed")
        elif isinstance(extra, Mapping):
            errors.extend(validate(value, extra, f"{where}.{key}"))
    return errors


def _array(instance: list[Any], schema: Mapping[str, Any], where: str) -> list[str]:
    errors: list[str] = []
    if "minItems" in schema and len(instance) < schema["minItems"]:
        errors.append(f"{where}: needs at least {schema['minItems']} items, has {len(instance)}")
    if "maxItems" in schema and len(instance) > schema["maxItems"]:
        errors.append(f"{where}: allows at most {schema['maxItems']} items, has {len(instance)}")
    if schema.get("uniqueItems"):
        seen = [json.dumps(item, sort_keys=True) for item in instance]
        if len(set(seen)) != len(seen):
            errors.append(f"{where}: items must be unique")
    if "items" in schema:
        for index, item in enumerate(instance):
            errors.extend(validate(item, schema["items"], f"{where}[{index}]"))
    return errors


def _string(instance: str, schema: Mapping[str, Any], where: str) -> list[str]:
    errors: list[str] = []
    if "minLength" in schema and len(instance) < schema["minLength"]:
        errors.append(f"{where}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(instance) > schema["maxLength"]:
        errors.append(f"{where}: longer than {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], instance):
        errors.append(f"{where}: does not match pattern {schema['pattern']!r}")
    return errors


def _number(instance: float, schema: Mapping[str, Any], where: str) -> list[str]:
    errors: list[str] = []
    if "minimum" in schema and instance < schema["minimum"]:
        errors.append(f"{where}: {instance} is less than the minimum {schema['minimum']}")
    if "maximum" in schema and instance > schema["maximum"]:
        errors.append(f"{where}: {instance} is more than the maximum {schema['maximum']}")
    if "exclusiveMinimum" in schema and instance <= schema["exclusiveMinimum"]:
        errors.append(f"{where}: {instance} must be greater than {schema['exclusiveMinimum']}")
    if "exclusiveMaximum" in schema and instance >= schema["exclusiveMaximum"]:
        errors.append(f"{where}: {instance} must be less than {schema['exclusiveMaximum']}")
    return errors
