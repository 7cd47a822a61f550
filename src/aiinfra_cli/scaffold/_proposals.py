"""``init --agent``: what the agent is told about the repository, and its route proposals as a
commented block of ``config/ai-models.yaml``.

The block sits at the end of ``routes:``. Its first lines are a header; every line after it is
``# `` + a YAML line of the routes mapping (rationales are comments inside it), so deleting the
leading ``# `` of a proposal's lines accepts it, and deleting it from every line of the block
gives a config that still validates (:func:`uncomment_proposals`; ``render_all`` checks both).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from aiinfra_cli.scaffold._discover import ConfigAdditions, Discovery, provider_and_model

if TYPE_CHECKING:
    from aiinfra_cli.config import Config, ModelConfig

MARKER = "# aiinfra agent proposals (accept by uncommenting):"
# A proposal line: the comment mark, then the YAML line at the routes mapping's indent.
_PREFIX = "# "
_WRAP = 96


class Proposal(Protocol):
    """A proposed route (``aiinfra_cli.agent.RouteProposal`` has this shape)."""

    @property
    def name(self) -> str: ...
    @property
    def chain(self) -> tuple[str, ...]: ...
    @property
    def tier(self) -> str | None: ...
    @property
    def rationale(self) -> str: ...


def _one_line(text: str) -> str:
    """Model text fit for a YAML comment: printable, one line, no key."""
    from aiinfra_cli.redact import redact

    return " ".join("".join(c if c.isprintable() else " " for c in redact(text)).split())


def _scalar(text: str) -> str:
    """``text`` as a YAML string scalar: plain when YAML reads it back as that string, else
    quoted (``123``, ``null``, ``yes`` would not be strings)."""
    import json

    import yaml

    try:
        plain = yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text)


def proposals_block(routes: Sequence[Proposal], *, model: str, cost: str) -> str:
    """The commented block for ``routes`` (no trailing newline), or "" when there are none."""
    if not routes:
        return ""
    lines = [
        MARKER,
        f"# written by {_one_line(model)} ({cost}) from the scan; not live config until you",
        "# delete the leading '# ' of a proposal's lines (`aiinfra config validate` checks it).",
    ]
    for route in routes:
        tier = f" (tier: {route.tier})" if route.tier else ""
        comment = f"{route.name}{tier}: {_one_line(route.rationale)}"
        for part in textwrap.wrap(comment, _WRAP - len("#   # ")):
            lines.append(f"{_PREFIX}  # {part}")
        lines.append(f"{_PREFIX}  {_scalar(route.name)}:")
        lines.append(f"{_PREFIX}    chain: [{', '.join(_scalar(m) for m in route.chain)}]")
    return "\n".join(lines)


def uncomment_proposals(text: str) -> str:
    """``text`` with every proposal accepted: the block's lines after its header lose ``# ``."""
    lines = text.split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith(MARKER))
    except StopIteration:
        return text
    index = start + 1
    while index < len(lines) and lines[index].startswith("#"):
        line = lines[index]
        if line.startswith(_PREFIX + " "):  # a proposal line (the header's are not indented)
            lines[index] = line[len(_PREFIX) :]
        index += 1
    return "\n".join(lines)


def _usd(amount: Decimal | None) -> str | None:
    from aiinfra_cli.pricing import format_usd

    return None if amount is None else format_usd(amount)


def agent_facts(
    discovery: Discovery, config: Config, added: ConfigAdditions | None = None
) -> dict[str, Any]:
    """What the agent sees of a scan: the config's models with tiers and prices, each module's
    call sites (API, model, max_tokens, static input tokens, an estimated $ per call when the
    model and max_tokens are known) and the route ``init`` gave it, and the config's routes.
    Never code, prompts or file contents."""
    from aiinfra_cli.pricing import TokenUsage
    from aiinfra_cli.providers import ProbePricer

    pricer = ProbePricer(config)

    def price(model: ModelConfig, tokens_in: int, tokens_out: int) -> str | None:
        return _usd(pricer.price(model, TokenUsage(tokens_in, tokens_out))[0])

    by_name = {(m.provider_kind, m.model): m for m in config.models}
    models = [
        {
            "model_id": m.id,
            "provider": m.provider_kind,
            "model": m.model,
            "tier": m.tier,
            "context_window": m.context_window,
            "input_usd_per_mtok": price(m, 1_000_000, 0),
            "output_usd_per_mtok": price(m, 0, 1_000_000),
        }
        for m in config.models
    ]
    route_of = {r.file: r.name for r in (added.routes if added is not None else ())}
    modules: dict[str, list[dict[str, Any]]] = {}
    for site in discovery.sites:
        found = provider_and_model(site)
        entry = by_name.get(found) if found is not None else None
        estimate = None
        if entry is not None and site.max_tokens is not None:
            estimate = price(entry, site.static_input_tokens, site.max_tokens)
        modules.setdefault(site.file, []).append(
            {
                "line": site.line,
                "operation": site.api,
                "model": site.model,
                "model_id": entry.id if entry is not None else None,
                "max_tokens": site.max_tokens,
                "static_input_tokens": site.static_input_tokens,
                "estimated_usd_per_call": estimate,
                "tracked": site.instrumented,
            }
        )
    return {
        "scan": {
            "files_scanned": discovery.files_scanned,
            "call_sites": len(discovery.sites),
            "untracked_calls": len(discovery.untracked),
        },
        "models": models,
        "routes": [{"route": name, "chain": list(r.chain)} for name, r in config.routes.items()],
        "modules": [
            {"file": file, "route": route_of.get(file), "calls": len(sites), "call_sites": sites}
            for file, sites in sorted(modules.items())
        ],
    }
