"""Price overrides: config aliases, ``price_as`` and explicit rates, applied to a table."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aiinfra_cli.errors import PriceError
from aiinfra_cli.pricing._model import OVERRIDE_RATES, ModelPrice, PriceOverride
from aiinfra_cli.pricing._money import parse_decimal
from aiinfra_cli.pricing._rules import vendor_of

if TYPE_CHECKING:
    from aiinfra_cli.pricing._table import PriceTable


class ConfiguredModel(Protocol):
    """What pricing reads of a config model entry (``aiinfra_cli.config.ModelConfig``)."""

    @property
    def id(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def provider_kind(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def pricing(self) -> Mapping[str, Decimal] | None: ...
    @property
    def price_as(self) -> str | None: ...


class PricedConfig(Protocol):
    """What pricing reads of a loaded config (``aiinfra_cli.config.Config``)."""

    @property
    def models(self) -> Sequence[ConfiguredModel]: ...


def overrides_from_config(config: PricedConfig) -> dict[str, PriceOverride]:
    """Overrides from a loaded config (``aiinfra_cli.config.Config``), keyed by alias.

    Reads ``config.models``' ``id``, ``model``, ``provider``, ``provider_kind``, ``pricing`` and
    ``price_as``. Both the config id and the provider's model name become aliases; ids win
    over model names, and the first model with a given name wins.
    """
    path = getattr(config, "path", None)
    where = _display(path) if isinstance(path, Path) else "config"
    by_id: dict[str, PriceOverride] = {}
    by_model: dict[str, PriceOverride] = {}
    for entry in config.models:
        rates = dict(entry.pricing or {})
        override = PriceOverride(
            price_as=entry.price_as,
            model=entry.model,
            provider=entry.provider_kind or entry.provider,
            rates=rates,
            origin=f"{where}: model '{entry.id}'",
        )
        if entry.id != entry.model:
            by_id.setdefault(entry.id, override)
        if rates or entry.price_as:  # a bare model name needs no alias: the table resolves it
            by_model.setdefault(entry.model, override)
    return {**by_model, **by_id}


def apply_override(table: PriceTable, alias: str, override: PriceOverride) -> ModelPrice | None:
    """The price ``alias`` gets, or None when there is nothing to price it by."""
    unknown = sorted(set(override.rates) - set(OVERRIDE_RATES))
    if unknown:
        raise PriceError(
            f"unknown price key {unknown[0]!r}",
            where=override.origin,
            hint=f"known keys: {', '.join(OVERRIDE_RATES)}",
        )
    base = None
    if override.price_as:
        base = table.lookup_table(override.price_as, override.provider)
        if base is None:
            near = table.suggest(override.price_as)
            raise PriceError(
                f"price_as {override.price_as!r} is not in the price table",
                where=override.origin,
                hint=f"did you mean {near[0]!r}?" if near else "see 'aiinfra prices show MODEL'",
            )
    elif override.model:
        base = table.lookup_table(override.model, override.provider)
    rates: dict[str, Any] = {name: _rate(override, name, v) for name, v in override.rates.items()}
    if not rates:
        if base is None:
            return None
        return replace(base, source=f"{override.origin}: priced as {base.key}; {base.source}")
    if "input_per_mtok" in rates or "output_per_mtok" in rates:
        return _fresh(alias, override, base, rates)
    if base is None:
        raise PriceError(
            "pricing needs input_per_mtok and output_per_mtok: the model is not in the price table",
            where=override.origin,
        )
    return replace(
        base,
        **rates,
        source=f"{override.origin}: overrides {', '.join(rates)} of {base.key}; {base.source}",
    )


def _fresh(
    alias: str, override: PriceOverride, base: ModelPrice | None, rates: dict[str, Any]
) -> ModelPrice:
    # Rates not named are cleared, not inherited: the table's cache, batch and long-context
    # prices belong to the table's base price, and the fallback rules derive them from the new one.
    provider = base.provider if base else (override.provider or "config")
    skeleton = ModelPrice(
        key=base.key if base else alias,
        provider=provider,
        mode=base.mode if base else "chat",
        input_per_mtok=base.input_per_mtok if base else None,
        output_per_mtok=base.output_per_mtok if base else None,
        context_window=base.context_window if base else None,
        max_output_tokens=base.max_output_tokens if base else None,
        deprecation_date=base.deprecation_date if base else None,
        retired=base.retired if base else False,
        source=override.origin,
        vendor=base.vendor if base else vendor_of(override.model or alias, provider),
    )
    price = replace(skeleton, **rates)
    if price.input_per_mtok is None or price.output_per_mtok is None:
        raise PriceError(
            "pricing needs input_per_mtok and output_per_mtok: the model is not in the price table",
            where=override.origin,
        )
    return price


def _rate(override: PriceOverride, name: str, value: object) -> Decimal:
    try:
        rate = value if isinstance(value, Decimal) else parse_decimal(str(value))
    except ValueError:
        rate = Decimal(-1)
    if isinstance(value, bool) or not rate.is_finite() or rate < 0:
        raise PriceError(
            f"{name} must be a non-negative number, not {value!r}", where=override.origin
        )
    return rate


def _display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)
