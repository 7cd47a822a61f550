"""``config/ai-models.yaml``: schema (version 1), line-numbered loading, validation, JSON Schema.

Public surface::

    load_config(path=None, *, start=None, required=False) -> Config | None
    check_text(text, path) -> (Config | None, [one formatted line per problem])
    json_schema() -> dict
"""

from __future__ import annotations

from aiinfra_cli.config._load import (
    DEFAULT_ADMIN_KEY_ENV,
    DEFAULT_KEY_ENV,
    check_text,
    display_path,
    load_config,
    read_config,
)
from aiinfra_cli.config._model import (
    AgentConfig,
    BudgetConfig,
    Config,
    HealthConfig,
    InstrumentationConfig,
    ModelConfig,
    OtlpConfig,
    ProviderConfig,
    RateLimitConfig,
    RouteConfig,
    StateConfig,
    StoreConfig,
    UsageLogConfig,
)
from aiinfra_cli.config._schema import CONFIG as CONFIG_SCHEMA
from aiinfra_cli.config._schema import (
    DEFAULT_FALLBACK_ON,
    DEFAULT_STATE_URL_ENV,
    DEFAULT_STORE_DSN_ENV,
    ERROR_CLASSES,
    PRICE_KEYS,
    PROVIDER_KINDS,
    SCHEMA_VERSION,
    TIERS,
    json_schema,
    key_paths,
)
from aiinfra_cli.config._yaml import LoadedYaml, YamlSyntaxError, load_yaml, read_text

__all__ = [
    "CONFIG_SCHEMA",
    "DEFAULT_ADMIN_KEY_ENV",
    "DEFAULT_FALLBACK_ON",
    "DEFAULT_KEY_ENV",
    "DEFAULT_STATE_URL_ENV",
    "DEFAULT_STORE_DSN_ENV",
    "ERROR_CLASSES",
    "PRICE_KEYS",
    "PROVIDER_KINDS",
    "SCHEMA_VERSION",
    "TIERS",
    "AgentConfig",
    "BudgetConfig",
    "Config",
    "HealthConfig",
    "InstrumentationConfig",
    "LoadedYaml",
    "ModelConfig",
    "OtlpConfig",
    "ProviderConfig",
    "RateLimitConfig",
    "RouteConfig",
    "StateConfig",
    "StoreConfig",
    "UsageLogConfig",
    "YamlSyntaxError",
    "check_text",
    "display_path",
    "json_schema",
    "key_paths",
    "load_config",
    "load_yaml",
    "read_config",
    "read_text",
]
