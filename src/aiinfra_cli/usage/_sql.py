"""The usage schema as SQL: what DuckDB's bulk reader checks of each line of the tracker's JSONL.

Derived from :data:`aiinfra_cli.usage._schema.EVENT`, the one definition of a valid line. Every
field is read as raw JSON so that its JSON type counts (``1000.0``, ``true`` and ``"1000"`` are
not a token count; ``5`` is not a provider). The predicate is *conservative*: it holds only for
lines the line-by-line reader accepts with no warning and reads to the same values; any other
line sends its file to that reader, which names each reject and warning. So both paths give one
answer for every line, and the fast path stays fast for clean files.
"""

from __future__ import annotations

from aiinfra_cli._schema import Bool, Int, MapOf, Money, Node, Num, Str
from aiinfra_cli.usage._rows import epoch_us
from aiinfra_cli.usage._schema import EVENT, MAX_YEAR, MIN_YEAR, SCHEMA_VERSION

_INTEGER = "('BIGINT', 'UBIGINT')"
_NUMBER = "('BIGINT', 'UBIGINT', 'DOUBLE')"
# ISO 8601 as both readers parse it alike (a subset of what either accepts; others go to Python).
_TIMESTAMP = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
# A JSON number whose decimal value a float keeps exactly (15 significant digits at most) and a
# decimal string DECIMAL(38,18) holds exactly.
_MONEY_NUMBER = r"[0-9]{1,15}(\.[0-9]{1,15})?"
_MONEY_TEXT = r"[0-9]{1,20}(\.[0-9]{1,18})?"
# A mapping of plain keys to strings, as json_structure() describes it.
_STRING_MAP = r'\{"[^"\\]*":"VARCHAR"(,"[^"\\]*":"VARCHAR")*\}'


def _text(column: str) -> str:
    return f"({column}->>'$')"


def _clean_value(column: str, node: Node) -> str:
    """SQL that holds when the (non-NULL) JSON ``column`` is a value ``node`` accepts."""
    text = _text(column)
    if isinstance(node, Int):
        test = f"json_type({column}) IN {_INTEGER}"
        bounds = [f"TRY_CAST({column} AS HUGEINT) >= {node.minimum}"] * (node.minimum is not None)
        bounds += [f"TRY_CAST({column} AS HUGEINT) <= {node.maximum}"] * (node.maximum is not None)
        return " AND ".join([test, *bounds])
    if isinstance(node, Num):
        if node.exclusive_minimum is not None or node.maximum is not None:
            raise NotImplementedError("usage schema: Num bounds other than minimum")
        test = f"json_type({column}) IN {_NUMBER} AND isfinite(TRY_CAST({column} AS DOUBLE))"
        if node.minimum is not None:
            test += f" AND TRY_CAST({column} AS DOUBLE) >= {node.minimum}"
        return test
    if isinstance(node, Money):
        shape = (
            f"((json_type({column}) IN {_NUMBER} AND regexp_full_match({text}, '{_MONEY_NUMBER}'))"
            f" OR (json_type({column}) = 'VARCHAR' AND regexp_full_match({text}, '{_MONEY_TEXT}')))"
        )
        if node.maximum is None:
            return shape
        return f"{shape} AND TRY_CAST({text} AS DECIMAL(38,18)) <= {node.maximum}"
    # Strings and booleans are judged on the value's JSON text, ~5x cheaper than json_type()
    # and ->> (a string's text starts with a quote; an escaped enum value goes to Python).
    raw = f"{column}::VARCHAR"
    if isinstance(node, Bool):
        return f"{raw} IN ('true', 'false')"
    if isinstance(node, Str):
        if node.pattern is not None:
            raise NotImplementedError("usage schema: string patterns")
        if node.enum is not None:
            if any(not value.replace("_", "").replace("-", "").isalnum() for value in node.enum):
                raise NotImplementedError("usage schema: enum values other than plain words")
            return f"{raw} IN (" + ", ".join(f"'\"{v}\"'" for v in node.enum) + ")"
        test = f"prefix({raw}, '\"')"
        if node.min_length == 1:
            test += f" AND {raw} <> '\"\"'"
        elif node.min_length:
            test += f" AND length({text}) >= {node.min_length}"
        return test
    if isinstance(node, MapOf) and isinstance(node.value, Str) and node.value.enum is None:
        structure = f"json_structure({column})::VARCHAR"
        return (
            f"json_type({column}) = 'OBJECT' AND ({column}::VARCHAR = '{{}}'"
            f" OR regexp_full_match({structure}, '{_STRING_MAP}'))"
        )
    raise NotImplementedError(f"usage schema: no SQL check for {type(node).__name__}")


def _clean_field(name: str, node: Node, required: bool) -> str:
    column = f'"{name}"'
    if required:
        return f"({column} IS NOT NULL AND {_clean_value(column, node)})"
    if not getattr(node, "nullable", False):
        raise NotImplementedError(f"usage schema: optional field {name} must accept null")
    return f"({column} IS NULL OR ({_clean_value(column, node)}))"


def _count(name: str) -> str:
    return f'coalesce(TRY_CAST("{name}" AS HUGEINT), 0)'


def _timestamp() -> str:
    """The timestamp's extra checks (its string check is the schema's): a shape both readers
    parse alike, a real instant, and within the schema's years."""
    low = epoch_us_of(MIN_YEAR)
    high = epoch_us_of(MAX_YEAR)
    return (
        f"regexp_full_match({_text('timestamp')}, '{_TIMESTAMP}') AND _ts IS NOT NULL"
        f" AND _ts >= {low} AND _ts < {high}"
    )


def epoch_us_of(year: int) -> int:
    """The first microsecond of ``year`` (UTC)."""
    from datetime import datetime, timezone

    return epoch_us(datetime(year, 1, 1, tzinfo=timezone.utc))


def clean_line() -> str:
    """SQL that holds for a line of the tracker's JSONL that is valid in every known field (read
    as JSON columns, with ``_ts`` its timestamp in epoch microseconds)."""
    fields = [
        _clean_field(name, node, name in EVENT.required) for name, node in EVENT.fields.items()
    ]
    parts = [
        *fields,
        f'TRY_CAST("schema_version" AS HUGEINT) <= {SCHEMA_VERSION}',
        _timestamp(),
        f"{_count('cache_read_tokens')} + {_count('cache_write_tokens')}"
        f" <= {_count('input_tokens')}",
        f"{_count('cache_write_1h_tokens')} <= {_count('cache_write_tokens')}",
        f"{_count('reasoning_tokens')} <= {_count('output_tokens')}",
    ]
    return "(" + "\n AND ".join(parts) + ")"


def typed(name: str) -> str:
    """The typed value of JSON column ``name`` (valid lines only: see :func:`clean_line`)."""
    node = EVENT.fields[name]
    column = f'"{name}"'
    if isinstance(node, Int):
        return f"TRY_CAST({column} AS BIGINT)"
    if isinstance(node, Num):
        return f"TRY_CAST({column} AS DOUBLE)"
    if isinstance(node, Money):
        return f"TRY_CAST({_text(column)} AS DECIMAL(38,18))"
    if isinstance(node, Bool):
        return f"TRY_CAST({column} AS BOOLEAN)"
    if isinstance(node, Str):
        return _text(column)
    return f"{column}::VARCHAR"


def own_columns() -> dict[str, str]:
    """read_ndjson's columns for the tracker's JSONL: every known field, as raw JSON."""
    return dict.fromkeys(EVENT.fields, "JSON")
