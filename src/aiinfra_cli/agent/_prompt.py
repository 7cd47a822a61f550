"""What the agent asks: one fixed system prompt per kind of input, and the redacted facts.

``init`` asks for route proposals (its own schema); the other kinds for recommendations."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiinfra_cli.agent._allowlist import scrub_text
from aiinfra_cli.agent._answer import MAX_RECOMMENDATIONS, Answer, parse_answer, wire_schema
from aiinfra_cli.agent._proposals import (
    MAX_ROUTES,
    Proposals,
    parse_proposals,
    proposals_wire_schema,
)

KINDS = ("cost-report", "optimize-context", "prompt-tests", "init")
COMMANDS = {
    "cost-report": "aiinfra cost-report",
    "optimize-context": "aiinfra optimize-context",
    "prompt-tests": "aiinfra prompt-library test",
    "init": "aiinfra init",
}
# Longest previous reply quoted back in the one retry.
_RETRY_QUOTE_CHARS = 6000

_FOCUS = {
    "cost-report": (
        "The input is a cost report over a period: totals, breakdowns by model, feature and day,"
        " cache hit rate, error and retry cost, anomalies, forecast and budget status. Look for"
        " the largest spend that a cheaper model tier, prompt caching, batching, a lower output"
        " cap or fewer retries would cut, and for budgets at risk before the month ends."
    ),
    "optimize-context": (
        "The input is a static analysis of the LLM calls in a code base: findings with rule codes,"
        " file:line locations and token and dollar estimates. Group findings that share one fix,"
        " put the largest dollar effect first, and name the file:line of each change."
    ),
    "prompt-tests": (
        "The input is a prompt test run: per case its status, tokens, context-window use, cost"
        " (estimated or measured), latency and failed checks. Explain failures from the figures,"
        " and point out prompts whose cost or window use is out of line with the others."
    ),
}

_SYSTEM = """\
You are the analysis agent of aiinfra, a toolkit that measures the cost and reliability of LLM \
calls. You receive the aggregated results of `{command}` as JSON. They are measured facts: do not \
recompute or contradict them, and never invent figures, models, files or locations that are not \
in them. Free text and personal data were removed before you saw the input; pseudonyms such as \
user-1 stand for people.

Write recommendations a developer can act on this week:
- the largest monthly effect first, at most {limit};
- the rationale cites the figures from the input it rests on;
- estimated_monthly_usd is the monthly saving (impact "saving") or the money at stake (impact \
"risk") as a plain decimal string, "0" when the input does not allow an estimate;
- action is concrete (a config key, a parameter, a code change); location is a file:line copied \
from the input, or null;
- nothing the input does not support; an empty list is a valid answer.

{focus}

Answer with one JSON object and nothing else (no Markdown fence, no prose around it), matching \
this JSON Schema:
{schema}"""


_SYSTEM_INIT = """\
You are the analysis agent of aiinfra, a toolkit that measures the cost and reliability of LLM \
calls. You receive as JSON what `aiinfra init` found in a repository: the models of its config \
(id, provider, tier, USD per million input and output tokens), each module that calls an LLM with \
its call sites (API, model, max_tokens, static input tokens, an estimated USD per call) and the \
route it was given, and the routes the config already has. They are measured facts: never invent \
models, modules or figures that are not in them. Free text and personal data were removed before \
you saw the input.

Propose routes (named fallback chains in config/ai-models.yaml) a developer can accept as they \
are:
- the most useful first, at most {limit}; an empty list is a valid answer;
- name is a new route name (letters, digits, '-', '_', '.'), never one of the input's routes;
- chain lists model_id values of the input's models in the order they are tried: the cheapest \
model that fits the work first, then a fallback, preferably of another provider;
- tier is the tier the work needs: fast for short classification, extraction or rewriting \
(small max_tokens), balanced for general generation, powerful or reasoning only when the input \
shows long outputs or reasoning models; null when the input does not say;
- rationale cites the module, call counts, max_tokens or prices of the input it rests on.

Answer with one JSON object and nothing else (no Markdown fence, no prose around it), matching \
this JSON Schema:
{schema}"""


@dataclass(frozen=True)
class AnswerFormat:
    """What an answer of one kind is: its schema's name and body (as sent), and its parser."""

    name: str
    schema: Callable[[], dict[str, Any]]
    parse: Callable[[str], tuple[Answer | Proposals | None, list[str]]]


_RECOMMENDATIONS = AnswerFormat("aiinfra_recommendations", wire_schema, parse_answer)
_PROPOSALS = AnswerFormat("aiinfra_route_proposals", proposals_wire_schema, parse_proposals)


def answer_format(kind: str) -> AnswerFormat:
    """``init`` answers with route proposals; every other kind with recommendations."""
    return _PROPOSALS if kind == "init" else _RECOMMENDATIONS


def answer_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema the answer for ``kind`` must follow (as sent to the model)."""
    return answer_format(kind).schema()


def system_prompt(kind: str) -> str:
    """The fixed instructions for ``kind``, with the answer's schema."""
    if kind == "init":
        return _SYSTEM_INIT.format(
            limit=MAX_ROUTES, schema=json.dumps(answer_schema(kind), separators=(",", ":"))
        )
    return _SYSTEM.format(
        command=COMMANDS[kind],
        limit=MAX_RECOMMENDATIONS,
        focus=_FOCUS[kind],
        schema=json.dumps(wire_schema(), separators=(",", ":")),
    )


def facts_message(kind: str, payload: dict[str, Any]) -> str:
    """The user message: the redacted facts as compact JSON, scrubbed once more as a whole."""
    document = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return scrub_text(f"Results of `{COMMANDS[kind]}`:\n{document}")


def retry_messages(
    first: list[dict[str, str]], reply: str, problems: list[str]
) -> list[dict[str, str]]:
    """The conversation for the one retry: the first request, the invalid reply, what is wrong."""
    quoted = scrub_text(reply[:_RETRY_QUOTE_CHARS])
    return [
        *first,
        {"role": "assistant", "content": quoted or "(empty reply)"},
        {
            "role": "user",
            "content": "That answer does not match the schema: "
            + "; ".join(problems)
            + ". Answer again with the corrected JSON object only.",
        },
    ]
