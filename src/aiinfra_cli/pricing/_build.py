"""LiteLLM's price table -> aiinfra's ``prices.json`` (for the build script and ``prices update``).

Only chat/responses models of the providers below are kept, with the rates aiinfra prices:
input, output, reasoning, cache read, cache write (5-minute and 1-hour), batch, and long-context
tiers. Service tiers (priority, flex), audio/image/video and per-call fees are left out.
Inputs are given newest first: the newest entry for a key wins; a key that only older inputs
know is kept as ``retired`` with its ``deprecation_date``, because old usage logs still name it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiinfra_cli.errors import PriceError
from aiinfra_cli.pricing._money import format_usd, per_token_to_per_mtok

FORMAT = "aiinfra-prices"
FORMAT_VERSION = 1
UPSTREAM = (
    "LiteLLM's model_prices_and_context_window.json (github.com/BerriAI/litellm); the litellm"
    " wheels on PyPI ship it as litellm/model_prices_and_context_window_backup.json"
)
MODES = ("chat", "responses")
PROVIDERS = (
    "anthropic",
    "openai",
    "azure",
    "gemini",
    "vertex_ai-language-models",
    "vertex_ai-anthropic_models",
    "vertex_ai",
    "bedrock",
    "bedrock_converse",
    "mistral",
    "deepseek",
    "xai",
    "groq",
    "cohere",
    "cohere_chat",
)
_BEDROCK_VENDORS = ("anthropic.", "amazon.", "meta.", "mistral.", "claude")
_GEO_PREFIX = re.compile(r"^(?:us-gov|us|eu|apac|au|jp|ca|in|global)\.")

_BASE_RATES = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cache_read",
    "cache_creation_input_token_cost": "cache_write",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
    "output_cost_per_reasoning_token": "reasoning",
    "input_cost_per_token_batches": "batch_input",
    "output_cost_per_token_batches": "batch_output",
    "cache_read_input_token_cost_batches": "batch_cache_read",
    "cache_creation_input_token_cost_batches": "batch_cache_write",
}
_TIER_KEY = re.compile(
    r"^(?P<rate>input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr)"
    r"_above_(?P<k>\d+)k_tokens(?P<batch>_batches)?$"
)
_VERSION_IN_NAME = re.compile(r"litellm[-_](\d+\.\d+\.\d+)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class SourceInput:
    """One LiteLLM-format input: its basename, sha256, parsed JSON and LiteLLM version if known."""

    name: str
    sha256: str
    data: object
    litellm_version: str | None = None
    where: str = ""  # the path as the user gave it: for messages only, never recorded


def read_source(path: Path, litellm_version: str | None = None) -> SourceInput:
    """Read and parse a LiteLLM-format file; bad JSON is a PriceError naming file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PriceError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PriceError(f"not UTF-8 text (byte {exc.start})", where=str(path)) from None
    except json.JSONDecodeError as exc:
        raise PriceError(
            f"invalid JSON: {exc.msg} (column {exc.colno})", where=f"{path}:{exc.lineno}"
        ) from None
    version = litellm_version or version_from_name(path.name)
    return SourceInput(path.name, hashlib.sha256(raw).hexdigest(), data, version, str(path))


def version_from_name(name: str) -> str | None:
    """``"1.77.0"`` from ``model_prices_litellm-1.77.0.json``; None when the name carries none."""
    found = _VERSION_IN_NAME.search(name)
    return found.group(1) if found else None


def convert(inputs: Sequence[SourceInput], *, as_of: str, built_by: str) -> dict[str, Any]:
    """Merge LiteLLM tables (newest first) into a ``prices.json`` document."""
    if not inputs:
        raise PriceError("no input price table given")
    models: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    described: list[dict[str, Any]] = []
    skipped_unpriced = 0
    for index, source in enumerate(inputs):
        entries = _litellm_entries(source)
        selected = taken = 0
        for key, raw in entries.items():
            if not _selected(key, raw):
                continue
            selected += 1
            if key in seen:
                continue  # a newer input has this key (even if that input's entry was not selected)
            entry = _convert_entry(raw)
            if entry is None:
                skipped_unpriced += 1
                continue
            if index > 0:
                entry["retired"] = True
                entry["from"] = index
            models[key] = entry
            taken += 1
        seen.update(entries)
        described.append(
            {
                "file": source.name,
                "sha256": source.sha256,
                "litellm_version": source.litellm_version,
                "entries": len(entries),
                "selected": selected,
                "kept": taken,  # from older inputs: the retired models only
            }
        )
    if not models:
        raise PriceError(
            f"{inputs[0].where or inputs[0].name}: no chat or responses model"
            " of a supported provider has a per-token price",
            hint="is this LiteLLM's model_prices_and_context_window.json?",
        )
    provenance = {
        "built_by": built_by,
        "upstream": UPSTREAM,
        "selection": {"modes": list(MODES), "providers": list(PROVIDERS)},
        "inputs": described,
        "models": len(models),
        "retired": sum(1 for entry in models.values() if entry.get("retired")),
        "skipped_without_token_price": skipped_unpriced,
    }
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "as_of": as_of,
        "units": "USD per million tokens, as decimal strings",
        "provenance": provenance,
        "models": dict(sorted(models.items())),
    }


def dump_table(document: Mapping[str, Any]) -> str:
    """Serialise a document with one model per line, so a price change is a one-line diff."""
    header = {key: value for key, value in document.items() if key != "models"}
    lines = ["{"]
    for key, value in header.items():
        rendered = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        lines.append(f"  {json.dumps(key)}: {rendered},")
    lines.append('  "models": {')
    models = list(document["models"].items())
    for position, (key, entry) in enumerate(models):
        comma = "," if position < len(models) - 1 else ""
        name, body = json.dumps(key, ensure_ascii=False), json.dumps(entry, ensure_ascii=False)
        lines.append(f"    {name}: {body}{comma}")
    lines.extend(["  }", "}"])
    return "\n".join(lines) + "\n"


def _litellm_entries(source: SourceInput) -> dict[str, Mapping[str, Any]]:
    data = source.data
    entries = (
        {k: v for k, v in data.items() if isinstance(v, Mapping) and k != "sample_spec"}
        if isinstance(data, Mapping)
        else {}
    )
    if not any("litellm_provider" in entry for entry in entries.values()):
        raise PriceError(
            f"{source.where or source.name}: not a LiteLLM price table",
            hint="expected a JSON object mapping model names to entries with 'litellm_provider'"
            " and 'input_cost_per_token'",
        )
    return entries


def _selected(key: str, raw: Mapping[str, Any]) -> bool:
    provider = raw.get("litellm_provider")
    if raw.get("mode") not in MODES or provider not in PROVIDERS:
        return False
    if provider in ("bedrock", "bedrock_converse"):
        # Bedrock hosts many makers; the Anthropic, Amazon, Meta and Mistral models are in scope.
        name = _GEO_PREFIX.sub("", key.rsplit("/", 1)[-1])
        return name.startswith(_BEDROCK_VENDORS)
    if provider == "vertex_ai":
        return "gemini" in key  # the generic vertex_ai provider also lists partner models
    return True


def _convert_entry(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """One LiteLLM entry as a prices.json entry, or None when it has no usable token price."""
    entry: dict[str, Any] = {"provider": raw["litellm_provider"], "mode": raw["mode"]}
    tiers: dict[int, dict[str, Any]] = {}
    try:
        for litellm_key, name in _BASE_RATES.items():
            if raw.get(litellm_key) is not None:
                entry[name] = _rate(raw[litellm_key])
        if "cache_read" not in entry and raw.get("input_cost_per_token_cache_hit") is not None:
            entry["cache_read"] = _rate(raw["input_cost_per_token_cache_hit"])  # DeepSeek's name
        for litellm_key, value in raw.items():
            match = _TIER_KEY.match(litellm_key)
            if match is None or value is None:
                continue
            threshold = int(match["k"]) * 1000
            name = ("batch_" if match["batch"] else "") + _BASE_RATES[match["rate"]]
            tiers.setdefault(threshold, {"above": threshold})[name] = _rate(value)
    except ValueError:
        return None
    if "input" not in entry or "output" not in entry:
        return None
    if tiers:
        order = ["above", *_BASE_RATES.values()]
        entry["long_context"] = [
            {name: tiers[t][name] for name in order if name in tiers[t]} for t in sorted(tiers)
        ]
    for litellm_key, name in (
        ("max_input_tokens", "context_window"),
        ("max_output_tokens", "max_output"),
    ):
        count = _whole(raw.get(litellm_key))
        if count is not None:
            entry[name] = count
    deprecation = raw.get("deprecation_date")
    if isinstance(deprecation, str) and _DATE.match(deprecation):
        entry["deprecation_date"] = deprecation
    return entry


def _rate(value: object) -> str:
    return format_usd(per_token_to_per_mtok(value))


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    return None
