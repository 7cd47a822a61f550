"""``aiinfra prices show|cost|update``: a model's prices, one request's exact cost, a table refresh.

``show`` and ``cost`` print a terminal view on stdout (it is the command's product), or with
``--json`` one JSON document and nothing else. Every amount is a plain decimal string.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiinfra_cli import output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.errors import PriceError, UsageError
from aiinfra_cli.pricing import (
    CostBreakdown,
    LongContextTier,
    ModelPrice,
    PriceTable,
    Rates,
    TokenUsage,
    format_usd,
    load_price_table,
    overrides_from_config,
    user_table_path,
)
from aiinfra_cli.pricing import cost as price_usage
from aiinfra_cli.redact import redact

_RATE_ROWS = (
    ("input", "input_per_mtok"),
    ("output", "output_per_mtok"),
    ("reasoning", "reasoning_per_mtok"),
    ("cache read", "cache_read_per_mtok"),
    ("cache write 5m", "cache_write_per_mtok"),
    ("cache write 1h", "cache_write_1h_per_mtok"),
)
_DERIVED = "*"


def show(model: str, *, as_json: bool, config_path: Path | None) -> int:
    """Print the resolved price entry for ``model``."""
    table = _effective_table(config_path)
    price = _price(table, model)
    columns = _rate_columns(price)
    if as_json:
        output.print_json(_show_document(model, price, table, columns))
        return 0
    from rich.markup import escape
    from rich.table import Table

    view = Table()
    view.add_column("USD per MTok")
    for column in columns:
        view.add_column(column.heading, justify="right")
    cells = {label: [column.cell(field) for column in columns] for label, field in _RATE_ROWS}
    for label, row in cells.items():
        view.add_row(label, *row)
    console = output.out_console()
    console.print(f"[bold]{escape(model)}[/bold] → {escape(price.key)}")
    console.print(view)
    if any(cell.endswith(_DERIVED) for row in cells.values() for cell in row):
        console.print(
            f"{_DERIVED} not listed in the table: derived by the rules in docs/pricing.md"
        )
    details = (
        ("provider", price.provider),
        ("context window", f"{price.context_window:,}" if price.context_window else None),
        ("max output tokens", f"{price.max_output_tokens:,}" if price.max_output_tokens else None),
        ("deprecation date", price.deprecation_date),
        ("retired", "yes (kept with its last known price)" if price.retired else None),
        ("prices", price.source),
    )
    for label, value in details:
        if value:
            console.print(f"{label}: {escape(value)}")
    return 0


def cost(
    model: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cache_read: int,
    cache_write: int,
    cache_write_1h: int,
    reasoning: int,
    batch: bool,
    as_json: bool,
    config_path: Path | None,
) -> int:
    """Cost one request. ``cache_write`` counts 5-minute writes, ``cache_write_1h`` 1-hour ones."""
    cached = cache_read + cache_write + cache_write_1h
    if cached > input_tokens:
        raise UsageError(
            f"cache reads and writes ({cached:,}) exceed --input ({input_tokens:,}):"
            " --input counts all input tokens, cache reads and writes included"
        )
    if reasoning > output_tokens:
        raise UsageError(
            f"--reasoning ({reasoning:,}) exceeds --output ({output_tokens:,}):"
            " --output counts all output tokens, reasoning included"
        )
    usage = TokenUsage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write + cache_write_1h,
        cache_write_1h_tokens=cache_write_1h,
        reasoning_tokens=reasoning,
    )
    table = _effective_table(config_path)
    price = _price(table, model)
    breakdown = price_usage(price, usage, batch=batch)
    if as_json:
        output.print_json(
            {
                "model": model,
                "resolved": price.key,
                "cost_usd": format_usd(breakdown.total),
                "breakdown": breakdown.as_dict(),
                "usage": usage.as_dict(),
                "tier": breakdown.tier,
                "rates_per_mtok": breakdown.rates.as_dict(),
                "notes": list(breakdown.notes),
                "price_source": price.source,
                "table_as_of": table.as_of,
            }
        )
    else:
        _print_cost(model, price, usage, breakdown)
    return 0


def update(source: Path) -> int:
    """Convert a LiteLLM-format file and make it the user's copy of the price table."""
    from rich.markup import escape

    from aiinfra_cli.pricing import convert, dump_table, read_source

    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    document = convert([read_source(source)], as_of=today, built_by="aiinfra prices update")
    target = user_table_path()
    write_atomic(target, dump_table(document))
    provenance = document["provenance"]
    version = provenance["inputs"][0]["litellm_version"]
    origin = f"{source.name} (LiteLLM {version})" if version else source.name
    skipped = provenance["skipped_without_token_price"]
    note = f"; skipped {skipped:,} without a usable per-token price" if skipped else ""
    message = (
        f"updated {target}: {provenance['models']:,} models from {origin}, as of {today}{note}"
    )
    # soft_wrap: one status line stays one line, however long the path
    output.err_console().print(escape(redact(message)), soft_wrap=True)
    return 0


def _effective_table(config_path: Path | None) -> PriceTable:
    from aiinfra_cli.config import load_config

    table = load_price_table()
    config = load_config(config_path)
    return table if config is None else table.with_overrides(overrides_from_config(config))


def _price(table: PriceTable, model: str) -> ModelPrice:
    price = table.lookup(model)
    if price is not None:
        return price
    near = table.suggest(model)
    hint = (
        f"did you mean {near[0]!r}?"
        if near
        else "price it in config/ai-models.yaml, or refresh the table with 'aiinfra prices update'"
    )
    raise PriceError(f"unknown model {model!r}", hint=hint)


@dataclass(frozen=True)
class _Column:
    """One column of effective rates, and the table entry (or tier) whose listed rates it shows."""

    heading: str
    rates: Rates
    listed_in: ModelPrice | LongContextTier
    prefix: str = ""

    def cell(self, field: str) -> str:
        value = format_usd(getattr(self.rates, field))
        listed = getattr(self.listed_in, self.prefix + field, None)
        # reasoning is priced as output unless listed: that is the definition, not a fallback
        derived = listed is None and field != "reasoning_per_mtok"
        return f"{value}{_DERIVED}" if derived else value


def _rate_columns(price: ModelPrice) -> list[_Column]:
    """Effective rates per column: standard, batch, and each long-context tier."""
    columns = [
        _Column("standard", price_usage(price, TokenUsage()).rates, price),
        _Column("batch", price_usage(price, TokenUsage(), batch=True).rates, price, "batch_"),
    ]
    for tier in price.long_context:
        above = TokenUsage(input_tokens=tier.above_tokens + 1)
        heading = f"> {tier.above_tokens:,} input"
        columns.append(_Column(heading, price_usage(price, above).rates, tier))
    return columns


def _show_document(
    model: str, price: ModelPrice, table: PriceTable, columns: Sequence[_Column]
) -> dict[str, Any]:
    def listed(source: object, fields: Sequence[str]) -> dict[str, str | None]:
        values = {name: getattr(source, name) for name in fields}
        return {name: None if v is None else format_usd(v) for name, v in values.items()}

    rate_fields = [field for _label, field in _RATE_ROWS]
    batch_fields = [
        f"batch_{f}"
        for f in (
            "input_per_mtok",
            "output_per_mtok",
            "cache_read_per_mtok",
            "cache_write_per_mtok",
        )
    ]
    return {
        "model": model,
        "resolved": price.key,
        "provider": price.provider,
        "mode": price.mode,
        "prices_per_mtok": listed(price, rate_fields + batch_fields),
        "long_context": [
            {"above_tokens": tier.above_tokens, **listed(tier, rate_fields + batch_fields)}
            for tier in price.long_context
        ],
        "effective_per_mtok": {column.heading: column.rates.as_dict() for column in columns},
        "context_window": price.context_window,
        "max_output_tokens": price.max_output_tokens,
        "deprecation_date": price.deprecation_date,
        "retired": price.retired,
        "price_source": price.source,
        "table_as_of": table.as_of,
    }


def _print_cost(model: str, price: ModelPrice, usage: TokenUsage, breakdown: CostBreakdown) -> None:
    from rich.markup import escape
    from rich.table import Table

    view = Table()
    view.add_column("part")
    for heading in ("tokens", "USD per MTok", "USD"):
        view.add_column(heading, justify="right")
    rates = breakdown.rates
    rows = (
        ("input, uncached", usage.uncached_input_tokens, rates.input_per_mtok, breakdown.input),
        ("cache read", usage.cache_read_tokens, rates.cache_read_per_mtok, breakdown.cache_read),
        (
            "cache write 5m",
            usage.cache_write_5m_tokens,
            rates.cache_write_per_mtok,
            breakdown.cache_write,
        ),
        (
            "cache write 1h",
            usage.cache_write_1h_tokens,
            rates.cache_write_1h_per_mtok,
            breakdown.cache_write_1h,
        ),
        ("output", usage.output_tokens, rates.output_per_mtok, breakdown.output),
    )
    for part, tokens, rate, amount in rows:
        view.add_row(part, f"{tokens:,}", format_usd(rate), format_usd(amount))
    view.add_row("total", "", "", format_usd(breakdown.total), style="bold")
    console = output.out_console()
    console.print(f"[bold]{escape(model)}[/bold] → {escape(price.key)}, {breakdown.tier} pricing")
    console.print(view)
    if usage.reasoning_tokens:
        console.print(f"output includes {usage.reasoning_tokens:,} reasoning tokens")
    for note in breakdown.notes:
        console.print(f"note: {escape(note)}")
    console.print(f"prices: {escape(price.source)}")
