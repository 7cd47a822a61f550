"""The generated runtime refuses a config key it does not know, with the line ``aiinfra config
validate`` prints for it (a typo must not turn a budget off in production); its vocabulary of
keys is rendered from aiinfra's single config definition."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from aiinfra_cli.config import check_text, key_paths

BASE = """\
version: 1
providers:
  openai: {kind: openai}
models:
  - id: gpt
    provider: openai
    model: gpt-4o-mini
routes:
  main:
    chain: [gpt]
"""


def test_the_key_vocabulary_is_the_clis(rt: ModuleType) -> None:
    assert frozenset(key_paths()) == rt.config.CONFIG_KEYS


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("budgest:\n  monthly_usd: 5\n", "budgest: unknown key (did you mean 'budgets'?)"),
        ("    max_retires: 2\n", "routes.main.max_retires: unknown key (did you mean 'max_retries'?)"),
        ("usage_log:\n  path: logs\n  zzz: 5\n", "usage_log.zzz: unknown key"),
    ],
    ids=["top level", "in a route", "no close match"],
)  # fmt: skip
def test_an_unknown_key_is_refused_with_the_clis_line(
    rt: ModuleType, tmp_path: Path, extra: str, problem: str
) -> None:
    path = tmp_path / "ai-models.yaml"
    text = BASE + extra
    path.write_text(text)
    line = len(text.splitlines())  # the unknown key is on the last line but one, or the last
    with pytest.raises(rt.ConfigurationError) as raised:
        rt.Orchestrator.from_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:") and message.endswith(f": {problem}")
    at = int(message[len(str(path)) + 1 :].split(":")[0])
    assert at in (line - 1, line)
    _, cli = check_text(text, path)
    assert any(entry.endswith(f":{at}: {problem}") for entry in cli), cli


def test_x_keys_and_the_team_store_keys_load(rt: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "ai-models.yaml"
    path.write_text(
        BASE
        + "    x-owner: search-team\n"
        + "x-notes: {anything: [1, 2]}\n"
        + "store: {kind: postgres, dsn_env: AIINFRA_STORE_DSN, refresh_s: 30}\n"
        + "usage_log:\n  path: logs\n"
        + "  otlp: {endpoint: 'http://127.0.0.1:4318', headers_env: OTEL_EXPORTER_OTLP_HEADERS}\n"
        + "state: {kind: redis, url_env: AIINFRA_REDIS_URL}\n"
    )
    ai = rt.Orchestrator.from_config(path)
    assert ai.settings.routes["main"].chain == ("gpt",)


def test_the_config_templates_windows_are_the_price_tables(runtime_repo: Path) -> None:
    from aiinfra_cli.config import load_config
    from aiinfra_cli.pricing import load_price_table

    config = load_config(runtime_repo / "config" / "ai-models.yaml", required=True)
    assert config is not None
    table = load_price_table()
    for model in config.models:
        price = table.lookup(model.model)
        assert price is not None, model.model
        assert (model.context_window, model.max_output_tokens) == (
            price.context_window,
            price.max_output_tokens,
        ), model.id
