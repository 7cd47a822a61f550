"""Model-id resolution: the many spellings of one model -> one price-table key.

Every key is indexed once by a canonical name: lower case, without provider path
(``azure/``, ``bedrock/us-east-1/``), Bedrock geography and maker prefixes (``us.anthropic.``),
and version suffixes (``-20250929``, ``-2024-08-06``, ``@20240620``, ``-v1:0``, ``-001``).
A query is reduced the same way; among the keys sharing its canonical name the best is chosen
by, in order: the provider asked for, the same region (none by default), the first-party
provider, the same spelling, the same date, an undated alias, not retired, the newest date.
Results are memoised, so a cost report pays for each distinct (model, provider) once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

NAMESPACE_OF_PROVIDER = {
    "anthropic": "anthropic",
    "openai": "openai",
    "azure": "azure",
    "gemini": "gemini",
    "vertex_ai-language-models": "vertex_ai",
    "vertex_ai-anthropic_models": "vertex_ai",
    "vertex_ai": "vertex_ai",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "xai": "xai",
    "groq": "groq",
    "cohere": "cohere",
    "cohere_chat": "cohere",
}
# Names a caller may use for a provider: config kinds, LiteLLM prefixes, OpenTelemetry
# gen_ai.system / gen_ai.provider.name values.
_ALIASES = {
    **{ns: ns for ns in set(NAMESPACE_OF_PROVIDER.values())},
    "claude": "anthropic",
    "azure-openai": "azure",
    "azure_openai": "azure",
    "az.ai.openai": "azure",
    "azure.ai.openai": "azure",
    "google": "gemini",
    "gcp.gemini": "gemini",
    "google_genai": "gemini",
    "google-ai-studio": "gemini",
    "vertex": "vertex_ai",
    "vertexai": "vertex_ai",
    "gcp.vertex_ai": "vertex_ai",
    "google-vertex": "vertex_ai",
    "aws.bedrock": "bedrock",
    "aws-bedrock": "bedrock",
    "amazon-bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "mistral_ai": "mistral",
    "mistralai": "mistral",
    "x-ai": "xai",
    "x_ai": "xai",
    "cohere_chat": "cohere",
}
# Without a provider, the maker's own API is the best guess for a bare model name.
_ORDER = (
    "anthropic",
    "openai",
    "gemini",
    "mistral",
    "deepseek",
    "xai",
    "cohere",
    "vertex_ai",
    "azure",
    "bedrock",
    "groq",
)
_API_SEGMENTS = frozenset({"converse", "invoke"})
_GEO = re.compile(r"^(us-gov|us|eu|apac|au|jp|ca|in|global)\.")
_MAKER = re.compile(
    r"^(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|minimax|moonshotai"
    r"|moonshot|nvidia|google|twelvelabs|zai|xai)\."
)
# (pattern, is_date_or_version): the first dated/versioned suffix becomes the key's "stamp".
_SUFFIXES = (
    (re.compile(r"(?<!claude)-v\d+:\d+$"), False),  # Bedrock API version; claude-v2 is a model
    (re.compile(r":\d+$"), False),
    (re.compile(r"@(\d+)$"), True),
    (re.compile(r"@[a-z0-9._-]+$"), False),
    (re.compile(r"-(\d{4})-(\d{2})-(\d{2})$"), True),
    (re.compile(r"-(\d{8})$"), True),
    (re.compile(r"-(\d{2})-(\d{4})$"), True),
    (re.compile(r"-(\d{3,4})$"), True),
)
_MEMO_LIMIT = 200_000


def namespace(provider: str | None) -> str | None:
    """The price-table family for a provider name (``"azure-openai"`` -> ``"azure"``), or None."""
    return _ALIASES.get(provider.strip().lower()) if provider else None


@dataclass(frozen=True)
class _Name:
    canon: str
    name: str
    region: str
    stamp: str
    hint: str | None


def _parse(model: str) -> _Name:
    text = model.strip().lower()
    hint = None
    if text.startswith("models/"):
        text, hint = text[len("models/") :], "gemini"
    segments = text.split("/")
    if len(segments) > 1 and segments[0] in _ALIASES:
        hint = _ALIASES[segments.pop(0)]
    segments = [s for s in segments if s not in _API_SEGMENTS] or [text]
    last = segments[-1]
    region = "/".join(segments[:-1])
    geo = _GEO.match(last)
    if geo:
        region, last = f"{region}.{geo.group(1)}", last[geo.end() :]
    maker = _MAKER.match(last)
    if maker:
        last, hint = last[maker.end() :], hint or "bedrock"
    if hint is None and "@" in last:
        hint = "vertex_ai"
    canon, stamp = last, ""
    changed = True
    while changed:
        changed = False
        for pattern, dated in _SUFFIXES:
            match = pattern.search(canon)
            if match is None or (dated and stamp) or match.start() == 0:
                continue
            if dated:
                groups = match.groups()
                # cohere writes month-year ("08-2024"): store as year+month so newer sorts higher
                stamp = groups[1] + groups[0] if len(groups) == 2 else "".join(groups)
            canon, changed = canon[: match.start()], True
            break
    return _Name(canon, last, region, stamp, hint)


@dataclass(frozen=True)
class _Key:
    key: str
    ns: str
    name: _Name
    static_rank: tuple[int, int, int, str]  # provider order, retired, -date, key


class Resolver:
    """Index of table keys; ``resolve(model, provider)`` returns a key or None (memoised)."""

    def __init__(self, keys: Iterable[tuple[str, str, bool]]) -> None:
        """``keys``: (table key, LiteLLM provider, retired) triples."""
        self._exact: dict[str, str] = {}
        self._lower: dict[str, str] = {}
        self._groups: dict[str, list[_Key]] = {}
        self._memo: dict[tuple[str, str | None], str | None] = {}
        for key, provider, retired in keys:
            ns = NAMESPACE_OF_PROVIDER.get(provider, provider)
            parsed = _parse(key)
            order = _ORDER.index(ns) if ns in _ORDER else len(_ORDER)
            newness = -int(parsed.stamp) if parsed.stamp.isdigit() else 0
            info = _Key(key, ns, parsed, (order, int(retired), newness, key))
            self._exact[key] = ns
            self._lower.setdefault(key.lower(), key)
            self._groups.setdefault(parsed.canon, []).append(info)

    def resolve(self, model: str, provider: str | None = None) -> str | None:
        """The table key for ``model`` (as a provider or a log spells it), or None if unknown."""
        memo_key = (model, provider)
        try:
            return self._memo[memo_key]
        except KeyError:
            pass
        found = self._resolve(model, namespace(provider))
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[memo_key] = found
        return found

    def _resolve(self, model: str, ns: str | None) -> str | None:
        exact_ns = self._exact.get(model)
        if exact_ns is not None and (ns is None or exact_ns == ns):
            return model
        query = _parse(model)
        ns = ns or query.hint
        group = self._groups.get(query.canon)
        if not group:
            return self._lower.get(model.strip().lower())
        return min(group, key=lambda k: _rank(k, query, ns)).key

    def suggest(self, model: str, limit: int = 3) -> list[str]:
        """Close spellings of ``model`` among the table's keys (for "did you mean")."""
        from difflib import get_close_matches

        query = _parse(model)
        found: list[str] = []
        for canon in get_close_matches(query.canon, list(self._groups), n=limit, cutoff=0.75):
            best = min(self._groups[canon], key=lambda k: _rank(k, query, query.hint))
            found.append(best.key)
        lowered = model.strip().lower()
        for key in get_close_matches(lowered, list(self._lower), n=limit, cutoff=0.75):
            if self._lower[key] not in found:
                found.append(self._lower[key])
        return found[:limit]


def _rank(item: _Key, query: _Name, ns: str | None) -> tuple[object, ...]:
    name = item.name
    return (
        ns is not None and item.ns != ns,
        name.region != query.region,
        item.static_rank[0],
        name.name != query.name,
        name.stamp != query.stamp,
        name.stamp != "",
        *item.static_rank[1:],
    )
