"""The generated runtime (``aiinfra init``'s package) as a source of LLM call sites.

``complete(route, messages, ...)``, ``acomplete``, and an orchestrator's ``complete``,
``acomplete``, ``stream`` and ``astream`` send a request through a route of
``config/ai-models.yaml``. The scanner reports them as call sites (``sdk: "aiinfra"``), prices
them as the route's first model, and knows what the runtime always does: it caps the output
(1,024 tokens unless ``max_tokens`` is given, never above the model's maximum), sets a deadline,
records usage, and caches the prompt only when the route sets ``prompt_cache``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiinfra_cli.scan._resolve import tracked_match

if TYPE_CHECKING:
    from aiinfra_cli.config import Config

# The runtime's defaults (templates/python/ai/model_orchestrator.py.j2).
DEFAULT_MAX_TOKENS = 1024
DEFAULT_ROUTE = "default"
# Package-level functions → async; orchestrator methods → (async, streaming).
FUNCTIONS: dict[str, bool] = {"complete": False, "acomplete": True}
METHODS: dict[str, tuple[bool, bool]] = {
    "complete": (False, False),
    "acomplete": (True, False),
    "stream": (False, True),
    "astream": (True, True),
}
SDK = "aiinfra"


@dataclass(frozen=True)
class RouteFacts:
    """What a scan needs of one route: its first model, and whether it caches the prompt."""

    name: str
    model_id: str
    model: str
    provider: str
    prompt_cache: bool
    max_output_tokens: int | None = None


def route_facts(config: Config) -> tuple[RouteFacts, ...]:
    """The config's routes (those whose first model is configured)."""
    facts: list[RouteFacts] = []
    for name, route in sorted(config.routes.items()):
        first = config.model(route.chain[0]) if route.chain else None
        if first is None:
            continue
        facts.append(
            RouteFacts(
                name=name,
                model_id=first.id,
                model=first.model,
                provider=first.provider_kind or first.provider,
                prompt_cache=route.prompt_cache is not None,
                max_output_tokens=first.max_output_tokens,
            )
        )
    return tuple(facts)


def runtime_cap(route: RouteFacts | None) -> int:
    """The output cap the runtime applies when the call sets no ``max_tokens``."""
    cap = route.max_output_tokens if route is not None else None
    return min(DEFAULT_MAX_TOKENS, cap) if cap else DEFAULT_MAX_TOKENS


def is_runtime_function(qual: str, tracked: tuple[str, ...]) -> bool:
    """``ai.complete`` / ``myapp.ai.acomplete``: a function of the generated package."""
    owner, _, name = qual.rpartition(".")
    return name in FUNCTIONS and bool(owner) and tracked_match(f"{owner}.Orchestrator", tracked)


def is_orchestrator(qual: str, tracked: tuple[str, ...]) -> bool:
    """An instance of the generated package's ``Orchestrator``."""
    return qual.rsplit(".", 1)[-1] == "Orchestrator" and tracked_match(qual, tracked)
