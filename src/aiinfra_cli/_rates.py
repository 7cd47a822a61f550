"""The names of the price rates a user may set: config keys and price-engine fields alike."""

from __future__ import annotations

PRICE_KEYS: tuple[str, ...] = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "cache_write_1h_per_mtok",
    "batch_input_per_mtok",
    "batch_output_per_mtok",
)
