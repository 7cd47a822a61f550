"""What ``aiinfra init --lang typescript`` writes: the TypeScript file catalogue, the values its
templates use, and how its remembered options sit next to Python's in one manifest.

The runtime goes to ``{package_dir}/*.ts`` (default ``src/ai``) and its tests to
``{tests_dir}/*.test.ts``; the config, the prompt library and the ``.multiagent`` files are the
same entries as Python's, so a repository holding both runtimes shares one copy of each.
Vocabularies the runtime shares with the CLI (error classes, provider kinds, tiers, the config's
keys) are rendered from the CLI's single definition.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiinfra_cli._schema import ListOf, MapOf, Node, Obj
from aiinfra_cli.scaffold._catalogue import MANAGED, PYTHON, SCHEMA_ENTRY, SEED, Entry, runtime
from aiinfra_cli.scaffold._layout import Layout

TS_MODULES = (
    "index",
    "budget",
    "config",
    "context-manager",
    "cost-tracker",
    "errors",
    "model-orchestrator",
    "prompt-loader",
    "providers",
    "resilience",
    "response-cache",
)
TS_TESTS = (
    "testkit",
    "orchestrator.test",
    "cost-tracker.test",
    "config.test",
    "context-manager.test",
)
# Where each language keeps its remembered options in the shared manifest: Python's are the
# plain keys (as before TypeScript existed), TypeScript's carry this prefix.
OPTION_PREFIX = "typescript."
_PER_LANGUAGE = ("project_type", "package_dir", "tests_dir")

# Entries both runtimes write (config, prompts, state): the same paths, so one copy. Only the
# seeds: the managed .multiagent files (the README, the team store's requirements) describe
# the Python runtime, and TypeScript has its own page next to them.
SHARED: tuple[Entry, ...] = tuple(
    e for e in PYTHON if not e.output.startswith("{") and e.policy == SEED
)

TYPESCRIPT: tuple[Entry, ...] = (
    *runtime("typescript", "ts", TS_MODULES, TS_TESTS),
    # Written only when the project has none: yours afterwards (`npx tsc --noEmit` reads it).
    Entry("tsconfig.json", SEED, template="typescript/tsconfig.json.j2"),
    Entry(
        ".multiagent/ai-infrastructure/typescript.md",
        MANAGED,
        template="multiagent/typescript.md.j2",
    ),
    SCHEMA_ENTRY,
    *SHARED,
)


def _pad(depth: int) -> str:
    return "  " * depth


def _structured(node: Node) -> bool:
    return isinstance(node, (Obj, ListOf, MapOf))


def _wrap(key: str, inner: str, depth: int) -> str:
    return "{\n" + f"{_pad(depth + 1)}{key}: {inner},\n" + _pad(depth) + "}"


def key_tree(node: Node, depth: int = 0) -> str:
    """The keys ``node`` allows, as a TypeScript object literal laid out the way prettier lays
    it out (one key per line, which prettier keeps expanded): ``keys`` of an object, ``items``
    of a list, ``values`` of a map, ``null`` for a plain value."""
    if isinstance(node, Obj):
        fields = "".join(
            f"{_pad(depth + 2)}{name}: {key_tree(sub, depth + 2)},\n"
            for name, sub in node.fields.items()
        )
        return _wrap("keys", "{\n" + fields + _pad(depth + 1) + "}", depth)
    if isinstance(node, ListOf) and _structured(node.item):
        return _wrap("items", key_tree(node.item, depth + 1), depth)
    if isinstance(node, MapOf) and _structured(node.value):
        return _wrap("values", key_tree(node.value, depth + 1), depth)
    return "null"


def ts_array(prefix: str, values: tuple[str, ...], suffix: str) -> str:
    """``values`` as a TypeScript array literal after ``prefix``, on one line when the
    statement fits prettier's 80 columns, else one item per line (as prettier prints it)."""
    items = [f'"{v}"' for v in values]
    one_line = "[" + ", ".join(items) + "]"
    if len(prefix) + len(one_line) + len(suffix) <= 80:
        return one_line
    return "[\n" + "".join(f"  {item},\n" for item in items) + "]"


def ts_row(items: list[str], indent: int = 2) -> str:
    """One array literal of already-rendered ``items`` (a trailing comma follows it), on one
    line when it fits prettier's 80 columns, else one item per line (as prettier prints it)."""
    one_line = "[" + ", ".join(items) + "]"
    if indent + len(one_line) + 1 <= 80:
        return one_line
    pad = " " * (indent + 2)
    return "[\n" + "".join(f"{pad}{item},\n" for item in items) + " " * indent + "]"


def _strings(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def pricing_rules() -> dict[str, Any]:
    """The price engine's cache-rate rules and model makers (``pricing/_rules.py``) as
    TypeScript literals: the generated cost tracker applies the config's ``pricing:``
    overrides itself, by the same rules. Multipliers are decimal strings (exact)."""
    from aiinfra_cli.pricing import CACHE_RULES, PLAIN_INPUT, VENDOR_RULES, CacheRule

    def factors(rule: CacheRule) -> list[str]:
        parts = (rule.cache_read, rule.cache_write, rule.cache_write_1h)
        return [json.dumps(str(p)) if p is not None else "null" for p in parts]

    return {
        "cache_rules": [
            ts_row([json.dumps(vendor), ts_row(factors(rule), 4)])
            for vendor, rule in CACHE_RULES.items()
        ],
        "plain_input_rule": ts_row(factors(PLAIN_INPUT), 0),
        "vendor_rules": [
            ts_row([json.dumps(vendor), _strings(names), _strings(providers)])
            for vendor, names, providers in VENDOR_RULES
        ],
    }


def template_values(layout: Layout) -> dict[str, Any]:
    """The values the TypeScript templates use besides the layout's."""
    from aiinfra_cli.config import CONFIG_SCHEMA as CONFIG
    from aiinfra_cli.config import (
        DEFAULT_FALLBACK_ON,
        ERROR_CLASSES,
        PROVIDER_KINDS,
        TIERS,
    )

    return {
        "error_classes": ts_array("export const ERROR_CLASSES = ", ERROR_CLASSES, " as const;"),
        "default_fallback_on": ts_array(
            "export const DEFAULT_FALLBACK_ON: readonly ErrorClass[] = ", DEFAULT_FALLBACK_ON, ";"
        ),
        "provider_kinds": ts_array("export const PROVIDER_KINDS = ", PROVIDER_KINDS, " as const;"),
        "tiers": ts_array("export const TIERS = ", TIERS, " as const;"),
        "config_key_tree": key_tree(CONFIG),
        **pricing_rules(),
        # How the tests import the runtime: tests/ai -> ../../src/ai
        "package_from_tests": "../" * (layout.tests_up + 1) + layout.package_dir,
    }


def remembered(options: Mapping[str, str], language: str) -> dict[str, str]:
    """The options ``language`` ran with last time (TypeScript's carry a prefix)."""
    if language != "typescript":
        return {k: v for k, v in options.items() if not k.startswith(OPTION_PREFIX)}
    return {
        k.removeprefix(OPTION_PREFIX): v for k, v in options.items() if k.startswith(OPTION_PREFIX)
    }


def merged_options(old: Mapping[str, str], new: Mapping[str, str], language: str) -> dict[str, str]:
    """The manifest's options after a run for ``language``: its own replaced, the other
    runtime's kept."""
    if language != "typescript":
        kept = {k: v for k, v in old.items() if k.startswith(OPTION_PREFIX)}
        return {**kept, **new}
    kept = {k: v for k, v in old.items() if not k.startswith(OPTION_PREFIX)}
    mine = {OPTION_PREFIX + k: v for k, v in new.items() if k in _PER_LANGUAGE}
    if "lang" not in kept:
        kept["lang"] = "typescript"
    return {**kept, **mine}
