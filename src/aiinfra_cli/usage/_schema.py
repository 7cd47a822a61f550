"""The usage-event schema, version 1: one JSON object per LLM call attempt, one per line (JSONL).

It is the contract between the generated cost tracker (writer) and ``cost-report`` (reader).
Names follow the OpenTelemetry GenAI semantic conventions where they exist; token semantics
too: ``input_tokens`` is ALL input, cache reads and writes included, and ``reasoning_tokens`` are
part of ``output_tokens``. ``docs/usage-event.schema.json`` is generated from this module.
"""

from __future__ import annotations

from aiinfra_cli._schema import Bool, Int, MapOf, Money, Num, Obj, Str
from aiinfra_cli.config import ERROR_CLASSES

SCHEMA_VERSION = 1
STATUSES = ("ok", "error")
USAGE_SOURCES = ("provider", "estimated")

# Bounds of the numbers a report sums. A token count is at most a quadrillion and an amount at
# most a billion USD per call: far beyond any real call, and the sums of billions of calls still
# fit the cache's columns (64-bit counts, DECIMAL(38,18) amounts) exactly.
MAX_TOKENS = 10**15
MAX_USD = 10**9
# Calls happen between the Unix epoch and year 9000: a timestamp outside is a broken clock or
# a broken writer, and the report's periods (the one before, a day after) must stay dates.
MIN_YEAR, MAX_YEAR = 1970, 9000

_COUNT = "Token count."


def _tokens(description: str, *, nullable: bool = False) -> Int:
    return Int(description, minimum=0, maximum=MAX_TOKENS, nullable=nullable)


# Optional fields accept null as "not given" (the tracker writes neither, other writers may).
EVENT = Obj(
    {
        "schema_version": Int("Version of this schema (1).", minimum=1),
        "event_id": Str(
            "Unique id of the event (used to drop duplicates).", min_length=1, nullable=True
        ),
        "timestamp": Str(
            "When the call started: ISO 8601 with a UTC offset, e.g. 2026-11-23T07:24:30.120Z.",
            min_length=1,
        ),
        "provider": Str(
            "gen_ai.provider.name: anthropic, openai, gemini, azure-openai, …", min_length=1
        ),
        "operation": Str(
            "gen_ai.operation.name: chat, text_completion, generate_content, embeddings.",
            nullable=True,
        ),
        "request_model": Str("gen_ai.request.model: the model asked for.", min_length=1),
        "response_model": Str("gen_ai.response.model: the model that answered.", nullable=True),
        "model_id": Str(
            "The config's model id, when the call went through a route.", nullable=True
        ),
        "input_tokens": _tokens("All input tokens, cache reads and writes included."),
        "output_tokens": _tokens("All output tokens, reasoning included."),
        "cache_read_tokens": _tokens(
            f"{_COUNT} Input read from the prompt cache (part of input).", nullable=True
        ),
        "cache_write_tokens": _tokens(
            f"{_COUNT} Input written to the prompt cache (part of input).", nullable=True
        ),
        "cache_write_1h_tokens": _tokens(
            f"{_COUNT} The part of cache_write_tokens written with a 1-hour TTL.", nullable=True
        ),
        "reasoning_tokens": _tokens(
            f"{_COUNT} Reasoning / thinking tokens (part of output).", nullable=True
        ),
        "status": Str("ok or error.", enum=STATUSES),
        "error_class": Str("Why the call failed.", enum=ERROR_CLASSES, nullable=True),
        "error_type": Str("Provider error type or exception name.", nullable=True),
        "http_status": Int("HTTP status of the response.", minimum=100, nullable=True),
        "latency_ms": Num("Wall time of the call.", minimum=0, nullable=True),
        "ttft_ms": Num("Time to first token (streaming).", minimum=0, nullable=True),
        "cost_usd": Money(
            "Cost computed by the tracker at call time, as a decimal string.",
            maximum=MAX_USD,
            nullable=True,
        ),
        "feature": Str("Product feature the call serves.", nullable=True),
        "endpoint": Str("API endpoint / handler that made the call.", nullable=True),
        "user": Str("End user (an opaque id, never an email).", nullable=True),
        "tenant": Str("Customer / tenant.", nullable=True),
        "route": Str("Config route the call went through.", nullable=True),
        "call_site": Str("file:line of the calling code.", nullable=True),
        "attempt": Int(
            "1 for the first attempt, 2 for the first retry, …", minimum=1, nullable=True
        ),
        "fallback_from": Str("Model id this attempt fell back from.", nullable=True),
        "cache_hit": Bool("Served from the response cache (no provider call).", nullable=True),
        "saved_cost_usd": Money("What a cache hit saved.", maximum=MAX_USD, nullable=True),
        "batch": Bool("Sent through a batch API.", nullable=True),
        "streaming": Bool("Streamed response.", nullable=True),
        "usage_source": Str(
            "Where the token counts come from: provider (its usage block) or estimated (the"
            " attempt reached the provider but returned no usage: a timeout after sending, a"
            " reset, a stream cut before its usage; input counted locally).",
            enum=USAGE_SOURCES,
            nullable=True,
        ),
        "key_id": Str(
            "The provider's public id of the API key the call used (e.g. apikey_01…, key_…),"
            " never the key: lets reconciliation locate spend by key.",
            nullable=True,
        ),
        "workspace": Str(
            "The provider workspace (Anthropic) or project (OpenAI) the key belongs to.",
            nullable=True,
        ),
        "stream_continued": Bool(
            "This attempt continues a stream that broke on the model in fallback_from (the"
            " delivered text was sent as an assistant prefill).",
            nullable=True,
        ),
        "prompt": Str("Prompt-library prompt as name@version.", nullable=True),
        "request_id": Str("Provider request id.", nullable=True),
        "trace_id": Str("Trace id (W3C).", nullable=True),
        "span_id": Str("Span id (W3C).", nullable=True),
        "service": Str("Service name.", nullable=True),
        "environment": Str("Deployment environment.", nullable=True),
        "tags": MapOf(Str(), "Free-form string tags.", nullable=True),
    },
    "One LLM call attempt.",
    required=(
        "schema_version",
        "timestamp",
        "provider",
        "request_model",
        "input_tokens",
        "output_tokens",
        "status",
    ),
    allow_extra=True,
)

KNOWN_FIELDS = frozenset(EVENT.fields)
# The fields a cost report reads. A line with one of these missing, mistyped or out of range is
# rejected (file:line, reason); any other malformed field is a warning and the line still counts
# (dropping a priced line for a field no report uses would lose money from the report).
READ_FIELDS = frozenset(
    {
        "schema_version",
        "event_id",
        "timestamp",
        "provider",
        "request_model",
        "response_model",
        "model_id",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cache_write_1h_tokens",
        "reasoning_tokens",
        "status",
        "cost_usd",
        "saved_cost_usd",
        "feature",
        "endpoint",
        "user",
        "tenant",
        "call_site",
        "attempt",
        "fallback_from",
        "cache_hit",
        "batch",
    }
)


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of one usage event."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:aiinfra:usage-event:v1",
        "title": "aiinfra usage event (one JSONL line)",
        **EVENT.json_schema(),
    }
