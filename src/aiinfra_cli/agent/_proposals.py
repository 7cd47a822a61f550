"""The answer of the ``init`` kind: routes the agent proposes for the models and modules a scan of
the repository found. Its own schema (one definition for validation and the wire, like the
recommendations'), and the check that every proposal fits the config it would be added to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiinfra_cli._schema import ListOf, Obj, Str
from aiinfra_cli.agent._allowlist import scrub_text
from aiinfra_cli.agent._answer import checked_json, strict_schema
from aiinfra_cli.config import TIERS, Config

MAX_ROUTES = 10
# The config's rule for route names (``routes:`` keys).
ROUTE_NAME = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"

ROUTE_PROPOSAL = Obj(
    {
        "name": Str(
            "A new route name: letters, digits, '-', '_' or '.'; not a route the input lists.",
            pattern=ROUTE_NAME,
            pattern_hint=": use letters, digits, '-', '_' or '.'",
        ),
        "tier": Str(
            "The tier the route's work needs (fast, balanced, powerful, reasoning), or null.",
            enum=TIERS,
            nullable=True,
        ),
        "chain": ListOf(
            Str("A model_id from the input's models."),
            "The models tried in order, cheapest fit first.",
            min_items=1,
            unique=True,
        ),
        "rationale": Str(
            "Why, citing the module, call counts, max_tokens or prices of the input.",
            min_length=1,
        ),
    },
    "One route to add to config/ai-models.yaml.",
    required=("name", "tier", "chain", "rationale"),
)
PROPOSALS = Obj(
    {
        "summary": Str("At most two sentences on what the scan shows.", min_length=1),
        "routes": ListOf(ROUTE_PROPOSAL, f"At most {MAX_ROUTES}, the most useful first."),
    },
    "Routes proposed by the analysis agent.",
    required=("summary", "routes"),
)


def proposals_wire_schema() -> dict[str, Any]:
    """The ``init`` answer's JSON Schema as sent to the model."""
    return strict_schema(PROPOSALS)


@dataclass(frozen=True)
class RouteProposal:
    """One proposed route, validated against the schema and the config."""

    name: str
    chain: tuple[str, ...]
    tier: str | None
    rationale: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "tier": self.tier,
            "chain": list(self.chain),
            "rationale": self.rationale,
        }


@dataclass(frozen=True)
class Proposals:
    """A valid ``init`` answer."""

    summary: str
    routes: tuple[RouteProposal, ...]


def parse_proposals(text: str) -> tuple[Proposals | None, list[str]]:
    """The validated proposals in ``text``, or None and what is wrong with them (at most five)."""
    data, problems = checked_json(PROPOSALS, text)
    if data is None:
        return None, problems
    return (
        Proposals(
            summary=" ".join(data["summary"].split()),
            routes=tuple(
                RouteProposal(
                    name=item["name"],
                    chain=tuple(item["chain"]),
                    tier=item["tier"],
                    rationale=" ".join(item["rationale"].split()),
                )
                for item in data["routes"][:MAX_ROUTES]
            ),
        ),
        [],
    )


def grounded_routes(
    proposals: Proposals, config: Config, notes: list[str]
) -> tuple[RouteProposal, ...]:
    """The proposals that can be added to ``config`` as they are: a new name, known models.
    Each one left out gets a note, so the config written never names what does not exist."""
    known = {m.id for m in config.models}
    taken = set(config.routes)
    kept: list[RouteProposal] = []
    for number, route in enumerate(proposals.routes, start=1):
        unknown = [m for m in route.chain if m not in known]
        if route.name in taken:
            notes.append(f"route proposal {number}: {route.name} is already a route; left out")
        elif unknown:
            notes.append(
                f"route proposal {number}: {route.name} names models the config does not list"
                f" ({', '.join(scrub_text(m)[:64] for m in unknown)}); left out"
            )
        else:
            taken.add(route.name)
            kept.append(route)
    return tuple(kept)
