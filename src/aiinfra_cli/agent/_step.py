"""The agent's part of one command run, the same in every command.

A command that takes ``--agent`` does, in this order::

    cap = agent_cap(agent, agent_max_cost)            # options (commands/_agent_option.py)
    step = AgentStep.run(kind, facts, config, cap=cap, environ=environ) if agent else None
    document = step.attach(document)                 # the JSON document gets "agent"
    markdown = step.markdown(markdown)               # the "Recommendations" section
    step.show(console)                               # the terminal view
    step.notice()                                    # why there are none: one line on stderr

``facts`` comes from the engine (each engine exports what the agent may see next to its
document), or is a string saying why there is nothing to analyse: then no request is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiinfra_cli.agent._render import render_console, render_markdown, render_notice
from aiinfra_cli.agent._result import AgentRequest, AgentResult
from aiinfra_cli.agent._run import run

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.config import Config


@dataclass(frozen=True)
class AgentStep:
    """What the agent said, and how it joins the command's outputs."""

    result: AgentResult

    @classmethod
    def run(
        cls,
        kind: str,
        facts: Mapping[str, Any] | str,
        config: Config | None,
        *,
        cap: Decimal | None,
        environ: Mapping[str, str] | None = None,
        safe_fields: Sequence[str] = (),
    ) -> AgentStep:
        """Ask the agent about ``facts``; a string is why there is nothing to ask (no request:
        none is worth paying for)."""
        if isinstance(facts, str):
            return cls(AgentResult(kind, "unavailable", facts))
        request = AgentRequest(kind, dict(facts), safe_fields=tuple(safe_fields))
        return cls(run(request, config, max_cost=cap, environ=environ))

    def attach(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """``document`` with the agent's result under ``agent``."""
        return {**document, "agent": self.result.as_dict()}

    def markdown(self, text: str) -> str:
        """``text`` with the agent's section appended."""
        return text.rstrip("\n") + "\n\n" + render_markdown(self.result).rstrip("\n") + "\n"

    def show(self, console: Console) -> None:
        """The recommendations on ``console`` (nothing when there are none)."""
        render_console(console, self.result)

    def notice(self) -> None:
        """Why there are no recommendations, one line on stderr (nothing when ok)."""
        from aiinfra_cli import output

        render_notice(output.err_console(), self.result)
