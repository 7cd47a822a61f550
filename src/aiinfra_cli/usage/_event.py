"""The typed usage event and its conversion from and to one JSON object."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiinfra_cli._schema import Problem, format_path, to_decimal
from aiinfra_cli.usage._schema import EVENT, MAX_YEAR, MIN_YEAR, READ_FIELDS, SCHEMA_VERSION

if TYPE_CHECKING:
    from aiinfra_cli.pricing import TokenUsage


class InvalidEvent(ValueError):
    """A JSON object that is not a valid usage event; the message is the reason."""


@dataclass(frozen=True)
class UsageEvent:
    """One LLM call attempt (see ``docs/usage-log.md``)."""

    timestamp: datetime
    provider: str
    request_model: str
    input_tokens: int
    output_tokens: int
    status: str = "ok"
    schema_version: int = SCHEMA_VERSION
    event_id: str | None = None
    operation: str = "chat"
    response_model: str | None = None
    model_id: str | None = None
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    reasoning_tokens: int = 0
    error_class: str | None = None
    error_type: str | None = None
    http_status: int | None = None
    latency_ms: float | None = None
    ttft_ms: float | None = None
    cost_usd: Decimal | None = None
    feature: str | None = None
    endpoint: str | None = None
    user: str | None = None
    tenant: str | None = None
    route: str | None = None
    call_site: str | None = None
    attempt: int = 1
    fallback_from: str | None = None
    cache_hit: bool = False
    saved_cost_usd: Decimal | None = None
    batch: bool = False
    streaming: bool = False
    stream_continued: bool = False
    usage_source: str | None = None
    key_id: str | None = None
    workspace: str | None = None
    prompt: str | None = None
    request_id: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    service: str | None = None
    environment: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def model(self) -> str:
        """The model to price: the one that answered when known, else the one asked for."""
        return self.response_model or self.request_model

    def token_usage(self) -> TokenUsage:
        """The event's token counts as the price engine takes them (same semantics, no change)."""
        from aiinfra_cli.pricing import TokenUsage

        return TokenUsage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cache_read_tokens=self.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens,
            cache_write_1h_tokens=self.cache_write_1h_tokens,
            reasoning_tokens=self.reasoning_tokens,
        )

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON-ready dict (decimals as strings, timestamp in UTC with 'Z')."""
        data = asdict(self)
        data["timestamp"] = format_timestamp(self.timestamp)
        for key in ("cost_usd", "saved_cost_usd"):
            if data[key] is not None:
                data[key] = format(data[key], "f")
        ordered = {"schema_version": data.pop("schema_version"), **data}
        return {key: value for key, value in ordered.items() if value is not None and value != {}}


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 with an offset (``Z`` accepted on every Python) → aware UTC datetime, between
    the years :data:`MIN_YEAR` and :data:`MAX_YEAR` of the schema."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidEvent(
            f"timestamp '{text}' is not ISO 8601 (e.g. 2026-11-23T07:24:30Z)"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidEvent(f"timestamp '{text}' has no UTC offset (write it in UTC with a 'Z')")
    try:
        moment = parsed.astimezone(timezone.utc)
    except OverflowError:
        moment = None
    if moment is None or not MIN_YEAR <= moment.year < MAX_YEAR:
        raise InvalidEvent(
            f"timestamp '{text}' is outside {MIN_YEAR}-{MAX_YEAR} (a broken clock or writer?)"
        )
    return moment


def format_timestamp(moment: datetime) -> str:
    """Aware datetime → ``2026-11-23T07:24:30.120Z`` (milliseconds, UTC)."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _say(problem: Problem) -> str:
    key = format_path(problem.path)
    return f"{key}: {problem.message}" if key else problem.message


def check_event(obj: Any) -> tuple[list[str], list[str]]:
    """Every problem of one decoded JSON value against the whole contract, split in two: those
    of fields a report reads (the line is rejected) and those of any other field (a warning)."""
    read, other = _split(obj)
    return read, [_say(problem) for problem in other]


def _split(obj: Any) -> tuple[list[str], list[Problem]]:
    if not isinstance(obj, dict):
        return ["expected a JSON object"], []
    problems: list[Problem] = []
    EVENT.check(obj, (), problems)
    read = [_say(p) for p in problems if not p.path or p.path[0] in READ_FIELDS]
    other = [p for p in problems if p.path and p.path[0] not in READ_FIELDS]
    if not read:
        try:
            _check_read(obj)
        except InvalidEvent as exc:
            read.append(str(exc))
    return read, other


def _check_read(obj: dict[str, Any]) -> datetime:
    """What the node checks cannot say: the version, the time, and token parts within totals."""
    version = obj["schema_version"]
    if version > SCHEMA_VERSION:
        raise InvalidEvent(
            f"schema_version {version} is newer than this aiinfra reads ({SCHEMA_VERSION});"
            " upgrade aiinfra"
        )
    moment = parse_timestamp(obj["timestamp"])
    input_tokens, output_tokens = obj["input_tokens"], obj["output_tokens"]
    cache_read = obj.get("cache_read_tokens") or 0
    cache_write = obj.get("cache_write_tokens") or 0
    cache_write_1h = obj.get("cache_write_1h_tokens") or 0
    reasoning = obj.get("reasoning_tokens") or 0
    if cache_read + cache_write > input_tokens:
        raise InvalidEvent(
            "cache_read_tokens + cache_write_tokens exceed input_tokens"
            " (input_tokens must count ALL input, cache included)"
        )
    if cache_write_1h > cache_write:
        raise InvalidEvent(
            "cache_write_1h_tokens exceed cache_write_tokens (they are a part of it)"
        )
    if reasoning > output_tokens:
        raise InvalidEvent("reasoning_tokens exceed output_tokens (they are a part of it)")
    return moment


def parse_event(obj: Any) -> UsageEvent:
    """Validate one decoded JSON value and build the event, or raise :class:`InvalidEvent`.

    Strict: any problem, in any field, rejects the value (see :func:`parse_event_lenient`)."""
    read, other = check_event(obj)
    if read or other:
        raise InvalidEvent((read or other)[0])
    return _build(obj, skip=frozenset())


def parse_event_lenient(obj: Any) -> tuple[UsageEvent, list[str]]:
    """What a report reads of one line: the event, and the problems of fields it does not read
    (those fields are left out of the event). :class:`InvalidEvent` when a field it reads is
    missing, mistyped or out of range."""
    read, other = _split(obj)
    if read:
        raise InvalidEvent(read[0])
    skip = frozenset(str(problem.path[0]) for problem in other)
    return _build(obj, skip=skip), [_say(problem) for problem in other]


def _build(obj: dict[str, Any], *, skip: frozenset[str]) -> UsageEvent:
    known = {
        key: obj[key]
        for key in EVENT.fields
        if key in obj and obj[key] is not None and key not in skip
    }
    known["timestamp"] = parse_timestamp(obj["timestamp"])
    for key in ("cost_usd", "saved_cost_usd"):
        if known.get(key) is not None:
            known[key] = to_decimal(known[key])
    try:
        return UsageEvent(**known)
    except TypeError as exc:  # a schema field missing from the dataclass is our bug, not the user's
        raise AssertionError(f"usage schema and UsageEvent disagree: {exc}") from exc
