"""Token counts with one meaning across providers (OpenTelemetry GenAI semantics).

``input_tokens`` is ALL input: uncached input, cache reads and cache writes. The cache counts are
parts of it; ``cache_write_1h_tokens`` is the part of ``cache_write_tokens`` written with a
one-hour TTL; ``reasoning_tokens`` is the part of ``output_tokens`` spent thinking. Providers
report differently (Anthropic's ``input_tokens`` excludes cache tokens, OpenAI's
``prompt_tokens`` includes them): :mod:`aiinfra_cli.pricing._normalize` converts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from aiinfra_cli._jsondoc import Count, json_object


class InvalidTokenUsage(ValueError):
    """Token counts that break the invariants (negative, or a part larger than its whole)."""


_SIX_INTS = (int,) * 6


@dataclass(frozen=True)
class TokenUsage:
    """Token counts of one request, or summed over many (``a + b``); the parts are included in
    the wholes. The cost report's token columns are these fields."""

    input_tokens: Count = 0
    output_tokens: Count = 0
    cache_read_tokens: Count = 0
    cache_write_tokens: Count = 0
    cache_write_1h_tokens: Count = 0
    reasoning_tokens: Count = 0

    def __post_init__(self) -> None:
        n = (
            self.input_tokens,
            self.output_tokens,
            self.cache_read_tokens,
            self.cache_write_tokens,
            self.cache_write_1h_tokens,
            self.reasoning_tokens,
        )
        # One test for the common case (plain ints that keep every invariant); the slow path
        # below finds the first broken rule and names it.
        plain = tuple(map(type, n)) == _SIX_INTS and min(n) >= 0
        if not (plain and n[2] + n[3] <= n[0] and n[4] <= n[3] and n[5] <= n[1]):
            self._reject()

    def _reject(self) -> None:
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

    def __add__(self, other: TokenUsage) -> TokenUsage:
        """Field-wise sum: the counts of two requests (or groups) together.

        Sums of valid counts keep every invariant, so the sum is not checked again (reports add
        counts once per group and cell)."""
        total = object.__new__(TokenUsage)
        total.__dict__.update(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            cache_write_1h_tokens=self.cache_write_1h_tokens + other.cache_write_1h_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )
        return total

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
