"""The answer the model must give: its schema (one definition for validation and for the wire),
parsing of the reply text, and the typed recommendations. :func:`strict_schema` and
:func:`checked_json` serve every kind's answer (``init`` has its own, in ``_proposals``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiinfra_cli._jsondoc import json_object
from aiinfra_cli._schema import ListOf, Obj, Problem, Str

IMPACTS = ("saving", "risk")
MAX_RECOMMENDATIONS = 10

RECOMMENDATION = Obj(
    {
        "title": Str("One line: what to do.", min_length=1),
        "rationale": Str(
            "Why, citing the figures from the input that the recommendation rests on.",
            pattern=r"[\s\S]*\d[\s\S]*",
            pattern_hint=": cite at least one figure from the input",
        ),
        "impact": Str(
            "saving: money it saves each month; risk: money or reliability at stake each month.",
            enum=IMPACTS,
        ),
        "estimated_monthly_usd": Str(
            "The monthly saving or amount at risk in US dollars as a plain decimal string, e.g."
            ' "12.50"; "0" when the input does not allow an estimate.',
            pattern=r"[0-9]+(?:\.[0-9]+)?",
            pattern_hint=': write a plain decimal string such as "12.50"',
        ),
        "action": Str("The concrete change to make.", min_length=1),
        "location": Str(
            "A file:line copied from the input where the change goes, or null.", nullable=True
        ),
    },
    "One recommendation.",
    required=(
        "title",
        "rationale",
        "impact",
        "estimated_monthly_usd",
        "action",
        "location",
    ),
)
ANSWER = Obj(
    {
        "summary": Str("At most two sentences on what the figures say.", min_length=1),
        "recommendations": ListOf(
            RECOMMENDATION, f"At most {MAX_RECOMMENDATIONS}, the largest effect first."
        ),
    },
    "Recommendations from the analysis agent.",
    required=("summary", "recommendations"),
)

# Keywords the strictest provider mode (OpenAI's strict json_schema) refuses; the local
# validation still enforces them.
_UNSUPPORTED = ("pattern", "minLength", "minItems", "uniqueItems", "patternProperties")


def strict_schema(node: Obj) -> dict[str, Any]:
    """``node``'s JSON Schema in the subset every structured-output mode accepts (OpenAI's strict
    json_schema, Anthropic's output_config.format): every property required (nullable instead
    of optional), no extra properties, no string or list limits."""
    schema: dict[str, Any] = _strictly(node.json_schema())
    return schema


def wire_schema() -> dict[str, Any]:
    """The recommendations answer's JSON Schema as sent to the model (:func:`strict_schema`)."""
    return strict_schema(ANSWER)


def _strictly(node: Any) -> Any:
    if isinstance(node, list):
        return [_strictly(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {k: _strictly(v) for k, v in node.items() if k not in _UNSUPPORTED}
    if result.get("type") == "object" and "properties" in result:
        result["required"] = list(result["properties"])
        result["additionalProperties"] = False
    nullable = isinstance(result.get("type"), list) and "null" in result["type"]
    if nullable and isinstance(result.get("enum"), list):
        result["enum"] = [*result["enum"], None]  # a nullable enum must list null to allow it
    return result


@dataclass(frozen=True)
class Recommendation:
    """One recommendation, validated."""

    title: str
    rationale: str
    impact: str
    estimated_monthly_usd: Decimal
    action: str
    location: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form (money as a decimal string)."""
        return json_object(self)


@dataclass(frozen=True)
class Answer:
    """A valid answer: the summary and the recommendations."""

    summary: str
    recommendations: tuple[Recommendation, ...]


def _json_text(text: str) -> str:
    """The JSON document in a reply: fences and any words around the object removed."""
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0]
    start, end = body.find("{"), body.rfind("}")
    return body[start : end + 1] if 0 <= start < end else body


def checked_json(node: Obj, text: str) -> tuple[Any, list[str]]:
    """The JSON object in ``text`` when it matches ``node`` (lenient about fences and words
    around it, strict about the object), else None and what is wrong (at most five)."""
    try:
        data = json.loads(_json_text(text))
    except json.JSONDecodeError as exc:
        return None, [f"the reply is not one JSON object ({exc.msg} at line {exc.lineno})"]
    problems: list[Problem] = []
    node.check(data, (), problems)
    if problems:
        return None, [f"{p.dotted or 'answer'}: {p.message}" for p in problems[:5]]
    return data, []


def parse_answer(text: str) -> tuple[Answer | None, list[str]]:
    """The validated answer in ``text``, or None and what is wrong with it (at most five)."""
    data, problems = checked_json(ANSWER, text)
    if data is None:
        return None, problems
    items = data["recommendations"][:MAX_RECOMMENDATIONS]
    return (
        Answer(
            summary=" ".join(data["summary"].split()),
            recommendations=tuple(
                Recommendation(
                    title=item["title"].strip(),
                    rationale=item["rationale"].strip(),
                    impact=item["impact"],
                    estimated_monthly_usd=Decimal(item["estimated_monthly_usd"]),
                    action=item["action"].strip(),
                    location=(item["location"] or "").strip() or None,
                )
                for item in items
            ),
        ),
        [],
    )
