"""Assertions on a model's output: string, regex, JSON, JSON Schema, tokens, latency, cost, rubric.

Each evaluation returns a result with a one-line detail saying why it passed or failed; the
LLM-graded rubric is delegated to a ``grade`` callback so this module never calls a model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiinfra_cli._jsondoc import json_object
from aiinfra_cli._jsonschema import validate
from aiinfra_cli._schema import to_decimal
from aiinfra_cli.prompts._model import Assertion

_FENCE = re.compile(r"\A```[A-Za-z0-9_-]*[ \t]*\n(.*?)\n?```\Z", re.S)


@dataclass(frozen=True)
class Observation:
    """What one live call produced, as far as assertions care."""

    text: str
    output_tokens: int | None = None
    latency_ms: float | None = None
    cost: Decimal | None = None


@dataclass(frozen=True)
class Verdict:
    """A grader's answer to a rubric."""

    passed: bool
    reason: str


@dataclass(frozen=True)
class AssertionResult:
    """One assertion's outcome."""

    type: str
    label: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return json_object(self)


Grade = Callable[[str, str | None, str], Verdict]


def unfence(text: str) -> str:
    """The text inside one surrounding Markdown code fence, or the stripped text."""
    stripped = text.strip()
    match = _FENCE.match(stripped)
    return match[1].strip() if match else stripped


def parse_json(text: str) -> tuple[Any, str | None]:
    """The JSON value in ``text`` (fence removed), or None and the parse error."""
    try:
        return json.loads(unfence(text)), None
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= 60 else flat[:57] + "...")


def evaluate(
    assertion: Assertion, seen: Observation, grade: Grade | None = None
) -> AssertionResult:
    """Check ``assertion`` against ``seen``; ``grade`` answers llm-rubric assertions."""
    kind = assertion.type
    label = assertion.describe()
    text = seen.text

    def result(passed: bool, detail: str) -> AssertionResult:
        return AssertionResult(kind, label, passed, detail)

    if kind in ("contains", "icontains", "not-contains", "not-icontains"):
        fold = kind.endswith("icontains")
        haystack = text.lower() if fold else text
        wanted = _strings(assertion.value)
        present = [w for w in wanted if (w.lower() if fold else w) in haystack]
        if kind.startswith("not-"):
            return result(not present, f"found {present[0]!r}" if present else "none found")
        missing = [w for w in wanted if w not in present]
        return result(
            not missing, f"missing {missing[0]!r} in {_excerpt(text)}" if missing else "found"
        )
    if kind in ("regex", "not-regex"):
        match = re.search(str(assertion.value), text)
        if kind == "regex":
            return result(
                match is not None,
                f"matched {match[0]!r}" if match else f"no match in {_excerpt(text)}",
            )
        return result(match is None, f"matched {match[0]!r}" if match else "no match")
    if kind == "equals":
        expected = str(assertion.value).strip()
        actual = text.strip()
        return result(
            actual == expected, "equal" if actual == expected else f"got {_excerpt(actual)}"
        )
    if kind in ("is-json", "json-schema"):
        value, error = parse_json(text)
        if error is not None:
            return result(False, error)
        if kind == "is-json":
            return result(True, "valid JSON")
        errors = validate(value, assertion.value)
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return result(False, errors[0] + more)
        return result(True, "matches the schema")
    if kind == "max-tokens":
        if seen.output_tokens is None:
            return result(False, "the provider reported no output token count")
        limit = int(assertion.value)
        return result(
            seen.output_tokens <= limit, f"{seen.output_tokens} output tokens (limit {limit})"
        )
    if kind == "latency":
        if seen.latency_ms is None:
            return result(False, "no latency measured")
        limit_ms = float(assertion.value)
        return result(
            seen.latency_ms <= limit_ms, f"{seen.latency_ms:.0f} ms (limit {limit_ms:g} ms)"
        )
    if kind == "cost":
        budget = to_decimal(assertion.value) or Decimal(0)
        if seen.cost is None:
            return result(False, "unpriced: the model is not in the price table")
        return result(seen.cost <= budget, f"${seen.cost} (limit ${budget})")
    if kind == "llm-rubric":
        if grade is None:
            return result(False, "no grader available")
        verdict = grade(str(assertion.value), assertion.grader, text)
        return result(verdict.passed, verdict.reason)
    return result(False, f"unknown assertion type '{kind}'")


GRADER_SYSTEM = (
    "You grade the output of another model against a rubric. Reply with one JSON object and"
    ' nothing else: {"pass": true or false, "reason": "one short sentence"}.'
)


def grader_messages(rubric: str, output: str) -> tuple[str, list[dict[str, str]]]:
    """The grader's system prompt and messages for one rubric and output."""
    user = f"<rubric>\n{rubric}\n</rubric>\n\n<output>\n{output}\n</output>"
    return GRADER_SYSTEM, [{"role": "user", "content": user}]


def parse_verdict(reply: str) -> Verdict:
    """A grader's reply as a verdict; anything but a JSON object with a boolean ``pass`` fails."""
    value, error = parse_json(reply)
    if error is None and isinstance(value, dict) and isinstance(value.get("pass"), bool):
        reason = value.get("reason")
        return Verdict(
            value["pass"],
            str(reason) if reason else ("meets" if value["pass"] else "fails") + " the rubric",
        )
    return Verdict(False, f"the grader's reply is not a verdict: {_excerpt(reply)}")
