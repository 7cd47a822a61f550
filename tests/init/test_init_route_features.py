"""The route features of the config (``prompt_cache``, ``cache.sampled``, ``rate_limit.per_user``
/ ``per_tenant``): the generated runtime reads them as aiinfra does and acts on them (real SDKs,
fake provider)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from fakeprovider import FakeProvider
from init.init_support import USER, matrix_config

from aiinfra_cli.config import Config, check_text
from aiinfra_cli.scaffold import render_all, resolve_layout

FEATURES = """\
version: 1
providers: {anthropic: {kind: anthropic}}
models: [{id: claude, provider: anthropic, model: claude-haiku-4-5}]
routes:
  plain: {chain: [claude]}
  chat:
    chain: [claude]
    prompt_cache: true
    cache: {enabled: true, sampled: true}
    rate_limit:
      requests_per_minute: 600
      per_user: {requests_per_minute: 20, tokens_per_minute: 40000}
      per_tenant: {tokens_per_minute: 100000}
  long: {chain: [claude], prompt_cache: "1h", cache: {sampled: false}}
  short: {chain: [claude], prompt_cache: "5m"}
  none: {chain: [claude], prompt_cache: false}
  annotated: {chain: [claude], x-prompt-cache: true, cache: {x-sampled: true}}
"""


def _features(config: Config) -> dict[str, tuple[Any, ...]]:
    return {
        name: (
            r.prompt_cache,
            r.cache_sampled,
            (r.requests_per_minute, r.tokens_per_minute),
            (r.per_user.requests_per_minute, r.per_user.tokens_per_minute),
            (r.per_tenant.requests_per_minute, r.per_tenant.tokens_per_minute),
        )
        for name, r in config.routes.items()
    }


def _runtime_features(rt: ModuleType, text: str, root: Path) -> dict[str, tuple[Any, ...]]:
    settings = rt.Settings.from_dict(yaml.safe_load(text), root=root)
    return {
        name: (
            r.prompt_cache,
            r.cache_sampled,
            (r.rate.requests_per_minute, r.rate.tokens_per_minute),
            (r.per_user.requests_per_minute, r.per_user.tokens_per_minute),
            (r.per_tenant.requests_per_minute, r.per_tenant.tokens_per_minute),
        )
        for name, r in settings.routes.items()
    }


def _checked(text: str, root: Path) -> Config:
    config, problems = check_text(text, root / "config" / "ai-models.yaml")
    assert problems == [] and config is not None
    return config


def test_the_runtime_reads_every_route_feature_as_aiinfra_does(
    rt: ModuleType, tmp_path: Path
) -> None:
    expected = _features(_checked(FEATURES, tmp_path))
    assert expected["chat"] == ("5m", True, (600, None), (20, 40000), (None, 100000))
    assert [expected[name][0] for name in ("plain", "long", "short", "none")] == [
        None,
        "1h",
        "5m",
        None,
    ]
    # x- keys are the user's own: neither reader gives them a meaning.
    assert expected["annotated"] == expected["plain"] == (None, False, *[(None, None)] * 3)
    assert _runtime_features(rt, FEATURES, tmp_path) == expected


@pytest.mark.parametrize("project_type", ["ai-app", "service", "library"])
def test_the_rendered_config_means_the_same_to_both_readers(
    rt: ModuleType, tmp_path: Path, project_type: str
) -> None:
    layout = resolve_layout(
        tmp_path, language="python", project_type=project_type, package_dir=None, remembered={}
    )
    text = render_all(tmp_path, layout).files["config/ai-models.yaml"].decode()
    expected = _features(_checked(text, tmp_path))
    summarize = expected["summarize"]
    if project_type == "library":
        assert summarize == (None, False, *[(None, None)] * 3)
    else:
        per_user, per_tenant = {
            "ai-app": ((20, 40000), (None, None)),
            "service": ((None, None), (120, 100000)),
        }[project_type]
        assert summarize == ("5m", False, (600, 400000), per_user, per_tenant)
    assert _runtime_features(rt, text, tmp_path) == expected


def test_the_runtime_refuses_a_prompt_cache_it_cannot_send(rt: ModuleType, tmp_path: Path) -> None:
    data = yaml.safe_load(FEATURES.replace('prompt_cache: "1h"', 'prompt_cache: "2h"'))
    with pytest.raises(rt.ConfigurationError) as raised:
        rt.Settings.from_dict(data, root=tmp_path)
    assert str(raised.value) == (
        """configuration: routes.long.prompt_cache: expected true, false, "5m" or "1h", got '2h'"""
    )


def _orchestrator(rt: ModuleType, server: FakeProvider, log: Path, **route: Any) -> Any:
    settings = rt.Settings.from_dict(matrix_config(server, log, **route), root=log.parent)
    return rt.Orchestrator(settings, retry=rt.resilience.RetryPolicy(base_s=0.001, max_s=0.01))


@pytest.mark.parametrize(
    ("prompt_cache", "control"),
    [
        (True, {"type": "ephemeral"}),
        ("5m", {"type": "ephemeral"}),
        ("1h", {"type": "ephemeral", "ttl": "1h"}),
        (False, None),
    ],
)
def test_prompt_cache_marks_the_system_prompt_for_anthropic(
    rt: ModuleType,
    fake_provider: FakeProvider,
    keys: str,
    tmp_path: Path,
    prompt_cache: Any,
    control: dict[str, str] | None,
) -> None:
    ai = _orchestrator(rt, fake_provider, tmp_path / "usage", prompt_cache=prompt_cache)
    ai.complete("main", USER, system="Answer in one word.")
    ai.close()
    (sent,) = fake_provider.requests_for("anthropic")
    if control is None:
        assert sent.body["system"] == "Answer in one word."
    else:
        assert sent.body["system"] == [
            {"type": "text", "text": "Answer in one word.", "cache_control": control}
        ]


@pytest.mark.parametrize(("sampled", "calls"), [(True, 1), (False, 2)])
def test_sampled_answers_are_cached_only_when_the_route_says_so(
    rt: ModuleType,
    fake_provider: FakeProvider,
    keys: str,
    tmp_path: Path,
    sampled: bool,
    calls: int,
) -> None:
    cache = {"enabled": True, "sampled": sampled}
    ai = _orchestrator(rt, fake_provider, tmp_path / "usage", cache=cache)
    for _ in range(2):
        ai.complete("main", USER, temperature=0.7)
    ai.close()
    assert len(fake_provider.requests_for("anthropic")) == calls


@pytest.mark.parametrize("who", ["user", "tenant"])
def test_per_user_and_per_tenant_limits_hold_each_one_separately(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path, who: str
) -> None:
    # One request a minute each: a second request by the same one would wait ~60 s, longer
    # than the route's deadline, so it is refused at once; someone else is not held back.
    # The route-wide limit is far from reached: the error names the bucket that holds it.
    limit = {"requests_per_minute": 1000, f"per_{who}": {"requests_per_minute": 1}}
    ai = _orchestrator(rt, fake_provider, tmp_path / "usage", rate_limit=limit, timeout_s=5)
    ai.complete("main", USER, **{who: "a"})
    ai.complete("main", USER, **{who: "b"})
    ai.complete("main", USER)  # nobody named: only the route-wide limit applies
    with pytest.raises(rt.RateLimitExceededError) as refused:
        ai.complete("main", USER, **{who: "a"})
    ai.close()
    assert refused.value.bucket == f"{who}:main:a:requests"
    assert len(fake_provider.requests_for("anthropic")) == 3
