"""Token counts with one meaning across providers (OpenTelemetry GenAI semantics).

``input_tokens`` is ALL input: uncached input, cache reads and cache writes. The cache counts are
parts of it; ``cache_write_1h_tokens`` is the part of ``cache_write_tokens`` written with a
one-hour TTL; ``reasoning_tokens`` is the part of ``output_tokens`` spent thinking. Providers
report differently (Anthropic's ``input_tokens`` excludes cache tokens, OpenAI's
``prompt_tokens`` includes them): :mod:`aiinfra_cli.pricing._normalize` converts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from aiinfra_cli._jsondoc import json_object


class InvalidTokenUsage(ValueError):
    """Token counts that break the invariants (negative, or a part larger than its whole)."""


@dataclass(frozen=True)
class TokenUsage:
    """One request's token counts; the parts are included in the wholes."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    reasoning_tokens: int = 0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidTokenUsage(f"{item.name} must be an integer, not {value!r}")
            if value < 0:
                raise InvalidTokenUsage(f"{item.name} must not be negative ({value})")
        cached = self.cache_read_tokens + self.cache_write_tokens
        if cached > self.input_tokens:
            raise InvalidTokenUsage(
                f"cache reads and writes ({cached}) exceed input_tokens ({self.input_tokens});"
                " input_tokens counts ALL input, cache included"
            )
        if self.cache_write_1h_tokens > self.cache_write_tokens:
            raise InvalidTokenUsage(
                f"cache_write_1h_tokens ({self.cache_write_1h_tokens}) exceed cache_write_tokens"
                f" ({self.cache_write_tokens}), of which they are a part"
            )
        if self.reasoning_tokens > self.output_tokens:
            raise InvalidTokenUsage(
                f"reasoning_tokens ({self.reasoning_tokens}) exceed output_tokens"
                f" ({self.output_tokens}), of which they are a part"
            )

    @property
    def uncached_input_tokens(self) -> int:
        """Input neither read from nor written to a cache: billed at the plain input price."""
        return self.input_tokens - self.cache_read_tokens - self.cache_write_tokens

    @property
    def cache_write_5m_tokens(self) -> int:
        """Cache writes with the default (five-minute) TTL."""
        return self.cache_write_tokens - self.cache_write_1h_tokens

    def as_dict(self) -> dict[str, int]:
        """The counts by field name (for JSON output)."""
        return json_object(self)
