"""Where a configured model lives: its provider's effective base URL, key and display endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiinfra_cli.config import ModelConfig, ProviderConfig
from aiinfra_cli.errors import AiinfraError
from aiinfra_cli.redact import register_secret

# Base URLs as each official SDK spells them: Anthropic's has no /v1 (the SDK appends
# /v1/messages), OpenAI's includes /v1, Gemini's is the REST root (we add /v1beta).
DEFAULT_BASE_URLS = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
    "gemini": "https://generativelanguage.googleapis.com",
}
# What each official SDK reads when it is given no base URL; the config's base_url wins.
BASE_URL_ENV = {"anthropic": "ANTHROPIC_BASE_URL", "openai": "OPENAI_BASE_URL"}
ANTHROPIC_VERSION = "2023-06-01"
AZURE_API_VERSION = "2024-10-21"
OLLAMA_PORT = 11434
# Kinds that cannot answer without a key: a missing one is reported without a network call.
KEYED_KINDS = ("anthropic", "openai", "gemini", "azure-openai")


@dataclass(frozen=True)
class Target:
    """A model to probe. ``key`` is the secret itself: it is used for requests and never shown."""

    model: ModelConfig
    provider: ProviderConfig
    base_url: str
    endpoint: str
    key: str | None = field(repr=False)
    organization: str | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """The provider's config kind."""
        return self.provider.kind

    @property
    def missing_key(self) -> str | None:
        """The environment variable that should hold this target's key but is empty, if any."""
        env = self.provider.api_key_env
        needs = self.kind in KEYED_KINDS or env is not None
        return env if needs and env and not self.key else None

    @property
    def server_root(self) -> str:
        """The base URL without a trailing ``/v1`` (where Ollama's ``/api/*`` live)."""
        return self.base_url[: -len("/v1")] if self.base_url.endswith("/v1") else self.base_url

    @property
    def health_url(self) -> str | None:
        """The configured ``health_url``; for a local server on Ollama's port, ``/api/tags``."""
        if self.provider.health_url:
            return self.provider.health_url
        if self.kind == "openai-compatible" and _port(self.base_url) == OLLAMA_PORT:
            return self.server_root + "/api/tags"
        return None


def resolve(model: ModelConfig, provider: ProviderConfig, environ: Mapping[str, str]) -> Target:
    """The :class:`Target` of ``model``; keys and organisation come from ``environ``.

    A provider without ``base_url`` is reached where its official SDK would go on its own:
    ``$ANTHROPIC_BASE_URL`` / ``$OPENAI_BASE_URL`` when set (a proxy, a gateway, a local
    stand-in), else the public API. Probes and generation therefore agree on the endpoint."""
    base = (provider.base_url or _environment_base_url(provider.kind, environ) or "").rstrip("/")
    base = base or DEFAULT_BASE_URLS.get(provider.kind, "")
    # Anthropic's and Gemini's base URLs are the API root: a version suffix written out of habit
    # would double up in every request path.
    if provider.kind == "gemini" and base.endswith("/v1beta"):
        base = base[: -len("/v1beta")]
    if provider.kind == "anthropic" and base.endswith("/v1"):
        base = base[: -len("/v1")]
    key = read_secret(environ, provider.api_key_env)
    organization = read_secret(environ, provider.organization_env)
    return Target(
        model=model,
        provider=provider,
        base_url=base,
        endpoint=display_endpoint(base),
        key=key or None,
        organization=organization or None,
    )


def _environment_base_url(kind: str, environ: Mapping[str, str]) -> str | None:
    name = BASE_URL_ENV.get(kind)
    url = (environ.get(name) or "").strip() if name else ""
    return url if url.startswith(("http://", "https://")) else None


def display_endpoint(url: str) -> str:
    """``scheme://host[:port]``: what a URL may show (no user info, path or query)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{_port(url)}" if _port(url) else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else "(no base_url)"


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:
        return None


def read_secret(environ: Mapping[str, str], name: str | None) -> str | None:
    """The value of the environment variable ``name`` as a header may carry it: surrounding
    whitespace dropped (a CRLF ``.env`` file leaves a ``\\r``), registered with
    :func:`aiinfra_cli.redact.register_secret` so no output shows it, and refused with one line
    (that never shows it) when a control or non-ASCII character is left inside."""
    raw = environ.get(name) if name else None
    if not raw:
        return None
    register_secret(raw)
    value = raw.strip()
    for position, char in enumerate(value, start=1):
        if not (char.isascii() and char.isprintable()):
            what = "a control character" if char.isascii() else "a non-ASCII character"
            raise AiinfraError(
                f"${name} holds {what} at position {position}, which no API key has",
                hint="copy the key again (a pasted accent, a zero-width space or a stray"
                " line break puts one there); the value is not shown",
            )
    return value or None
