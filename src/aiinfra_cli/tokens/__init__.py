"""Token counts: exact for OpenAI encodings, calibrated estimates for Claude and Gemini.

* OpenAI models (o200k_base, cl100k_base) are counted exactly with tiktoken, from BPE rank files
  shipped inside this package: no download, no network, no cache directory.
* Claude and Gemini have no offline tokenizer for current models; their counts are estimates
  derived from the o200k_base count (``exact=False``). ``docs/tokens.md`` states the factors,
  where they come from and how far off they were where that could be measured.
* Message counts add each provider's formatting overhead.

Importing this package is cheap: tiktoken and the rank files load on the first count, once per
process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiinfra_cli.tokens._bpe import TokenizerDataError
from aiinfra_cli.tokens._counter import counter_for_model
from aiinfra_cli.tokens._estimate import round_estimate
from aiinfra_cli.tokens._messages import tally_messages
from aiinfra_cli.tokens._models import encoding_name_for_model, family_for_model

__all__ = [
    "TokenCount",
    "TokenizerDataError",
    "count_messages",
    "count_text",
    "counter_for_model",
    "encoding_name_for_model",
    "family_for_model",
    "preload",
    "round_estimate",
    "tally_messages",
]


@dataclass(frozen=True)
class TokenCount:
    """A token count and how it was obtained.

    ``exact`` is True only for real BPE counts (OpenAI encodings). ``method`` names the
    tokenizer (``"o200k_base"``, ``"cl100k_base"``) or the estimate (``"estimate:claude"``,
    ``"estimate:gemini"``, ``"estimate:generic"``).
    """

    tokens: int
    exact: bool
    method: str


def count_text(text: str, model: str | None = None) -> TokenCount:
    """Count the tokens of ``text`` as ``model`` would (default: o200k_base, exact).

    OpenAI models are counted exactly; Claude, Gemini and unknown models are estimated from the
    o200k_base count. Special-token strings such as ``<|endoftext|>`` count as plain text.
    """
    counter = counter_for_model(model)
    value = counter.count(text)
    tokens = int(value) if counter.exact else round_estimate(value)
    return TokenCount(tokens=tokens, exact=counter.exact, method=counter.method)


def preload() -> None:
    """Load the o200k_base tokenizer now (every count but cl100k models' runs on it).

    For a process about to fork workers: they inherit it instead of each loading it. A broken
    rank file is left for the first count to report, as it would be without this call.
    """
    from contextlib import suppress

    from aiinfra_cli.tokens._bpe import get_encoding

    with suppress(TokenizerDataError):
        get_encoding("o200k_base")


def count_messages(
    messages: Sequence[Mapping[str, Any]],
    model: str | None = None,
    *,
    system: str | None = None,
) -> TokenCount:
    """Count the prompt tokens of a chat request: message contents plus formatting overhead.

    ``messages`` are mappings with ``role`` and ``content`` (a string or a list of content
    blocks in OpenAI, Anthropic or Gemini shape; Gemini ``parts`` are accepted too).
    ``system`` is a separate system prompt (Anthropic/Gemini style; for OpenAI models it is
    counted as a leading system message).

    For OpenAI models a text-only request is exact: real BPE counts plus OpenAI's published
    chat-format overhead (3 per message, 1 per name, 3 to prime the reply). Images, tool calls
    and skipped attachments are costed by documented rules and make the count inexact;
    Claude, Gemini and unknown models are always estimates.
    """
    counter = counter_for_model(model)
    value, by_rule = tally_messages(messages, counter, system)
    if counter.exact:
        return TokenCount(tokens=int(value), exact=not by_rule, method=counter.method)
    return TokenCount(tokens=round_estimate(value), exact=False, method=counter.method)
