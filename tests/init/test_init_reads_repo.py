"""``aiinfra init`` reads the code already in the repository: the models it calls become config
entries, its modules become routes, and the calls that bypass the tracker are listed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _support import run_cli

from aiinfra_cli.config import load_config
from aiinfra_cli.scaffold import model_id, plan_init, tier_for

SUMMARIES = """\
import anthropic

client = anthropic.Anthropic(timeout=30)


def summarize(text: str) -> str:
    reply = client.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=300,
        messages=[{"role": "user", "content": text}],
    )
    return reply.content[0].text


def polish(text: str) -> str:
    reply = client.messages.create(
        model="claude-sonnet-4-6", max_tokens=300, messages=[{"role": "user", "content": text}]
    )
    return reply.content[0].text
"""

SEARCH = """\
from openai import OpenAI as LLM

from ai import CostTracker

llm = LLM(timeout=30)
tracker = CostTracker()


def rewrite_query(query: str) -> str:
    answer = llm.chat.completions.create(
        model="gpt-4.1-mini", max_tokens=100, messages=[{"role": "user", "content": query}]
    )
    return answer.choices[0].message.content or ""


def tracked(query: str) -> str:
    with tracker.observe("openai", "gpt-4o-mini") as call:
        answer = llm.chat.completions.create(
            model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": query}]
        )
        call.set_response(answer)
    return answer.choices[0].message.content or ""
"""

PLAIN = "def add(a: int, b: int) -> int:\n    return a + b\n"

# The calls of SUMMARIES and SEARCH outside the tracker, as the closing message lists them.
UNTRACKED = [
    ("src/shop/search.py", 10, "openai.chat.completions.create"),
    ("src/shop/summaries.py", 7, "anthropic.messages.create"),
    ("src/shop/summaries.py", 16, "anthropic.messages.create"),
]


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def init(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("init", *args, cwd=root, env={"COLUMNS": "200"})


def untracked_lines(stderr: str) -> list[tuple[str, int, str]]:
    return [
        (m[1], int(m[2]), m[3]) for m in re.finditer(r"^  (\S+\.py):(\d+)  (\S+)$", stderr, re.M)
    ]


@pytest.fixture
def shop(git_repo: Path) -> Path:
    """Two modules calling Anthropic and OpenAI (one through an aliased client class, one call
    already inside the tracker), a module without calls, and tests that call an SDK."""
    write(
        git_repo,
        {
            "pyproject.toml": '[project]\nname = "shop"\nversion = "0.1.0"\n',
            "src/shop/__init__.py": "",
            "src/shop/summaries.py": SUMMARIES,
            "src/shop/search.py": SEARCH,
            "src/shop/prices.py": PLAIN,
            # Tests are not features: their calls are neither routes nor listed.
            "tests/test_shop.py": SUMMARIES.replace("claude-3-5-haiku-latest", "claude-opus-4-1"),
        },
    )
    return git_repo


def test_models_routes_and_untracked_calls_come_from_the_code(shop: Path) -> None:
    result = init(shop)
    assert result.returncode == 0, result.stderr
    config = load_config(shop / "config" / "ai-models.yaml", required=True)
    assert config is not None
    models = {m.id: (m.provider, m.model, m.context_window, m.tier) for m in config.models}
    # The template's examples stay; the code's models are added (sonnet is the template's).
    assert models == {
        "smart": ("anthropic", "claude-sonnet-4-6", 1000000, "balanced"),
        "quick": ("anthropic", "claude-haiku-4-5", 200000, "fast"),
        "mini": ("openai", "gpt-4o-mini", 128000, "fast"),
        "long": ("openai", "gpt-4.1", 1047576, "balanced"),
        "claude-3-5-haiku-latest": ("anthropic", "claude-3-5-haiku-latest", 200000, "fast"),
        "gpt-4.1-mini": ("openai", "gpt-4.1-mini", 1047576, "fast"),
    }
    chains = {name: route.chain for name, route in config.routes.items()}
    assert chains == {
        "default": ("smart", "mini", "long"),
        "summarize": ("quick", "mini", "long"),
        "search": ("gpt-4.1-mini", "mini", "long"),
        "summaries": ("claude-3-5-haiku-latest", "smart", "quick"),
    }
    text = (shop / "config" / "ai-models.yaml").read_text()
    assert "  summaries:  # src/shop/summaries.py: 2 calls (anthropic.messages.create)\n" in text
    assert "claude-opus" not in text  # tests/ is not read
    assert untracked_lines(result.stderr) == UNTRACKED
    assert "  aiinfra optimize-context --select AIC012" in result.stderr
    assert (
        "From your code, config/ai-models.yaml added models: claude-3-5-haiku-latest,"
        " gpt-4.1-mini; routes: search, summaries" in result.stderr
    )
    # The price snapshot covers the added models, so the tracker prices their calls.
    snapshot = (shop / "src" / "ai" / "_prices.json").read_text()
    assert '"claude-3-5-haiku-latest"' in snapshot and '"gpt-4.1-mini"' in snapshot
    # The scanner agrees with the list, now that the config names the tracker.
    check = run_cli("optimize-context", "--select", "AIC012", "--format", "json", cwd=shop)
    findings = json.loads(check.stdout)["findings"]
    listed = [(f["file"], f["line"]) for f in findings if not f["file"].startswith("tests/")]
    assert listed == [(f, line) for f, line, _ in UNTRACKED]


def test_the_runtime_loads_the_config_and_its_tests_pass(shop: Path) -> None:
    assert init(shop).returncode == 0
    runner = (
        "import sys; sys.modules['aiinfra_cli'] = None\n"
        "sys.path.insert(0, 'src')\n"
        "from ai import Orchestrator\n"
        "o = Orchestrator.from_config('config/ai-models.yaml')\n"
        "print(sorted(o.settings.routes))\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/ai']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(
        {
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", runner],
        cwd=shop,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    first = result.stdout.splitlines()[0]
    assert first == "['default', 'search', 'summaries', 'summarize']"
    assert " passed" in result.stdout.strip().splitlines()[-1]


def test_a_repo_without_llm_calls_gets_todays_config(git_repo: Path, tmp_path: Path) -> None:
    write(git_repo, {"pyproject.toml": '[project]\nname = "shop"\nversion = "0"\n'})
    write(git_repo, {"src/shop/__init__.py": "", "src/shop/prices.py": PLAIN})
    result = init(git_repo)
    assert result.returncode == 0, result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["git", "init", "-q", str(empty)], check=True)
    write(empty, {"pyproject.toml": '[project]\nname = "shop"\nversion = "0"\n'})
    plan, _ = plan_init(empty, read_code=False)
    today = next(s.new for s in plan.steps if s.path == "config/ai-models.yaml")
    assert (git_repo / "config" / "ai-models.yaml").read_bytes() == today
    assert "bypass the cost tracker" not in result.stderr
    assert "From your code" not in result.stderr


def test_a_file_with_a_syntax_error_does_not_stop_init(shop: Path) -> None:
    write(shop, {"src/shop/broken.py": "def broken(:\n    pass\n"})
    result = init(shop)
    assert result.returncode == 0, result.stderr
    assert untracked_lines(result.stderr) == UNTRACKED
    assert load_config(shop / "config" / "ai-models.yaml", required=True) is not None


def test_a_scan_that_fails_degrades_to_the_template_with_one_warning(shop: Path) -> None:
    # An unreadable pyproject [tool.aiinfra] section makes the scanner refuse to run.
    with (shop / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.aiinfra]\nselect = "not a list"\n')
    result = init(shop)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "could not read the" in line]
    assert len(warnings) == 1 and warnings[0].startswith("  note: could not read the existing")
    text = (shop / "config" / "ai-models.yaml").read_text()
    assert "gpt-4.1-mini" not in text and "summaries" not in text
    assert load_config(shop / "config" / "ai-models.yaml", required=True) is not None


def test_dry_run_writes_nothing_and_shows_the_same_plan(shop: Path) -> None:
    before = tree(shop)
    dry = init(shop, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert tree(shop) == before
    assert untracked_lines(dry.stderr) == UNTRACKED
    assert "would add models: claude-3-5-haiku-latest, gpt-4.1-mini" in dry.stderr
    assert "+  summaries:  # src/shop/summaries.py: 2 calls" in dry.stdout
    patch = dry.stdout
    assert init(shop, "--dry-run").stdout == patch  # deterministic
    real = init(shop)
    assert real.returncode == 0
    config = (shop / "config" / "ai-models.yaml").read_text()
    lines = patch.splitlines()
    start = lines.index("+++ b/config/ai-models.yaml") + 2  # past the hunk header
    shown = lines[start : start + len(config.splitlines())]
    assert "".join(line[1:] + "\n" for line in shown) == config


def test_an_existing_config_is_never_changed_and_a_rerun_writes_nothing(shop: Path) -> None:
    assert init(shop).returncode == 0
    before = tree(shop)
    again = init(shop)
    assert again.returncode == 0
    assert "0 file(s) were written" in again.stderr and "0 kept" in again.stderr
    assert tree(shop) == before
    assert untracked_lines(again.stderr) == UNTRACKED  # still listed: they still bypass it
    mine = "version: 1\nproviders: {}\nmodels: []\nroutes: {}\n"
    (shop / "config" / "ai-models.yaml").write_text(mine)
    write(shop, {"src/shop/more.py": SEARCH.replace("gpt-4.1-mini", "gpt-5")})
    third = init(shop)
    assert third.returncode == 0, third.stderr
    assert (shop / "config" / "ai-models.yaml").read_text() == mine
    assert "From your code" not in third.stderr


def test_the_list_is_capped(git_repo: Path) -> None:
    calls = "\n".join(
        f"def f{i}() -> object:\n"
        f"    return client.messages.create(model='claude-sonnet-4-6', max_tokens=5,"
        " messages=[])\n"
        for i in range(13)
    )
    write(
        git_repo,
        {"app/many.py": f"import anthropic\n\nclient = anthropic.Anthropic()\n\n\n{calls}"},
    )
    result = init(git_repo)
    assert result.returncode == 0, result.stderr
    listed = untracked_lines(result.stderr)
    assert [line for _, line, _ in listed] == [7 + 3 * i for i in range(10)]
    assert "  and 3 more\n" in result.stderr
    assert "13 LLM call(s) bypass the cost tracker" in result.stderr


@pytest.mark.parametrize(
    ("model", "tier"),
    [
        ("claude-3-5-haiku-latest", "fast"),
        ("claude-opus-4-1", "powerful"),
        ("claude-sonnet-4-5", "balanced"),
        ("gpt-4o", "balanced"),
        ("gpt-4.1-nano", "fast"),
        ("o4-mini", "reasoning"),
        ("o3", "reasoning"),
        ("gemini-2.0-flash", "fast"),
        ("llama3.1:8b", None),
    ],
)
def test_the_tier_rule(model: str, tier: str | None) -> None:
    assert tier_for(model) == tier


def test_ids_are_valid_config_names() -> None:
    assert model_id("llama3.1:8b") == "llama3.1-8b"
    assert model_id("Meta/Llama 3") == "meta-llama-3"
    assert model_id("::") == "model"


def test_other_sdks_spellings_and_route_name_clashes(git_repo: Path) -> None:
    write(
        git_repo,
        {
            "pyproject.toml": '[project]\nname = "shop"\nversion = "0"\n',
            "src/shop/__init__.py": "",
            "src/shop/chat/__init__.py": (
                "from langchain_anthropic import ChatAnthropic\n\n"
                "llm = ChatAnthropic(model='claude-opus-4-1')\n\n\n"
                "def ask(q: str) -> object:\n    return llm.invoke(q)\n"
            ),
            "src/shop/admin/summarize.py": (
                "import litellm\n\n\n"
                "def run() -> object:\n"
                "    return litellm.completion(model='openai/gpt-4o', messages=[])\n"
            ),
            "src/shop/public/summarize.py": (
                "import litellm\n\n\n"
                "def run(name: str) -> object:\n"
                "    return litellm.completion(model=name, messages=[])\n"
            ),
        },
    )
    plan, notes = plan_init(git_repo)
    assert [(m.id, m.provider, m.model, m.tier) for m in plan.added.models] == [
        ("claude-opus-4-1", "anthropic", "claude-opus-4-1", "powerful"),
        ("gpt-4o", "openai", "gpt-4o", "balanced"),
    ]
    # `summarize` is the template's route: the modules take longer names.
    assert [(r.name, r.chain) for r in plan.added.routes] == [
        ("admin.summarize", ("gpt-4o", "mini", "long")),
        ("chat", ("claude-opus-4-1", "smart", "quick")),
        ("public.summarize", ("smart", "mini", "long")),  # no literal model: the default
    ]
    config_step = next(s for s in plan.steps if s.path == "config/ai-models.yaml")
    path = git_repo / "check.yaml"
    path.write_bytes(config_step.new)
    assert load_config(path, required=True) is not None
    assert not any("could not read" in n for n in notes)
