"""``aiinfra prices show|cost|update`` through the CLI's argv and top-level handler, in-process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _support import invoke_cli

LITELLM_SAMPLE: dict[str, Any] = {
    "gpt-4o": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 2e-06,
        "output_cost_per_token": 8e-06,
    },
    "claude-next-1": {
        "litellm_provider": "anthropic",
        "mode": "chat",
        "input_cost_per_token": 1e-06,
        "output_cost_per_token": 5e-06,
        "max_input_tokens": 200000,
    },
    "text-embedding-3-small": {
        "litellm_provider": "openai",
        "mode": "embedding",
        "input_cost_per_token": 2e-08,
    },
}


def prices(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data")}
    return invoke_cli("prices", *args, cwd=tmp_path, env=env)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_show_json(tmp_path: Path) -> None:
    result = prices(tmp_path, "show", "anthropic/claude-sonnet-4-5-20250929", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert (document["model"], document["resolved"]) == (
        "anthropic/claude-sonnet-4-5-20250929",
        "claude-sonnet-4-5-20250929",
    )
    assert document["prices_per_mtok"]["input_per_mtok"] == "3"
    assert document["prices_per_mtok"]["cache_write_1h_per_mtok"] == "6"
    assert document["effective_per_mtok"]["batch"]["cache_write_1h_per_mtok"] == "3"
    assert document["context_window"] == 200000
    assert "LiteLLM 1.109.1" in document["price_source"]


def test_show_for_humans_goes_to_stdout(tmp_path: Path) -> None:
    result = prices(tmp_path, "show", "gemini/gemini-2.5-pro")
    assert result.returncode == 0, result.stderr
    assert "gemini/gemini-2.5-pro" in result.stdout and "> 200,000 input" in result.stdout
    assert result.stderr == ""


def test_cost_json_is_an_exact_decimal_string(tmp_path: Path) -> None:
    # claude-sonnet-4-5: uncached 10,000 x 3 = 30,000; read 60,000 x 0.3 = 18,000;
    # 5m write 20,000 x 3.75 = 75,000; 1h write 10,000 x 6 = 60,000; output 2,000 x 15 = 30,000
    # total 213,000 µ$ = $0.213
    result = prices(
        tmp_path,
        "cost",
        "claude-sonnet-4-5",
        "--input",
        "100000",
        "--output",
        "2000",
        "--cache-read",
        "60000",
        "--cache-write",
        "20000",
        "--cache-write-1h",
        "10000",
        "--reasoning",
        "500",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["cost_usd"] == "0.213"
    assert document["breakdown"] == {
        "input": "0.03",
        "cache_read": "0.018",
        "cache_write": "0.075",
        "cache_write_1h": "0.06",
        "output": "0.03",
        "total": "0.213",
    }
    assert document["usage"] == {
        "input_tokens": 100000,
        "output_tokens": 2000,
        "cache_read_tokens": 60000,
        "cache_write_tokens": 30000,
        "cache_write_1h_tokens": 10000,
        "reasoning_tokens": 500,
    }
    assert (document["model"], document["resolved"], document["tier"]) == (
        "claude-sonnet-4-5",
        "claude-sonnet-4-5",
        "standard",
    )
    assert document["price_source"].startswith("LiteLLM 1.109.1")


def test_cost_batch_and_long_context(tmp_path: Path) -> None:
    # gemini/gemini-2.5-pro, 300,000 input (> 200k) in batch: 300,000 x 1.25 (listed
    # long-context batch input) = 375,000 µ$; 1,000 output x 7.5 = 7,500 µ$; total $0.3825
    result = prices(
        tmp_path,
        "cost",
        "gemini/gemini-2.5-pro",
        "--input",
        "300000",
        "--output",
        "1000",
        "--batch",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["cost_usd"], document["tier"]) == ("0.3825", "batch+long_context_above_200k")


def test_cost_for_humans(tmp_path: Path) -> None:
    result = prices(tmp_path, "cost", "gpt-4o", "--input", "1000", "--output", "10")
    assert result.returncode == 0, result.stderr
    assert "0.0026" in result.stdout and "total" in result.stdout


def test_unknown_model_is_exit_1_with_one_line(tmp_path: Path) -> None:
    result = prices(tmp_path, "cost", "claude-sonet-4-5", "--input", "10", "--json")
    assert result.returncode == 1
    assert one_error_line(result) == (
        "aiinfra: error: unknown model 'claude-sonet-4-5' (did you mean 'claude-sonnet-4-5'?)"
    )
    show = prices(tmp_path, "show", "no-such-model-anywhere")
    assert show.returncode == 1
    assert one_error_line(show).startswith("aiinfra: error: unknown model 'no-such-model-anywhere'")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            (
                "--input",
                "100",
                "--cache-read",
                "60",
                "--cache-write",
                "30",
                "--cache-write-1h",
                "20",
            ),
            "cache reads and writes (110) exceed --input (100)",
        ),
        (("--output", "5", "--reasoning", "6"), "--reasoning (6) exceeds --output (5)"),
    ],
)
def test_inconsistent_token_counts_are_usage_errors(
    tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    result = prices(tmp_path, "cost", "gpt-4o", *args)
    assert result.returncode == 2
    assert fragment in one_error_line(result)


def test_update_from_a_good_file(tmp_path: Path) -> None:
    source = tmp_path / "litellm.json"
    source.write_text(json.dumps(LITELLM_SAMPLE), encoding="utf-8")
    result = prices(tmp_path, "update", "--from", str(source))
    assert result.returncode == 0, result.stderr
    assert "2 models from litellm.json" in result.stderr
    copy = tmp_path / "data" / "aiinfra" / "prices.json"
    document = json.loads(copy.read_text(encoding="utf-8"))
    assert document["provenance"]["inputs"][0]["file"] == "litellm.json"
    assert str(tmp_path) not in copy.read_text(encoding="utf-8")
    # the copy is now part of the effective table: it adds a model and (as_of today or later) wins
    shown = json.loads(prices(tmp_path, "show", "claude-next-1", "--json").stdout)
    assert (
        shown["prices_per_mtok"]["input_per_mtok"] == "1" and "user copy" in shown["price_source"]
    )
    gpt = json.loads(prices(tmp_path, "show", "gpt-4o", "--json").stdout)
    assert gpt["prices_per_mtok"]["input_per_mtok"] == "2"
    retired = json.loads(prices(tmp_path, "show", "claude-3-5-haiku-20241022", "--json").stdout)
    assert retired["retired"] is True  # the bundled retired models stay


def test_update_from_broken_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "gpt-4o": {"mode": "chat",,\n}\n', encoding="utf-8")
    result = prices(tmp_path, "update", "--from", str(broken))
    assert result.returncode == 1
    assert one_error_line(result).startswith(f"aiinfra: error: {broken}:2: invalid JSON")
    not_litellm = tmp_path / "config.json"
    not_litellm.write_text(json.dumps({"models": ["gpt-4o"]}), encoding="utf-8")
    result = prices(tmp_path, "update", "--from", str(not_litellm))
    assert result.returncode == 1
    assert "not a LiteLLM price table" in one_error_line(result)
    missing = prices(tmp_path, "update", "--from", str(tmp_path / "missing.json"))
    assert missing.returncode == 1 and "cannot read" in one_error_line(missing)
    assert not (tmp_path / "data" / "aiinfra" / "prices.json").exists()


def test_config_overrides_apply(tmp_path: Path) -> None:
    config = tmp_path / "config" / "ai-models.yaml"
    config.parent.mkdir()
    config.write_text(
        """\
version: 1
providers:
  azure: {kind: azure-openai, base_url: "https://example.openai.azure.com", api_version: "2024-10-21"}
models:
  - {id: prod-4o, provider: azure, model: prod-4o-deploy, price_as: gpt-4o}
""",
        encoding="utf-8",
    )
    # 1,000 input x 2.5 + 100 output x 10 = 2,500 + 1,000 µ$ = $0.0035 (found via cwd, and via --config)
    for extra in ((), ("--config", str(config))):
        result = prices(
            tmp_path, "cost", "prod-4o", "--input", "1000", "--output", "100", "--json", *extra
        )
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        assert (document["resolved"], document["cost_usd"]) == ("azure/gpt-4o", "0.0035")
        assert "model 'prod-4o'" in document["price_source"]
