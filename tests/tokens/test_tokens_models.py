"""Model name → tokenizer family, encoding and Claude tokenizer generation."""

from __future__ import annotations

import pytest

from aiinfra_cli.tokens import count_text, encoding_name_for_model, family_for_model
from aiinfra_cli.tokens._models import claude_version

FAMILIES = [
    # o200k_base
    ("gpt-4o", "openai-o200k"),
    ("gpt-4o-mini-2024-07-18", "openai-o200k"),
    ("gpt-4.1", "openai-o200k"),
    ("gpt-4.1-nano-2025-04-14", "openai-o200k"),
    ("gpt-4.5-preview", "openai-o200k"),
    ("gpt-5", "openai-o200k"),
    ("gpt-5-mini", "openai-o200k"),
    ("gpt-5-codex", "openai-o200k"),
    ("o1", "openai-o200k"),
    ("o1-mini", "openai-o200k"),
    ("o3-pro-2025-06-10", "openai-o200k"),
    ("o4-mini", "openai-o200k"),
    ("chatgpt-4o-latest", "openai-o200k"),
    ("gpt-oss-120b", "openai-o200k"),
    ("codex-mini-latest", "openai-o200k"),
    ("openai/gpt-4o", "openai-o200k"),
    ("azure/gpt-4.1-mini", "openai-o200k"),
    ("OpenAI/GPT-4o", "openai-o200k"),
    ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "openai-o200k"),
    # cl100k_base
    ("gpt-4", "openai-cl100k"),
    ("gpt-4-0613", "openai-cl100k"),
    ("gpt-4-turbo", "openai-cl100k"),
    ("gpt-4-turbo-2024-04-09", "openai-cl100k"),
    ("gpt-4-32k", "openai-cl100k"),
    ("gpt-3.5-turbo", "openai-cl100k"),
    ("gpt-3.5-turbo-0125", "openai-cl100k"),
    ("azure/gpt-35-turbo", "openai-cl100k"),
    ("text-embedding-3-small", "openai-cl100k"),
    ("text-embedding-3-large", "openai-cl100k"),
    ("text-embedding-ada-002", "openai-cl100k"),
    ("openai/text-embedding-3-small", "openai-cl100k"),
    # Claude
    ("claude-3-5-sonnet-20241022", "claude"),
    ("claude-sonnet-4-5", "claude"),
    ("claude-opus-4-7", "claude"),
    ("anthropic/claude-3-haiku-20240307", "claude"),
    ("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "claude"),
    ("bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude"),
    ("vertex_ai/claude-3-5-sonnet@20240620", "claude"),
    ("openrouter/anthropic/claude-3.5-sonnet", "claude"),
    # Gemini
    ("gemini-2.5-pro", "gemini"),
    ("gemini-2.0-flash-001", "gemini"),
    ("models/gemini-1.5-flash", "gemini"),
    ("gemini/gemini-2.5-flash", "gemini"),
    ("vertex_ai/gemini-2.5-pro", "gemini"),
    ("google/gemini-3-pro-preview", "gemini"),
    # other
    ("llama-3.1-70b-instruct", "other"),
    ("mistral-large-latest", "other"),
    ("gemma-3-27b-it", "other"),
    ("deepseek-chat", "other"),
    ("o10-experimental", "other"),
    ("gpt4all", "other"),
    ("", "other"),
]


@pytest.mark.parametrize(("model", "family"), FAMILIES)
def test_family_for_model(model: str, family: str) -> None:
    assert family_for_model(model) == family


@pytest.mark.parametrize(("model", "family"), FAMILIES)
def test_encoding_name_follows_family(model: str, family: str) -> None:
    expected = {"openai-o200k": "o200k_base", "openai-cl100k": "cl100k_base"}.get(family)
    assert encoding_name_for_model(model) == expected


@pytest.mark.parametrize(
    ("model", "version"),
    [
        ("claude-3-5-sonnet-20241022", (3, 5)),
        ("claude-3-haiku-20240307", (3, 0)),
        ("claude-sonnet-4-20250514", (4, 0)),
        ("claude-opus-4-1-20250805", (4, 1)),
        ("claude-sonnet-4-5", (4, 5)),
        ("claude-opus-4-6", (4, 6)),
        ("claude-opus-4-7", (4, 7)),
        ("claude-3.5-sonnet", (3, 5)),
        ("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", (3, 5)),
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", (4, 0)),
        ("vertex_ai/claude-3-5-sonnet-v2@20241022", (3, 5)),
        ("claude-latest", None),
    ],
)
def test_claude_version(model: str, version: tuple[int, int] | None) -> None:
    assert claude_version(model) == version


@pytest.mark.parametrize(
    ("model", "method", "exact"),
    [
        (None, "o200k_base", True),
        ("gpt-4o", "o200k_base", True),
        ("gpt-3.5-turbo", "cl100k_base", True),
        ("claude-3-5-haiku-latest", "estimate:claude", False),
        ("gemini-2.0-flash", "estimate:gemini", False),
        ("llama-3.1-8b", "estimate:generic", False),
    ],
)
def test_count_text_method(model: str | None, method: str, exact: bool) -> None:
    result = count_text("The quick brown fox jumps over the lazy dog.", model)
    assert (result.method, result.exact) == (method, exact)
