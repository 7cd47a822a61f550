"""A provider's bill as normalised buckets: one line of ``.multiagent/billing/*.jsonl`` each.

A bucket is one time bucket of one provider's usage or cost endpoint, for one combination of
the dimensions the endpoint groups by, and one token category (usage) or one line item (cost).
Both providers' semantics are mapped onto one vocabulary of token categories:

* ``uncached_input``: input read neither from nor into the prompt cache (Anthropic reports it
  as such; OpenAI's ``input_tokens`` include cached ones, so its cached tokens are subtracted);
* ``cache_read``: input read from the prompt cache;
* ``cache_write_5m`` / ``cache_write_1h``: input written to the cache, by lifetime (Anthropic);
* ``output``: output tokens, reasoning included.

Billed USD is a decimal string, exactly as the provider's figure converts (Anthropic's cost
report counts cents; OpenAI's is dollars), never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Literal, get_args

from aiinfra_cli._jsonschema import schema_document
from aiinfra_cli.usage import parse_timestamp
from aiinfra_cli.vocabulary import TOKEN_CATEGORIES, TokenCategory

BILLING_SCHEMA_VERSION: Literal[1] = 1
Provider = Literal["anthropic", "openai"]
Kind = Literal["usage", "cost"]
Category = TokenCategory
PROVIDERS: tuple[Provider, ...] = get_args(Provider)
CATEGORIES = TOKEN_CATEGORIES


@dataclass(frozen=True, kw_only=True)
class Bucket:
    """One normalised bucket of a provider's usage or cost report."""

    provider: Provider
    kind: Kind
    endpoint: str
    start: datetime
    end: datetime
    model: str | None = None
    key_id: str | None = None
    workspace: str | None = None
    service_tier: str | None = None
    line_item: str | None = None
    category: Category | None = None
    tokens: int | None = None
    billed_usd: Decimal | None = None
    partial: bool = False

    @property
    def day(self) -> str:
        """The UTC day the bucket starts on."""
        return self.start.astimezone(timezone.utc).date().isoformat()

    def to_json(self) -> dict[str, Any]:
        """The bucket as one JSONL line's object (money as a decimal string)."""
        line: dict[str, Any] = {
            "schema_version": BILLING_SCHEMA_VERSION,
            "provider": self.provider,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "day": self.day,
        }
        for name in ("model", "key_id", "workspace", "service_tier", "line_item", "category"):
            value = getattr(self, name)
            if value is not None:
                line[name] = value
        if self.tokens is not None:
            line["tokens"] = self.tokens
        if self.billed_usd is not None:
            line["billed_usd"] = format(self.billed_usd, "f")
        if self.partial:
            line["partial"] = True
        return line


def bucket_from_json(data: dict[str, Any]) -> Bucket:
    """A bucket read back from its JSONL object (raises ``ValueError`` / ``KeyError`` /
    ``TypeError`` on a line that is not one)."""
    if data.get("schema_version") != BILLING_SCHEMA_VERSION:
        raise ValueError(f"schema_version {data.get('schema_version')!r} is not 1")
    provider, kind, category = data["provider"], data["kind"], data.get("category")
    if provider not in PROVIDERS or kind not in ("usage", "cost"):
        raise ValueError(f"unknown provider or kind: {provider!r} / {kind!r}")
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown token category {category!r}")
    billed = data.get("billed_usd")
    tokens = data.get("tokens")
    if tokens is not None and (not isinstance(tokens, int) or isinstance(tokens, bool)):
        raise ValueError("tokens must be an integer")
    return Bucket(
        provider=provider,
        kind=kind,
        endpoint=str(data["endpoint"]),
        start=parse_timestamp(str(data["start"])),
        end=parse_timestamp(str(data["end"])),
        model=data.get("model"),
        key_id=data.get("key_id"),
        workspace=data.get("workspace"),
        service_tier=data.get("service_tier"),
        line_item=data.get("line_item"),
        category=category,
        tokens=tokens,
        billed_usd=Decimal(str(billed)) if billed is not None else None,
        partial=bool(data.get("partial", False)),
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one billing-bucket line."""
    text = {"type": "string"}
    nullable = {"type": ["string", "null"]}
    title = "aiinfra billing bucket (one JSONL line of .multiagent/billing/)"
    body: dict[str, Any] = {
        "type": "object",
        "required": ["schema_version", "provider", "kind", "endpoint", "start", "end", "day"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": 1},
            "provider": {"enum": list(PROVIDERS)},
            "kind": {"enum": ["usage", "cost"]},
            "endpoint": text,
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "model": nullable,
            "key_id": nullable,
            "workspace": nullable,
            "service_tier": nullable,
            "line_item": nullable,
            "category": {"enum": [*CATEGORIES, None]},
            "tokens": {"type": "integer", "minimum": 0},
            "billed_usd": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
            "partial": {"type": "boolean"},
        },
    }
    return schema_document("urn:aiinfra:billing-bucket:v1", title, body)
