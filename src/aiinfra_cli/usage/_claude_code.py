"""Claude Code session logs: ``<dir>/projects/<project>/<session>.jsonl``.

Each line is one JSON record; the ones that cost money are assistant messages carrying
``message.usage`` (Anthropic's usage object: ``input_tokens`` EXCLUDES cache reads and writes,
``cache_creation`` splits writes into 5-minute and 1-hour TTLs), ``message.model``,
``message.id``, ``requestId`` and ``timestamp``. A response can be logged more than once (a
resumed session copies earlier messages; streaming writes partial records), so records sharing
``message.id`` + ``requestId`` count once. The project directory is the report's *feature*, the
session its *session* group. Records without usage (user turns, summaries, snapshots) are not
calls; messages the client synthesised itself (model ``<synthetic>``) cost nothing and are skipped.

Lines are parsed as JSON, never pattern-matched, so ``"usage": {`` with a space counts like
``"usage":{``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiinfra_cli._schema import to_decimal
from aiinfra_cli.pricing import InvalidTokenUsage, from_anthropic
from aiinfra_cli.usage._event import InvalidEvent, parse_timestamp
from aiinfra_cli.usage._reader import (
    READ_ERRORS,
    Reject,
    UnreadableLine,
    iter_lines,
    parse_line,
    read_failure,
)
from aiinfra_cli.usage._rows import Row, epoch_us
from aiinfra_cli.usage._schema import MAX_TOKENS, MAX_USD

SYNTHETIC_MODEL = "<synthetic>"

# What the DuckDB fast path reads of each line (everything else is ignored by the reader).
DUCKDB_COLUMNS: dict[str, str] = {
    "type": "VARCHAR",
    "timestamp": "VARCHAR",
    "sessionId": "VARCHAR",
    "requestId": "VARCHAR",
    "isApiErrorMessage": "BOOLEAN",
    "costUSD": "VARCHAR",
    "message": (
        "STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT,"
        " output_tokens BIGINT, cache_creation_input_tokens BIGINT,"
        " cache_read_input_tokens BIGINT, cache_creation STRUCT(ephemeral_5m_input_tokens BIGINT,"
        " ephemeral_1h_input_tokens BIGINT)))"
    ),
}


def project_and_session(path: Path) -> tuple[str, str]:
    """The project (directory under ``projects/``) and session (file stem) a log belongs to."""
    parts = path.parts
    if "projects" in parts:
        index = len(parts) - 1 - parts[::-1].index("projects")
        if index + 2 < len(parts):
            return parts[index + 1], path.name.removesuffix(".gz").removesuffix(".jsonl")
    return path.parent.name, path.name.removesuffix(".gz").removesuffix(".jsonl")


def row_from_record(obj: Any, *, project: str, session: str) -> Row | None:
    """One decoded line → a row, None when it is not a priced call, InvalidEvent when broken."""
    if not isinstance(obj, dict):
        raise InvalidEvent("expected a JSON object")
    message = obj.get("message")
    if not isinstance(message, dict):
        return None
    usage = message.get("usage")
    if usage is None:
        return None
    if not isinstance(usage, dict):
        raise InvalidEvent("message.usage: expected an object")
    model = message.get("model")
    if model == SYNTHETIC_MODEL:
        return None
    if not isinstance(model, str) or not model:
        raise InvalidEvent("message.model: missing on a message with usage")
    stamp = obj.get("timestamp")
    if not isinstance(stamp, str):
        raise InvalidEvent("timestamp: missing on a message with usage")
    moment = parse_timestamp(stamp)
    total_in, output, read, write, write_1h = _usage_counts(usage)
    _check_bounds(total_in, output, obj.get("costUSD"))
    message_id, request_id = message.get("id"), obj.get("requestId")
    dedupe = (
        f"{message_id}:{request_id}"
        if isinstance(message_id, str) and isinstance(request_id, str)
        else None
    )
    session_id = obj.get("sessionId")
    recorded = obj.get("costUSD")
    return Row(
        ts=epoch_us(moment),
        provider="anthropic",
        model=model,
        feature=project,
        session=session_id if isinstance(session_id, str) and session_id else session,
        ok=obj.get("isApiErrorMessage") is not True,
        input=total_in,
        output=output,
        cache_read=read,
        cache_write=write,
        cache_write_1h=write_1h,
        recorded_cost=to_decimal(recorded) if recorded is not None else None,
        dedupe_key=dedupe,
    )


_COUNTS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)
_TTL_COUNTS = ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens")


def _plain(data: dict[str, Any], keys: tuple[str, ...]) -> list[int] | None:
    counts: list[int] = []
    for key in keys:
        value = data.get(key)
        if value is None:
            counts.append(0)
        elif type(value) is int and value >= 0:
            counts.append(value)
        else:
            return None
    return counts


def _usage_counts(usage: dict[str, Any]) -> tuple[int, int, int, int, int]:
    """(input, output, cache read, cache write, 1-hour write) as
    :func:`aiinfra_cli.pricing.from_anthropic` counts them (InvalidEvent when it refuses them).
    The common object (every count a plain non-negative integer or absent, no thinking split)
    is read directly: no such object fails its checks."""
    created = usage.get("cache_creation")
    if usage.get("output_tokens_details") is None and (created is None or type(created) is dict):
        counts = _plain(usage, _COUNTS)
        ttl = _plain(created, _TTL_COUNTS) if created is not None else [0, 0]
        if counts is not None and ttl is not None:
            plain, output, creation, read = counts
            write = max(creation, ttl[0] + ttl[1])
            return plain + write + read, output, read, write, ttl[1]
    try:
        tokens = from_anthropic(usage)
    except InvalidTokenUsage as exc:
        raise InvalidEvent(f"message.usage: {exc}") from None
    return (
        tokens.input_tokens,
        tokens.output_tokens,
        tokens.cache_read_tokens,
        tokens.cache_write_tokens,
        tokens.cache_write_1h_tokens,
    )


def _check_bounds(total_in: int, output: int, recorded: object) -> None:
    """The usage schema's bounds (see :mod:`aiinfra_cli.usage._schema`), for Claude Code's
    fields: a count or amount past them is a broken line, not a call to sum."""
    if max(total_in, output) > MAX_TOKENS:
        raise InvalidEvent(f"message.usage: a token count is over {MAX_TOKENS:,}")
    if recorded is not None:
        amount = to_decimal(recorded)
        if amount is None or not 0 <= amount <= MAX_USD:
            raise InvalidEvent(f"costUSD: expected an amount of 0 to {MAX_USD:,} USD")


def read_claude_code(path: Path, shown: str) -> tuple[list[Row], list[Reject], int]:
    """Every priced call in one session log, a reject per broken line, and the line count."""
    project, session = project_and_session(path)
    rows: list[Row] = []
    rejects: list[Reject] = []
    lines = 0
    number = 0
    try:
        for number, raw in iter_lines(path):
            lines += 1
            try:
                obj = parse_line(raw)
            except UnreadableLine as exc:
                rejects.append(Reject(shown, number, str(exc)))
                continue
            try:
                row = row_from_record(obj, project=project, session=session)
            except InvalidEvent as exc:
                rejects.append(Reject(shown, number, str(exc)))
                continue
            if row is not None:
                rows.append(row)
    except READ_ERRORS as exc:
        rejects.append(Reject(shown, number + 1, read_failure(exc)))
    return rows, rejects, lines


# The fast path's projection of one line to the row columns, and the test that sends a file to
# the line-by-line reader instead (any line the SQL cannot vouch for: the Python reader then
# names it with its line number and reason, or accepts it).
_W5 = "coalesce(message.usage.cache_creation.ephemeral_5m_input_tokens, 0)"
_W1H = "coalesce(message.usage.cache_creation.ephemeral_1h_input_tokens, 0)"
_WRITE = f"greatest(coalesce(message.usage.cache_creation_input_tokens, 0), {_W5} + {_W1H})"
_READ = "coalesce(message.usage.cache_read_input_tokens, 0)"
SQL_IS_CALL = "(message.usage IS NOT NULL AND coalesce(message.model, '') <> '<synthetic>')"
SQL_SUSPECT = (
    "(type IS NULL OR (" + SQL_IS_CALL + " AND (message.model IS NULL OR message.model = ''"
    " OR _ts IS NULL OR (right(timestamp, 1) NOT IN ('Z', 'z')"
    " AND NOT regexp_matches(timestamp, '[+-][0-9]{2}:?[0-9]{2}$'))"
    " OR least(coalesce(message.usage.input_tokens, 0), coalesce(message.usage.output_tokens, 0),"
    f" {_READ}, {_W5}, {_W1H}, coalesce(message.usage.cache_creation_input_tokens, 0)) < 0"
    " OR (costUSD IS NOT NULL AND TRY_CAST(costUSD AS DECIMAL(38,18)) IS NULL))))"
)
SQL_SELECT = {
    "ts": "_ts",
    "provider": "'anthropic'",
    "model": "message.model",
    "model_id": "NULL",
    "feature": "b.project",
    "endpoint": "NULL",
    "user": "NULL",
    "tenant": "NULL",
    "session": "coalesce(nullif(sessionId, ''), b.session)",
    "call_site": "NULL",
    "ok": "coalesce(NOT isApiErrorMessage, TRUE)",
    "attempt": "1",
    "fallback": "FALSE",
    "batch": "FALSE",
    "cache_hit": "FALSE",
    "input": f"coalesce(message.usage.input_tokens, 0) + {_WRITE} + {_READ}",
    "output": "coalesce(message.usage.output_tokens, 0)",
    "cache_read": _READ,
    "cache_write": _WRITE,
    "cache_write_1h": _W1H,
    "reasoning": "0",
    "recorded_cost": "TRY_CAST(costUSD AS DECIMAL(38,18))",
    "saved_cost": "NULL",
    "dedupe_key": "CASE WHEN message.id IS NOT NULL AND requestId IS NOT NULL"
    " THEN message.id || ':' || requestId END",
}
