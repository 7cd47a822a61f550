"""``aiinfra demo``: the main job on built-in sample data, with no API key and no network.

It writes a scratch repo (a config and a month of usage logs, with a few broken lines that real
logs have), then reads, validates and prices every event with the same engine every command uses.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.config import load_config
from aiinfra_cli.errors import EXIT_OK, UsageError
from aiinfra_cli.paths import CONFIG_RELPATH
from aiinfra_cli.pricing import (
    PriceTable,
    cost,
    load_price_table,
    overrides_from_config,
)
from aiinfra_cli.sample_data import demo_config, generate_events, write_jsonl
from aiinfra_cli.usage import ReadResult, read_events

if TYPE_CHECKING:
    from rich.console import Console

# Lines a real log collects: a write cut short by a crash, a writer bug.
BROKEN_LINES = (
    '{"schema_version": 1, "timestamp": "2026-11-0',
    '{"schema_version": 1, "timestamp": "2026-11-02T10:00:00Z", "provider": "openai",'
    ' "request_model": "gpt-4o-mini", "input_tokens": -20, "output_tokens": 5, "status": "ok"}',
)
CENT = Decimal("0.01")


@dataclass
class ModelTotals:
    """Running totals for one model."""

    requests: int = 0
    input_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = Decimal(0)
    priced: bool = True


@dataclass
class DemoSummary:
    """What the demo measured: per-model totals and the unpriced models."""

    models: dict[str, ModelTotals] = field(default_factory=lambda: defaultdict(ModelTotals))
    total: Decimal = Decimal(0)
    unpriced: dict[str, int] = field(default_factory=dict)


def write_demo_repo(root: Path, *, now: datetime) -> Path:
    """Write the demo config and logs under ``root``; return the log directory."""
    write_atomic(root / CONFIG_RELPATH, demo_config())
    logs = root / "logs" / "ai-usage"
    yesterday = (now - timedelta(days=1)).date()
    text = write_jsonl(generate_events(end=yesterday))
    write_atomic(logs / f"usage-{yesterday:%Y-%m}.jsonl", text + "\n".join(BROKEN_LINES) + "\n")
    return logs


def summarise(result: ReadResult, prices: PriceTable) -> DemoSummary:
    """Price every event and total it by model; unknown models are counted, never priced at $0."""
    summary = DemoSummary()
    for event in result.events:
        totals = summary.models[event.model]
        totals.requests += 1
        totals.input_tokens += event.input_tokens
        totals.cache_read_tokens += event.cache_read_tokens
        totals.output_tokens += event.output_tokens
        price = prices.lookup(event.model, event.provider)
        if price is None:
            totals.priced = False
            summary.unpriced[event.model] = summary.unpriced.get(event.model, 0) + 1
            continue
        amount = cost(price, event.token_usage(), batch=event.batch).total
        totals.cost += amount
        summary.total += amount
    return summary


def render(console: Console, summary: DemoSummary, result: ReadResult, root: Path) -> None:
    """Print the demo's summary: a table by model, then unpriced usage and rejected lines."""
    from rich.table import Table

    table = Table(title="LLM spend by model (sample data, last 30 days)", title_justify="left")
    table.add_column("model")
    for name in ("requests", "input", "cache read", "output", "cost (USD)"):
        table.add_column(name, justify="right")
    ranked = sorted(summary.models.items(), key=lambda item: (-item[1].cost, item[0]))
    for model, totals in ranked:
        table.add_row(
            model,
            f"{totals.requests:,}",
            f"{totals.input_tokens:,}",
            f"{totals.cache_read_tokens:,}",
            f"{totals.output_tokens:,}",
            f"{totals.cost.quantize(CENT):,}" if totals.priced else "unpriced",
        )
    table.add_section()
    total = f"{summary.total.quantize(CENT):,}"
    table.add_row("total", f"{len(result.events):,}", "", "", "", total)
    console.print(table)
    for model, count in sorted(summary.unpriced.items()):
        console.print(
            f"unpriced: {count:,} requests to '{model}': no price known, never counted as $0"
        )
    console.print(f"rejected: {len(result.rejects)} line(s), each named, none silently dropped")
    for reject in result.rejects:
        console.print(f"  {Path(reject.file).relative_to(root)}:{reject.line}: {reject.reason}")


def run(*, keep: Path | None, now: datetime | None = None) -> int:
    """Build the demo repo, price its usage, print the summary."""
    moment = now or datetime.now(timezone.utc)
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise UsageError(f"--keep {keep} is not empty", hint="name a new or empty directory")
    root = keep.resolve() if keep is not None else Path(tempfile.mkdtemp(prefix="aiinfra-demo-"))
    try:
        logs = write_demo_repo(root, now=moment)
        config = load_config(root / CONFIG_RELPATH, required=True)
        assert config is not None
        prices = load_price_table().with_overrides(overrides_from_config(config))
        result = read_events([logs])
        console = output.out_console()
        render(console, summarise(result, prices), result, root)
        if keep is not None:
            console.print(f"demo repo kept at {root}")
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return EXIT_OK
