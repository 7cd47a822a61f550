"""What a probe's own tokens cost, priced by the same engine as everything else."""

from __future__ import annotations

from decimal import Decimal

from aiinfra_cli.config import Config, ModelConfig
from aiinfra_cli.errors import PriceError
from aiinfra_cli.pricing import PriceTable, TokenUsage, load_price_table, overrides_from_config


class ProbePricer:
    """Prices probe usage with the bundled table plus the config's overrides (loaded once)."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._table: PriceTable | None = None
        self._problem: str | None = None

    def prepare(self) -> None:
        """Load the table now (tens of ms), before a deadline starts."""
        self._load()

    def _load(self) -> PriceTable | None:
        if self._table is None and self._problem is None:
            try:
                self._table = load_price_table().with_overrides(overrides_from_config(self._config))
            except PriceError as exc:
                self._problem = f"unpriced: {exc}"
        return self._table

    def price(self, model: ModelConfig, usage: TokenUsage) -> tuple[Decimal | None, str | None]:
        """The cost in USD and, when there is none, why (never a silent $0)."""
        table = self._load()
        if table is None:
            return None, self._problem
        for name in (model.id, model.model):
            try:
                breakdown = table.cost_of(name, usage, provider=model.provider_kind)
            except ValueError as exc:  # an entry without an input or output price
                return None, f"unpriced: {exc}"
            if breakdown is not None:
                return breakdown.total, None
        return None, f"unpriced: '{model.model}' is not in the price table"
