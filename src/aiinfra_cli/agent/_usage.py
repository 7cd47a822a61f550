"""The agent's own calls as usage events (feature ``aiinfra-agent``); see
:mod:`aiinfra_cli.usage` (``own_call_event``, ``append_event``) for the file and the line."""

from __future__ import annotations

FEATURE = "aiinfra-agent"
