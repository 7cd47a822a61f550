"""The prompt library's typed objects: a parsed prompt file, its inputs, model and test cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATEGORIES = ("system", "user", "templates")
DEFAULT_ROLE = {"system": "system", "user": "user", "templates": "user"}
TYPES = ("string", "integer", "number", "boolean", "array", "object")
ROLES = ("system", "user", "assistant", "developer")


@dataclass(frozen=True)
class Variable:
    """One declared input. ``line`` is where it is declared in the file."""

    name: str
    type: str = "string"
    required: bool = True
    default: Any = None
    has_default: bool = False
    description: str = ""
    line: int | None = None


@dataclass(frozen=True)
class ModelSpec:
    """The target of a prompt: a route or a model name, and the request parameters."""

    route: str | None = None
    name: str | None = None
    kind: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None

    @property
    def max_tokens(self) -> int | None:
        """``parameters.max_tokens`` (or ``max_output_tokens`` / ``max_completion_tokens``)."""
        for key in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
            value = self.parameters.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None

    @property
    def target(self) -> str:
        """How the target is spelled for people: ``route:summarize`` or the model name."""
        return f"route:{self.route}" if self.route else (self.name or "")


@dataclass(frozen=True)
class Assertion:
    """One check on a model's output."""

    type: str
    value: Any = None
    grader: str | None = None
    line: int | None = None

    def describe(self) -> str:
        """A short label, e.g. ``contains 'foo'``."""
        if self.value is None:
            return self.type
        text = self.value if isinstance(self.value, str) else repr(self.value)
        if len(text) > 40:
            text = text[:37] + "..."
        return f"{self.type} {text!r}" if isinstance(self.value, str) else f"{self.type} {text}"


@dataclass(frozen=True)
class TestCase:
    """A named set of variable values and the assertions on the output they produce."""

    name: str
    vars: Mapping[str, Any] = field(default_factory=dict)
    asserts: tuple[Assertion, ...] = ()
    description: str = ""
    file: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Section:
    """A part of the body rendered as one message; ``line`` is the file line of its first line."""

    role: str
    source: str
    line: int


@dataclass(frozen=True)
class PromptFile:
    """A parsed, structurally valid prompt file (working copy or snapshot).

    ``display`` is the path relative to the project root (for messages); ``meta`` is the raw
    front matter; ``used`` maps each variable the template reads to the first file line using it.
    """

    path: Path
    display: str
    category: str
    name: str
    version: str
    description: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    model: ModelSpec | None
    inputs: tuple[Variable, ...]
    sample: Mapping[str, Any] | None
    tests: tuple[TestCase, ...]
    meta: Mapping[str, Any]
    body: str
    body_line: int
    sections: tuple[Section, ...]
    used: Mapping[str, int]
    static_text: str
    content_hash: str
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """``name@version``."""
        return f"{self.name}@{self.version}"

    def input(self, name: str) -> Variable | None:
        """The declared input called ``name``, or None."""
        return next((v for v in self.inputs if v.name == name), None)

    def line_of(self, *path: str | int) -> int | None:
        """The file line of a front-matter key path (or of its nearest ancestor)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None
