"""``--agent`` / ``--agent-max-cost`` as every command reads them, without importing the agent."""

from __future__ import annotations

from decimal import Decimal

from aiinfra_cli._schema import parse_usd_option
from aiinfra_cli.errors import UsageError


def agent_cap(agent: bool, agent_max_cost: str | None) -> Decimal | None:
    """The ``--agent-max-cost`` cap (None: not given, or no ``--agent``).

    UsageError for a malformed amount, or a cap without ``--agent``. The agent package stays
    unimported here: commands call this on every run, and pre-commit runs are timed."""
    if not agent:
        if agent_max_cost is not None:
            raise UsageError("--agent-max-cost limits the agent: add --agent")
        return None
    return parse_usd_option(agent_max_cost, "--agent-max-cost", "0.25")
