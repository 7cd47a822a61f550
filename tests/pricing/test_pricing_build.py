"""The LiteLLM -> prices.json conversion, on small synthetic LiteLLM files written here."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aiinfra_cli.errors import PriceError
from aiinfra_cli.pricing import read_table
from aiinfra_cli.pricing._build import convert, dump_table, read_source

REPO = Path(__file__).resolve().parents[2]

NEWEST: dict[str, Any] = {
    "sample_spec": {"input_cost_per_token": 0.0, "mode": "one of: chat, embedding, ..."},
    "claude-sonnet-4-5": {
        "litellm_provider": "anthropic",
        "mode": "chat",
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07,
        "cache_creation_input_token_cost": 3.75e-06,
        "cache_creation_input_token_cost_above_1hr": 6e-06,
        "input_cost_per_token_batches": 1.5e-06,
        "output_cost_per_token_batches": 7.5e-06,
        "input_cost_per_token_priority": 9e-06,  # service tiers are not modelled
        "max_input_tokens": 200000,
        "max_output_tokens": 64000,
        "deprecation_date": "2026-11-30",
        "supports_vision": True,
    },
    "gemini/gemini-2.5-pro": {
        "litellm_provider": "gemini",
        "mode": "chat",
        "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 1e-05,
        "cache_read_input_token_cost": 1.25e-07,
        "input_cost_per_token_above_200k_tokens": 2.5e-06,
        "output_cost_per_token_above_200k_tokens": 1.5e-05,
        "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
        "input_cost_per_token_above_200k_tokens_batches": 1.25e-06,
    },
    "gpt-4o": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
    },
    "text-embedding-3-small": {
        "litellm_provider": "openai",
        "mode": "embedding",
        "input_cost_per_token": 2e-08,
    },
    "fireworks_ai/llama": {
        "litellm_provider": "fireworks_ai",
        "mode": "chat",
        "input_cost_per_token": 1e-07,
        "output_cost_per_token": 1e-07,
    },
    "deepseek/deepseek-chat": {
        "litellm_provider": "deepseek",
        "mode": "chat",
        "input_cost_per_token": 2.8e-07,
        "output_cost_per_token": 4.2e-07,
        "input_cost_per_token_cache_hit": 2.8e-08,
    },
    "medlm-large": {
        "litellm_provider": "vertex_ai-language-models",
        "mode": "chat",
        "input_cost_per_character": 5e-06,
    },
    "cohere.command-r-v1:0": {
        "litellm_provider": "bedrock",
        "mode": "chat",
        "input_cost_per_token": 5e-07,
        "output_cost_per_token": 1.5e-06,
    },
    "gpt-4o-mini": {
        "litellm_provider": "openai",
        "mode": "completion",
        "input_cost_per_token": 1.5e-07,
        "output_cost_per_token": 6e-07,
    },
}
OLDER: dict[str, Any] = {
    "gpt-4o": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 5e-06,
        "output_cost_per_token": 1.5e-05,
    },
    "claude-3-5-haiku-20241022": {
        "litellm_provider": "anthropic",
        "mode": "chat",
        "max_tokens": 8192,
        "input_cost_per_token": 8e-07,
        "output_cost_per_token": 4e-06,
        "cache_read_input_token_cost": 8e-08,
        "cache_creation_input_token_cost": 1e-06,
        "deprecation_date": "2025-10-01",
    },
    "gpt-4-turbo": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 1e-05,
        "output_cost_per_token": 3e-05,
    },
    # in the newest file as a completion model: the newest entry wins, so it is dropped
    "gpt-4o-mini": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 1.5e-07,
        "output_cost_per_token": 6e-07,
    },
}


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    newest, older = (
        tmp_path / "model_prices_and_context_window.json",
        tmp_path / "model_prices_litellm-1.77.0.json",
    )
    newest.write_text(json.dumps(NEWEST, indent=2), encoding="utf-8")
    older.write_text(json.dumps(OLDER), encoding="utf-8")
    return newest, older


def _build(inputs: tuple[Path, Path], built_by: str = "test") -> dict[str, Any]:
    newest, older = inputs
    sources = [read_source(newest, "1.109.1"), read_source(older)]
    return convert(sources, as_of="2026-01-02", built_by=built_by)


def test_newest_wins_and_retired_models_are_kept(inputs: tuple[Path, Path]) -> None:
    models = _build(inputs)["models"]
    assert models["gpt-4o"]["input"] == "2.5"  # not the older 5
    assert "retired" not in models["gpt-4o"]
    assert models["claude-3-5-haiku-20241022"] == {
        "provider": "anthropic",
        "mode": "chat",
        "input": "0.8",
        "output": "4",
        "cache_read": "0.08",
        "cache_write": "1",
        "deprecation_date": "2025-10-01",
        "retired": True,
        "from": 1,
    }
    assert (
        models["gpt-4-turbo"]["retired"] is True and "deprecation_date" not in models["gpt-4-turbo"]
    )
    assert "gpt-4o-mini" not in models


def test_selection_and_rates(inputs: tuple[Path, Path]) -> None:
    models = _build(inputs)["models"]
    assert set(models) == {
        "claude-sonnet-4-5",
        "gemini/gemini-2.5-pro",
        "gpt-4o",
        "deepseek/deepseek-chat",
        "claude-3-5-haiku-20241022",
        "gpt-4-turbo",
    }
    assert models["claude-sonnet-4-5"] == {
        "provider": "anthropic",
        "mode": "chat",
        "input": "3",
        "output": "15",
        "cache_read": "0.3",
        "cache_write": "3.75",
        "cache_write_1h": "6",
        "batch_input": "1.5",
        "batch_output": "7.5",
        "context_window": 200000,
        "max_output": 64000,
        "deprecation_date": "2026-11-30",
    }
    assert models["gemini/gemini-2.5-pro"]["long_context"] == [
        {
            "above": 200000,
            "input": "2.5",
            "output": "15",
            "cache_read": "0.25",
            "batch_input": "1.25",
        }
    ]
    assert models["deepseek/deepseek-chat"]["cache_read"] == "0.028"


def test_floats_become_exact_decimal_strings(inputs: tuple[Path, Path]) -> None:
    text = dump_table(_build(inputs))
    assert '"input": "3"' in text and "e-0" not in text and "E-" not in text
    assert "3.0000000000000001" not in text


def test_provenance_is_recorded_without_machine_paths(inputs: tuple[Path, Path]) -> None:
    newest, older = inputs
    document = _build(inputs)
    provenance = document["provenance"]
    assert document["as_of"] == "2026-01-02" and document["format"] == "aiinfra-prices"
    first, second = provenance["inputs"]
    assert first == {
        "file": "model_prices_and_context_window.json",
        "sha256": hashlib.sha256(newest.read_bytes()).hexdigest(),
        "litellm_version": "1.109.1",
        "entries": 9,  # sample_spec documents the fields and is not an entry
        "selected": 5,  # medlm-large is a chat model, but priced per character: skipped
        "kept": 4,
    }
    assert second["litellm_version"] == "1.77.0"  # read from the file name
    assert second["sha256"] == hashlib.sha256(older.read_bytes()).hexdigest()
    assert (
        provenance["models"],
        provenance["retired"],
        provenance["skipped_without_token_price"],
    ) == (6, 2, 1)
    assert str(newest.parent) not in dump_table(document)


def test_dump_is_one_model_per_line_and_reads_back(
    inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    text = dump_table(_build(inputs))
    lines = text.splitlines()
    assert (
        sum(1 for line in lines if line.startswith('    "') and line.rstrip(",").endswith("}")) == 6
    )
    path = tmp_path / "prices.json"
    path.write_text(text, encoding="utf-8")
    table = read_table(path, origin="bundled")
    assert len(table) == 6 and table.as_of == "2026-01-02"
    haiku = table.get("claude-3-5-haiku-20241022")
    assert haiku is not None and haiku.retired and haiku.cache_write_per_mtok == Decimal(1)
    assert haiku.source == "LiteLLM 1.77.0 (bundled table, as of 2026-01-02), retired"
    assert table.provenance[0].inputs[0].litellm_version == "1.109.1"


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "gpt-4o": {"mode": "chat",\n}\n', encoding="utf-8")
    with pytest.raises(PriceError) as caught:
        read_source(broken)
    assert str(caught.value).startswith(f"{broken}:3: invalid JSON")
    shaped_wrong = tmp_path / "list.json"
    shaped_wrong.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(PriceError, match="not a LiteLLM price table"):
        convert([read_source(shaped_wrong)], as_of="2026-01-01", built_by="test")
    nothing_priced = tmp_path / "embeddings.json"
    nothing_priced.write_text(json.dumps({"e": NEWEST["text-embedding-3-small"]}), encoding="utf-8")
    with pytest.raises(PriceError, match="no chat or responses model"):
        convert([read_source(nothing_priced)], as_of="2026-01-01", built_by="test")
    with pytest.raises(PriceError, match="cannot read"):
        read_source(tmp_path / "missing.json")


def test_malformed_prices_skip_the_entry(tmp_path: Path) -> None:
    data = {
        "gpt-4o": NEWEST["gpt-4o"],
        "bad": {
            "litellm_provider": "openai",
            "mode": "chat",
            "input_cost_per_token": "cheap",
            "output_cost_per_token": 1e-06,
        },
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    document = convert([read_source(path)], as_of="2026-01-01", built_by="test")
    assert list(document["models"]) == ["gpt-4o"]
    assert document["provenance"]["skipped_without_token_price"] == 1


def test_the_build_script(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    newest, older = inputs
    output = tmp_path / "out" / "prices.json"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_price_table.py"),
            str(newest),
            str(older),
            "--litellm-version",
            "1.109.1",
            "--as-of",
            "2026-01-02",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "6 models (2 retired)" in result.stdout
    expected = dump_table(_build(inputs, built_by="scripts/build_price_table.py"))
    assert output.read_text(encoding="utf-8") == expected
    bad = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_price_table.py"),
            str(tmp_path / "nope.json"),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1 and "cannot read" in bad.stderr and "Traceback" not in bad.stderr
