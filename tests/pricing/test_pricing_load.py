"""The effective table: bundled merged with the user's copy, newer as_of winning, memoised."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aiinfra_cli.errors import PriceError
from aiinfra_cli.pricing import load_price_table, user_table_path
from aiinfra_cli.pricing._build import dump_table
from aiinfra_cli.pricing._load import bundled_table_path


def _user_copy(as_of: str, models: dict[str, Any]) -> Path:
    document = {
        "format": "aiinfra-prices",
        "format_version": 1,
        "as_of": as_of,
        "provenance": {
            "built_by": "aiinfra prices update",
            "inputs": [
                {
                    "file": "litellm.json",
                    "sha256": "0" * 64,
                    "litellm_version": None,
                    "entries": 1,
                    "selected": 1,
                    "kept": 1,
                }
            ],
        },
        "models": models,
    }
    path = user_table_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_table(document), encoding="utf-8")
    return path


GPT_4O_CHEAPER = {"provider": "openai", "mode": "chat", "input": "2", "output": "8"}
NEW_MODEL = {"provider": "anthropic", "mode": "chat", "input": "1", "output": "5"}


def test_user_copy_lives_in_the_xdg_data_dir(isolated_home: Path) -> None:
    assert user_table_path() == isolated_home / ".local" / "share" / "aiinfra" / "prices.json"


def test_without_a_user_copy_the_bundled_table_is_used() -> None:
    table = load_price_table()
    assert [p.origin for p in table.provenance] == ["bundled"]
    assert load_price_table() is table  # memoised


def test_a_newer_user_copy_wins_on_conflicts_and_adds_models() -> None:
    _user_copy("2999-01-01", {"gpt-4o": GPT_4O_CHEAPER, "claude-next-1": NEW_MODEL})
    table = load_price_table()
    gpt = table.lookup("gpt-4o")
    assert gpt is not None and gpt.input_per_mtok == Decimal(2)
    assert gpt.source == "litellm.json (user copy, as of 2999-01-01)"
    assert table.lookup("claude-next-1") is not None
    sonnet = table.lookup("claude-sonnet-4-5")  # bundled entries the copy lacks remain
    assert sonnet is not None and sonnet.input_per_mtok == Decimal(3)
    assert table.as_of == "2999-01-01"
    assert [p.origin for p in table.provenance] == ["bundled", "user copy"]


def test_an_older_user_copy_loses_conflicts_but_still_adds_models() -> None:
    _user_copy("2000-01-01", {"gpt-4o": GPT_4O_CHEAPER, "claude-next-1": NEW_MODEL})
    table = load_price_table()
    gpt = table.lookup("gpt-4o")
    assert gpt is not None and gpt.input_per_mtok == Decimal("2.5")
    assert table.lookup("claude-next-1") is not None


def test_a_refreshed_user_copy_is_picked_up() -> None:
    _user_copy("2999-01-01", {"gpt-4o": GPT_4O_CHEAPER})
    first = load_price_table()
    _user_copy("2999-01-02", {"gpt-4o": {**GPT_4O_CHEAPER, "input": "1.5"}})
    second = load_price_table()
    assert second is not first
    price = second.lookup("gpt-4o")
    assert price is not None and price.input_per_mtok == Decimal("1.5")


def test_a_damaged_user_copy_is_a_one_line_error() -> None:
    path = user_table_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"format": "aiinfra-prices",\n  "as_of": \n', encoding="utf-8")
    with pytest.raises(PriceError) as caught:
        load_price_table()
    assert str(caught.value).startswith(f"{path}:3: damaged price table")
    for wrong in ({"format": "something-else"}, [1, 2]):
        path.write_text(json.dumps(wrong), encoding="utf-8")
        with pytest.raises(PriceError, match="not an aiinfra price table"):
            load_price_table()
    path.write_text(
        json.dumps(
            {"format": "aiinfra-prices", "as_of": "2999-01-01", "models": {"x": "not an entry"}}
        ),
        encoding="utf-8",
    )
    with pytest.raises(PriceError, match="damaged price table"):
        load_price_table()


def test_importing_pricing_stays_light() -> None:
    code = (
        "import sys, aiinfra_cli.pricing\n"
        "heavy = ('typer', 'rich', 'anthropic', 'openai', 'httpx', 'duckdb', 'libcst', 'yaml', 'difflib')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_bundled_file_is_inside_the_package() -> None:
    assert bundled_table_path().parts[-3:] == ("pricing", "data", "prices.json")
