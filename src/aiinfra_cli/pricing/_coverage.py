"""Which routed models of a config nothing prices: no table price and no ``pricing:`` override.

Their calls record no cost (the generated runtime and ``aiinfra cost-report`` alike), so budgets
never count them: ``aiinfra config validate`` warns about each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiinfra_cli.pricing._load import load_price_table
from aiinfra_cli.pricing._overrides import ConfiguredModel, overrides_from_config
from aiinfra_cli.pricing._table import PriceTable


class RouteChain(Protocol):
    """What coverage reads of a route (``aiinfra_cli.config.RouteConfig``)."""

    @property
    def chain(self) -> Sequence[str]: ...


class RoutedConfig(Protocol):
    """What coverage reads of a loaded config (``aiinfra_cli.config.Config``)."""

    @property
    def models(self) -> Sequence[ConfiguredModel]: ...
    @property
    def routes(self) -> Mapping[str, RouteChain]: ...


@dataclass(frozen=True)
class Unpriced:
    """A routed model without a price: its position in ``models``, and the routes using it."""

    index: int
    model: ConfiguredModel
    routes: tuple[str, ...]


def unpriced_routed_models(config: RoutedConfig, table: PriceTable | None = None) -> list[Unpriced]:
    """The models some route uses that neither the table nor an override prices.

    Raises :class:`aiinfra_cli.errors.PriceError` for an override that cannot be priced.
    """
    priced = (table or load_price_table()).with_overrides(overrides_from_config(config))
    found = []
    for index, model in enumerate(config.models):
        routes = tuple(name for name, route in config.routes.items() if model.id in route.chain)
        if not routes:
            continue
        kind = model.provider_kind
        price = priced.lookup(model.id, kind) or priced.lookup(model.model, kind)
        if price is None or price.input_per_mtok is None or price.output_per_mtok is None:
            found.append(Unpriced(index, model, routes))
    return found
