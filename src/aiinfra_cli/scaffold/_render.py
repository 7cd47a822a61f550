"""Render every generated file's content (templates and built files), in memory.

Templates use ``[[= name =]]`` for values and ``[[% ... %]]`` for tags instead of Jinja's
braces: the Python, YAML and prompt files they produce are full of ``{{`` and ``{%`` that must
come out literally (the example prompt is itself a Jinja template). Undefined values are
errors (StrictUndefined): a template can never render a silent blank.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli import __version__
from aiinfra_cli.config import (
    ERROR_CLASSES,
    Config,
    check_text,
    json_schema,
    key_paths,
    load_config,
)
from aiinfra_cli.paths import CONFIG_RELPATH, templates_dir
from aiinfra_cli.scaffold._catalogue import PYTHON, Entry
from aiinfra_cli.scaffold._discover import ConfigAdditions, Discovery, additions
from aiinfra_cli.scaffold._layout import Layout
from aiinfra_cli.scaffold._prices import price_snapshot, snapshot_text
from aiinfra_cli.scaffold._proposals import uncomment_proposals
from aiinfra_cli.store import LATEST as LATEST_STORE_SCHEMA
from aiinfra_cli.usage import STATUSES, USAGE_SOURCES

if TYPE_CHECKING:
    from jinja2 import Environment

LOG_GITIGNORE = "# Usage logs written by the AI cost tracker: data, not source.\n*\n!.gitignore\n"
# State files rewritten on every run: committing them would make every run a change.
STATE_GITIGNORES = {
    "memory_gitignore": "# Rewritten by every `aiinfra cost-report` run: local state, not source.\n"
    "cost-baselines.json\n",
    "health_gitignore": "# Appended by every `aiinfra model-health` run: local state, not source.\n"
    "history.jsonl\nhistory.jsonl.*\n",
}


@dataclass
class Rendered:
    """Every generated file's bytes by relative path, with its catalogue entry."""

    files: dict[str, bytes] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    unpriced: list[str] = field(default_factory=list)
    config_existing: bool = False
    added: ConfigAdditions = field(default_factory=ConfigAdditions)
    # Whether the agent's proposals block went into the config being created.
    proposals_written: bool = False


# The newest team-store schema the rendered shipper may write to: this aiinfra's migrations.
STORE_SCHEMA_VERSION = LATEST_STORE_SCHEMA


def environment(directory: Path | None = None) -> Environment:
    """The Jinja environment for ``templates/`` (strict, custom delimiters)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(directory or templates_dir())),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        variable_start_string="[[=",
        variable_end_string="=]]",
        block_start_string="[[%",
        block_end_string="%]]",
        comment_start_string="[[#",
        comment_end_string="#]]",
    )


def context(layout: Layout) -> dict[str, Any]:
    """The values templates may use."""
    return {
        "package_dir": layout.package_dir,
        "package_import": layout.package_import,
        "source_root": layout.source_root,
        "tests_dir": layout.tests_dir,
        "tests_up": layout.tests_up,
        "project_type": layout.project_type,
        "config_relpath": CONFIG_RELPATH.as_posix(),
        "aiinfra_version": __version__,
        "found_models": [],
        "found_routes": [],
        "agent_proposals": "",
        # The newest team-store schema (aiinfra.schema_migrations) the runtime writes to.
        "store_schema_version": STORE_SCHEMA_VERSION,
        # Vocabularies the generated runtime shares with aiinfra (one definition each).
        "error_classes": ERROR_CLASSES,
        "event_statuses": STATUSES,
        "usage_sources": USAGE_SOURCES,
        "config_keys": sorted(key_paths()),
        **pricing_rules(),
        # The template's models' windows, from the price table (never typed out twice).
        "windows": _windows(TEMPLATE_MODELS),
    }


def _literal(values: tuple[str, ...]) -> str:
    """A tuple of strings as ruff formats it: ``("a",)``, ``("a", "b")``, ``()``."""
    inner = ", ".join(json.dumps(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def pricing_rules() -> dict[str, Any]:
    """The price engine's cache-rate rules and model makers, as Python literals for the
    generated cost tracker (which applies the config's ``pricing:`` overrides itself)."""
    from aiinfra_cli.pricing import CACHE_RULES, PLAIN_INPUT, VENDOR_RULES, CacheRule

    def decimal(value: Decimal | None) -> str:
        if value is None:
            return "None"
        return f"Decimal({value})" if value == int(value) else f'Decimal("{value}")'

    def factors(rule: CacheRule) -> str:
        parts = (rule.cache_read, rule.cache_write, rule.cache_write_1h)
        return ", ".join(decimal(p) for p in parts)

    return {
        "cache_rules": {vendor: factors(rule) for vendor, rule in CACHE_RULES.items()},
        "plain_input_rule": factors(PLAIN_INPUT),
        "vendor_rules": [
            f"({json.dumps(vendor)}, {_literal(names)}, {_literal(providers)})"
            for vendor, names, providers in VENDOR_RULES
        ],
    }


# The models the config template lists (their windows come from the price table).
TEMPLATE_MODELS = ("claude-sonnet-4-6", "claude-haiku-4-5", "gpt-4o-mini", "gpt-4.1")


def _windows(models: tuple[str, ...]) -> dict[str, str]:
    """``context_window: N, max_output_tokens: M`` for each model the table knows."""
    from aiinfra_cli.pricing import load_price_table

    table = load_price_table()
    found: dict[str, str] = {}
    for model in models:
        price = table.lookup(model)
        parts = []
        if price is not None and price.context_window:
            parts.append(f"context_window: {price.context_window}")
        if price is not None and price.max_output_tokens:
            parts.append(f"max_output_tokens: {price.max_output_tokens}")
        found[model] = ", ".join(parts)
    return found


def content_hash(text: str) -> str:
    """A prompt file's content hash as ``docs/prompt-format.md`` defines it (for the lock)."""
    import yaml

    lines = text.split("\n")
    close = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    meta = yaml.safe_load("\n".join(lines[1:close]))
    body = "\n".join(lines[close + 1 :])
    kept = {k: v for k, v in meta.items() if k not in ("version", "tests")}
    canonical = json.dumps(
        kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    import hashlib

    return "sha256:" + hashlib.sha256((canonical + "\n" + body).encode("utf-8")).hexdigest()


def _effective_config(root: Path, rendered_config: str) -> tuple[Config, bool]:
    """The project's own config when it has one (its models get priced), else ours."""
    path = root / CONFIG_RELPATH
    if path.is_file():
        config = load_config(path, required=True)
        assert config is not None
        return config, True
    config, problems = check_text(rendered_config, path)
    if config is None:  # the template itself is broken: a bug, not a user mistake
        raise AssertionError(
            "templates/config/ai-models.yaml.j2 is invalid: " + "; ".join(problems)
        )
    return config, False


EXAMPLE_PROMPT_FILES = frozenset(
    {
        "prompts/user/summarize.prompty",
        "prompts/versions/summarize/1.0.0.prompty",
        "config/prompt-library.lock.json",
    }
)


def _wants_example_prompt(root: Path) -> bool:
    """No example prompt in a prompt library that exists without it: it would be a file the
    index does not know, and ``aiinfra prompt-library check`` would fail on it."""
    index = root / "config" / "prompt-library.yaml"
    try:
        text = index.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return True
    except (OSError, UnicodeDecodeError):
        return False
    return "summarize" in text


def _usage_log_dir(root: Path, config: Config) -> str | None:
    try:
        relative = config.usage_log.path.relative_to(root.resolve())
    except ValueError:
        return None  # outside the repository: not ours to touch
    if config.usage_log.path.suffix in (".jsonl", ".ndjson"):
        relative = relative.parent
    return relative.as_posix() if relative.parts else None


def _found_values(added: ConfigAdditions) -> dict[str, Any]:
    """The template values for what ``init`` found in the code."""
    routes = []
    for route in added.routes:
        # A comment cannot hold a line break: a file name with one would end the comment.
        where = "".join(c if c.isprintable() else "?" for c in route.file)
        calls = f"{route.calls} call{'s' if route.calls != 1 else ''}"
        routes.append(
            {
                "name": route.name,
                "comment": f"{where}: {calls} ({', '.join(route.apis)})",
                "chain": "[" + ", ".join(route.chain) + "]",
            }
        )
    return {"found_models": [m.yaml() for m in added.models], "found_routes": routes}


def prompt_budget_source() -> str:
    """The CLI's prompt render budget module, which the runtime carries verbatim."""
    from importlib.resources import files

    return files("aiinfra_cli.prompts").joinpath("_budget.py").read_text(encoding="utf-8")


def _valid(text: str, path: Path) -> bool:
    return check_text(text, path)[0] is not None


def render_all(
    root: Path,
    layout: Layout,
    discovery: Discovery | None = None,
    proposals: str = "",
    *,
    templates: Path | None = None,
    fresh_config: bool = False,
) -> Rendered:
    """Render the catalogue of ``layout``'s language under ``root``.

    With a ``discovery`` (what the scanner found in the code) and no config on disk yet, the
    config gains the models called in the code and one route per module that calls them.
    ``proposals`` (the agent's commented block) goes at the end of its routes, when the config
    still validates both as written and with every proposal uncommented. ``templates`` is
    another templates directory (an older aiinfra's, in tests); ``fresh_config`` renders the
    config as a first run would even when one exists (what ``upgrade`` compares with).
    """
    env = environment(templates)
    values = context(layout)
    catalogue = PYTHON
    if layout.language == "typescript":
        from aiinfra_cli.scaffold._typescript import TYPESCRIPT, template_values

        catalogue, values = TYPESCRIPT, values | template_values(layout)
    if templates is not None:  # another version's templates: its catalogue had only these
        catalogue = tuple(
            e for e in catalogue if e.template is None or (templates / e.template).is_file()
        )
    result = Rendered()
    texts: dict[str, str] = {}
    for entry in catalogue:
        if entry.template is not None:
            texts[entry.template] = env.get_template(entry.template).render(**values)
    config_name = "config/ai-models.yaml.j2"
    config_path = root / CONFIG_RELPATH
    creating = fresh_config or not config_path.exists()
    if discovery is not None and not discovery.empty and creating:
        base, _ = check_text(texts[config_name], config_path)
        if base is not None:
            result.added = additions(discovery, base)
            if result.added.models or result.added.routes:
                found = env.get_template(config_name).render(
                    **(values | _found_values(result.added))
                )
                if _valid(found, config_path):
                    texts[config_name] = found
                else:  # never write a config that does not validate: keep the template's
                    result.added = ConfigAdditions()
    if proposals and creating:
        extra = _found_values(result.added) | {"agent_proposals": proposals}
        proposed = env.get_template(config_name).render(**(values | extra))
        if _valid(proposed, config_path) and _valid(uncomment_proposals(proposed), config_path):
            texts[config_name] = proposed
            result.proposals_written = True
    config, result.config_existing = _effective_config(root, texts["config/ai-models.yaml.j2"])
    log_dir = _usage_log_dir(root, config)
    prompt_text = texts["prompts/summarize.prompty.j2"]
    example = _wants_example_prompt(root)
    for entry in catalogue:
        if "{usage_log_dir}" in entry.output and log_dir is None:
            continue
        if entry.output in EXAMPLE_PROMPT_FILES and not example:
            continue
        rel = entry.output.format(
            package_dir=layout.package_dir, tests_dir=layout.tests_dir, usage_log_dir=log_dir
        )
        if entry.template is not None:
            text = texts[entry.template]
        elif entry.builder == "prices":
            document, result.unpriced = price_snapshot(config)
            text = snapshot_text(document)
        elif entry.builder == "prompt_lock":
            lock = {
                "lock_version": 1,
                "prompts": {"summarize": {"1.0.0": content_hash(prompt_text)}},
            }
            text = json.dumps(lock, indent=2, ensure_ascii=False) + "\n"
        elif entry.builder == "log_gitignore":
            text = LOG_GITIGNORE
        elif entry.builder == "prompt_budget":
            text = prompt_budget_source()
        elif entry.builder == "config_schema":
            text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
        elif entry.builder in STATE_GITIGNORES:
            text = STATE_GITIGNORES[entry.builder]
        else:
            text = ""
        result.files[rel] = text.encode("utf-8")
        result.entries[rel] = entry
    return result
