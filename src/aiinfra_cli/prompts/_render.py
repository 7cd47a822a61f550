"""Render a prompt into messages: variable checks (declared, typed, required), then the sandbox."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiinfra_cli._schema import did_you_mean
from aiinfra_cli.errors import UsageError
from aiinfra_cli.prompts._budget import DEFAULT_BUDGET, RenderBudget
from aiinfra_cli.prompts._errors import PromptError
from aiinfra_cli.prompts._model import PromptFile
from aiinfra_cli.prompts._parse import describe_value, normalize_text, type_matches
from aiinfra_cli.prompts._sandbox import render_section


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: str
    content: str

    def as_dict(self) -> dict[str, str]:
        """``{"role": …, "content": …}``."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Rendered:
    """A rendered prompt: its messages and the variable values used."""

    prompt: PromptFile
    messages: tuple[Message, ...]
    values: Mapping[str, Any]

    @property
    def system(self) -> str | None:
        """The system messages joined (Anthropic-style separate system prompt), or None."""
        parts = [m.content for m in self.messages if m.role in ("system", "developer")]
        return "\n\n".join(parts) if parts else None

    @property
    def conversation(self) -> list[dict[str, str]]:
        """The non-system messages as dicts."""
        return [m.as_dict() for m in self.messages if m.role not in ("system", "developer")]

    def text(self) -> str:
        """One message: its content; several: Prompty-style ``role:`` blocks."""
        if len(self.messages) == 1:
            return self.messages[0].content
        return "\n\n".join(f"{m.role}:\n{m.content}" for m in self.messages)


def _where(prompt: PromptFile, line: int | None) -> str:
    return f"{prompt.display}:{line}" if line else prompt.display


def check_values(prompt: PromptFile, supplied: Mapping[str, Any]) -> dict[str, Any]:
    """Every value the template gets: supplied ones checked against ``inputs``, defaults added."""
    declared = {v.name: v for v in prompt.inputs}
    for name in supplied:
        if name not in declared:
            names = ", ".join(declared) or "none"
            raise PromptError(
                f"prompt '{prompt.ref}': no input named '{name}'"
                + did_you_mean(name, list(declared)),
                where=_where(prompt, prompt.line_of("inputs")),
                hint=f"declared inputs: {names}",
            )
    for name, first in sorted(prompt.used.items(), key=lambda item: item[1]):
        if name not in declared:
            raise PromptError(
                f"prompt '{prompt.ref}': variable '{name}' is used but not declared in inputs",
                where=_where(prompt, first),
                hint=f"declare it under inputs, e.g. {name}: {{type: string}}",
            )
    values: dict[str, Any] = {}
    for variable in prompt.inputs:
        line = prompt.used.get(variable.name) or variable.line
        if variable.name in supplied:
            value = supplied[variable.name]
            if value is None and not variable.required:
                values[variable.name] = None
                continue
            if not type_matches(value, variable.type):
                raise PromptError(
                    f"prompt '{prompt.ref}': variable '{variable.name}' must be {variable.type},"
                    f" got {describe_value(value)}",
                    where=_where(prompt, line),
                )
            values[variable.name] = value
        elif variable.required:
            raise PromptError(
                f"prompt '{prompt.ref}': variable '{variable.name}' is required but was not"
                " supplied",
                where=_where(prompt, line),
                hint=f"pass --var {variable.name}=VALUE or --vars FILE",
            )
        else:
            values[variable.name] = variable.default
    return values


def render(
    prompt: PromptFile,
    supplied: Mapping[str, Any] | None = None,
    *,
    budget: RenderBudget = DEFAULT_BUDGET,
) -> Rendered:
    """Render ``prompt`` with ``supplied`` values within ``budget``; every error names the
    prompt, variable, line."""
    values = check_values(prompt, supplied or {})
    messages: list[Message] = []
    for index, section in enumerate(prompt.sections):
        text = render_section(
            section, values, label=prompt.ref, file=prompt.display, index=index, budget=budget
        )
        content = text.strip()
        if content:
            messages.append(Message(section.role, content))
    return Rendered(prompt=prompt, messages=tuple(messages), values=values)


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def coerce_value(prompt: PromptFile, name: str, text: str) -> Any:
    """A ``--var NAME=VALUE`` string converted to the input's declared type."""
    variable = prompt.input(name)
    if variable is None:
        declared = [v.name for v in prompt.inputs]
        raise UsageError(
            f"--var {name}=…: prompt '{prompt.ref}' has no input named '{name}'"
            f"{did_you_mean(name, declared)}",
            hint=f"declared inputs: {', '.join(declared) or 'none'}",
        )
    kind = variable.type
    try:
        if kind == "string":
            return text
        if kind == "integer":
            return int(text)
        if kind == "number":
            try:
                return int(text)
            except ValueError:
                return float(text)
        if kind == "boolean":
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(text)
        value = json.loads(text)
    except ValueError:
        value = None
    if kind in ("array", "object") and type_matches(value, kind):
        return value
    example = {"integer": "3", "number": "0.5", "boolean": "true", "array": '["a", "b"]'}.get(
        kind, '{"key": "value"}'
    )
    raise UsageError(
        f"--var {name}={text}: '{name}' is {kind} in prompt '{prompt.ref}'",
        where=_where(prompt, variable.line),
        hint=f"e.g. --var {name}={example}",
    )


def parse_var_options(options: list[str]) -> list[tuple[str, str]]:
    """``["a=1", "b=x=y"]`` → ``[("a", "1"), ("b", "x=y")]``; a UsageError for ``"a"``."""
    pairs: list[tuple[str, str]] = []
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {option!r}: expected KEY=VALUE")
        pairs.append((name.strip(), value))
    return pairs


def read_option_file(path: Path, option: str) -> str:
    """The normalised text of the file an option names (``--vars``, ``--from``); a file that
    is missing or unreadable is a usage error naming the option."""
    try:
        return normalize_text(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{option} {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{option} {path}: cannot read: {exc}") from None


def read_vars_file(path: Path) -> dict[str, Any]:
    """A ``--vars`` file: a YAML or JSON mapping of variable values."""
    import yaml

    text = read_option_file(path, "--vars")
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise UsageError(
            f"invalid YAML: {exc.problem}", where=f"{path}:{line}" if line else str(path)
        ) from None
    except yaml.YAMLError as exc:
        raise UsageError(f"invalid YAML: {exc}", where=str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise UsageError(f"--vars {path}: expected a mapping of variable names to values")
    return data
