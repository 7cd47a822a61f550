"""config/ai-models.yaml: the reference example, discovery, and one clear line per problem."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from _support import EXAMPLE_CONFIG, invoke_cli

from aiinfra_cli.config import RateLimitConfig, check_text, json_schema, load_config
from aiinfra_cli.errors import ConfigError


def test_reference_example_validates_as_written(configured_repo: Path) -> None:
    config = load_config(start=configured_repo)
    assert config is not None
    assert config.root == configured_repo.resolve()
    assert list(config.providers) == ["anthropic", "openai", "local"]
    assert config.providers["local"].base_url == "http://127.0.0.1:11434/v1"
    assert config.providers["anthropic"].api_key_env == "ANTHROPIC_API_KEY"
    assert [m.id for m in config.models] == ["smart", "fast", "llama"]
    llama = config.model("llama")
    assert llama is not None and llama.provider_kind == "openai-compatible"
    assert llama.pricing == {"input_per_mtok": Decimal(0), "output_per_mtok": Decimal(0)}
    route = config.routes["summarize"]
    assert route.chain == ("smart", "fast", "llama")
    assert (route.timeout_s, route.max_retries) == (30, 3)
    assert config.budgets.monthly_usd == Decimal(500)
    assert config.budgets.per_feature == {"summarize": Decimal(100)}
    assert config.budgets.alert_at == (0.7, 0.9, 1.0)
    assert config.usage_log.path == (configured_repo / "logs" / "ai-usage").resolve()


def test_discovery_walks_up_to_repo_root_but_not_beyond(
    configured_repo: Path, tmp_path: Path
) -> None:
    nested = configured_repo / "src" / "pkg"
    nested.mkdir(parents=True)
    config = load_config(start=nested)
    assert (
        config is not None
        and config.path == (configured_repo / "config" / "ai-models.yaml").resolve()
    )

    # A config above the repo root belongs to another project and must not be picked up.
    inner = configured_repo / "vendor" / "other"
    inner.mkdir(parents=True)
    (inner / ".git").mkdir()
    assert load_config(start=inner) is None
    with pytest.raises(
        ConfigError, match=r"no config/ai-models.yaml found .* \(run 'aiinfra init'"
    ):
        load_config(start=inner, required=True)


def _problems(text: str) -> list[str]:
    config, problems = check_text(text, Path("config/ai-models.yaml"))
    assert config is None
    return problems


def test_unknown_provider_names_file_line_key_and_suggestion() -> None:
    text = EXAMPLE_CONFIG.replace("model: gpt-4o-mini", "model: gpt-4o-mini").replace(
        "{id: fast, provider: openai", "{id: fast, provider: opnai"
    )
    assert _problems(text) == [
        "config/ai-models.yaml:8: models[1].provider: unknown provider 'opnai' (did you mean 'openai'?)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "kind: anthropic,",
            "kind: antropic,",
            "config/ai-models.yaml:3: providers.anthropic.kind: 'antropic' is not one of: anthropic, openai,"
            " openai-compatible, gemini, azure-openai (did you mean 'anthropic'?)",
        ),
        (
            "chain: [smart, fast, llama]",
            "chain: [smart, fats, llama]",
            "config/ai-models.yaml:12: routes.summarize.chain[1]: unknown model id 'fats' (did you mean 'fast'?)",
        ),
        (
            "context_window: 128000",
            "contxt_window: 128000",
            "config/ai-models.yaml:8: models[1].contxt_window: unknown key (did you mean 'context_window'?)",
        ),
        (
            "monthly_usd: 500",
            "monthly_usd: lots",
            'config/ai-models.yaml:14: budgets.monthly_usd: expected an amount in USD (e.g. 12.5 or "12.5"),'
            " got a string",
        ),
        (
            "version: 1",
            "version: 2",
            "config/ai-models.yaml:1: version: unsupported version 2; this aiinfra reads version 1",
        ),
        (
            "alert_at: [0.7, 0.9, 1.0]",
            "alert_at: [0.9, 0.7, 1.0]",
            "config/ai-models.yaml:16: budgets.alert_at: tiers must be in ascending order",
        ),
        (
            "max_output_tokens: 4096",
            "max_output_tokens: 400000",
            "config/ai-models.yaml:8: models[1].max_output_tokens: 400000 is larger than context_window 128000",
        ),
        (
            "max_retries: 3}",
            "max_retries: 3, prompt_cache: 1hr}",
            """config/ai-models.yaml:12: routes.summarize.prompt_cache: expected true, false, "5m" or"""
            """ "1h", got '1hr' (did you mean '1h'?)""",
        ),
        (
            "max_retries: 3}",
            "max_retries: 3, cache: {enabled: true, sampled: yes please}}",
            "config/ai-models.yaml:12: routes.summarize.cache.sampled: expected true or false,"
            " got a string",
        ),
        (
            "max_retries: 3}",
            "max_retries: 3, rate_limit: {per_user: {requests_per_minut: 5}}}",
            "config/ai-models.yaml:12: routes.summarize.rate_limit.per_user.requests_per_minut:"
            " unknown key (did you mean 'requests_per_minute'?)",
        ),
        (
            "max_retries: 3}",
            "max_retries: 3, rate_limit: {per_tenant: {tokens_per_minute: 0}}}",
            "config/ai-models.yaml:12: routes.summarize.rate_limit.per_tenant.tokens_per_minute:"
            " must be greater than 0, got 0",
        ),
        (
            'local:     {kind: openai-compatible, base_url: "http://127.0.0.1:11434/v1"}',
            "local:     {kind: openai-compatible}",
            "config/ai-models.yaml:5: providers.local.base_url: is required for kind 'openai-compatible'",
        ),
    ],
)
def test_each_problem_is_one_clear_line(old: str, new: str, expected: str) -> None:
    assert old in EXAMPLE_CONFIG
    assert _problems(EXAMPLE_CONFIG.replace(old, new)) == [expected]


def test_literal_key_is_refused_and_never_echoed() -> None:
    key = "sk-ant-api03-" + "x1Y2z3" * 8
    text = EXAMPLE_CONFIG.replace("api_key_env: ANTHROPIC_API_KEY", f"api_key_env: {key}")
    problems = _problems(text)
    assert problems == [
        "config/ai-models.yaml:3: providers.anthropic.api_key_env: this looks like a literal Anthropic"
        " API key: keys come from environment variables only (set api_key_env to the variable's name"
        " and export the key)"
    ]
    assert key not in "".join(problems)


def test_duplicate_keys_and_ids_are_caught() -> None:
    text = EXAMPLE_CONFIG.replace("{id: llama,", "{id: fast,") + "version: 1\n"
    assert _problems(text) == [
        "config/ai-models.yaml:9: models[2].id: duplicate model id 'fast'",
        "config/ai-models.yaml:12: routes.summarize.chain[2]: unknown model id 'llama'",
        "config/ai-models.yaml:18: version: duplicate key (the later value would silently win)",
    ]


def test_invalid_yaml_names_the_line() -> None:
    text = EXAMPLE_CONFIG.replace(
        "  per_feature: {summarize: 100}", "  per_feature: {summarize: 100"
    )
    (problem,) = _problems(text)
    assert problem.startswith("config/ai-models.yaml:16: invalid YAML: expected ',' or '}'")
    assert "(while parsing a flow mapping started on line 15)" in problem


def test_empty_and_non_mapping_files() -> None:
    assert _problems("") == ["config/ai-models.yaml: the file is empty (start with 'version: 1')"]
    assert _problems("- a\n- b\n") == ["config/ai-models.yaml:1: expected a mapping, got a list"]


ROUTE_FEATURES = """\
routes:
  chat:
    chain: [smart, fast]
    prompt_cache: true
    cache: {enabled: true, ttl_s: 600, sampled: true}
    rate_limit:
      requests_per_minute: 600
      per_user: {requests_per_minute: 20, tokens_per_minute: 40000}
      per_tenant: {tokens_per_minute: 100000}
  long: {chain: [smart], prompt_cache: "1h"}
  short: {chain: [fast], prompt_cache: "5m"}
  plain: {chain: [fast], prompt_cache: false}
"""


def test_route_features_are_typed_with_defaults() -> None:
    text = EXAMPLE_CONFIG.replace("routes:\n", ROUTE_FEATURES, 1)
    config, problems = check_text(text, Path("config/ai-models.yaml"))
    assert problems == [] and config is not None
    chat = config.routes["chat"]
    assert (chat.prompt_cache, chat.cache_enabled, chat.cache_ttl_s) == ("5m", True, 600)
    assert chat.cache_sampled is True
    assert (chat.requests_per_minute, chat.tokens_per_minute) == (600, None)
    assert chat.per_user == RateLimitConfig(requests_per_minute=20, tokens_per_minute=40000)
    assert chat.per_tenant == RateLimitConfig(tokens_per_minute=100000)
    assert chat.per_user.limited and chat.per_tenant.limited
    prompt_caches = {name: route.prompt_cache for name, route in config.routes.items()}
    assert prompt_caches == {
        "chat": "5m",
        "long": "1h",
        "short": "5m",
        "plain": None,
        "summarize": None,
    }
    # Absent keys: nothing cached beyond deterministic requests, no per-user / tenant limits.
    summarize = config.routes["summarize"]
    assert summarize.cache_sampled is False
    assert summarize.per_user == summarize.per_tenant == RateLimitConfig()
    assert not summarize.per_user.limited


def test_user_annotations_with_x_prefix_are_allowed() -> None:
    config, problems = check_text(EXAMPLE_CONFIG + "x-owner: platform-team\n", Path("c.yaml"))
    assert problems == [] and config is not None


def test_json_schema_describes_every_top_level_key() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    properties = schema["properties"]
    assert isinstance(properties, dict)
    assert set(properties) == {
        "version",
        "providers",
        "models",
        "routes",
        "budgets",
        "usage_log",
        "instrumentation",
        "agent",
        "health",
        "store",
        "state",
    }
    assert schema["required"] == ["version"]


def test_cli_validate_and_schema(configured_repo: Path) -> None:
    ok = invoke_cli("config", "validate", cwd=configured_repo / "config")
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr.strip().endswith("valid (3 providers, 3 models, 1 routes)")

    bad = configured_repo / "bad.yaml"
    bad.write_text(
        EXAMPLE_CONFIG.replace("provider: local", "provider: locl").replace(
            "tier: fast}", "tier: fastest}"
        )
    )
    result = invoke_cli("config", "validate", "--config", "bad.yaml", cwd=configured_repo)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "bad.yaml:8: models[1].tier: 'fastest' is not one of: fast, balanced, powerful, reasoning"
        " (did you mean 'fast'?)",
        "bad.yaml:9: models[2].provider: unknown provider 'locl' (did you mean 'local'?)",
        "bad.yaml: 2 problems",
    ]
    schema = invoke_cli("config", "schema", cwd=configured_repo)
    assert schema.returncode == 0
    assert json.loads(schema.stdout)["title"] == "aiinfra config/ai-models.yaml"


def test_cli_validate_without_config_says_how_to_fix(git_repo: Path) -> None:
    result = invoke_cli("config", "validate", cwd=git_repo)
    assert result.returncode == 1
    assert result.stderr == (
        "aiinfra: error: no config/ai-models.yaml found here or in a parent directory up to the repo"
        " root (run 'aiinfra init' or pass --config PATH)\n"
    )


def test_validate_warns_about_a_routed_model_nothing_prices(git_repo: Path) -> None:
    (git_repo / "config").mkdir()
    (git_repo / "config" / "ai-models.yaml").write_text(
        "version: 1\n"
        "providers:\n"
        "  openai: {kind: openai}\n"
        "models:\n"
        "  - {id: fast, provider: openai, model: gpt-4o-mini}\n"
        "  - {id: house, provider: openai, model: house-model-1}\n"
        "  - {id: spare, provider: openai, model: spare-model-2}\n"
        "  - id: priced\n"
        "    provider: openai\n"
        "    model: house-model-3\n"
        "    pricing: {input_per_mtok: 1, output_per_mtok: 4}\n"
        "routes:\n"
        "  main: {chain: [fast, house, priced]}\n"
        "  side: {chain: [house]}\n",
        encoding="utf-8",
    )
    result = invoke_cli("config", "validate", cwd=git_repo)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "config/ai-models.yaml: valid (1 providers, 4 models, 2 routes)",
        "warning: config/ai-models.yaml:6: model 'house' (house-model-1, in routes: main, side)"
        " has no price: add a pricing: override or use a model from the price snapshot"
        " (its calls record no cost)",
    ]


@pytest.mark.parametrize("lang", ["python", "typescript"])
def test_validate_warns_about_a_routed_model_the_runtimes_snapshot_lacks(
    git_repo: Path, lang: str
) -> None:
    """Both runtimes price from their snapshot and apply only full overrides at load."""
    from aiinfra_cli.scaffold import apply_plan, plan_init

    (git_repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    apply_plan(plan_init(git_repo, lang=lang, package_dir="src/ai")[0])
    config = git_repo / "config" / "ai-models.yaml"
    text = config.read_text(encoding="utf-8")
    assert "gpt-4.1-mini" not in text  # in aiinfra's price table, not in the snapshot
    added = (
        "  - {id: later, provider: openai, model: gpt-4.1-mini}\n"
        "  - {id: house, provider: openai, model: house-model-1,"
        " pricing: {input_per_mtok: 1, output_per_mtok: 4}}\n"
    )
    text = text.replace("\nmodels:\n", "\nmodels:\n" + added, 1)
    text = text.replace("\nroutes:\n", "\nroutes:\n  later: {chain: [later, house]}\n", 1)
    config.write_text(text, encoding="utf-8")
    line = text.splitlines().index(added.splitlines()[0]) + 1
    result = invoke_cli("config", "validate", cwd=git_repo)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[1:] == [
        f"warning: config/ai-models.yaml:{line}: model 'later' (gpt-4.1-mini) is not in the"
        " runtime's price snapshot (src/ai/_prices.json): re-run `aiinfra init`, or add a"
        " pricing: override with input_per_mtok and output_per_mtok (until then the runtime"
        " records no cost for it)"
    ]
