"""The config keys of the team store: store, usage_log.otlp, state (names are a contract)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _support import EXAMPLE_CONFIG

from aiinfra_cli.config import OtlpConfig, StateConfig, StoreConfig, check_text

TEAM = """\
store: {kind: postgres, dsn_env: TEAM_PG, refresh_s: 15}
state: {kind: redis, url_env: TEAM_REDIS}
"""


def _check(text: str) -> tuple[object, list[str]]:
    return check_text(text, Path("config/ai-models.yaml"))


def test_team_keys_are_read() -> None:
    text = EXAMPLE_CONFIG.replace(
        "usage_log: {path: logs/ai-usage}",
        "usage_log: {path: logs/ai-usage, otlp: {endpoint: 'http://127.0.0.1:4318',"
        " headers_env: OTEL_EXPORTER_OTLP_HEADERS}}\n" + TEAM,
    )
    config, problems = check_text(text, Path("config/ai-models.yaml"))
    assert problems == []
    assert config is not None
    assert config.store == StoreConfig(kind="postgres", dsn_env="TEAM_PG", refresh_s=15.0)
    assert config.state == StateConfig(kind="redis", url_env="TEAM_REDIS")
    assert config.usage_log.otlp == OtlpConfig(
        endpoint="http://127.0.0.1:4318", headers_env="OTEL_EXPORTER_OTLP_HEADERS"
    )


def test_defaults_and_absence() -> None:
    config, _ = check_text(
        EXAMPLE_CONFIG + "store: {kind: postgres}\nstate: {kind: redis}\n",
        Path("config/ai-models.yaml"),
    )
    assert config is not None
    assert config.store == StoreConfig("postgres", "AIINFRA_STORE_DSN", 30.0)
    assert config.state == StateConfig("redis", "AIINFRA_REDIS_URL")
    plain, _ = check_text(EXAMPLE_CONFIG, Path("config/ai-models.yaml"))
    assert plain is not None and plain.store is None and plain.state is None
    assert plain.usage_log.otlp is None


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("store: {kind: postgres, dsn: '%s'}", "store.dsn"),
        ("store: {kind: postgres, dsn_env: '%s'}", "store.dsn_env"),
    ],
)
def test_a_literal_dsn_is_refused_and_never_echoed(section: str, key: str) -> None:
    secret = "postgresql://app:hunter2-secret@db.internal/usage"
    config, problems = check_text(
        EXAMPLE_CONFIG + section % secret + "\n", Path("config/ai-models.yaml")
    )
    assert config is None
    assert problems == [
        f"config/ai-models.yaml:18: {key}: a literal DSN in the file is refused (it can carry a"
        " password): export it and set store.dsn_env to the variable's name (default"
        " AIINFRA_STORE_DSN)"
    ]


def test_dsn_env_must_name_a_variable() -> None:
    _, problems = check_text(
        EXAMPLE_CONFIG + "store: {kind: postgres, dsn_env: 'team pg'}\n",
        Path("config/ai-models.yaml"),
    )
    assert problems == [
        "config/ai-models.yaml:18: store.dsn_env: 'team pg' is not valid: give the NAME"
        " of an environment variable, e.g. AIINFRA_STORE_DSN"
    ]
