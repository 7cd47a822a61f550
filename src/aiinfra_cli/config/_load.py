"""Find, parse and validate ``config/ai-models.yaml`` into a :class:`Config`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiinfra_cli._schema import Path as KeyPath
from aiinfra_cli._schema import Problem, did_you_mean, format_path, to_decimal
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
from aiinfra_cli.config._schema import CONFIG, DEFAULT_FALLBACK_ON, SCHEMA_VERSION
from aiinfra_cli.config._yaml import LoadedYaml, YamlSyntaxError, load_yaml, read_text
from aiinfra_cli.errors import ConfigError
from aiinfra_cli.paths import CONFIG_RELPATH, find_config
from aiinfra_cli.redact import find_secret

DEFAULT_KEY_ENV = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "azure-openai": "AZURE_OPENAI_API_KEY",
}
# Admin keys read the organization's usage and cost (`aiinfra billing pull`), never calls.
DEFAULT_ADMIN_KEY_ENV = {"anthropic": "ANTHROPIC_ADMIN_KEY", "openai": "OPENAI_ADMIN_KEY"}
DEFAULT_USAGE_LOG = "logs/ai-usage"
_NEEDS_BASE_URL = ("openai-compatible", "azure-openai")


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (as users typed it)."""
    try:
        return (
            os.path.relpath(path)
            if path.is_absolute() and Path.cwd() in path.parents
            else str(path)
        )
    except ValueError:
        return str(path)


def _walk_strings(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_strings(item, (*path, index))


def _mapping(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _semantic_problems(data: dict[str, Any]) -> list[Problem]:
    """Cross-references and rules the structural schema cannot express."""
    problems: list[Problem] = []
    for path, text in _walk_strings(data, ()):
        kind = find_secret(text)
        if kind:
            problems.append(
                Problem(
                    path,
                    f"this looks like a literal {kind}: keys come from environment variables only"
                    " (set api_key_env to the variable's name and export the key)",
                )
            )
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version != SCHEMA_VERSION:
        problems.append(
            Problem(
                ("version",),
                f"unsupported version {version}; this aiinfra reads version {SCHEMA_VERSION}",
            )
        )
    providers = _mapping(data, "providers")
    for name, provider in providers.items():
        needs_url = isinstance(provider, dict) and provider.get("kind") in _NEEDS_BASE_URL
        if needs_url and "base_url" not in provider:
            problems.append(
                Problem(
                    ("providers", name, "base_url"),
                    f"is required for kind '{provider['kind']}'",
                )
            )
    models = _items(data, "models")
    model_ids: list[str] = []
    for index, model in enumerate(models):
        if not isinstance(model, dict):
            continue
        model_id = model.get("id")
        if isinstance(model_id, str):
            if model_id in model_ids:
                problems.append(
                    Problem(("models", index, "id"), f"duplicate model id '{model_id}'")
                )
            model_ids.append(model_id)
        provider_name = model.get("provider")
        if isinstance(provider_name, str) and provider_name not in providers:
            problems.append(
                Problem(
                    ("models", index, "provider"),
                    f"unknown provider '{provider_name}'"
                    + did_you_mean(provider_name, list(providers)),
                )
            )
        window, max_out = model.get("context_window"), model.get("max_output_tokens")
        if isinstance(window, int) and isinstance(max_out, int) and max_out > window:
            problems.append(
                Problem(
                    ("models", index, "max_output_tokens"),
                    f"{max_out} is larger than context_window {window}",
                )
            )
    routes = _mapping(data, "routes")
    for name, route in routes.items():
        chain = route.get("chain") if isinstance(route, dict) else None
        for position, model_id in enumerate(chain if isinstance(chain, list) else []):
            if isinstance(model_id, str) and model_id not in model_ids:
                problems.append(
                    Problem(
                        ("routes", name, "chain", position),
                        f"unknown model id '{model_id}'{did_you_mean(model_id, model_ids)}",
                    )
                )
    budgets = _mapping(data, "budgets")
    per_model = _mapping(budgets, "per_model")
    for model_id in per_model:
        if model_id not in model_ids:
            problems.append(
                Problem(
                    ("budgets", "per_model", str(model_id)),
                    f"unknown model id '{model_id}'{did_you_mean(str(model_id), model_ids)}",
                )
            )
    alert_at = _items(budgets, "alert_at")
    numeric = all(isinstance(a, int | float) for a in alert_at)
    if numeric and alert_at != sorted(alert_at):
        problems.append(Problem(("budgets", "alert_at"), "tiers must be in ascending order"))
    problems.extend(_literal_secrets(data))
    agent = _mapping(data, "agent")
    agent_route = agent.get("route")
    if isinstance(agent_route, str) and agent_route not in routes:
        problems.append(
            Problem(
                ("agent", "route"),
                f"unknown route '{agent_route}'{did_you_mean(agent_route, list(routes))}",
            )
        )
    return problems


# Where a connection string (which can carry a password) could land in the file: refused,
# never echoed, with the fix. (section, key holding a variable NAME, what the variable holds)
_CONNECTION_KEYS = (
    ("store", "dsn_env", "DSN", "AIINFRA_STORE_DSN"),
    ("state", "url_env", "Redis URL", "AIINFRA_REDIS_URL"),
)


def _literal_secrets(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for section, key, what, default in _CONNECTION_KEYS:
        found = _mapping(data, section)
        literal: list[str] = [k for k in ("dsn", "url") if k in found]
        value = found.get(key)
        if isinstance(value, str) and "://" in value:
            literal.append(key)
        problems.extend(
            Problem(
                (section, name),
                f"a literal {what} in the file is refused (it can carry a password): export it"
                f" and set {section}.{key} to the variable's name (default {default})",
            )
            for name in literal
        )
    return problems


def _money(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _prompt_cache(value: Any) -> str | None:
    """``true`` means Anthropic's default 5-minute cache; ``false`` (or absent) means none."""
    if value is True:
        return "5m"
    return value if isinstance(value, str) else None


def _rate_limit(value: Any) -> RateLimitConfig:
    limits = value or {}
    return RateLimitConfig(
        requests_per_minute=limits.get("requests_per_minute"),
        tokens_per_minute=limits.get("tokens_per_minute"),
    )


def _route(name: str, r: dict[str, Any]) -> RouteConfig:
    cache, rate = r.get("cache") or {}, r.get("rate_limit") or {}
    return RouteConfig(
        name=name,
        chain=tuple(r["chain"]),
        timeout_s=r.get("timeout_s"),
        attempt_timeout_s=r.get("attempt_timeout_s"),
        max_retries=r.get("max_retries"),
        max_cost_usd=_money(r.get("max_cost_usd")),
        fallback_on=tuple(r.get("fallback_on", DEFAULT_FALLBACK_ON)),
        max_fallback_depth=r.get("max_fallback_depth"),
        cache_enabled=bool(cache.get("enabled", False)),
        cache_ttl_s=cache.get("ttl_s"),
        cache_sampled=bool(cache.get("sampled", False)),
        prompt_cache=_prompt_cache(r.get("prompt_cache")),
        requests_per_minute=rate.get("requests_per_minute"),
        tokens_per_minute=rate.get("tokens_per_minute"),
        per_user=_rate_limit(rate.get("per_user")),
        per_tenant=_rate_limit(rate.get("per_tenant")),
    )


def _build(data: dict[str, Any], path: Path) -> Config:
    """Turn validated data into typed objects, filling documented defaults."""
    root = path.parent.parent if path.parent.name == "config" else path.parent
    providers = {
        name: ProviderConfig(
            name=name,
            kind=p["kind"],
            base_url=p.get("base_url"),
            api_key_env=p.get("api_key_env", DEFAULT_KEY_ENV.get(p["kind"])),
            api_version=p.get("api_version"),
            organization_env=p.get("organization_env"),
            admin_key_env=p.get("admin_key_env", DEFAULT_ADMIN_KEY_ENV.get(p["kind"])),
            timeout_s=p.get("timeout_s"),
            health_url=p.get("health_url"),
        )
        for name, p in (data.get("providers") or {}).items()
    }
    models = tuple(
        ModelConfig(
            id=m["id"],
            provider=m["provider"],
            provider_kind=providers[m["provider"]].kind,
            model=m["model"],
            context_window=m.get("context_window"),
            max_output_tokens=m.get("max_output_tokens"),
            tier=m.get("tier"),
            pricing=(
                {key: d for key, value in m["pricing"].items() if (d := _money(value)) is not None}
                if m.get("pricing")
                else None
            ),
            price_as=m.get("price_as"),
            tags=tuple(m.get("tags") or ()),
        )
        for m in data.get("models") or []
    )
    routes = {name: _route(name, r) for name, r in (data.get("routes") or {}).items()}
    b = data.get("budgets") or {}
    budgets = BudgetConfig(
        monthly_usd=_money(b.get("monthly_usd")),
        daily_usd=_money(b.get("daily_usd")),
        per_feature={
            k: d for k, v in (b.get("per_feature") or {}).items() if (d := _money(v)) is not None
        },
        per_model={
            k: d for k, v in (b.get("per_model") or {}).items() if (d := _money(v)) is not None
        },
        alert_at=tuple(float(a) for a in b["alert_at"]) if "alert_at" in b else (0.7, 0.9, 1.0),
        soft_limit_at=b.get("soft_limit_at"),
        on_hard_limit=b.get("on_hard_limit", "refuse"),
    )
    u = data.get("usage_log") or {}
    usage_log = UsageLogConfig(
        path=(root / u.get("path", DEFAULT_USAGE_LOG)).resolve(),
        format=u.get("format", "aiinfra"),
        rotate_mb=u.get("rotate_mb"),
        otlp=_otlp(u.get("otlp")),
    )
    i = data.get("instrumentation") or {}
    instrumentation = InstrumentationConfig(
        tracked_wrappers=tuple(i.get("tracked_wrappers") or ()),
        tracker_module=i.get("tracker_module", "ai.cost_tracker"),
        ignore_paths=tuple(i.get("ignore_paths") or ()),
    )
    a = data.get("agent") or {}
    wait = a.get("max_wait_s")
    agent = AgentConfig(
        route=a.get("route"),
        max_cost_usd=_money(a.get("max_cost_usd")),
        max_wait_s=None if wait is None else float(wait),
    )
    h = data.get("health") or {}
    health = HealthConfig(
        **{k: float(h[k]) for k in ("min_headroom", "slow_ms", "slow_ttft_ms") if k in h}
    )
    return Config(
        path=path,
        root=root,
        version=data["version"],
        providers=providers,
        models=models,
        routes=routes,
        budgets=budgets,
        usage_log=usage_log,
        instrumentation=instrumentation,
        agent=agent,
        health=health,
        store=_store(data.get("store")),
        state=_state(data.get("state")),
    )


def _otlp(o: dict[str, Any] | None) -> OtlpConfig | None:
    if not o:
        return None
    return OtlpConfig(endpoint=o["endpoint"], headers_env=o.get("headers_env"))


def _store(s: dict[str, Any] | None) -> StoreConfig | None:
    if not s:
        return None
    found = {k: s[k] for k in ("dsn_env",) if k in s}
    if "refresh_s" in s:
        found["refresh_s"] = float(s["refresh_s"])
    return StoreConfig(kind=s["kind"], **found)


def _state(s: dict[str, Any] | None) -> StateConfig | None:
    if not s:
        return None
    return StateConfig(kind=s["kind"], **{k: s[k] for k in ("url_env",) if k in s})


def check_text(text: str, path: Path) -> tuple[Config | None, list[str]]:
    """Validate config text: the Config (None if invalid) and one formatted line per problem."""
    shown = display_path(path)
    try:
        loaded = load_yaml(text)
    except YamlSyntaxError as exc:
        where = f"{shown}:{exc.line}" if exc.line else shown
        return None, [f"{where}: {exc.message} (check indentation and quoting on that line)"]
    if loaded.data is None:
        return None, [f"{shown}: the file is empty (start with 'version: {SCHEMA_VERSION}')"]
    problems = list(loaded.problems)
    CONFIG.check(loaded.data, (), problems)
    if isinstance(loaded.data, dict):
        semantic = _semantic_problems(loaded.data)
        # A literal key is the one thing worth saying about that value; drop its other complaints.
        secret_paths = {p.path for p in semantic if "literal" in p.message}
        problems = [p for p in problems if p.path not in secret_paths] + semantic
    if problems:
        return None, _format(problems, loaded, shown)
    return _build(loaded.data, path.resolve()), []


def _format(problems: list[Problem], loaded: LoadedYaml, shown: str) -> list[str]:
    seen: set[str] = set()
    lines: list[tuple[int, str]] = []
    for problem in problems:
        line = loaded.line_of(problem.path)
        where = f"{shown}:{line}" if line else shown
        key = format_path(problem.path)
        text = f"{where}: {key}: {problem.message}" if key else f"{where}: {problem.message}"
        if text not in seen:
            seen.add(text)
            lines.append((line or 0, text))
    return [text for _, text in sorted(lines, key=lambda item: item[0])]


def resolve_config_path(path: Path | None, start: Path | None = None) -> Path | None:
    """The explicit ``path`` (which must exist), else the discovered one, else None."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(
                f"config file not found: {path}",
                hint="check the --config path",
            )
        return path
    return find_config(start)


def read_config(path: Path | None, start: Path | None = None) -> tuple[Path, str]:
    """The config file (explicit or discovered) and its text; ConfigError when there is none
    or it cannot be read."""
    return _read(resolve_config_path(path, start))


def _read(found: Path | None) -> tuple[Path, str]:
    if found is None:
        raise ConfigError(
            f"no {CONFIG_RELPATH} found here or in a parent directory up to the repo root",
            hint="run 'aiinfra init' or pass --config PATH",
        )
    try:
        return found, read_text(found)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {display_path(found)}: {exc}") from None


def load_config(
    path: Path | None = None, *, start: Path | None = None, required: bool = False
) -> Config | None:
    """Load and validate the config.

    With no ``path``, ``config/ai-models.yaml`` is searched from ``start`` (the working directory)
    up to the repo root; None is returned when there is none, unless ``required``.
    Raises :class:`ConfigError` naming the first problem's file and line.
    """
    found = resolve_config_path(path, start)
    if found is None and not required:
        return None
    found, text = _read(found)
    config, problems = check_text(text, found)
    if config is None:
        more = (
            f" (and {len(problems) - 1} more: run 'aiinfra config validate')"
            if len(problems) > 1
            else ""
        )
        raise ConfigError(problems[0] + more)
    return config
