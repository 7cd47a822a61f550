"""The price snapshot the generated tracker reads (``<package>/_prices.json``).

The generated code must not import aiinfra, so ``init`` writes the prices of the configured
models into the user's repository: every rate already resolved by ``aiinfra_cli.pricing``
(Anthropic's cache multipliers for Claude, reasoning at the output price where the table has
no reasoning price, config overrides and ``price_as`` applied), plus long-context tiers, each
with its own resolved rates. The tracker then prices by plain multiplication. Batch rates are
left out: the runtime makes no batch calls. Each model priced by a config override records it
(``override``): the tracker applies the config's overrides when it loads and compares them with
these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiinfra_cli.config import Config, ModelConfig
from aiinfra_cli.pricing import (
    PriceTable,
    Rates,
    TokenUsage,
    cost,
    format_usd,
    load_price_table,
    overrides_from_config,
)


def _rates(rates: Rates) -> dict[str, str]:
    return {name: format_usd(value) for name, value in vars(rates).items()}


def _override(model: ModelConfig) -> dict[str, Any]:
    """The config's ``pricing:`` and ``price_as`` of ``model``, as the snapshot records them."""
    found: dict[str, Any] = {}
    if model.price_as:
        found["price_as"] = model.price_as
    if model.pricing:
        found["pricing"] = {name: format_usd(rate) for name, rate in model.pricing.items()}
    return found


def price_snapshot(
    config: Config, table: PriceTable | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The snapshot document for ``config``'s models, and the ids of unpriced models."""
    base = table if table is not None else load_price_table()
    priced = base.with_overrides(overrides_from_config(config))
    models: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    unpriced: list[str] = []
    for model in config.models:
        price = priced.lookup(model.id, model.provider_kind) or priced.lookup(
            model.model, model.provider_kind
        )
        if price is None or price.input_per_mtok is None or price.output_per_mtok is None:
            unpriced.append(model.id)
            continue
        entry: dict[str, Any] = _rates(cost(price, TokenUsage(input_tokens=1)).rates)
        tiers = [
            {
                "above_tokens": tier.above_tokens,
                **_rates(cost(price, TokenUsage(input_tokens=tier.above_tokens + 1)).rates),
            }
            for tier in price.long_context
        ]
        if tiers:
            entry["long_context"] = tiers
        # Where the price came from, without the machine's paths (the file is committed).
        entry["source"] = "config pricing" if model.pricing else f"table: {price.key}"
        override = _override(model)
        if override:  # the runtime compares it with the config's when it loads
            entry["override"] = override
        models[model.id] = entry
        aliases.setdefault(model.model, model.id)
    document = {
        "description": (
            "Prices in USD per million tokens of the models in config/ai-models.yaml, written by"
            " `aiinfra init` from aiinfra's price table. Re-run `aiinfra init` to refresh."
        ),
        "as_of": base.as_of,
        "models": models,
        "aliases": {name: target for name, target in aliases.items() if name not in models},
    }
    return document, unpriced


def snapshot_text(document: dict[str, Any]) -> str:
    """The file's text: one model per line (a price change is a one-line diff)."""
    lines = ["{"]
    for key in ("description", "as_of"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(document[key])},")
    for section in ("models", "aliases"):
        items = list(document[section].items())
        comma = "," if section == "models" else ""
        lines.append(f'  "{section}": {{' + ("" if items else "}" + comma))
        for index, (name, value) in enumerate(items):
            last = "," if index < len(items) - 1 else ""
            lines.append(f"    {json.dumps(name)}: {json.dumps(value, sort_keys=True)}{last}")
        if items:
            lines.append("  }" + comma)
    lines.append("}")
    return "\n".join(lines) + "\n"


PRICES_NAME = "_prices.json"


def snapshot_paths(root: Path) -> list[Path]:
    """The price snapshots of the runtimes ``init`` generated under ``root`` (Python's, then
    TypeScript's): both apply the config's full overrides at load and price nothing else."""
    from aiinfra_cli.errors import AiinfraError
    from aiinfra_cli.scaffold._manifest import read_manifest
    from aiinfra_cli.scaffold._typescript import OPTION_PREFIX

    try:
        options = read_manifest(root).options
    except AiinfraError:  # a damaged manifest: init and upgrade report it
        return []
    packages = (options.get("package_dir"), options.get(OPTION_PREFIX + "package_dir"))
    return [root / package / PRICES_NAME for package in packages if package]


def runtime_unpriced(config: Config, path: Path) -> list[int] | None:
    """The positions in ``config.models`` of the routed models the runtime's snapshot at
    ``path`` does not price and no override prices at load (both input and output rates);
    None when the snapshot cannot be read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        names = set(document["models"]) | set(document.get("aliases", {}))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    routed = {model_id for route in config.routes.values() for model_id in route.chain}
    found = []
    for index, model in enumerate(config.models):
        rates = model.pricing or {}
        resolvable = "input_per_mtok" in rates and "output_per_mtok" in rates
        if model.id in routed and not resolvable and not {model.id, model.model} & names:
            found.append(index)
    return found
