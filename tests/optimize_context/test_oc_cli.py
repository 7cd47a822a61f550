"""The real entry point: exit codes, every output format, fixes, --staged, the cache, usage logs."""

from __future__ import annotations

import json
import subprocess
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest
from _support import REPO, run_cli

UNTRACKED = """\
from anthropic import Anthropic

client = Anthropic(timeout=10)


def ask(question: str) -> str:
    reply = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=200,
        messages=[{"role": "user", "content": question}],
    )
    return reply.content[0].text
"""
CLEAN = """\
from ai.cost_tracker import track
from anthropic import Anthropic

client = Anthropic(timeout=10)


def ask(question: str, model: str) -> str:
    with track("ask"):
        reply = client.messages.create(
            model=model, max_tokens=200, messages=[{"role": "user", "content": question}]
        )
    return reply.content[0].text
"""
POLICY = "\n".join(
    f"Rule {i}: answer questions about topic {i} with the policy for topic {i}, and cite the order."
    for i in range(150)
)
CACHEABLE = f'''\
from anthropic import Anthropic

POLICY = """{POLICY}"""
client = Anthropic(timeout=10)


def ask(question: str, model: str) -> str:
    reply = client.messages.create(  # aiinfra: ignore[AIC012]
        model=model,
        max_tokens=200,
        system=POLICY,
        messages=[{{"role": "user", "content": question}}],
    )
    return reply.content[0].text
'''


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_exit_codes(git_repo: Path) -> None:
    write(git_repo, {"app/clean.py": CLEAN})
    ok = run_cli("optimize-context", cwd=git_repo)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout == "All checks passed: 1 LLM call site in 1 file.\n"
    write(git_repo, {"app/ask.py": UNTRACKED})
    found = run_cli("optimize-context", cwd=git_repo)
    assert found.returncode == 1
    assert found.stdout.startswith(
        "app/ask.py:7:13: AIC012 anthropic.messages.create bypasses the cost tracker"
    )
    assert "\napp/ask.py:8:15: AIC003 model 'claude-sonnet-4-6' is hard-coded" in found.stdout
    assert found.stdout.endswith("Found 2 findings at 2 LLM call sites in 2 files.\n")
    assert run_cli("optimize-context", "--exit-zero", cwd=git_repo).returncode == 0
    for argv, message in [
        (
            ["--format", "yaml"],
            "aiinfra: error: unknown --format 'yaml' (use one of text, json, sarif, github, markdown)\n",
        ),
        (
            ["--select", "AIC999"],
            "aiinfra: error: unknown rule code 'AIC999' (did you mean AIC009?)\n",
        ),
        (["missing"], "aiinfra: error: missing: no such file or directory (pass existing paths)\n"),
        (
            ["--staged", "--fix"],
            "aiinfra: error: --fix/--diff rewrite the working tree, --staged checks the index (run --fix without --staged, then stage the result)\n",
        ),
    ]:
        bad = run_cli("optimize-context", *argv, cwd=git_repo)
        assert (bad.returncode, bad.stdout, bad.stderr) == (2, "", message)
    unknown = run_cli("optimize-context", "--bogus", cwd=git_repo)
    assert unknown.returncode == 2 and "No such option" in unknown.stderr


def test_json_document(git_repo: Path) -> None:
    write(git_repo, {"app/ask.py": UNTRACKED, "app/clean.py": CLEAN})
    result = run_cli("optimize-context", "--format", "json", cwd=git_repo)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert [c["file"] for c in document["call_sites"]] == ["app/ask.py", "app/clean.py"]
    site = document["call_sites"][0]
    assert {
        k: site[k]
        for k in (
            "file",
            "line",
            "end_line",
            "api",
            "sdk",
            "async",
            "streaming",
            "model",
            "has_max_tokens",
            "has_timeout",
            "instrumented",
            "beta",
            "raw_response",
            "streaming_response",
        )
    } == {
        "file": "app/ask.py",
        "line": 7,
        "end_line": 11,
        "api": "anthropic.messages.create",
        "sdk": "anthropic",
        "async": False,
        "streaming": False,
        "model": "claude-sonnet-4-6",
        "has_max_tokens": True,
        "has_timeout": True,
        "instrumented": False,
        "beta": False,
        "raw_response": False,
        "streaming_response": False,
    }
    assert document["call_sites"][1]["instrumented"] is True
    assert document["call_sites"][1]["model"] is None
    codes = [(f["code"], f["line"]) for f in document["findings"]]
    assert codes == [("AIC012", 7), ("AIC003", 8)]
    estimate = document["findings"][0]["estimate"]
    assert estimate["kind"] == "call" and estimate["tokens"] == 200 + site["static_input_tokens"]
    assert estimate["usd_per_call"] is not None and estimate["model"] == "claude-sonnet-4-6"
    assert document["summary"]["findings"] == 2 and document["errors"] == []
    again = json.loads(run_cli("optimize-context", "--json", cwd=git_repo).stdout)
    assert {**again, "generated_at": None, "engine": None} == {
        **document,
        "generated_at": None,
        "engine": None,
    }


def test_sarif_structure(git_repo: Path) -> None:
    write(git_repo, {"app/ask.py": UNTRACKED})
    result = run_cli("optimize-context", "--format", "sarif", cwd=git_repo)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "aiinfra optimize-context" and driver["version"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == [f"AIC{n:03d}" for n in range(1, 13)]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["defaultConfiguration"]["level"] in (
            "error",
            "warning",
            "note",
        )
        assert rule["helpUri"] == f"docs/rules/{rule['id']}.md"
        assert (REPO / rule["helpUri"]).is_file()
    assert len(run["results"]) == 2
    for item in run["results"]:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] in ("error", "warning", "note") and item["message"]["text"]
        (location,) = item["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "app/ask.py"
        region = physical["region"]
        assert region["startLine"] in (7, 8) and region["endLine"] >= region["startLine"]
        assert region["startColumn"] >= 1
    assert run["invocations"][0]["executionSuccessful"] is True


def test_github_annotations(git_repo: Path) -> None:
    write(git_repo, {"app/ask.py": UNTRACKED})
    result = run_cli("optimize-context", "--format", "github", cwd=git_repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "::error file=app/ask.py,line=7,endLine=11,col=13,title=AIC012 uninstrumented-call::anthropic.messages.create bypasses"
    )
    assert lines[1].startswith(
        "::notice file=app/ask.py,line=8,endLine=8,col=15,title=AIC003 hardcoded-model::model 'claude-sonnet-4-6' is hard-coded"
    )


def test_markdown_report_file(git_repo: Path) -> None:
    write(git_repo, {"app/ask.py": UNTRACKED})
    result = run_cli("optimize-context", "--format", "markdown", cwd=git_repo)
    assert result.returncode == 1 and result.stdout == ""
    day = datetime.now(timezone.utc).date().isoformat()
    report = git_repo / ".multiagent" / "reports" / f"context-optimization-{day}.md"
    assert result.stderr == f"wrote .multiagent/reports/context-optimization-{day}.md\n"
    text = report.read_text(encoding="utf-8")
    assert text.startswith(f"# Context optimization report — {day}\n")
    assert (
        "| AIC012 | LLM call that does not go through the cost tracker or model orchestrator | 1 |"
        in text
    )
    assert (
        "| `app/ask.py:7` | `anthropic.messages.create` | claude-sonnet-4-6 | 200 | yes | **no** | **no** |"
        in text
    )


def test_output_file_keeps_stdout_empty(git_repo: Path) -> None:
    write(git_repo, {"app/ask.py": UNTRACKED})
    result = run_cli(
        "optimize-context", "--format", "json", "--output", "out/report.json", cwd=git_repo
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert json.loads((git_repo / "out" / "report.json").read_text())["summary"]["findings"] == 2


def test_syntax_error_is_one_line_and_scan_continues(git_repo: Path) -> None:
    write(
        git_repo, {"app/ask.py": UNTRACKED, "app/broken.py": "import openai\ndef f(:\n    pass\n"}
    )
    result = run_cli("optimize-context", "--select", "AIC012", cwd=git_repo)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        result.stderr
        == "warning: app/broken.py:2:7: syntax error: invalid syntax (file not checked)\n"
    )
    assert "app/ask.py:7:13: AIC012" in result.stdout
    assert result.stdout.endswith(
        "Found 1 finding at 1 LLM call site in 1 file; 1 file not checked.\n"
    )


def test_diff_then_fix(git_repo: Path) -> None:
    write(git_repo, {"app/bot.py": CACHEABLE})
    (git_repo / "app" / "bot.py").chmod(0o644)
    before = (git_repo / "app" / "bot.py").read_text()
    diff = run_cli("optimize-context", "--diff", cwd=git_repo)
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- a/app/bot.py\n+++ b/app/bot.py\n")
    assert (
        '-        system=POLICY,\n+        system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],\n'
        in diff.stdout
    )
    assert diff.stderr == "Would fix 1 finding in 1 file.\n"
    assert (git_repo / "app" / "bot.py").read_text() == before
    fixed = run_cli("optimize-context", "--fix", "--format", "json", cwd=git_repo)
    document = json.loads(fixed.stdout)
    after = (git_repo / "app" / "bot.py").read_text()
    assert after == before.replace(
        "system=POLICY,",
        'system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],',
    )
    compile(after, "bot.py", "exec")
    assert (git_repo / "app" / "bot.py").stat().st_mode & 0o777 == 0o644
    assert document["summary"]["fixed"] == 1
    assert [f["code"] for f in document["findings"]] == []
    assert fixed.returncode == 0
    again = run_cli("optimize-context", "--diff", cwd=git_repo)
    assert (again.returncode, again.stdout) == (0, "")


def test_staged_reads_the_index_not_the_working_tree(git_repo: Path) -> None:
    write(git_repo, {"app/ask.py": UNTRACKED, "app/other.py": UNTRACKED})
    git(git_repo, "add", "app/ask.py")
    # The working tree no longer has the problem; the staged content does.
    write(git_repo, {"app/ask.py": CLEAN})
    result = run_cli(
        "optimize-context", "--staged", "--select", "AIC012", "--format", "json", cwd=git_repo
    )
    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert [(f["file"], f["code"]) for f in document["findings"]] == [("app/ask.py", "AIC012")]
    nothing = run_cli("optimize-context", "--staged", "app/other.py", cwd=git_repo)
    assert (nothing.returncode, nothing.stdout) == (
        0,
        "All checks passed: 0 LLM call sites in 0 files.\n",
    )


def test_cache_hits_invalidation_and_location(git_repo: Path, isolated_home: Path) -> None:
    write(
        git_repo,
        {
            "app/__init__.py": "",
            "app/deps.py": "from anthropic import Anthropic\n\nclient = Anthropic(timeout=5)\n",
            "app/routes.py": "from app.deps import client\n\n\ndef f(q):\n    return client.messages.create(model='claude-sonnet-4-6', max_tokens=5, messages=[])\n",
        },
    )

    def run() -> dict[str, object]:
        return json.loads(run_cli("optimize-context", "--json", "--exit-zero", cwd=git_repo).stdout)

    first = run()
    assert first["engine"]["files_analysed"] == 3 and first["engine"]["files_from_cache"] == 0
    assert [c["has_timeout"] for c in first["call_sites"]] == [True]
    caches = list((isolated_home / ".cache" / "aiinfra" / "optimize-context").glob("*/v1.json"))
    assert len(caches) == 1
    second = run()
    assert second["engine"]["files_analysed"] == 0 and second["engine"]["files_from_cache"] == 3
    assert second["call_sites"] == first["call_sites"] and second["findings"] == first["findings"]
    # routes.py is unchanged, but its result depended on deps.py: it is analysed again.
    write(git_repo, {"app/deps.py": "from anthropic import Anthropic\n\nclient = Anthropic()\n"})
    third = run()
    assert third["engine"]["files_analysed"] == 2
    assert [c["has_timeout"] for c in third["call_sites"]] == [False]
    # With .multiagent/ the cache lives in the project, and ignores itself in git.
    (git_repo / ".multiagent").mkdir()
    run()
    assert (git_repo / ".multiagent" / "cache" / "optimize-context" / "v1.json").is_file()
    assert (
        (git_repo / ".multiagent" / "cache" / "optimize-context" / ".gitignore")
        .read_text()
        .endswith("*\n")
    )
    no_cache = json.loads(
        run_cli("optimize-context", "--json", "--no-cache", "--exit-zero", cwd=git_repo).stdout
    )
    assert no_cache["engine"]["files_from_cache"] == 0


def test_usage_logs_add_traffic_and_observed_spend(git_repo: Path) -> None:
    write(git_repo, {"app/ask.py": UNTRACKED})
    events = [
        {
            "schema_version": 1,
            "timestamp": "2026-11-02T09:15:00Z",
            "provider": "anthropic",
            "status": "ok",
            "request_model": "claude-sonnet-4-6",
            "input_tokens": 1000,
            "output_tokens": 100,
            "call_site": "src/../app/ask.py:9",
        },
        {
            "schema_version": 1,
            "timestamp": "2026-11-03T09:15:00Z",
            "provider": "anthropic",
            "status": "ok",
            "request_model": "claude-sonnet-4-6",
            "input_tokens": 2000,
            "output_tokens": 200,
            "cost_usd": "0.5",
            "call_site": "app/ask.py:7",
        },
        {
            "schema_version": 1,
            "timestamp": "2026-11-03T09:15:00Z",
            "provider": "anthropic",
            "status": "ok",
            "request_model": "claude-sonnet-4-6",
            "input_tokens": 1,
            "output_tokens": 1,
            "call_site": "app/ask.py:40",
        },
    ]
    log = git_repo / "logs" / "ai-usage.jsonl"
    log.parent.mkdir()
    log.write_text("\n".join(json.dumps(e) for e in events) + "\nnot json\n", encoding="utf-8")
    result = run_cli("optimize-context", "--json", "--usage-logs", "logs", cwd=git_repo)
    document = json.loads(result.stdout)
    traffic = document["call_sites"][0]["traffic"]
    # Line 9 lies inside the call (lines 7-11); line 40 does not. 1000 in + 100 out at
    # $3 / $15 per M = 0.0045, plus the logged 0.5.
    assert (traffic["calls"], traffic["input_tokens"], traffic["spend_usd"]) == (2, 3000, "0.5045")
    observed = document["findings"][0]["observed"]
    assert observed["calls"] == 2 and observed["spend_usd"] == "0.5045"
    assert observed["estimate_over_observed_calls_usd"] == "0.006"
    assert document["usage_logs"]["rejected_lines"] == 1
    assert "warning: usage logs: skipped 1 bad line; first:" in result.stderr
    assert "logs/ai-usage.jsonl:4: not valid JSON" in result.stderr


def test_help_lists_the_interface(tmp_path: Path) -> None:
    result = run_cli("optimize-context", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for option in (
        "--format",
        "--output",
        "--select",
        "--ignore",
        "--fix",
        "--diff",
        "--exit-zero",
        "--staged",
        "--no-cache",
        "--usage-logs",
    ):
        assert option in result.stdout


@pytest.mark.parametrize("text", [textwrap.dedent(UNTRACKED)])
def test_pyproject_settings_apply_to_explicit_files(git_repo: Path, text: str) -> None:
    write(
        git_repo,
        {"vendored/ask.py": text, "pyproject.toml": '[tool.aiinfra]\nexclude = ["vendored/**"]\n'},
    )
    result = run_cli("optimize-context", "vendored/ask.py", cwd=git_repo)
    assert (result.returncode, result.stdout) == (
        0,
        "All checks passed: 0 LLM call sites in 0 files.\n",
    )


def test_uninstrumented_check_on_a_repo_set_up_by_init(git_repo: Path) -> None:
    write(git_repo, {"pyproject.toml": '[project]\nname = "shop"\nversion = "0.1.0"\n'})
    init = run_cli("init", cwd=git_repo)
    if init.returncode != 0:
        pytest.skip(f"aiinfra init is not usable here: {init.stderr.strip()[:200]}")
    write(
        git_repo,
        {
            "src/shop/__init__.py": "",
            "src/shop/answers.py": """\
from anthropic import Anthropic

from ai import CostTracker

tracker = CostTracker()
client = Anthropic(timeout=10)


def tracked(question: str) -> str:
    with tracker.observe(provider="anthropic", model="claude-sonnet-4-6") as call:
        reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=[])
        call.set_response(reply)
    return reply.content[0].text


def untracked(question: str) -> str:
    reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=[])
    return reply.content[0].text
""",
        },
    )
    result = run_cli("optimize-context", "--select", "AIC012", "--format", "json", cwd=git_repo)
    document = json.loads(result.stdout)
    assert [(f["file"], f["line"]) for f in document["findings"]] == [("src/shop/answers.py", 17)]
    assert result.returncode == 1
    generated = [c for c in document["call_sites"] if c["file"].startswith("src/ai/")]
    assert all(c["instrumented"] for c in generated)
