"""One normalised row per LLM call, whatever log it came from: what the ingest cache stores.

Every importer (the tracker's own JSONL, Claude Code session logs, OTLP GenAI spans) turns its
records into these columns, with OpenTelemetry GenAI token semantics (input counts ALL input,
cache included; reasoning is part of output). Prices are NOT stored: reports re-price tokens
every run, so a price-table or config change applies to old logs too.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, NamedTuple

from aiinfra_cli.usage._event import UsageEvent

# (column, DuckDB type). ``ts`` is microseconds since the Unix epoch, UTC.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("ts", "BIGINT"),
    ("provider", "VARCHAR"),
    ("model", "VARCHAR"),
    ("model_id", "VARCHAR"),
    ("feature", "VARCHAR"),
    ("endpoint", "VARCHAR"),
    ("user", "VARCHAR"),
    ("tenant", "VARCHAR"),
    ("session", "VARCHAR"),
    ("call_site", "VARCHAR"),
    ("ok", "BOOLEAN"),
    ("attempt", "INTEGER"),
    ("fallback", "BOOLEAN"),
    ("batch", "BOOLEAN"),
    ("cache_hit", "BOOLEAN"),
    ("input", "BIGINT"),
    ("output", "BIGINT"),
    ("cache_read", "BIGINT"),
    ("cache_write", "BIGINT"),
    ("cache_write_1h", "BIGINT"),
    ("reasoning", "BIGINT"),
    ("recorded_cost", "DECIMAL(38,18)"),
    ("saved_cost", "DECIMAL(38,18)"),
    ("dedupe_key", "VARCHAR"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch (exact, no float)."""
    delta = moment.astimezone(timezone.utc) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_epoch_us(value: int) -> datetime:
    """Inverse of :func:`epoch_us`."""
    from datetime import timedelta

    return _EPOCH + timedelta(microseconds=value)


class Row(NamedTuple):
    """A normalised call; see :data:`COLUMNS`. Immutable; a named tuple rather than a frozen
    dataclass because the small-input path builds one per call it reads (about 10x cheaper)."""

    ts: int
    provider: str
    model: str
    input: int
    output: int
    cache_read: int = 0
    cache_write: int = 0
    cache_write_1h: int = 0
    reasoning: int = 0
    model_id: str | None = None
    feature: str | None = None
    endpoint: str | None = None
    user: str | None = None
    tenant: str | None = None
    session: str | None = None
    call_site: str | None = None
    ok: bool = True
    attempt: int = 1
    fallback: bool = False
    batch: bool = False
    cache_hit: bool = False
    recorded_cost: Decimal | None = None
    saved_cost: Decimal | None = None
    dedupe_key: str | None = None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready values (decimals as strings) in :data:`COLUMNS` order."""
        data: dict[str, Any] = {}
        for name in COLUMN_NAMES:
            value = getattr(self, name)
            data[name] = format(value, "f") if isinstance(value, Decimal) else value
        return data


def row_from_event(event: UsageEvent) -> Row:
    """A validated usage event (the tracker's own format) as a row."""
    return Row(
        ts=epoch_us(event.timestamp),
        provider=event.provider,
        model=event.model,
        model_id=event.model_id,
        feature=event.feature,
        endpoint=event.endpoint,
        user=event.user,
        tenant=event.tenant,
        session=None,
        call_site=event.call_site,
        ok=event.status == "ok",
        attempt=event.attempt,
        fallback=event.fallback_from is not None,
        batch=event.batch,
        cache_hit=event.cache_hit,
        input=event.input_tokens,
        output=event.output_tokens,
        cache_read=event.cache_read_tokens,
        cache_write=event.cache_write_tokens,
        cache_write_1h=event.cache_write_1h_tokens,
        reasoning=event.reasoning_tokens,
        recorded_cost=event.cost_usd,
        saved_cost=event.saved_cost_usd,
        dedupe_key=event.event_id,
    )
