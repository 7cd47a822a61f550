"""The schema of ``config/ai-models.yaml`` (version 1): the single source for validation and
for the JSON Schema that ``aiinfra config schema`` prints.

Key names are a contract with the generated runtime, ``cost-report``, ``model-health`` and the
prompt tests: keys may be added, never renamed.
"""

from __future__ import annotations

from aiinfra_cli._jsonschema import schema_document
from aiinfra_cli._rates import PRICE_KEYS as PRICE_KEYS
from aiinfra_cli._schema import AnyOf, Bool, Int, ListOf, MapOf, Money, Node, Num, Obj, Str
from aiinfra_cli.vocabulary import ERROR_CLASSES as ERROR_CLASSES
from aiinfra_cli.vocabulary import PROVIDER_KINDS as PROVIDER_KINDS
from aiinfra_cli.vocabulary import TIERS as TIERS

SCHEMA_VERSION = 1

DEFAULT_FALLBACK_ON = ("rate_limited", "server_error", "timeout", "connection", "context_overflow")

STORE_KINDS = ("postgres",)
STATE_KINDS = ("redis",)
DEFAULT_STORE_DSN_ENV = "AIINFRA_STORE_DSN"
DEFAULT_STATE_URL_ENV = "AIINFRA_REDIS_URL"
DEFAULT_STORE_REFRESH_S = 30.0

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
# An environment variable's name: upper-case letters, digits and underscores, at most 64
# characters, and not a run of 32+ hex digits. A key pasted where the name belongs fails this
# (vendor-shaped or not), and the message never repeats the value.
_ENV_VAR = r"(?![0-9A-F]{32})[A-Z_][A-Z0-9_]{0,63}"
_ENV_HINT = ": give the NAME of an environment variable (A-Z, 0-9, _), e.g. OPENAI_API_KEY"


def env_var_name(description: str) -> Str:
    """A config value naming an environment variable (never echoed: it may be a pasted key)."""
    return Str(description, pattern=_ENV_VAR, pattern_hint=_ENV_HINT, echo=False)


PROVIDER = Obj(
    {
        "kind": Str("Which wire protocol the provider speaks.", enum=PROVIDER_KINDS),
        "base_url": Str(
            "API base URL (required for openai-compatible and azure-openai).",
            pattern=r"https?://\S+",
            pattern_hint=": use a full http:// or https:// URL",
        ),
        "api_key_env": env_var_name(
            "Name of the environment variable holding the API key (never the key itself)."
        ),
        "api_version": Str("API version (azure-openai)."),
        "organization_env": env_var_name("Environment variable holding an OpenAI organization id."),
        "admin_key_env": env_var_name(
            "Environment variable holding the organization's admin key, for `aiinfra billing pull`"
            " (default ANTHROPIC_ADMIN_KEY / OPENAI_ADMIN_KEY)."
        ),
        "timeout_s": Num("Default per-request timeout in seconds.", exclusive_minimum=0),
        "health_url": Str(
            "Health endpoint for local servers (default: the kind's own).", pattern=r"https?://\S+"
        ),
        "key_id": Str(
            "The API key's public id (e.g. apikey_01…, key_…), written on every usage event so"
            " the provider's bill can be matched to calls; never the key itself."
        ),
        "workspace": Str(
            "The workspace / project the key belongs to, written on every usage event."
        ),
    },
    "A model provider.",
    required=("kind",),
)

PRICING = Obj(
    {
        key: Money(f"USD per million tokens ({key.removesuffix('_per_mtok').replace('_', ' ')}).")
        for key in PRICE_KEYS
    },
    "Prices that override the bundled price table for this model.",
)

MODEL = Obj(
    {
        "id": Str(
            "Name used by routes and reports.",
            pattern=_NAME,
            pattern_hint=": use letters, digits, '-', '_' or '.'",
        ),
        "provider": Str("A key of `providers`."),
        "model": Str(
            "The provider's model name (the deployment name for azure-openai).", min_length=1
        ),
        "context_window": Int("Maximum input + output tokens.", minimum=1),
        "max_output_tokens": Int("Maximum output tokens per request.", minimum=1),
        "tier": Str("Capability / cost tier used by routing and budget downgrades.", enum=TIERS),
        "pricing": PRICING,
        "price_as": Str(
            "Price this model as another model of the price table (e.g. an Azure deployment)."
        ),
        "tags": ListOf(Str(), "Free-form labels."),
    },
    "A model you call.",
    required=("id", "provider", "model"),
)

PROMPT_CACHE_TTLS = ("5m", "1h")

_RATE = {
    "requests_per_minute": Num("Client-side request rate.", exclusive_minimum=0),
    "tokens_per_minute": Num("Client-side token rate.", exclusive_minimum=0),
}

ROUTE = Obj(
    {
        "chain": ListOf(Str(), "Model ids tried in order.", min_items=1, unique=True),
        "timeout_s": Num(
            "Total deadline for the request, fallbacks included.", exclusive_minimum=0
        ),
        "attempt_timeout_s": Num("Deadline for one attempt.", exclusive_minimum=0),
        "max_retries": Int("Retries per model before falling back.", minimum=0),
        "max_cost_usd": Money("Refuse a request whose estimated cost exceeds this."),
        "fallback_on": ListOf(
            Str(enum=ERROR_CLASSES), "Error classes that move on to the next model.", unique=True
        ),
        "max_fallback_depth": Int("How many models of the chain may be tried.", minimum=1),
        "continue_on_stream_error": Bool(
            "When a stream breaks after text was delivered, continue it on the next model of"
            " the chain that accepts an assistant prefill (Anthropic) instead of raising."
        ),
        "cache": Obj(
            {
                "enabled": Bool("Serve identical requests from the response cache."),
                "ttl_s": Num("Cache entry lifetime.", exclusive_minimum=0),
                "sampled": Bool(
                    "Also cache responses sampled with temperature > 0 (default: only"
                    " deterministic requests, as caching a sampled answer freezes one draw)."
                ),
            },
            "Exact-match response cache.",
        ),
        "prompt_cache": AnyOf(
            (Bool(), Str(enum=PROMPT_CACHE_TTLS)),
            "Mark the static prefix (the system prompt) with Anthropic cache_control:"
            ' true or "5m" for the 5-minute cache, "1h" for the 1-hour cache, false for none.',
            expected='true, false, "5m" or "1h"',
        ),
        "rate_limit": Obj(
            {
                **_RATE,
                "per_user": Obj(_RATE, "Limits applied to each user separately."),
                "per_tenant": Obj(_RATE, "Limits applied to each tenant separately."),
            },
            "Client-side rate limits.",
        ),
    },
    "A named fallback chain.",
    required=("chain",),
)

BUDGETS = Obj(
    {
        "monthly_usd": Money("Total monthly budget."),
        "daily_usd": Money("Total daily budget."),
        "per_feature": MapOf(Money(), "Monthly budget per feature tag."),
        "per_model": MapOf(Money(), "Monthly budget per model id."),
        "alert_at": ListOf(
            Num(exclusive_minimum=0, maximum=10), "Alert tiers as fractions of a budget."
        ),
        "soft_limit_at": Num(
            "Fraction of a budget where requests downgrade to a cheaper tier.", exclusive_minimum=0
        ),
        "on_hard_limit": Str("What happens at 100 % of a budget.", enum=("refuse", "warn")),
    },
    "Spending limits and alert tiers.",
)

USAGE_LOG = Obj(
    {
        "path": Str(
            "Directory (or file) of usage-event JSONL, relative to the repo root.", min_length=1
        ),
        "format": Str("Log format.", enum=("aiinfra", "claude-code", "otel")),
        "rotate_mb": Num("Start a new file after this many MiB.", exclusive_minimum=0),
        "otlp": Obj(
            {
                "endpoint": Str(
                    "OTLP/HTTP endpoint of the team's collector, e.g. http://127.0.0.1:4318.",
                    pattern=r"https?://\S+",
                    pattern_hint=": use a full http:// or https:// URL",
                ),
                "headers_env": Str(
                    "Name of the environment variable holding the OTLP headers"
                    " (k=v,k2=v2; never the headers themselves).",
                    pattern=_ENV_VAR,
                    pattern_hint=": give the NAME of an environment variable",
                ),
            },
            "Also export every event as an OpenTelemetry GenAI span.",
            required=("endpoint",),
        ),
    },
    "Where usage events are written and read (with a store: the local spool).",
    required=("path",),
)

INSTRUMENTATION = Obj(
    {
        "tracked_wrappers": ListOf(
            Str(), "Dotted names of functions / classes whose calls count as tracked.", unique=True
        ),
        "tracker_module": Str("Module of the generated cost tracker (e.g. ai.cost_tracker)."),
        "ignore_paths": ListOf(Str(), "Glob patterns the instrumentation check skips."),
    },
    "What counts as an instrumented (tracked) LLM call.",
)

AGENT = Obj(
    {
        "route": Str("Route used by the opt-in analysis agent."),
        "max_cost_usd": Money("Refuse an agent run estimated above this."),
        "max_wait_s": Num(
            "Longest wait, in seconds, for a rate-limited chain's Retry-After [10].", minimum=0
        ),
    },
    "The opt-in LLM agent.",
)

HEALTH = Obj(
    {
        "min_headroom": Num(
            "Rate-limit headroom (0-1) under which a model is degraded [0.10].",
            minimum=0,
            maximum=1,
        ),
        "slow_ms": Num(
            "A light probe slower than this (ms) is degraded [2000].", exclusive_minimum=0
        ),
        "slow_ttft_ms": Num(
            "A deep probe's first token later than this (ms) is degraded [5000].",
            exclusive_minimum=0,
        ),
    },
    "When model-health calls a working model degraded.",
)

STORE = Obj(
    {
        "kind": Str("Which database holds the team store.", enum=STORE_KINDS),
        "dsn_env": Str(
            "Name of the environment variable holding the DSN (a DSN carries a password: never"
            f" the DSN itself) [{DEFAULT_STORE_DSN_ENV}].",
            pattern=_ENV_VAR,
            pattern_hint=": give the NAME of an environment variable, e.g. AIINFRA_STORE_DSN",
        ),
        "refresh_s": Num(
            "How often budgets re-read team-wide spend from the store, in seconds [30].",
            exclusive_minimum=0,
        ),
    },
    "The team's shared usage store.",
    required=("kind",),
)

STATE = Obj(
    {
        "kind": Str("Where shared rate limits and breakers live.", enum=STATE_KINDS),
        "url_env": Str(
            f"Name of the environment variable holding the Redis URL [{DEFAULT_STATE_URL_ENV}].",
            pattern=_ENV_VAR,
            pattern_hint=": give the NAME of an environment variable, e.g. AIINFRA_REDIS_URL",
        ),
    },
    "Rate limits and circuit breakers shared by every process.",
    required=("kind",),
)

CONFIG = Obj(
    {
        "version": Int("Schema version of this file.", minimum=1),
        "providers": MapOf(PROVIDER, "Providers by name.", key_pattern=_NAME),
        "models": ListOf(MODEL, "Models by id."),
        "routes": MapOf(ROUTE, "Fallback chains by name.", key_pattern=_NAME),
        "budgets": BUDGETS,
        "usage_log": USAGE_LOG,
        "instrumentation": INSTRUMENTATION,
        "agent": AGENT,
        "health": HEALTH,
        "store": STORE,
        "state": STATE,
    },
    "aiinfra configuration (config/ai-models.yaml).",
    required=("version",),
)


def key_paths(node: Node = CONFIG, prefix: str = "") -> list[str]:
    """Every key the config may hold as a dotted path, ``*`` standing for a name or a list item
    (``routes.*.chain``): the vocabulary the generated runtime's loader checks keys against."""
    if isinstance(node, Obj):
        children = [
            (f"{prefix}.{key}" if prefix else key, child) for key, child in node.fields.items()
        ]
        if node.allow_extra:
            children.append((f"{prefix}.*", Str()))
    elif isinstance(node, MapOf):
        children = [(f"{prefix}.*", node.value)]
    elif isinstance(node, ListOf):
        children = [(f"{prefix}.*", node.item)]
    else:
        return []
    return [found for path, child in children for found in (path, *key_paths(child, path))]


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of the config file."""
    return schema_document(
        "urn:aiinfra:config:ai-models:v1", "aiinfra config/ai-models.yaml", CONFIG.json_schema()
    )
