"""Demo material: what ``aiinfra demo`` (and the tests and benchmarks) run on, in one place.

Public surface::

    generate_events(...), write_jsonl(path, events), demo_config(agent_base_url=None)
    DEMO_CONFIG_FILE, DEMO_APP_DIR, DEMO_AGENT_ID        the sample config and app
    DemoAgentServer, answer(...), KEY, KEY_ENV, MODEL     the local stand-in for the agent's model
    DEMO_PROMPT                                           the sample prompt file
    sample_bill(...), write_sample_bill(...), DARK_KEY_ID, DARK_WORKSPACE   the sample bill

Nothing here is used by a real run: the commands import it only for ``aiinfra demo``.
"""

from __future__ import annotations

from aiinfra_cli.demo._agent_server import KEY, KEY_ENV, MODEL, DemoAgentServer, answer
from aiinfra_cli.demo._billing import DARK_KEY_ID, DARK_WORKSPACE, sample_bill, write_sample_bill
from aiinfra_cli.demo._data import (
    DEMO_AGENT_ID,
    DEMO_APP_DIR,
    DEMO_CONFIG_FILE,
    demo_config,
    generate_events,
    write_jsonl,
)
from aiinfra_cli.demo._prompt import DEMO_PROMPT

__all__ = [
    "DARK_KEY_ID",
    "DARK_WORKSPACE",
    "DEMO_AGENT_ID",
    "DEMO_APP_DIR",
    "DEMO_CONFIG_FILE",
    "DEMO_PROMPT",
    "KEY",
    "KEY_ENV",
    "MODEL",
    "DemoAgentServer",
    "answer",
    "demo_config",
    "generate_events",
    "sample_bill",
    "write_jsonl",
    "write_sample_bill",
]
