"""End to end: ``cost-report --agent`` and ``optimize-context --agent`` through the CLI (in-process)
against the loopback provider, with canaries planted in a usage log and in the scanned code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _support import invoke_cli
from cost_report.test_cost_report_schema import _errors

from aiinfra_cli.report import json_schema

if TYPE_CHECKING:
    from conftest import Canaries, Setup

PERIOD = ("--since", "2026-11-01", "--until", "2026-11-03")


def _event(user: str, tenant: str, **fields: object) -> str:
    base: dict[str, object] = {
        "schema_version": 1,
        "timestamp": "2026-11-02T10:00:00Z",
        "provider": "openai",
        "request_model": "gpt-4o",
        "input_tokens": 12000,
        "output_tokens": 800,
        "status": "ok",
        "feature": "summarize",
        "call_site": "src/app/summary.py:88",
        "user": user,
        "tenant": tenant,
    }
    base.update(fields)
    return json.dumps(base)


def _code(c: Canaries) -> str:
    return f"""\
import anthropic

# Owner: {c.email}, {c.phone}
client = anthropic.Anthropic(api_key="{c.anthropic_key}")


def summarize(text):
    prompt = "{c.prompt_text}" + text
    return client.messages.create(
        model="claude-haiku-4-5", messages=[{{"role": "user", "content": prompt}}]
    )
"""


@pytest.fixture
def project(setup: Setup, canaries: Canaries) -> Setup:
    root = setup.root
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    setup.config()
    log = root / "logs" / "ai-usage" / "usage-2026-11-02.jsonl"
    log.parent.mkdir(parents=True)
    lines = [
        _event(canaries.email, canaries.tenant),
        _event(canaries.anthropic_key, canaries.tenant, session_id=canaries.user_id),
        _event(canaries.user_id, canaries.tenant, status="error", attempt=2),
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = root / "src" / "app" / "summary.py"
    source.parent.mkdir(parents=True)
    source.write_text(_code(canaries), encoding="utf-8")
    return setup


def _sent(project: Setup) -> str:
    bodies = [json.dumps(r.body, ensure_ascii=False) for r in project.server.agent_requests()]
    assert len(bodies) == 1
    return bodies[0]


def test_cost_report_gets_recommendations_in_json_and_markdown(
    project: Setup, canaries: Canaries
) -> None:
    done = invoke_cli(
        "cost-report", "--agent", "--json", *PERIOD, cwd=project.root, env=project.env
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    agent = document["agent"]
    assert (agent["kind"], agent["status"]) == ("cost-report", "ok")
    assert agent["recommendations"][0]["location"] == "src/app/summary.py:88"
    assert _errors(document, json_schema(), "$") == []
    assert "warning" not in done.stderr

    sent = _sent(project)
    canaries.assert_absent(sent)
    assert "gpt-4o" in sent and "summarize" in sent and "user-1" in sent

    (markdown,) = (project.root / ".multiagent" / "reports").glob("ai-cost-report-*.md")
    text = markdown.read_text(encoding="utf-8")
    assert "\n## Recommendations\n" in text and "### 1. Route summarize to gpt-4o-mini" in text
    (written,) = (project.root / ".multiagent" / "reports").glob("ai-cost-report-*.json")
    assert json.loads(written.read_text(encoding="utf-8"))["agent"]["status"] == "ok"


def test_cost_report_without_a_key_keeps_its_exit_code(project: Setup) -> None:
    plain = invoke_cli(
        "cost-report",
        "--no-write",
        "--fail-on-budget",
        "--budget",
        "0.01",
        *PERIOD,
        cwd=project.root,
    )
    keyless = invoke_cli(
        "cost-report",
        "--no-write",
        "--fail-on-budget",
        "--budget",
        "0.01",
        "--agent",
        *PERIOD,
        cwd=project.root,
    )
    assert plain.returncode == keyless.returncode == 1
    assert keyless.stdout == plain.stdout
    assert "warning: agent: not run: no model of the agent's chain has its key" in keyless.stderr
    assert project.server.requests == []
    bad = invoke_cli("cost-report", "--agent-max-cost", "1", *PERIOD, cwd=project.root)
    assert bad.returncode == 2 and "add --agent" in bad.stderr


def test_optimize_context_json_and_markdown(project: Setup, canaries: Canaries) -> None:
    plain = invoke_cli("optimize-context", "--format", "json", "src", cwd=project.root)
    done = invoke_cli(
        "optimize-context", "--agent", "--format", "json", "src", cwd=project.root, env=project.env
    )
    assert done.returncode == plain.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert {f["code"] for f in document["findings"]} >= {"AIC001", "AIC011"}
    assert document["agent"]["status"] == "ok"
    assert document["agent"]["kind"] == "optimize-context"
    sent = _sent(project)
    canaries.assert_absent(sent)
    assert "AIC011" in sent and "src/app/summary.py" in sent and "hardcoded-api-key" in sent

    written = project.root / "report.md"
    args = ("optimize-context", "--agent", "--format", "markdown", "--output", str(written), "src")
    assert invoke_cli(*args, cwd=project.root, env=project.env).returncode == 1
    assert "\n## Recommendations\n" in written.read_text(encoding="utf-8")


def test_optimize_context_text_notice_and_formats_without_a_place(project: Setup) -> None:
    plain = invoke_cli("optimize-context", "src", cwd=project.root)
    keyless = invoke_cli("optimize-context", "--agent", "src", cwd=project.root)
    assert keyless.returncode == plain.returncode == 1
    assert keyless.stdout == plain.stdout
    assert "warning: agent: not run: no model of the agent's chain has its key" in keyless.stderr

    shown = invoke_cli("optimize-context", "--agent", "src", cwd=project.root, env=project.env)
    assert shown.stdout.startswith(plain.stdout)
    assert "Recommendations (claude-haiku-4-5, $" in shown.stdout

    sarif = invoke_cli("optimize-context", "--agent", "--format", "sarif", "src", cwd=project.root)
    assert sarif.returncode == 2 and "--format sarif has no place" in sarif.stderr
    assert len(project.server.agent_requests()) == 1


def test_help_names_the_options(tmp_path: Path) -> None:
    for command in ("cost-report", "optimize-context"):
        done = invoke_cli(command, "--help", cwd=tmp_path)
        assert "--agent " in done.stdout and "--agent-max-cost USD" in done.stdout
