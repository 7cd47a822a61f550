"""Reading ``prices.json`` files, and the effective table: bundled, merged with the user's copy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiinfra_cli.errors import PriceError
from aiinfra_cli.pricing._model import JSON_RATES, LongContextTier, ModelPrice, vendor_of
from aiinfra_cli.pricing._money import parse_decimal
from aiinfra_cli.pricing._table import PriceTable, Provenance, SourceFile

USER_TABLE_NAME = "prices.json"
_cache: dict[tuple[str, int, int], PriceTable] = {}


def bundled_table_path() -> Path:
    """The price table shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "prices.json"


def user_table_path() -> Path:
    """The user's refreshed copy (written by ``aiinfra prices update``)."""
    from aiinfra_cli.paths import user_data_dir

    return user_data_dir() / USER_TABLE_NAME


def load_price_table() -> PriceTable:
    """The effective table: the bundled one merged with the user's copy when there is one.

    On a key both have, the file with the newer ``as_of`` wins (the user's copy on a tie).
    Memoised per state of the user's copy, so a refresh is picked up and repeats are free.
    """
    user = user_table_path()
    try:
        stat = user.stat()
        state = (str(user), stat.st_mtime_ns, stat.st_size)
    except OSError:
        state = (str(user), -1, -1)
    cached = _cache.get(state)
    if cached is not None:
        return cached
    table = read_table(bundled_table_path(), origin="bundled")
    if state[1] != -1:
        table = merge(table, read_table(user, origin="user copy"))
    _cache.clear()
    _cache[state] = table
    return table


def read_table(path: Path, *, origin: str) -> PriceTable:
    """Parse one ``prices.json``; a damaged file is a one-line PriceError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceError(f"cannot read the {origin} price table {path}: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PriceError(
            f"damaged price table: {exc.msg} (column {exc.colno})",
            where=f"{path}:{exc.lineno}",
            hint="run 'aiinfra prices update --from FILE' again, or delete the file",
        ) from None
    try:
        return table_from_document(document, origin=origin)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise PriceError(f"damaged price table: {exc}", where=str(path)) from None


def table_from_document(document: object, *, origin: str) -> PriceTable:
    """A :class:`PriceTable` from a parsed ``prices.json`` document; ValueError if not one."""
    if not isinstance(document, Mapping) or document.get("format") != "aiinfra-prices":
        raise ValueError("not an aiinfra price table (no 'format': 'aiinfra-prices')")
    as_of = str(document["as_of"])
    raw = document.get("provenance") or {}
    inputs = tuple(
        SourceFile(
            file=str(item["file"]),
            sha256=str(item["sha256"]),
            litellm_version=item.get("litellm_version"),
            entries=int(item.get("entries", 0)),
            selected=int(item.get("selected", 0)),
            kept=int(item.get("kept", 0)),
        )
        for item in raw.get("inputs", ())
    )
    provenance = Provenance(
        origin=origin,
        as_of=as_of,
        built_by=str(raw.get("built_by", "")),
        upstream=str(raw.get("upstream", "")),
        inputs=inputs,
        models=len(document["models"]),
    )
    sources = [_source_label(origin, as_of, item) for item in inputs] or [f"{origin} price table"]
    entries = {
        key: _entry(key, value, sources[min(int(value.get("from", 0)), len(sources) - 1)])
        for key, value in document["models"].items()
    }
    return PriceTable(entries, as_of=as_of, provenance=(provenance,))


def merge(bundled: PriceTable, user: PriceTable) -> PriceTable:
    """Both tables' entries; on a shared key the newer table's entry (the user's on a tie)."""
    older, newer = (user, bundled) if bundled.as_of > user.as_of else (bundled, user)
    entries = {key: older.get(key) for key in older}
    entries.update({key: newer.get(key) for key in newer})
    return PriceTable(
        {key: price for key, price in entries.items() if price is not None},
        as_of=max(bundled.as_of, user.as_of),
        provenance=bundled.provenance + user.provenance,
    )


def _source_label(origin: str, as_of: str, item: SourceFile) -> str:
    release = f"LiteLLM {item.litellm_version}" if item.litellm_version else item.file
    place = "bundled table" if origin == "bundled" else origin
    return f"{release} ({place}, as of {as_of})"


def _entry(key: str, raw: Mapping[str, Any], source: str) -> ModelPrice:
    provider = str(raw["provider"])
    retired = bool(raw.get("retired", False))
    return ModelPrice(
        key=key,
        provider=provider,
        mode=str(raw.get("mode", "chat")),
        **_rates(raw),
        long_context=tuple(sorted((_tier(t) for t in raw.get("long_context", ())), key=_threshold)),
        context_window=raw.get("context_window"),
        max_output_tokens=raw.get("max_output"),
        deprecation_date=raw.get("deprecation_date"),
        retired=retired,
        source=f"{source}, retired" if retired else source,
        vendor=vendor_of(key, provider),
    )


def _tier(raw: Mapping[str, Any]) -> LongContextTier:
    return LongContextTier(
        above_tokens=int(raw["above"]),
        **_rates(raw),
    )


def _rates(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's rates as the dataclasses spell them (``input`` -> ``input_per_mtok``)."""
    return {name: _decimal(raw.get(key)) for key, name in JSON_RATES.items()}


def _threshold(tier: LongContextTier) -> int:
    return tier.above_tokens


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"price {value!r} is not a decimal string")
    return parse_decimal(value)
