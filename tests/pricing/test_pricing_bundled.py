"""The bundled table: provenance present, shape sane, and prices checked against the shared data.

The prices below were read from LiteLLM's files by hand (per-token floats x 1,000,000):
claude-sonnet-4-5 3e-06 / 1.5e-05 / 3e-07 / 3.75e-06 / 6e-06; gpt-4o 2.5e-06 / 1e-05 / 1.25e-06;
gemini/gemini-2.5-pro 1.25e-06 / 1e-05, above 200k 2.5e-06 / 1.5e-05; o3 2e-06 / 8e-06;
claude-3-5-haiku-20241022 only in LiteLLM 1.77.0: 8e-07 / 4e-06, deprecation_date 2025-10-01.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from aiinfra_cli.pricing import PriceTable, read_table
from aiinfra_cli.pricing._load import bundled_table_path


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return read_table(bundled_table_path(), origin="bundled")


def test_provenance_fields_are_present(table: PriceTable) -> None:
    document = json.loads(bundled_table_path().read_text(encoding="utf-8"))
    assert document["format"] == "aiinfra-prices" and document["format_version"] == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", document["as_of"])
    provenance = document["provenance"]
    assert provenance["built_by"] == "scripts/build_price_table.py"
    assert "litellm" in provenance["upstream"].lower()
    newest, older = provenance["inputs"]
    assert (newest["file"], newest["litellm_version"]) == (
        "model_prices_and_context_window.json",
        "1.109.1",
    )
    assert newest["sha256"] == "8f8060d8ce7a40c91b995c74d6a27657543d49e3c1c53430dabd556f244392c6"
    assert (older["file"], older["litellm_version"]) == (
        "model_prices_litellm-1.77.0.json",
        "1.77.0",
    )
    assert re.fullmatch(r"[0-9a-f]{64}", older["sha256"])
    assert provenance["models"] == len(document["models"]) == len(table)
    assert provenance["retired"] == sum(
        1 for entry in document["models"].values() if entry.get("retired")
    )
    assert table.as_of == document["as_of"] and table.provenance[0].origin == "bundled"


def test_no_machine_paths_and_one_model_per_line() -> None:
    text = bundled_table_path().read_text(encoding="utf-8")
    for marker in ("/work/", "/tmp/", "/home/", "/Users/", "C:\\"):
        assert marker not in text
    lines = text.splitlines()
    models = lines[lines.index('  "models": {') + 1 : -2]
    assert len(models) == len(json.loads(text)["models"])
    assert all(line.startswith('    "') and line.rstrip(",").endswith("}") for line in models)
    assert len(text.encode("utf-8")) < 600_000


@pytest.mark.parametrize(
    ("key", "rates"),
    [
        (
            "claude-sonnet-4-5",
            {
                "input_per_mtok": "3",
                "output_per_mtok": "15",
                "cache_read_per_mtok": "0.3",
                "cache_write_per_mtok": "3.75",
                "cache_write_1h_per_mtok": "6",
            },
        ),
        (
            "gpt-4o",
            {
                "input_per_mtok": "2.5",
                "output_per_mtok": "10",
                "cache_read_per_mtok": "1.25",
                "batch_input_per_mtok": "1.25",
            },
        ),
        ("gemini/gemini-2.5-pro", {"input_per_mtok": "1.25", "output_per_mtok": "10"}),
        ("o3", {"input_per_mtok": "2", "output_per_mtok": "8", "cache_read_per_mtok": "0.5"}),
        ("claude-3-5-haiku-20241022", {"input_per_mtok": "0.8", "output_per_mtok": "4"}),
    ],
)
def test_well_known_prices(table: PriceTable, key: str, rates: dict[str, str]) -> None:
    price = table.get(key)
    assert price is not None
    for field, value in rates.items():
        assert getattr(price, field) == Decimal(value), (key, field)


def test_long_context_and_retired_entries(table: PriceTable) -> None:
    gemini = table.get("gemini/gemini-2.5-pro")
    assert gemini is not None
    (tier,) = gemini.long_context
    assert (tier.above_tokens, tier.input_per_mtok, tier.output_per_mtok) == (
        200_000,
        Decimal("2.5"),
        Decimal(15),
    )
    haiku = table.get("claude-3-5-haiku-20241022")
    assert haiku is not None and haiku.retired and haiku.deprecation_date == "2025-10-01"
    for key in (
        "claude-sonnet-4-20250514",
        "claude-opus-4-1-20250805",
        "claude-3-7-sonnet-20250219",
    ):
        entry = table.get(key)
        assert entry is not None and entry.retired, key


def test_every_entry_has_base_prices_and_a_known_provider(table: PriceTable) -> None:
    from aiinfra_cli.pricing._build import MODES, PROVIDERS

    for key in table:
        price = table.get(key)
        assert price is not None
        assert price.input_per_mtok is not None and price.output_per_mtok is not None, key
        assert price.provider in PROVIDERS and price.mode in MODES, key
