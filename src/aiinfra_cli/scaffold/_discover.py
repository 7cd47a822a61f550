"""What ``init`` learns from the code already in the repository, before writing the config.

The scanner (``aiinfra optimize-context``'s engine) finds every LLM call site; from them:

- **models**: each literal model id of an Anthropic or OpenAI call (the provider kinds the
  generated config declares) becomes a model entry: the id derived from the model name, the
  context window and output cap from the price table when it knows them, a tier from the
  model's name (:func:`tier_for`) or none;
- **routes**: each module with LLM calls becomes a route named after the module, whose chain
  starts with the models called there and falls back to the other models of the same provider
  (else to the template's ``default`` chain);
- **untracked calls**: call sites outside the tracker, for the closing message.

Everything is sorted, so a dry run and the real run (and two runs on the same code) agree.
A scan that fails for any reason yields an empty :class:`Discovery` with a one-line warning:
reading the repository is a bonus, never a reason for ``init`` to stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from aiinfra_cli.scaffold._layout import Layout

if TYPE_CHECKING:
    from aiinfra_cli.config import Config
    from aiinfra_cli.pricing import PriceTable
    from aiinfra_cli.scan import CallSite

# The provider kinds (and provider names) of the template's config that found models may use.
SUPPORTED_PROVIDERS = ("anthropic", "openai")
# Directories not read: other people's code, caches, build output (tests are skipped too).
_SKIP_DIRS = frozenset(
    {"node_modules", "venv", "__pycache__", "build", "dist", "site-packages", "tests", "test"}
)
# A route's chain is at most this long unless the module itself calls more models.
CHAIN_LENGTH = 3
_TEMPLATE_ROUTES = ("default", "summarize")


@dataclass(frozen=True)
class FoundModel:
    """A model entry for the config (``template``: one of the template's own, reused)."""

    id: str
    provider: str
    model: str
    context_window: int | None = None
    max_output_tokens: int | None = None
    tier: str | None = None
    template: bool = False

    def yaml(self) -> str:
        """The entry as a one-line YAML flow mapping (strings JSON-quoted: valid YAML)."""
        import json

        parts = [f"id: {self.id}", f"provider: {self.provider}", f"model: {json.dumps(self.model)}"]
        if self.context_window is not None:
            parts.append(f"context_window: {self.context_window}")
        if self.max_output_tokens is not None:
            parts.append(f"max_output_tokens: {self.max_output_tokens}")
        if self.tier is not None:
            parts.append(f"tier: {self.tier}")
        return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True)
class FoundRoute:
    """A route for one module: its name, chain, and where it came from."""

    name: str
    chain: tuple[str, ...]
    file: str
    calls: int
    apis: tuple[str, ...]


@dataclass(frozen=True)
class UntrackedCall:
    """A call site that bypasses the tracker."""

    file: str
    line: int
    api: str


@dataclass
class Discovery:
    """What the scan found (all sorted); ``warning`` when the scan could not run."""

    sites: list[CallSite] = field(default_factory=list)
    untracked: list[UntrackedCall] = field(default_factory=list)
    files_scanned: int = 0
    warning: str | None = None

    @property
    def empty(self) -> bool:
        """Whether there is nothing to add to the config."""
        return not self.sites


def tier_for(model: str) -> str | None:
    """The tier of a model, from its name (the rule ``docs/init.md`` documents).

    OpenAI o-series (``o1``, ``o3-mini``, ``o4-mini``...) → ``reasoning``; names with ``haiku``,
    ``mini``, ``nano``, ``flash`` or ``lite`` → ``fast``; ``opus`` → ``powerful``; ``sonnet``,
    ``gpt-4o``, ``gpt-4.1``, ``gpt-5`` → ``balanced``; anything else: no tier.
    """
    name = model.lower().rsplit("/", 1)[-1]
    if re.match(r"o\d", name):
        return "reasoning"
    if re.search(r"haiku|mini|nano|flash|lite", name):
        return "fast"
    if "opus" in name:
        return "powerful"
    if re.search(r"sonnet|gpt-4o|gpt-4\.1|gpt-5", name):
        return "balanced"
    return None


def model_id(model: str) -> str:
    """A config id for a model name: lower case, runs of other characters become ``-``."""
    slug = re.sub(r"[^a-z0-9_.]+", "-", model.lower()).strip("-._")
    return slug or "model"


def _scan_paths(root: Path, layout: Layout) -> list[Path]:
    """Top-level entries to scan, minus the generated package, tests and tool directories
    (a directory holding the package is entered so its siblings are still read)."""
    skip = {PurePosixPath(layout.package_dir), PurePosixPath(layout.tests_dir)}
    out: list[Path] = []

    def visit(directory: Path, rel: PurePosixPath | None) -> None:
        for child in sorted(directory.iterdir(), key=lambda p: p.name):
            child_rel = PurePosixPath(child.name) if rel is None else rel / child.name
            if child.name.startswith(".") or child_rel in skip:
                continue
            if child.is_dir():
                if child.name in _SKIP_DIRS or child.name.endswith(".egg-info"):
                    continue
                if any(child_rel in s.parents for s in skip):
                    visit(child, child_rel)
                else:
                    out.append(child)
            elif child.suffix == ".py" and child.is_file():
                out.append(child)

    visit(root, None)
    return out


def discover(root: Path, layout: Layout) -> Discovery:
    """Scan ``root``'s Python code (not the generated package or tests); never raises."""
    try:
        return _discover(root, layout)
    except Exception as exc:  # a bug or an odd file must not stop init: say so, go on
        from aiinfra_cli.redact import redact

        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Discovery(
            warning=redact(
                f"could not read the existing code ({first[:160]}); the config uses the"
                " template's example models and routes"
            )
        )


def _discover(root: Path, layout: Layout) -> Discovery:
    paths = _scan_paths(root, layout)
    if not paths:
        return Discovery()
    from aiinfra_cli.scan import ScanOptions, scan

    outcome = scan(ScanOptions(paths=paths, cwd=root, select=("AIC012",), use_cache=False))
    sites = sorted(outcome.report.calls, key=lambda s: (s.file, s.line, s.column))
    untracked = [UntrackedCall(s.file, s.line, s.api) for s in sites if not s.instrumented]
    return Discovery(sites=sites, untracked=untracked, files_scanned=outcome.report.files_scanned)


def provider_and_model(site: CallSite) -> tuple[str, str] | None:
    """``(provider, model)`` for a call site whose literal model a config entry can serve."""
    if site.model is None or not site.model.strip():
        return None
    provider = site.provider or (site.sdk if site.sdk in SUPPORTED_PROVIDERS else None)
    model = site.model
    if provider is None and "/" in model:  # litellm spells the provider into the model
        prefix, _, rest = model.partition("/")
        if prefix in SUPPORTED_PROVIDERS and rest:
            provider, model = prefix, rest
    if provider not in SUPPORTED_PROVIDERS:
        return None
    return provider, model


def _route_name(file: str, taken: set[str]) -> str:
    """The module's name (its package's for ``__init__``), longer when that is taken."""
    parts = list(PurePosixPath(file).with_suffix("").parts)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if len(parts) > 1 and parts[-1] in ("__init__", "__main__"):
        parts = parts[:-1]
    for size in range(1, len(parts) + 1):
        name = model_id(".".join(parts[-size:]))
        if name not in taken:
            return name
    base = model_id(".".join(parts))
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@dataclass
class ConfigAdditions:
    """What the config template adds: model lines and routes (empty: today's config)."""

    models: list[FoundModel] = field(default_factory=list)
    routes: list[FoundRoute] = field(default_factory=list)


def additions(discovery: Discovery, base: Config) -> ConfigAdditions:
    """New models and per-module routes, given the template's own config ``base``."""
    known: dict[tuple[str, str], FoundModel] = {
        (m.provider, m.model): FoundModel(m.id, m.provider, m.model, template=True)
        for m in base.models
    }
    taken_ids = {m.id for m in base.models}
    new: dict[tuple[str, str], FoundModel] = {}
    per_file: dict[str, list[CallSite]] = {}
    for site in discovery.sites:
        per_file.setdefault(site.file, []).append(site)
        found = provider_and_model(site)
        if found is None or found in known or found in new:
            continue
        provider, model = found
        new[found] = FoundModel(provider=provider, model=model, id="", tier=tier_for(model))
    if not per_file:
        return ConfigAdditions()
    table = _price_table()
    models: list[FoundModel] = []
    for key in sorted(new, key=lambda k: (k[0], k[1])):
        provider, model = key
        ident = model_id(model)
        number = 2
        while ident in taken_ids:
            ident = f"{model_id(model)}-{number}"
            number += 1
        taken_ids.add(ident)
        price = table.lookup(model, provider=provider) if table is not None else None
        entry = FoundModel(
            id=ident,
            provider=provider,
            model=model,
            context_window=price.context_window if price else None,
            max_output_tokens=price.max_output_tokens if price else None,
            tier=new[key].tier,
        )
        new[key] = entry
        models.append(entry)
    everything = [*models, *known.values()]  # found models first: they are what the code uses
    default_chain = tuple(base.routes["default"].chain) if "default" in base.routes else ()
    taken_routes = set(base.routes) | set(_TEMPLATE_ROUTES)
    routes: list[FoundRoute] = []
    for file in sorted(per_file):
        sites = per_file[file]
        primary: list[str] = []
        providers: list[str] = []
        for site in sites:
            found = provider_and_model(site)
            if found is None:
                continue
            entry = new.get(found) or known[found]
            if entry.id not in primary:
                primary.append(entry.id)
            if found[0] not in providers:
                providers.append(found[0])
        if primary:
            rest = [m.id for m in everything if m.provider in providers and m.id not in primary]
            if not rest:
                rest = [i for i in default_chain if i not in primary]
            chain = tuple((primary + rest)[: max(CHAIN_LENGTH, len(primary))])
        else:
            chain = default_chain
        if not chain:
            continue
        name = _route_name(file, taken_routes)
        taken_routes.add(name)
        apis = tuple(sorted({s.api for s in sites}))
        routes.append(FoundRoute(name, chain, file, len(sites), apis))
    return ConfigAdditions(models=models, routes=routes)


def _price_table() -> PriceTable | None:
    try:
        from aiinfra_cli.pricing import load_price_table

        return load_price_table()
    except Exception:  # no table: the entries go without windows, the config stays valid
        return None
