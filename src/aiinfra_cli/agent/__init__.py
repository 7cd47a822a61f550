"""The opt-in analysis agent: written recommendations on top of a command's measured results.

A command passes the facts its engine exports (aggregated, deterministic results) to
:class:`AgentStep`, which runs the same sequence in every command::

    step = AgentStep.run(kind, facts, config, cap=cap, environ=None, safe_fields=("message",))
    document = step.attach(document)   # the JSON report gets "agent"
    markdown = step.markdown(markdown) # the "Recommendations" section
    step.show(console)                 # the terminal view
    step.notice()                      # why there are none: one line; exit code as is

Before anything leaves the process the facts go through an allow-list redaction
(:func:`redact_facts`); the request is bounded by a pre-flight estimate and a cost cap; the model
must answer in a JSON schema (validated, one retry); every answered request is appended to the
usage log as an event with feature ``aiinfra-agent``. ``docs/agent.md`` has the rules.

Public surface::

    AgentStep.run(kind, facts | reason, config, cap=, environ=, safe_fields=)
        .attach(document), .markdown(text), .show(console), .notice(), .result
    AgentRequest(kind, facts, safe_fields=()), KINDS
    run(request, config, *, max_cost=None, environ=None, record_usage=True,
        max_wait_s=DEFAULT_MAX_WAIT_S) -> AgentResult
    AgentResult (.status, .reason, .ok, .notice(), .as_dict(), .recommendations, .routes),
    Recommendation, RouteProposal (the ``init`` kind's answer: routes to add to the config)
    parse_max_cost(text, flag="--agent-max-cost"), DEFAULT_MAX_COST
    render_markdown(result, level=2), render_console(console, result),
    render_notice(console, result)
    redact_facts(facts, safe_fields) -> (payload, RedactionReport), scrub_text(text)
    wire_schema(), proposals_wire_schema(), parse_answer(text), FEATURE
"""

from __future__ import annotations

from aiinfra_cli.agent._allowlist import RedactionReport, redact_facts, scrub_text
from aiinfra_cli.agent._answer import Answer, Recommendation, parse_answer, wire_schema
from aiinfra_cli.agent._prompt import KINDS
from aiinfra_cli.agent._proposals import RouteProposal, proposals_wire_schema
from aiinfra_cli.agent._render import render_console, render_markdown, render_notice
from aiinfra_cli.agent._result import STATUSES, AgentRequest, AgentResult, Attempt, Status
from aiinfra_cli.agent._run import DEFAULT_MAX_COST, DEFAULT_MAX_WAIT_S, parse_max_cost, run
from aiinfra_cli.agent._step import AgentStep
from aiinfra_cli.agent._usage import FEATURE

__all__ = [
    "DEFAULT_MAX_COST",
    "DEFAULT_MAX_WAIT_S",
    "FEATURE",
    "KINDS",
    "STATUSES",
    "AgentRequest",
    "AgentResult",
    "AgentStep",
    "Answer",
    "Attempt",
    "Recommendation",
    "RedactionReport",
    "RouteProposal",
    "Status",
    "parse_answer",
    "parse_max_cost",
    "proposals_wire_schema",
    "redact_facts",
    "render_console",
    "render_markdown",
    "render_notice",
    "run",
    "scrub_text",
    "wire_schema",
]
