"""A loopback test server that speaks the LLM providers' wire protocols.

Anthropic Messages (JSON and SSE, models, ``request-id`` and ``anthropic-ratelimit-*`` headers),
OpenAI Chat Completions and Responses (JSON and SSE with the ``include_usage`` chunk and
``[DONE]``, models, ``x-request-id`` and ``x-ratelimit-*`` headers), Gemini REST
(``generateContent`` / ``streamGenerateContent?alt=sse`` with ``usageMetadata``), Ollama's
``/api/tags`` and ``/api/version``, and vLLM/TGI's ``/health``. A fault schedule per test makes it
fail the ways real providers fail; every request is recorded with credentials redacted.

Routes (for ``inject(route=...)``; a prefix such as ``"anthropic"`` matches all of its routes)::

    anthropic.messages  anthropic.models  anthropic.model
    openai.chat  openai.responses  openai.models  openai.model
    gemini.generate  gemini.stream  gemini.models  gemini.model
    ollama.tags  ollama.version  health  unknown

Example::

    with FakeProvider(api_key="test-key") as server:
        server.inject(Fault.rate_limited(retry_after=2), route="anthropic.messages", calls=first(1))
        client = anthropic.Anthropic(base_url=server.anthropic_base_url, api_key="test-key",
                                     max_retries=0)
"""

from __future__ import annotations

from fakeprovider._faults import Fault, Rule, Schedule, first, on_calls
from fakeprovider._server import FakeProvider, RecordedRequest
from fakeprovider._wire import DEFAULT_MODELS, RateLimits

__all__ = [
    "DEFAULT_MODELS",
    "FakeProvider",
    "Fault",
    "RateLimits",
    "RecordedRequest",
    "Rule",
    "Schedule",
    "first",
    "on_calls",
]
