"""Deterministic sample usage: a believable month of LLM traffic for the demo, tests and benchmarks.

Same seed and end date → byte-identical output. The mix exercises what real logs hold: prompt
caching, reasoning tokens, rate-limit errors and retries, fallbacks, a local model priced at $0 by
config, and a model no price table knows (which must be reported as unpriced, never as $0).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from aiinfra_cli.usage import SCHEMA_VERSION, format_timestamp

DEMO_CONFIG_FILE = Path(__file__).resolve().parents[1] / "data" / "demo-ai-models.yaml"
# Application code behind the sample traffic: its LLM calls sit at the logs' call_site lines.
DEMO_APP_DIR = Path(__file__).resolve().parents[1] / "data" / "demo_app"


# The API key (its public id, never the key) and workspace / project the app's calls go through,
# per provider that bills by key: the tracker records them on each event (``key_id``,
# ``workspace``), so reconciliation with the bill can tell whose spend the tracker saw.
SAMPLE_KEYS: dict[str, tuple[str, str]] = {
    "anthropic": ("apikey_01DemoAppProduction", "wrkspc_demo_app"),
    "openai": ("key_DemoAppProduction", "proj_demo_app"),
}


# The agent's model in ``aiinfra demo --agent``: the local stand-in, priced at $0 (it is free).
DEMO_AGENT_ID = "demo-stand-in"


def demo_config(agent_base_url: str | None = None) -> str:
    """The demo's config/ai-models.yaml text (the same shape ``aiinfra init`` writes).

    With ``agent_base_url`` (the demo's local stand-in), the agent's route is pinned to a model
    served there: an Anthropic-protocol provider at that URL, with a dummy key variable."""
    text = DEMO_CONFIG_FILE.read_text(encoding="utf-8")
    if agent_base_url is None:
        return text
    from aiinfra_cli.demo._agent_server import KEY_ENV, MODEL

    provider = (
        f'  {DEMO_AGENT_ID}: {{kind: anthropic, base_url: "{agent_base_url}",'
        f" api_key_env: {KEY_ENV}}}\n"
    )
    model = (
        f"  - {{id: {DEMO_AGENT_ID}, provider: {DEMO_AGENT_ID}, model: {MODEL},"
        " context_window: 200000, max_output_tokens: 4096,"
        " pricing: {input_per_mtok: 0, output_per_mtok: 0}}\n"
    )
    route = f"  {DEMO_AGENT_ID}: {{chain: [{DEMO_AGENT_ID}]}}\n"
    for anchor, addition in (("models:\n", provider), ("routes:\n", model), ("budgets:\n", route)):
        # Each addition closes the section before the anchor (the sections are in this order).
        assert text.count(anchor) == 1, anchor
        text = text.replace(anchor, addition + anchor)
    return text + f"agent: {{route: {DEMO_AGENT_ID}}}\n"


@dataclass(frozen=True)
class _Profile:
    feature: str
    endpoint: str
    route: str
    chain: tuple[tuple[str, str, str], ...]  # (model id, provider, model name)
    weight: float
    input_median: int
    output_median: int
    cached_share: float  # share of input served from the prompt cache when caching is on


_PROFILES = (
    _Profile(
        "summarize",
        "/api/summarize",
        "summarize",
        (
            ("smart", "anthropic", "claude-sonnet-4-6"),
            ("fast", "openai", "gpt-4o-mini"),
            ("llama", "openai-compatible", "llama3.1:8b"),
        ),
        0.35,
        6000,
        450,
        0.7,
    ),
    _Profile(
        "chat",
        "/api/chat",
        "chat",
        (("quick", "anthropic", "claude-haiku-4-5"), ("flash", "gemini", "gemini-2.5-flash")),
        0.45,
        2500,
        300,
        0.5,
    ),
    _Profile(
        "analyze",
        "/api/analyze",
        "analyze",
        (("reasoner", "openai", "o4-mini"), ("smart", "anthropic", "claude-sonnet-4-6")),
        0.12,
        12000,
        1800,
        0.4,
    ),
    _Profile("tagging", "worker:tagger", "", (("", "acme", "acme-tagger-v2"),), 0.08, 800, 40, 0.0),
)


def _lognormal(rng: random.Random, median: int, spread: float = 0.6) -> int:
    return max(1, int(rng.lognormvariate(0, spread) * median))


def _usage(rng: random.Random, profile: _Profile, provider: str, model: str) -> dict[str, int]:
    input_tokens = _lognormal(rng, profile.input_median)
    output_tokens = _lognormal(rng, profile.output_median)
    usage = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    if provider == "anthropic" and rng.random() < 0.8:
        cached = int(input_tokens * profile.cached_share)
        if rng.random() < 0.15:  # a cache miss writes the prefix instead of reading it
            usage["cache_write_tokens"] = cached
            if rng.random() < 0.3:
                usage["cache_write_1h_tokens"] = cached
        else:
            usage["cache_read_tokens"] = cached
    elif provider in ("openai", "gemini") and input_tokens >= 1024 and rng.random() < 0.6:
        usage["cache_read_tokens"] = int(input_tokens * profile.cached_share) // 128 * 128
    if model.startswith(("o4", "o3")) or (provider == "gemini" and rng.random() < 0.3):
        usage["reasoning_tokens"] = min(output_tokens, _lognormal(rng, profile.output_median // 2))
    return usage


def _spike_offset(end: date, days: int) -> int:
    """Days before ``end`` of the sample's spike: a third of the way back, on a weekday (a spike
    on a quiet weekend day stays within a weekday's volume, so whether the demo showed an anomaly
    would depend on the day it ran)."""
    offset = days // 3
    while (end - timedelta(days=offset)).weekday() >= 5:
        offset += 1
    return offset


def generate_events(
    *, end: date, days: int = 30, per_day: int = 120, seed: int = 7
) -> Iterator[dict[str, Any]]:
    """Usage events (as JSON-ready dicts) for ``days`` days ending on ``end``, oldest first."""
    rng = random.Random(seed)
    weights = [p.weight for p in _PROFILES]
    counter = 0
    spike = _spike_offset(end, days)
    for offset in range(days - 1, -1, -1):
        day = end - timedelta(days=offset)
        # Weekdays are busier; one mid-period spike gives anomaly detection something to find.
        volume = per_day * (0.55 if day.weekday() >= 5 else 1.0) * (2.6 if offset == spike else 1.0)
        starts = sorted(rng.random() * 86400 for _ in range(int(volume)))
        for second in starts:
            profile = rng.choices(_PROFILES, weights)[0]
            moment = datetime.combine(day, time(), tzinfo=timezone.utc) + timedelta(seconds=second)
            user = f"u-{rng.randint(1, 40):03d}"
            fallback_from: str | None = None
            for attempt_model, (model_id, provider, model) in enumerate(profile.chain):
                counter += 1
                failed = attempt_model + 1 < len(profile.chain) and rng.random() < 0.04
                event: dict[str, Any] = {
                    "schema_version": SCHEMA_VERSION,
                    "event_id": f"evt-{seed}-{counter:07d}",
                    "timestamp": format_timestamp(moment),
                    "provider": provider,
                    "request_model": model,
                    "status": "error" if failed else "ok",
                    "feature": profile.feature,
                    "endpoint": profile.endpoint,
                    "user": user,
                    "call_site": f"src/app/{profile.feature}.py:{40 + 7 * attempt_model}",
                    "attempt": 1,
                }
                if model_id:
                    event["model_id"] = model_id
                if profile.route:
                    event["route"] = profile.route
                if fallback_from:
                    event["fallback_from"] = fallback_from
                if provider in SAMPLE_KEYS:
                    event["key_id"], event["workspace"] = SAMPLE_KEYS[provider]
                if failed:
                    event.update(
                        input_tokens=0,
                        output_tokens=0,
                        error_class="rate_limited",
                        http_status=429,
                        latency_ms=round(rng.uniform(80, 300), 1),
                    )
                    yield event
                    fallback_from = model_id
                    moment += timedelta(milliseconds=300)
                    continue
                event.update(_usage(rng, profile, provider, model))
                event["latency_ms"] = round(rng.uniform(400, 900) + event["output_tokens"] * 9.5, 1)
                yield event
                break


def write_jsonl(events: Iterator[dict[str, Any]]) -> str:
    """Events as JSONL text (compact separators, like the generated tracker writes)."""
    return "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events)
