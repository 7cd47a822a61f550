"""Model-id resolution on the bundled table: prefixes, regions, dates, versions -> table keys."""

from __future__ import annotations

import pytest

from aiinfra_cli.pricing import PriceTable, read_table
from aiinfra_cli.pricing._load import bundled_table_path
from aiinfra_cli.pricing._resolve import Resolver, namespace


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return read_table(bundled_table_path(), origin="bundled")


@pytest.mark.parametrize(
    ("model", "provider", "key"),
    [
        # exact keys
        ("claude-sonnet-4-5", None, "claude-sonnet-4-5"),
        ("claude-sonnet-4-5-20250929", None, "claude-sonnet-4-5-20250929"),
        ("gpt-4o-2024-08-06", None, "gpt-4o-2024-08-06"),
        ("gemini/gemini-2.5-pro", None, "gemini/gemini-2.5-pro"),
        # provider prefixes
        ("anthropic/claude-sonnet-4-5", None, "claude-sonnet-4-5"),
        ("openai/gpt-4o", None, "gpt-4o"),
        ("azure/gpt-4o-2024-08-06", None, "azure/gpt-4o-2024-08-06"),
        ("models/gemini-2.5-pro", None, "gemini/gemini-2.5-pro"),
        ("vertex_ai/claude-3-5-sonnet@20240620", None, "vertex_ai/claude-3-5-sonnet@20240620"),
        (
            "bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            None,
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        # the provider argument picks the platform's own entry
        ("gpt-4o", "azure", "azure/gpt-4o"),
        ("gpt-4o", "azure-openai", "azure/gpt-4o"),
        ("gemini-2.5-pro", "gemini", "gemini/gemini-2.5-pro"),
        ("gemini-2.5-pro", None, "gemini-2.5-pro"),
        ("claude-sonnet-4-5-20250929", "vertex_ai", "vertex_ai/claude-sonnet-4-5@20250929"),
        ("claude-sonnet-4-5", "bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("mistral-large-latest", "mistral", "mistral/mistral-large-latest"),
        # Bedrock region / geography prefixes and versions
        (
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            None,
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        (
            "eu.anthropic.claude-3-5-haiku-20241022-v1:0",
            None,
            "eu.anthropic.claude-3-5-haiku-20241022-v1:0",
        ),
        (
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            None,
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
        ),
        ("claude-3-5-sonnet@20240620", None, "vertex_ai/claude-3-5-sonnet@20240620"),
        # dated <-> undated
        ("claude-3-5-haiku", None, "claude-3-5-haiku-20241022"),
        ("claude-sonnet-4", None, "claude-sonnet-4-20250514"),
        ("gpt-4o-2099-01-01", None, "gpt-4o"),
        ("claude-sonnet-4-5-20991231", None, "claude-sonnet-4-5"),
        ("CLAUDE-SONNET-4-5", None, "claude-sonnet-4-5"),
        # retired models keep their last price
        ("claude-opus-4-1-20250805", None, "claude-opus-4-1-20250805"),
    ],
)
def test_resolution(table: PriceTable, model: str, provider: str | None, key: str) -> None:
    price = table.lookup(model, provider)
    assert price is not None, (model, provider)
    assert price.key == key


@pytest.mark.parametrize("model", ["my-finetune", "llama3.1:8b", "", "gpt", "claude"])
def test_unknown_models_resolve_to_none(table: PriceTable, model: str) -> None:
    assert table.lookup(model) is None


def test_suggestions_for_typos(table: PriceTable) -> None:
    assert table.suggest("claude-sonet-4-5")[0] == "claude-sonnet-4-5"
    assert "gpt-4o" in table.suggest("gpt4o")
    assert table.suggest("zzzzzzzz") == []


def test_retired_entries_carry_their_deprecation_date(table: PriceTable) -> None:
    haiku = table.lookup("claude-3-5-haiku-20241022")
    assert haiku is not None and haiku.retired and haiku.deprecation_date == "2025-10-01"
    assert haiku.source.endswith("retired") and "LiteLLM 1.77.0" in haiku.source


def test_provider_names_map_to_table_families() -> None:
    assert namespace("azure-openai") == "azure"
    assert namespace("gcp.vertex_ai") == "vertex_ai"
    assert namespace("aws.bedrock") == "bedrock"
    assert namespace("openai-compatible") is None
    assert namespace(None) is None


def test_resolution_is_memoised() -> None:
    resolver = Resolver([("gpt-4o", "openai", False), ("azure/gpt-4o", "azure", False)])
    assert resolver.resolve("openai/gpt-4o") == "gpt-4o"
    assert resolver._memo[("openai/gpt-4o", None)] == "gpt-4o"
    resolver._groups.clear()  # a memo hit does not consult the index again
    assert resolver.resolve("openai/gpt-4o") == "gpt-4o"
