"""A small declarative schema: one definition gives both validation messages and a JSON Schema.

Used for ``config/ai-models.yaml`` and for usage-log events, so both report problems the same
way (a path like ``models[2].provider`` and a message that says how to fix it) and both publish a
JSON Schema that cannot drift from what the code accepts.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from aiinfra_cli._jsonschema import json_type

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One validation problem at ``path`` (a tuple of keys and list indexes)."""

    path: Path
    message: str

    @property
    def dotted(self) -> str:
        return format_path(self.path)


def format_path(path: Path) -> str:
    """``("models", 2, "provider")`` → ``models[2].provider``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# How a problem line names a value's type (YAML words: a JSON array is "a list").
_TYPE_WORDS = {
    "boolean": "a boolean",
    "integer": "a number",
    "number": "a number",
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
}


def _type_name(value: Any) -> str:
    kind = json_type(value)
    return _TYPE_WORDS.get(kind, kind)


class Node:
    """Base of all schema nodes."""

    def __init__(self, description: str = "") -> None:
        self.description = description

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def _with_doc(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.description:
            schema["description"] = self.description
        return schema


class Str(Node):
    def __init__(
        self,
        description: str = "",
        *,
        enum: Sequence[str] | None = None,
        pattern: str | None = None,
        pattern_hint: str = "",
        min_length: int = 0,
        nullable: bool = False,
        echo: bool = True,
    ) -> None:
        super().__init__(description)
        self.echo = echo  # False where a wrong value may be a secret pasted in the wrong place
        self.enum = tuple(enum) if enum else None
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_hint = pattern_hint
        self.min_length = min_length
        self.nullable = nullable

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if value is None and self.nullable:
            return
        if not isinstance(value, str):
            problems.append(Problem(path, f"expected a string, got {_type_name(value)}"))
            return
        if self.enum is not None and value not in self.enum:
            choices = ", ".join(self.enum)
            problems.append(
                Problem(path, f"'{value}' is not one of: {choices}{did_you_mean(value, self.enum)}")
            )
        elif len(value) < self.min_length:
            problems.append(Problem(path, "must not be empty"))
        elif self.pattern is not None and not self.pattern.fullmatch(value):
            shown = f"'{value}'" if self.echo else "this value"
            problems.append(Problem(path, f"{shown} is not valid{self.pattern_hint}"))

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": ["string", "null"] if self.nullable else "string"}
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        if self.pattern is not None:
            schema["pattern"] = f"^(?:{self.pattern.pattern})$"
        if self.min_length:
            schema["minLength"] = self.min_length
        return self._with_doc(schema)


class Int(Node):
    def __init__(
        self,
        description: str = "",
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        nullable: bool = False,
    ) -> None:
        super().__init__(description)
        self.minimum = minimum
        self.maximum = maximum
        self.nullable = nullable

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if value is None and self.nullable:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(path, f"expected a whole number, got {_type_name(value)}"))
        elif self.minimum is not None and value < self.minimum:
            problems.append(Problem(path, f"must be at least {self.minimum}, got {value}"))
        elif self.maximum is not None and value > self.maximum:
            problems.append(Problem(path, f"must be at most {self.maximum:,}, got {value:,}"))

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": ["integer", "null"] if self.nullable else "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return self._with_doc(schema)


class Num(Node):
    """A real number (durations, ratios). Money uses :class:`Money` instead."""

    def __init__(
        self,
        description: str = "",
        *,
        minimum: float | None = None,
        exclusive_minimum: float | None = None,
        maximum: float | None = None,
        nullable: bool = False,
    ) -> None:
        super().__init__(description)
        self.nullable = nullable
        self.minimum = minimum
        self.exclusive_minimum = exclusive_minimum
        self.maximum = maximum

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if value is None and self.nullable:
            return
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            problems.append(Problem(path, f"expected a number, got {_type_name(value)}"))
        elif self.minimum is not None and value < self.minimum:
            problems.append(Problem(path, f"must be at least {self.minimum}, got {value}"))
        elif self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            problems.append(
                Problem(path, f"must be greater than {self.exclusive_minimum}, got {value}")
            )
        elif self.maximum is not None and value > self.maximum:
            problems.append(Problem(path, f"must be at most {self.maximum}, got {value}"))

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": ["number", "null"] if self.nullable else "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.exclusive_minimum is not None:
            schema["exclusiveMinimum"] = self.exclusive_minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return self._with_doc(schema)


def to_decimal(value: Any) -> Decimal | None:
    """A number or decimal string as an exact Decimal (floats via their shortest repr) or None."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value)) if math.isfinite(value) else None
        if isinstance(value, str) and value.strip():
            result = Decimal(value.strip())
            return result if result.is_finite() else None
    except InvalidOperation:
        return None
    return None


def parse_usd_option(text: str | None, flag: str, example: str) -> Decimal | None:
    """A command-line amount of USD (``--budget 250``) as a Decimal; None when not given.

    Raises :class:`~aiinfra_cli.errors.UsageError` naming the flag when it is not an amount."""
    if text is None:
        return None
    amount = to_decimal(text)
    if amount is None or amount < 0:
        from aiinfra_cli.errors import UsageError

        raise UsageError(f"{flag} {text}: expected an amount in USD, e.g. {example}")
    return amount


class Money(Node):
    """A non-negative amount of US dollars: a number or a decimal string (``"0.15"``), at most
    ``maximum`` when given."""

    def __init__(
        self, description: str = "", *, maximum: int | None = None, nullable: bool = False
    ) -> None:
        super().__init__(description)
        self.maximum = maximum
        self.nullable = nullable

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if value is None and self.nullable:
            return
        amount = to_decimal(value)
        if amount is None:
            problems.append(
                Problem(
                    path,
                    f'expected an amount in USD (e.g. 12.5 or "12.5"), got {_type_name(value)}',
                )
            )
        elif amount < 0:
            problems.append(Problem(path, f"must not be negative, got {value}"))
        elif self.maximum is not None and amount > self.maximum:
            problems.append(Problem(path, f"must be at most {self.maximum:,} USD, got {value}"))

    def json_schema(self) -> dict[str, Any]:
        number: dict[str, Any] = {"type": "number", "minimum": 0}
        if self.maximum is not None:
            number["maximum"] = self.maximum
        types: list[dict[str, Any]] = [
            number,
            {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
        ]
        if self.nullable:
            types.append({"type": "null"})
        return self._with_doc({"anyOf": types})


class Bool(Node):
    def __init__(self, description: str = "", *, nullable: bool = False) -> None:
        super().__init__(description)
        self.nullable = nullable

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if value is None and self.nullable:
            return
        if not isinstance(value, bool):
            problems.append(Problem(path, f"expected true or false, got {_type_name(value)}"))

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": ["boolean", "null"] if self.nullable else "boolean"})


class AnyOf(Node):
    """A value any one of ``choices`` accepts, e.g. ``true`` or one of a few strings.

    A value none of them accepts gets one problem, worded by ``expected`` (``'true, false,
    "5m" or "1h"'``), rather than one per choice: the user needs the list of what is allowed,
    not why each alternative failed.
    """

    def __init__(self, choices: Sequence[Node], description: str = "", *, expected: str) -> None:
        super().__init__(description)
        self.choices = tuple(choices)
        self.expected = expected

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        for choice in self.choices:
            found: list[Problem] = []
            choice.check(value, path, found)
            if not found:
                return
        if isinstance(value, str):
            words = [w for c in self.choices if isinstance(c, Str) and c.enum for w in c.enum]
            got = f"'{value}'{did_you_mean(value, words)}"
        else:
            got = _type_name(value)
        problems.append(Problem(path, f"expected {self.expected}, got {got}"))

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"anyOf": [choice.json_schema() for choice in self.choices]})


class ListOf(Node):
    def __init__(
        self, item: Node, description: str = "", *, min_items: int = 0, unique: bool = False
    ) -> None:
        super().__init__(description)
        self.item = item
        self.min_items = min_items
        self.unique = unique

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if not isinstance(value, list):
            problems.append(Problem(path, f"expected a list, got {_type_name(value)}"))
            return
        if len(value) < self.min_items:
            problems.append(Problem(path, f"needs at least {self.min_items} item(s)"))
        seen: set[Any] = set()
        for index, item in enumerate(value):
            self.item.check(item, (*path, index), problems)
            if self.unique and isinstance(item, str | int | float):
                if item in seen:
                    problems.append(Problem((*path, index), f"'{item}' is listed twice"))
                seen.add(item)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.unique:
            schema["uniqueItems"] = True
        return self._with_doc(schema)


class MapOf(Node):
    """A mapping with free-form string keys (matching ``key_pattern``) and uniform values."""

    def __init__(
        self,
        value: Node,
        description: str = "",
        *,
        key_pattern: str | None = None,
        nullable: bool = False,
    ) -> None:
        super().__init__(description)
        self.value = value
        self.key_pattern = re.compile(key_pattern) if key_pattern else None
        self.nullable = nullable

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if value is None and self.nullable:
            return
        if not isinstance(value, dict):
            problems.append(Problem(path, f"expected a mapping, got {_type_name(value)}"))
            return
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(Problem((*path, str(key)), "keys must be strings"))
                continue
            if self.key_pattern is not None and not self.key_pattern.fullmatch(key):
                problems.append(
                    Problem((*path, key), "name must use letters, digits, '-', '_' or '.'")
                )
            self.value.check(item, (*path, key), problems)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": ["object", "null"] if self.nullable else "object",
            "additionalProperties": self.value.json_schema(),
        }
        if self.key_pattern is not None:
            schema["propertyNames"] = {"pattern": f"^(?:{self.key_pattern.pattern})$"}
        return self._with_doc(schema)


class Obj(Node):
    """A mapping with known keys. Unknown keys are errors (typo protection) unless they start
    with ``x-`` (room for the user's own annotations) or ``allow_extra`` is set."""

    def __init__(
        self,
        fields: Mapping[str, Node],
        description: str = "",
        *,
        required: Sequence[str] = (),
        allow_extra: bool = False,
    ) -> None:
        super().__init__(description)
        self.fields = fields
        self.required = tuple(required)
        self.allow_extra = allow_extra

    def check(self, value: Any, path: Path, problems: list[Problem]) -> None:
        if not isinstance(value, dict):
            problems.append(Problem(path, f"expected a mapping, got {_type_name(value)}"))
            return
        for name in self.required:
            if name not in value:
                problems.append(Problem((*path, name), "is required"))
        for key, item in value.items():
            node = self.fields.get(key) if isinstance(key, str) else None
            if node is not None:
                node.check(item, (*path, key), problems)
            elif not self.allow_extra and not (isinstance(key, str) and key.startswith("x-")):
                problems.append(
                    Problem(
                        (*path, str(key)),
                        f"unknown key{did_you_mean(str(key), list(self.fields))}",
                    )
                )

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: node.json_schema() for name, node in self.fields.items()},
        }
        if self.required:
            schema["required"] = list(self.required)
        if not self.allow_extra:
            schema["patternProperties"] = {"^x-": {}}
            schema["additionalProperties"] = False
        return self._with_doc(schema)
