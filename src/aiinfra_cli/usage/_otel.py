"""OpenTelemetry GenAI spans exported as OTLP JSON.

Accepted shapes: one ``ExportTraceServiceRequest`` document (``{"resourceSpans": [...]}``,
possibly pretty-printed), or JSON Lines of them (what the Collector's file exporter writes).
A span is a call when it carries ``gen_ai.*`` attributes; other spans are not calls. Token
semantics follow the GenAI conventions: ``gen_ai.usage.input_tokens`` includes
``gen_ai.usage.cache_read.input_tokens`` and ``gen_ai.usage.cache_creation.input_tokens``, and
``gen_ai.usage.output_tokens`` includes ``gen_ai.usage.reasoning.output_tokens``; the names
opentelemetry-util-genai emits, ``gen_ai.usage.cache_write.input_tokens`` and
``gen_ai.usage.reasoning_tokens``, are read as the same counts. Anthropic
instrumentations that report Anthropic's own ``input_tokens`` (cache excluded) are recognised
when the cache parts exceed the input, and normalised with :func:`pricing.from_anthropic`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiinfra_cli.pricing import InvalidTokenUsage, TokenUsage, from_anthropic
from aiinfra_cli.usage._event import InvalidEvent
from aiinfra_cli.usage._reader import Reject, UnreadableLine, iter_lines, parse_line
from aiinfra_cli.usage._rows import Row

_STATUS_ERROR = 2


def _value(raw: Any) -> Any:
    """An OTLP ``AnyValue`` as a plain Python value (intValue arrives as a string in JSON)."""
    if not isinstance(raw, dict):
        return None
    if "stringValue" in raw:
        return raw["stringValue"]
    if "intValue" in raw:
        try:
            return int(raw["intValue"])
        except (TypeError, ValueError):
            return raw["intValue"]
    if "doubleValue" in raw:
        return raw["doubleValue"]
    if "boolValue" in raw:
        return raw["boolValue"]
    if "arrayValue" in raw:
        values = raw["arrayValue"].get("values") if isinstance(raw["arrayValue"], dict) else None
        return [_value(v) for v in values or []]
    return None


def attributes(items: Any) -> dict[str, Any]:
    """An OTLP attribute list ``[{"key": ..., "value": {...}}]`` as a dict."""
    found: dict[str, Any] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                found[item["key"]] = _value(item.get("value"))
    return found


def _count(attrs: dict[str, Any], *keys: str) -> int:
    for key in keys:
        value = attrs.get(key)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidEvent(f"{key}: expected a whole number ≥ 0, got {value!r}")
        return value
    return 0


def _text(attrs: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _tokens(attrs: dict[str, Any], provider: str) -> TokenUsage:
    input_tokens = _count(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
    output = _count(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
    read = _count(
        attrs, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"
    )
    write = _count(
        attrs,
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_write.input_tokens",  # opentelemetry-util-genai
        "gen_ai.usage.cache_creation_input_tokens",
    )
    reasoning = _count(
        attrs, "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens"
    )
    try:
        if read + write > input_tokens and provider in ("anthropic", "aws.bedrock"):
            return from_anthropic(
                {
                    "input_tokens": input_tokens,
                    "output_tokens": output,
                    "cache_read_input_tokens": read,
                    "cache_creation_input_tokens": write,
                }
            )
        return TokenUsage(
            input_tokens=input_tokens,
            output_tokens=output,
            cache_read_tokens=read,
            cache_write_tokens=write,
            reasoning_tokens=min(reasoning, output),
        )
    except InvalidTokenUsage as exc:
        raise InvalidEvent(str(exc)) from None


def row_from_span(span: Any, resource: dict[str, Any]) -> Row | None:
    """One OTLP span → a row; None when it is not a GenAI call; InvalidEvent when broken."""
    if not isinstance(span, dict):
        raise InvalidEvent("span: expected an object")
    attrs = attributes(span.get("attributes"))
    if not any(key.startswith("gen_ai.") for key in attrs):
        return None
    model = _text(attrs, "gen_ai.response.model", "gen_ai.request.model")
    if model is None:
        raise InvalidEvent("gen_ai span without gen_ai.request.model or gen_ai.response.model")
    provider = _text(attrs, "gen_ai.provider.name", "gen_ai.system") or "unknown"
    start = span.get("startTimeUnixNano")
    try:
        nanos = int(start) if isinstance(start, int | str) else int("x")
    except ValueError:
        raise InvalidEvent(f"startTimeUnixNano: expected an integer, got {start!r}") from None
    tokens = _tokens(attrs, provider)
    status = span.get("status") if isinstance(span.get("status"), dict) else {}
    code = status.get("code") if isinstance(status, dict) else None
    failed = code in (_STATUS_ERROR, "STATUS_CODE_ERROR") or "error.type" in attrs
    trace_id, span_id = span.get("traceId"), span.get("spanId")
    merged = {**resource, **attrs}
    return Row(
        ts=nanos // 1000,
        provider=provider,
        model=model,
        feature=_text(merged, "aiinfra.feature", "gen_ai.agent.name", "service.name"),
        endpoint=_text(merged, "aiinfra.endpoint", "http.route", "url.path"),
        user=_text(merged, "user.id", "enduser.id"),
        tenant=_text(merged, "tenant.id", "aiinfra.tenant"),
        session=_text(merged, "gen_ai.conversation.id", "session.id"),
        call_site=_call_site(attrs),
        ok=not failed,
        input=tokens.input_tokens,
        output=tokens.output_tokens,
        cache_read=tokens.cache_read_tokens,
        cache_write=tokens.cache_write_tokens,
        cache_write_1h=tokens.cache_write_1h_tokens,
        reasoning=tokens.reasoning_tokens,
        dedupe_key=(
            f"{trace_id}:{span_id}"
            if isinstance(trace_id, str) and isinstance(span_id, str) and trace_id and span_id
            else None
        ),
    )


def _call_site(attrs: dict[str, Any]) -> str | None:
    path = _text(attrs, "code.filepath", "code.file.path")
    line = attrs.get("code.lineno", attrs.get("code.line.number"))
    if path is None:
        return None
    return f"{path}:{line}" if isinstance(line, int) else path


def _spans(document: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    if not isinstance(document, dict) or not isinstance(document.get("resourceSpans"), list):
        raise InvalidEvent("expected an OTLP JSON object with resourceSpans")
    for resource_spans in document["resourceSpans"]:
        if not isinstance(resource_spans, dict):
            raise InvalidEvent("resourceSpans: expected objects")
        resource = attributes((resource_spans.get("resource") or {}).get("attributes"))
        for scope in (
            resource_spans.get("scopeSpans")
            or resource_spans.get("instrumentationLibrarySpans")
            or []
        ):
            for span in (scope or {}).get("spans") or []:
                yield span, resource


def read_otel(path: Path, shown: str) -> tuple[list[Row], list[Reject], int]:
    """Every GenAI span of one OTLP JSON file, a reject per broken record, and the line count."""
    rows: list[Row] = []
    rejects: list[Reject] = []
    try:
        numbered = list(iter_lines(path))
    except (OSError, EOFError) as exc:
        return [], [Reject(shown, 0, f"cannot read: {exc}")], 0
    documents: list[tuple[int, Any]] = []
    try:
        # A pretty-printed document spans many lines: parse the whole file as one.
        whole = b"\n".join(raw for _, raw in numbered)
        if numbered and len(numbered) > 1:
            documents = [(numbered[0][0], parse_line(whole))]
    except UnreadableLine:
        documents = []
    if not documents:
        for number, raw in numbered:
            try:
                documents.append((number, parse_line(raw)))
            except UnreadableLine as exc:
                rejects.append(Reject(shown, number, str(exc)))
    for number, document in documents:
        try:
            for index, (span, resource) in enumerate(_spans(document)):
                try:
                    row = row_from_span(span, resource)
                except InvalidEvent as exc:
                    name = span.get("name") if isinstance(span, dict) else None
                    label = f"span {index + 1}" + (f" '{name}'" if isinstance(name, str) else "")
                    rejects.append(Reject(shown, number, f"{label}: {exc}"))
                    continue
                if row is not None:
                    rows.append(row)
        except InvalidEvent as exc:
            rejects.append(Reject(shown, number, str(exc)))
    return rows, rejects, len(numbered)
