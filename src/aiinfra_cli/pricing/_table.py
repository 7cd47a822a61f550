"""The price table: entries by key, where they came from, resolution and overrides."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from aiinfra_cli.pricing._cost import CostBreakdown, cost
from aiinfra_cli.pricing._model import ModelPrice, PriceOverride
from aiinfra_cli.pricing._overrides import apply_override
from aiinfra_cli.pricing._resolve import Resolver
from aiinfra_cli.pricing._tokens import TokenUsage


@dataclass(frozen=True)
class SourceFile:
    """One LiteLLM file a table was built from (basename only, never a machine path)."""

    file: str
    sha256: str
    litellm_version: str | None
    entries: int
    selected: int
    kept: int


@dataclass(frozen=True)
class Provenance:
    """Where one table file came from: ``origin`` is ``"bundled"`` or ``"user copy"``."""

    origin: str
    as_of: str
    built_by: str
    upstream: str
    inputs: tuple[SourceFile, ...]
    models: int


class PriceTable:
    """Model prices by table key, resolved from any spelling of a model id.

    ``as_of`` is the newest date among the merged table files; ``provenance`` describes each.
    """

    def __init__(
        self,
        entries: Mapping[str, ModelPrice],
        *,
        as_of: str,
        provenance: tuple[Provenance, ...] = (),
    ) -> None:
        self._entries = dict(entries)
        self.as_of = as_of
        self.provenance = provenance
        self._index: Resolver | None = None
        self._aliases: dict[str, ModelPrice] = {}

    @property
    def _resolver(self) -> Resolver:
        # Built on first use: merging two tables must not pay for indexing each of them.
        if self._index is None:
            self._index = Resolver((key, p.provider, p.retired) for key, p in self._entries.items())
        return self._index

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: str) -> ModelPrice | None:
        """The entry stored under exactly ``key`` (no resolution, no overrides)."""
        return self._entries.get(key)

    def lookup(self, model: str, provider: str | None = None) -> ModelPrice | None:
        """The price for ``model`` as a provider, log or config names it; None when unpriced.

        Config aliases win; then the table, resolving prefixes, regions and dated ids.
        ``provider`` (e.g. ``"azure"``, ``"bedrock"``, a config kind) prefers that platform's entry.
        """
        if self._aliases:
            alias = self._aliases.get(model) or self._aliases.get(model.rsplit("/", 1)[-1])
            if alias is not None:
                return alias
        key = self._resolver.resolve(model, provider)
        return None if key is None else self._entries[key]

    def lookup_table(self, model: str, provider: str | None = None) -> ModelPrice | None:
        """Like :meth:`lookup`, ignoring config aliases (what ``price_as`` refers to)."""
        key = self._resolver.resolve(model, provider)
        return None if key is None else self._entries[key]

    def suggest(self, model: str) -> list[str]:
        """Up to three known ids close to ``model``, for a "did you mean" hint."""
        from difflib import get_close_matches

        aliases = get_close_matches(model, list(self._aliases), n=3, cutoff=0.75)
        return [*aliases, *self._resolver.suggest(model)][:3]

    def cost_of(
        self, model: str, usage: TokenUsage, *, provider: str | None = None, batch: bool = False
    ) -> CostBreakdown | None:
        """The cost of ``usage`` on ``model``, or None when the model is unpriced (never $0)."""
        price = self.lookup(model, provider)
        return None if price is None else cost(price, usage, batch=batch)

    def with_overrides(self, overrides: Mapping[str, PriceOverride]) -> PriceTable:
        """A table where each alias in ``overrides`` is priced as the override says.

        Raises :class:`aiinfra_cli.errors.PriceError` for an override that cannot be priced
        (``price_as`` unknown, or rates without an input and output price to start from).
        """
        aliases = dict(self._aliases)
        for alias, override in overrides.items():
            price = apply_override(self, alias, override)
            if price is not None:
                aliases[alias] = price
        self._resolver  # noqa: B018  (build the index once, so the copy shares it)
        clone = copy.copy(self)
        clone._aliases = aliases
        return clone
