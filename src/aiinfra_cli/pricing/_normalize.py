"""Provider usage payloads -> :class:`TokenUsage` (OpenTelemetry GenAI semantics).

Each function takes the usage object as it appears in the provider's JSON response (a dict), or
an SDK object with ``model_dump()`` (the anthropic, openai and google-genai SDKs are pydantic).
Missing or null counts are 0. The differences these functions absorb are the classic cost bugs
(e.g. LiteLLM issue #11364: Anthropic cache tokens mispriced; Gemini thinking tokens dropped):

* Anthropic: ``input_tokens`` EXCLUDES cache reads and writes (reported beside it);
  ``output_tokens`` includes thinking (``output_tokens_details.thinking_tokens``).
* OpenAI chat: ``prompt_tokens`` INCLUDES ``prompt_tokens_details.cached_tokens`` (and
  ``cache_write_tokens``);
  ``completion_tokens`` includes ``completion_tokens_details.reasoning_tokens``.
* OpenAI responses: ``input_tokens`` INCLUDES ``input_tokens_details.cached_tokens`` (and
  ``cache_write_tokens``);
  ``output_tokens`` includes ``output_tokens_details.reasoning_tokens``.
* Gemini: ``promptTokenCount`` INCLUDES ``cachedContentTokenCount``;
  ``candidatesTokenCount`` EXCLUDES ``thoughtsTokenCount``, which is billed as output.
* Bedrock Converse: ``inputTokens`` EXCLUDES ``cacheReadInputTokens`` and
  ``cacheWriteInputTokens`` (as Anthropic); ``outputTokens`` includes thinking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiinfra_cli.pricing._tokens import InvalidTokenUsage, TokenUsage


def from_anthropic(usage: object) -> TokenUsage:
    """Anthropic Messages API ``usage``.

    ``input_tokens`` counts only the input after the last cache breakpoint, so
    input = input_tokens + cache_creation_input_tokens + cache_read_input_tokens. The TTL split of
    the writes is in ``cache_creation.ephemeral_5m_input_tokens`` / ``ephemeral_1h_input_tokens``;
    writes the split does not account for are taken as five-minute writes (the default TTL).
    ``output_tokens`` includes thinking; newer responses report that part as
    ``output_tokens_details.thinking_tokens``.
    """
    data = _mapping(usage)
    created = _mapping(data.get("cache_creation"))
    write_5m = _count(created, "ephemeral_5m_input_tokens")
    write_1h = _count(created, "ephemeral_1h_input_tokens")
    write = max(_count(data, "cache_creation_input_tokens"), write_5m + write_1h)
    read = _count(data, "cache_read_input_tokens")
    return TokenUsage(
        input_tokens=_count(data, "input_tokens") + write + read,
        output_tokens=_count(data, "output_tokens"),
        cache_read_tokens=read,
        cache_write_tokens=write,
        cache_write_1h_tokens=write_1h,
        reasoning_tokens=_count(_mapping(data.get("output_tokens_details")), "thinking_tokens"),
    )


def from_openai_chat(usage: object) -> TokenUsage:
    """OpenAI Chat Completions ``usage`` (and OpenAI-compatible servers).

    ``prompt_tokens`` includes ``prompt_tokens_details.cached_tokens`` (reads) and, where
    reported, ``prompt_tokens_details.cache_write_tokens`` (writes; OpenAI has no 1-hour TTL, so
    none are 1-hour writes). Also understood: DeepSeek's ``prompt_cache_hit_tokens`` and the write
    count LiteLLM adds for Anthropic models (``prompt_tokens_details.cache_creation_tokens`` or
    ``cache_creation_input_tokens``), both parts of ``prompt_tokens`` too.
    """
    data = _mapping(usage)
    details = _mapping(data.get("prompt_tokens_details"))
    read = _count(details, "cached_tokens") or _count(data, "prompt_cache_hit_tokens")
    write = _count(details, "cache_write_tokens", "cache_creation_tokens") or _count(
        data, "cache_creation_input_tokens"
    )
    return TokenUsage(
        input_tokens=_count(data, "prompt_tokens"),
        output_tokens=_count(data, "completion_tokens"),
        cache_read_tokens=read,
        cache_write_tokens=write,
        reasoning_tokens=_count(
            _mapping(data.get("completion_tokens_details")), "reasoning_tokens"
        ),
    )


def from_openai_responses(usage: object) -> TokenUsage:
    """OpenAI Responses API ``usage``: ``input_tokens`` includes the cached and written tokens.

    Reads are ``input_tokens_details.cached_tokens``, writes ``cache_write_tokens`` (their
    30-minute / 12-hour split has no price of its own here: all are priced as writes).
    """
    data = _mapping(usage)
    details = _mapping(data.get("input_tokens_details"))
    return TokenUsage(
        input_tokens=_count(data, "input_tokens"),
        output_tokens=_count(data, "output_tokens"),
        cache_read_tokens=_count(details, "cached_tokens"),
        cache_write_tokens=_count(details, "cache_write_tokens"),
        reasoning_tokens=_count(_mapping(data.get("output_tokens_details")), "reasoning_tokens"),
    )


def from_gemini(usage_metadata: object) -> TokenUsage:
    """Gemini ``usageMetadata`` (REST camelCase, or the google-genai SDK's snake_case).

    ``promptTokenCount`` includes ``cachedContentTokenCount``; ``toolUsePromptTokenCount`` (input
    produced by tools such as search) is billed as input and added to it. Thinking tokens are
    billed as output but reported apart from ``candidatesTokenCount``, so
    output = candidates + thoughts. Should a server fold thoughts into the candidates instead,
    ``totalTokenCount`` says so (it then equals prompt + tool + candidates) and they are not
    added twice.
    """
    data = _mapping(usage_metadata)
    prompt = _count(data, "promptTokenCount", "prompt_token_count")
    tool = _count(data, "toolUsePromptTokenCount", "tool_use_prompt_token_count")
    candidates = _count(data, "candidatesTokenCount", "candidates_token_count")
    thoughts = _count(data, "thoughtsTokenCount", "thoughts_token_count")
    total = _optional_count(data, "totalTokenCount", "total_token_count")
    folded = thoughts > 0 and total is not None and total == prompt + tool + candidates
    return TokenUsage(
        input_tokens=prompt + tool,
        output_tokens=candidates if folded else candidates + thoughts,
        cache_read_tokens=_count(data, "cachedContentTokenCount", "cached_content_token_count"),
        reasoning_tokens=thoughts,
    )


def from_bedrock_converse(usage: object) -> TokenUsage:
    """Amazon Bedrock Converse / ConverseStream ``usage``.

    As with Anthropic's API, ``inputTokens`` excludes ``cacheReadInputTokens`` and
    ``cacheWriteInputTokens`` (``totalTokens`` = input + output + cache read + cache write);
    ``cacheDetails`` splits the writes by TTL (``"5m"`` / ``"1h"``). Should ``totalTokens`` equal
    inputTokens + outputTokens while cache tokens are reported, ``inputTokens`` already included
    them and they are not added twice.
    """
    data = _mapping(usage)
    read = _count(data, "cacheReadInputTokens")
    details = data.get("cacheDetails") or []
    if not isinstance(details, list):
        raise InvalidTokenUsage(f"cacheDetails must be a list, not {details!r}")
    by_ttl = [_mapping(item) for item in details]
    write_1h = sum(_count(item, "inputTokens") for item in by_ttl if item.get("ttl") == "1h")
    write = max(
        _count(data, "cacheWriteInputTokens"), sum(_count(i, "inputTokens") for i in by_ttl)
    )
    reported_input = _count(data, "inputTokens")
    output = _count(data, "outputTokens")
    total = _optional_count(data, "totalTokens")
    inclusive = read + write > 0 and total is not None and total == reported_input + output
    return TokenUsage(
        input_tokens=reported_input if inclusive else reported_input + read + write,
        output_tokens=output,
        cache_read_tokens=read,
        cache_write_tokens=write,
        cache_write_1h_tokens=write_1h,
    )


def _mapping(value: object) -> Mapping[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        dumped = dump()
        if isinstance(dumped, Mapping):
            return dumped
    raise InvalidTokenUsage(
        f"expected a usage mapping or SDK usage object, not {type(value).__name__}"
    )


def _optional_count(data: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # some SDKs and JSON encoders write counts as 12.0
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidTokenUsage(f"{key} must be a whole number, not {value!r}")
        if value < 0:
            raise InvalidTokenUsage(f"{key} must not be negative ({value})")
        return value
    return None


def _count(data: Mapping[str, Any], *keys: str) -> int:
    found = _optional_count(data, *keys)
    return 0 if found is None else found
