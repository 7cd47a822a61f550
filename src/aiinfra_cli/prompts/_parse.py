"""Read one prompt file (front matter + Jinja body) or one ``NAME.tests.yaml`` into typed objects.

Every problem carries the file and line; a file with any problem yields no :class:`PromptFile`,
so callers can list the good files and print one line for each bad one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiinfra_cli._jsonschema import json_type, schema_problems
from aiinfra_cli._schema import Bool, ListOf, MapOf, Node, Obj, Str, did_you_mean, format_path
from aiinfra_cli._schema import Path as KeyPath
from aiinfra_cli._schema import Problem as SchemaProblem
from aiinfra_cli.config import LoadedYaml, YamlSyntaxError, load_yaml
from aiinfra_cli.prompts._errors import Problem
from aiinfra_cli.prompts._model import (
    DEFAULT_ROLE,
    TYPES,
    Assertion,
    ModelSpec,
    PromptFile,
    TestCase,
    Variable,
)
from aiinfra_cli.prompts._sandbox import analyse, split_sections
from aiinfra_cli.redact import find_secret

NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
SEMVER_PATTERN = r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_REF = re.compile(r"\$\{env:[A-Za-z_][A-Za-z0-9_]*\}")

ASSERTION_TYPES = (
    "contains",
    "icontains",
    "not-contains",
    "not-icontains",
    "regex",
    "not-regex",
    "equals",
    "is-json",
    "json-schema",
    "max-tokens",
    "latency",
    "cost",
    "llm-rubric",
)


class AnyValue(Node):
    """Any YAML value (free-form parameters, defaults, expected values)."""

    def check(self, value: Any, path: KeyPath, problems: list[SchemaProblem]) -> None:
        return None

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({})


_STRINGS = ListOf(Str())
ASSERTION = Obj(
    {"type": Str(enum=ASSERTION_TYPES), "value": AnyValue(), "grader": Str(min_length=1)},
    required=("type",),
)
TEST_CASE = Obj(
    {
        "name": Str(
            min_length=1, pattern=r"[^\n]{1,80}", pattern_hint=" (one line, at most 80 characters)"
        ),
        "description": Str(),
        "vars": MapOf(AnyValue()),
        "assert": ListOf(ASSERTION),
    },
    required=("name",),
)
INPUT = Obj(
    {
        "type": Str(enum=TYPES),
        "required": Bool(),
        "default": AnyValue(),
        "description": Str(),
        "sample": AnyValue(),
    }
)
FRONT_MATTER = Obj(
    {
        "$schema": Str(),
        "name": Str(
            pattern=NAME_PATTERN,
            pattern_hint=" (letters, digits, '-' and '_', starting with a letter or digit)",
        ),
        "version": Str(pattern=SEMVER_PATTERN, pattern_hint=" (use MAJOR.MINOR.PATCH, e.g. 1.0.0)"),
        "description": Str(),
        "authors": _STRINGS,
        "tags": _STRINGS,
        "model": Obj(
            {
                "api": Str(enum=("chat",)),
                "configuration": Obj(
                    {
                        "type": Str(enum=("aiinfra", "openai", "azure_openai")),
                        "name": Str(min_length=1),
                        "route": Str(min_length=1),
                        "azure_deployment": Str(min_length=1),
                        "azure_endpoint": Str(),
                        "api_version": Str(),
                        "organization": Str(),
                        "connection": Str(),
                        "api_key": Str(),
                    }
                ),
                "parameters": MapOf(AnyValue()),
                "response": Str(enum=("first",)),
            }
        ),
        "inputs": MapOf(INPUT),
        "outputs": AnyValue(),
        "sample": MapOf(AnyValue()),
        "template": Str(enum=("jinja2",)),
        "tests": ListOf(TEST_CASE),
    },
    required=("name", "version"),
)


def normalize_text(text: str) -> str:
    """Drop a BOM and turn CRLF / CR into LF (the first step of reading any library file)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _stringify_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_keys(v) for v in value]
    return value


def content_hash(meta: Mapping[str, Any], body: str) -> str:
    """``sha256:`` + hex digest of the canonical front matter (no version, tests) and the body."""
    kept = {k: v for k, v in meta.items() if k not in ("version", "tests")}
    canonical = json.dumps(
        _stringify_keys(kept),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    digest = hashlib.sha256((canonical + "\n" + body).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def split_front_matter(text: str) -> tuple[str, str, int]:
    """``(yaml_text, body, body_line)`` of a normalised file; ValueError(line, message) if bad.

    The YAML starts on file line 2; ``body_line`` is the file line the body starts on.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ValueError(
            1,
            "a prompt file starts with a '---' line, then YAML front matter, a closing '---'"
            " line, and the template",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise ValueError(1, "the front matter is never closed: add a '---' line after it")


class _Located:
    """Turns schema problems at key paths into file problems at file lines."""

    def __init__(self, loaded: LoadedYaml, file: str, offset: int) -> None:
        self.loaded = loaded
        self.file = file
        self.offset = offset

    def line(self, path: KeyPath) -> int | None:
        line = self.loaded.line_of(path)
        return line + self.offset if line is not None else None

    def problem(self, path: KeyPath, message: str) -> Problem:
        key = format_path(path)
        return Problem(self.file, self.line(path), f"{key}: {message}" if key else message)


def _load(yaml_text: str, file: str, offset: int) -> tuple[_Located | None, list[Problem]]:
    try:
        loaded = load_yaml(yaml_text)
    except YamlSyntaxError as exc:
        line = exc.line + offset if exc.line is not None else None
        # The loader numbers lines of the YAML alone; the file has the front matter's offset.
        message = re.sub(
            r"started on line (\d+)", lambda m: f"started on line {int(m[1]) + offset}", exc.message
        )
        return None, [
            Problem(file, line, f"{message} (check indentation and quoting on that line)")
        ]
    located = _Located(loaded, file, offset)
    return located, [located.problem(p.path, p.message) for p in loaded.problems]


def _type_ok(value: Any, type_name: str) -> bool:
    actual = json_type(value)
    widened = type_name == "number" and actual == "integer"  # every integer is a number
    return type_name in TYPES and (actual == type_name or widened)


def describe_value(value: Any) -> str:
    """``string 'abc'``, ``integer 3``, ``array`` … for type-mismatch messages."""
    kind = json_type(value)
    if kind == "boolean":
        return f"boolean {str(value).lower()}"
    if kind in ("integer", "number"):
        return f"{kind} {value}"
    if kind == "string":
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"string {shown!r}"
    return kind


def type_matches(value: Any, type_name: str) -> bool:
    """Whether ``value`` has the declared input type (see docs/prompt-format.md)."""
    return _type_ok(value, type_name)


def _assertion_problems(item: Mapping[str, Any], path: KeyPath, at: _Located) -> list[Problem]:
    kind = item.get("type")
    value = item.get("value")
    here = (*path, "value")
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(at.problem(here, message))

    if kind in ("contains", "icontains", "not-contains", "not-icontains"):
        ok = isinstance(value, str) or (
            isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        )
        if not ok:
            bad(f"'{kind}' needs a string or a list of strings")
    elif kind in ("regex", "not-regex"):
        if not isinstance(value, str):
            bad(f"'{kind}' needs a regular expression string")
        else:
            try:
                re.compile(value)
            except re.error as exc:
                bad(f"invalid regular expression: {exc}")
    elif kind == "equals":
        if not isinstance(value, str):
            bad("'equals' needs a string")
    elif kind == "json-schema":
        for message in schema_problems(value, "value"):
            bad(message.removeprefix("value: ").removeprefix("value"))
    elif kind == "max-tokens":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            bad("'max-tokens' needs a whole number of tokens >= 1")
    elif kind == "latency":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            bad("'latency' needs a number of milliseconds > 0")
    elif kind == "cost":
        from aiinfra_cli._schema import to_decimal

        amount = to_decimal(value)
        if amount is None or amount < 0:
            bad("'cost' needs an amount in USD, e.g. 0.002")
    elif kind == "llm-rubric":
        if not isinstance(value, str) or not value.strip():
            bad("'llm-rubric' needs the rubric text")
    elif kind == "is-json" and value is not None:
        bad("'is-json' takes no value (use json-schema to check the shape)")
    if "grader" in item and kind != "llm-rubric":
        problems.append(at.problem((*path, "grader"), "only llm-rubric assertions take a grader"))
    return problems


def _cases(raw: Any, path: KeyPath, at: _Located) -> tuple[list[TestCase], list[Problem]]:
    problems: list[Problem] = []
    cases: list[TestCase] = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        case_path = (*path, index)
        asserts: list[Assertion] = []
        for position, entry in enumerate(item.get("assert") or []):
            entry_path = (*case_path, "assert", position)
            problems.extend(_assertion_problems(entry, entry_path, at))
            asserts.append(
                Assertion(
                    type=entry["type"],
                    value=entry.get("value"),
                    grader=entry.get("grader"),
                    line=at.line(entry_path),
                )
            )
        cases.append(
            TestCase(
                name=item["name"],
                vars=dict(item.get("vars") or {}),
                asserts=tuple(asserts),
                description=item.get("description", ""),
                file=at.file,
                line=at.line(case_path),
            )
        )
    return cases, problems


def _inputs(raw: Mapping[str, Any], at: _Located) -> tuple[list[Variable], list[Problem]]:
    problems: list[Problem] = []
    variables: list[Variable] = []
    for name, spec in raw.items():
        path: KeyPath = ("inputs", name)
        if not _IDENTIFIER.fullmatch(name):
            problems.append(
                at.problem(path, "an input name is a template identifier ([A-Za-z_][A-Za-z0-9_]*)")
            )
            continue
        type_name = spec.get("type", "string")
        has_default = "default" in spec
        default = spec.get("default")
        required = spec.get("required", not has_default)
        if has_default and default is not None and not _type_ok(default, type_name):
            problems.append(
                at.problem(
                    (*path, "default"), f"must be {type_name}, got {describe_value(default)}"
                )
            )
        if has_default and required:
            problems.append(
                at.problem((*path, "required"), "an input with a default cannot be required")
            )
        variables.append(
            Variable(
                name=name,
                type=type_name,
                required=bool(required),
                default=default,
                has_default=has_default,
                description=spec.get("description", ""),
                line=at.line(path),
            )
        )
    return variables, problems


def _model(raw: Mapping[str, Any] | None, at: _Located) -> tuple[ModelSpec | None, list[Problem]]:
    if raw is None:
        return None, []
    problems: list[Problem] = []
    conf = raw.get("configuration") or {}
    key = conf.get("api_key")
    if isinstance(key, str) and not _ENV_REF.fullmatch(key.strip()):
        kind = find_secret(key)
        problems.append(
            at.problem(
                ("model", "configuration", "api_key"),
                (f"this looks like a literal {kind}: " if kind else "")
                + "keys come from environment variables only (remove api_key; the provider entry"
                " in config/ai-models.yaml names the variable)",
            )
        )
    route = conf.get("route")
    name = conf.get("name") or conf.get("azure_deployment")
    if route and conf.get("name"):
        problems.append(
            at.problem(("model", "configuration", "route"), "give either route or name, not both")
        )
    spec = ModelSpec(
        route=route,
        name=None if route else name,
        kind=conf.get("type"),
        parameters=dict(raw.get("parameters") or {}),
        line=at.line(("model",)),
    )
    return spec, problems


def parse_prompt_text(
    text: str, *, path: Path, display: str, category: str
) -> tuple[PromptFile | None, list[Problem]]:
    """Parse and validate a prompt file's text: the prompt (None if any problem), and problems."""
    text = normalize_text(text)
    try:
        yaml_text, body, body_line = split_front_matter(text)
    except ValueError as exc:
        line, message = exc.args
        return None, [Problem(display, line, message)]
    at, problems = _load(yaml_text, display, offset=1)
    if at is None:
        return None, problems
    data = at.loaded.data
    if data is None:
        return None, [
            Problem(display, 1, "the front matter is empty: it needs at least name and version")
        ]
    schema_found: list[SchemaProblem] = []
    FRONT_MATTER.check(data, (), schema_found)
    for found in schema_found:
        message = found.message
        if found.path == ("version",) and message.startswith("expected a string"):
            message += ' (quote it: version: "1.0.0")'
        problems.append(at.problem(found.path, message))
    if problems or not isinstance(data, dict):
        return None, _sorted(problems)
    inputs, found_inputs = _inputs(data.get("inputs") or {}, at)
    model, found_model = _model(data.get("model"), at)
    cases, found_cases = _cases(data.get("tests"), ("tests",), at)
    problems = found_inputs + found_model + found_cases
    for variable in inputs:
        if variable.name in (data.get("sample") or {}):
            value = data["sample"][variable.name]
            if value is not None and not _type_ok(value, variable.type):
                problems.append(
                    at.problem(
                        ("sample", variable.name),
                        f"must be {variable.type}, got {describe_value(value)}",
                    )
                )
    sections = split_sections(body, body_line, DEFAULT_ROLE[category])
    analysis = analyse(sections)
    problems.extend(Problem(display, line, message) for line, message in analysis.problems)
    if problems:
        return None, _sorted(problems)
    prompt = PromptFile(
        path=path,
        display=display,
        category=category,
        name=data["name"],
        version=data["version"],
        description=data.get("description", ""),
        authors=tuple(data.get("authors") or ()),
        tags=tuple(data.get("tags") or ()),
        model=model,
        inputs=tuple(inputs),
        sample=data.get("sample"),
        tests=tuple(cases),
        meta=data,
        body=body,
        body_line=body_line,
        sections=sections,
        used=dict(analysis.used),
        static_text=analysis.static_text,
        content_hash=content_hash(data, body),
        lines={k: v + 1 for k, v in at.loaded.lines.items()},
    )
    return prompt, []


def parse_tests_text(text: str, *, display: str) -> tuple[list[TestCase], list[Problem]]:
    """Parse a ``NAME.tests.yaml`` file: a mapping with a ``tests`` list, or just the list."""
    at, problems = _load(normalize_text(text), display, offset=0)
    if at is None:
        return [], problems
    data = at.loaded.data
    if data is None:
        return [], []
    path: KeyPath = ()
    if isinstance(data, dict):
        unknown = [k for k in data if k != "tests" and not str(k).startswith("x-")]
        for key in unknown:
            problems.append(
                at.problem((str(key),), f"unknown key{did_you_mean(str(key), ['tests'])}")
            )
        data, path = data.get("tests"), ("tests",)
    found: list[SchemaProblem] = []
    ListOf(TEST_CASE).check(data, path, found)
    problems.extend(at.problem(p.path, p.message) for p in found)
    if problems:
        return [], _sorted(problems)
    cases, case_problems = _cases(data, path, at)
    return cases, _sorted(problems + case_problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: p.line or 0)
