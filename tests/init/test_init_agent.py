"""``aiinfra init --agent``: after the scan, the agent proposes routes; they go into the config
being created as a commented block (never live config) that validates once uncommented."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import run_cli
from fakeprovider import FakeProvider, Fault
from fakeprovider.fixtures import TEST_KEY

from aiinfra_cli.config import check_text, load_config
from aiinfra_cli.scaffold import PROPOSALS_MARKER, uncomment_proposals

SUMMARIES = """\
import anthropic

client = anthropic.Anthropic(timeout=30)


def summarize(text: str) -> str:
    reply = client.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=300,
        messages=[{"role": "user", "content": "zq7 confidential prompt: " + text}],
    )
    return reply.content[0].text
"""
SEARCH = """\
from openai import OpenAI

llm = OpenAI(timeout=30)


def rewrite_query(query: str) -> str:
    answer = llm.chat.completions.create(
        model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": query}]
    )
    return answer.choices[0].message.content or ""
"""
PROPOSALS = {
    "summary": "Two modules call fast models with small max_tokens.",
    "routes": [
        {
            "name": "summaries-fast",
            "tier": "fast",
            "chain": ["quick", "smart"],
            "rationale": "src/app/summaries.py: 1 call, max_tokens 300; quick is $1 per Mtok.",
        },
        {
            "name": "search-cheap",
            "tier": "fast",
            "chain": ["mini", "quick"],
            "rationale": "src/app/search.py: 1 call, max_tokens 100 on gpt-4o-mini.",
        },
        # Left out: a route the config has, and a model it does not list.
        {"name": "default", "tier": None, "chain": ["smart"], "rationale": "1 call"},
        {"name": "bogus", "tier": None, "chain": ["gpt-9"], "rationale": "1 call"},
    ],
}
CONFIG = "config/ai-models.yaml"


@pytest.fixture
def app(git_repo: Path) -> Path:
    for rel, text in {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0.1.0"\n',
        "src/app/__init__.py": "",
        "src/app/summaries.py": SUMMARIES,
        "src/app/search.py": SEARCH,
    }.items():
        path = git_repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return git_repo


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with FakeProvider(api_key=TEST_KEY, reply=json.dumps(PROPOSALS), max_lifetime=120) as made:
        yield made


def env_for(server: FakeProvider) -> dict[str, str]:
    """A fresh repo's config names no base URL: the environment's, as the SDKs read it."""
    return {
        "ANTHROPIC_BASE_URL": server.anthropic_base_url,
        "ANTHROPIC_API_KEY": TEST_KEY,
        "COLUMNS": "200",
    }


def init(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli("init", *args, cwd=root, env=env or {"COLUMNS": "200"})


def accepted(text: str) -> str:
    """The config with every proposal accepted the way a user does it: the leading '# ' of
    the block's proposal lines deleted (done here by hand, not by the code under test)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(PROPOSALS_MARKER))
    index = start + 1
    while index < len(lines) and lines[index].startswith("#"):
        if lines[index].startswith("#   "):
            lines[index] = lines[index][2:]
        index += 1
    return "\n".join(lines)


def test_proposals_are_written_commented_and_validate_both_ways(
    app: Path, provider: FakeProvider
) -> None:
    result = init(app, "--agent", env=env_for(provider))
    assert result.returncode == 0, result.stderr
    assert "Proposed routes (claude-sonnet-4-6, $" in result.stderr
    assert " 1. summaries-fast: [quick, smart] (tier fast)" in result.stderr
    assert "note: route proposal 3: default is already a route; left out" in result.stderr
    assert "bogus names models the config does not list (gpt-9); left out" in result.stderr
    assert "commented out: delete the leading '# '" in result.stderr
    text = (app / CONFIG).read_text(encoding="utf-8")
    block = text[text.index(PROPOSALS_MARKER) : text.index("# Spend limits")]
    assert "#   summaries-fast:\n#     chain: [quick, smart]\n" in block
    assert "#   search-cheap:\n#     chain: [mini, quick]\n" in block
    assert "bogus" not in block and "#   default:" not in block
    # As written, the proposals are not live config.
    config = load_config(app / CONFIG)
    assert config is not None and "summaries-fast" not in config.routes
    assert run_cli("config", "validate", cwd=app).returncode == 0
    # Accepted by hand, they are: the file still validates, with the proposed chains.
    (app / CONFIG).write_text(accepted(text), encoding="utf-8")
    validated = run_cli("config", "validate", cwd=app)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    config = load_config(app / CONFIG)
    assert config is not None
    assert config.routes["summaries-fast"].chain == ("quick", "smart")
    assert config.routes["search-cheap"].chain == ("mini", "quick")
    assert accepted(text) == uncomment_proposals(text)


def test_the_request_carries_the_scan_not_the_code(app: Path, provider: FakeProvider) -> None:
    assert init(app, "--agent", env=env_for(provider)).returncode == 0
    (request,) = provider.requests_for("anthropic.messages")
    body = json.dumps(request.body)
    assert request.body["model"] == "claude-sonnet-4-6"  # the generated config's balanced model
    schema = request.body["output_config"]["format"]["schema"]
    assert set(schema["properties"]) == {"summary", "routes"}
    facts = json.loads(request.body["messages"][0]["content"].split("\n", 1)[1])
    modules = {m["file"]: m for m in facts["modules"]}
    assert set(modules) == {"src/app/search.py", "src/app/summaries.py"}
    (site,) = modules["src/app/summaries.py"]["call_sites"]
    assert (site["line"], site["model"], site["max_tokens"]) == (7, "claude-3-5-haiku-latest", 300)
    assert site["estimated_usd_per_call"] is not None
    assert modules["src/app/summaries.py"]["route"] == "summaries"
    assert {m["model_id"] for m in facts["models"]} >= {"smart", "quick", "mini", "long"}
    assert "zq7" not in body and "confidential" not in body and "def summarize" not in body


def test_the_call_is_a_usage_event(app: Path, provider: FakeProvider) -> None:
    assert init(app, "--agent", env=env_for(provider)).returncode == 0
    (log,) = (app / "logs" / "ai-usage").glob("usage-*.jsonl")
    (event,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (event["feature"], event["endpoint"], event["model_id"]) == (
        "aiinfra-agent",
        "init",
        "smart",
    )
    assert float(event["cost_usd"]) > 0


def test_a_rerun_keeps_the_config_and_the_manifest(app: Path, provider: FakeProvider) -> None:
    assert init(app, "--agent", env=env_for(provider)).returncode == 0
    config = (app / CONFIG).read_bytes()
    manifest = (app / ".multiagent/ai-infrastructure/manifest.json").read_bytes()
    again = init(app)
    assert again.returncode == 0, again.stderr
    assert "0 file(s) were written" in again.stderr
    assert (app / CONFIG).read_bytes() == config
    assert (app / ".multiagent/ai-infrastructure/manifest.json").read_bytes() == manifest
    # With --agent again, the config is the user's now: the block is printed, not written.
    proposed = init(app, "--agent", env=env_for(provider))
    assert proposed.returncode == 0, proposed.stderr
    assert "config/ai-models.yaml exists and is yours, so nothing was added" in proposed.stderr
    assert PROPOSALS_MARKER in proposed.stderr and "#   summaries-fast:" in proposed.stderr
    assert (app / CONFIG).read_bytes() == config


def test_dry_run_shows_the_proposals_in_the_patch(app: Path, provider: FakeProvider) -> None:
    result = init(app, "--agent", "--dry-run", env=env_for(provider))
    assert result.returncode == 0, result.stderr
    assert f"+{PROPOSALS_MARKER}" in result.stdout
    assert "+#   summaries-fast:" in result.stdout
    assert "would be at the end of routes:" in result.stderr
    assert not (app / CONFIG).exists()


def test_a_missing_key_is_one_line_and_init_writes_everything(app: Path) -> None:
    result = init(app, "--agent")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: agent: not run: no model of the agent's chain has its key: set"
        " $ANTHROPIC_API_KEY or $OPENAI_API_KEY"
    ]
    text = (app / CONFIG).read_text(encoding="utf-8")
    assert PROPOSALS_MARKER not in text and "summaries:" in text
    assert (app / "src" / "ai" / "model_orchestrator.py").is_file()


def test_a_dead_provider_is_one_line_too(app: Path, provider: FakeProvider) -> None:
    provider.inject(Fault.server_error(), route="anthropic.messages")
    result = init(app, "--agent", env=env_for(provider))
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning.startswith(
        "warning: agent: no proposals: no model answered (smart: server_error"
    )
    assert PROPOSALS_MARKER not in (app / CONFIG).read_text(encoding="utf-8")
    assert TEST_KEY not in result.stderr + result.stdout


def test_the_cost_cap_refuses_before_any_request(app: Path, provider: FakeProvider) -> None:
    result = init(app, "--agent", "--agent-max-cost", "0.0001", env=env_for(provider))
    assert result.returncode == 0
    assert "warning: agent: not run: it could cost up to $" in result.stderr
    assert "more than the $0.0001 cap (--agent-max-cost)" in result.stderr
    assert provider.requests == []


def test_agent_max_cost_needs_agent(app: Path) -> None:
    result = init(app, "--agent-max-cost", "1")
    assert result.returncode == 2
    assert "--agent-max-cost limits the agent: add --agent" in result.stderr


def test_no_llm_calls_means_no_request(git_repo: Path, provider: FakeProvider) -> None:
    (git_repo / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    result = init(git_repo, "--agent", env=env_for(provider))
    assert result.returncode == 0
    assert "warning: agent: not run: the scan found no LLM calls to route" in result.stderr
    assert provider.requests == []


def test_a_name_yaml_would_misread_is_quoted(app: Path, provider: FakeProvider) -> None:
    # "null" passes the route-name rule, but plain it would be YAML's null, not a name.
    provider.reply = json.dumps(
        {
            "summary": "x",
            "routes": [{"name": "null", "tier": None, "chain": ["quick"], "rationale": "1 call"}],
        }
    )
    assert init(app, "--agent", env=env_for(provider)).returncode == 0
    text = (app / CONFIG).read_text(encoding="utf-8")
    assert '#   "null":' in text
    config, problems = check_text(uncomment_proposals(text), app / CONFIG)
    assert config is not None, problems
    assert config.routes["null"].chain == ("quick",)


def test_a_block_that_would_not_validate_is_not_written(app: Path) -> None:
    from aiinfra_cli.scaffold import plan_init

    broken = f"{PROPOSALS_MARKER}\n#   summaries-fast:\n#     chain: [no-such-model]"
    plan, _ = plan_init(app, proposals=broken)
    assert not plan.proposals_written
    (step,) = [s for s in plan.steps if s.path == CONFIG]
    assert PROPOSALS_MARKER.encode() not in step.new
    good = f"{PROPOSALS_MARKER}\n#   summaries-fast:\n#     chain: [quick]"
    plan, _ = plan_init(app, proposals=good, discovery=plan.discovery)
    assert plan.proposals_written
