"""End to end: ``prompt-library test --agent`` through the CLI (in-process) against the loopback
provider, with canaries planted in the prompt, its variables and the model's own output."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _support import invoke_cli

from aiinfra_cli.agent import FEATURE
from aiinfra_cli.usage import read_events

if TYPE_CHECKING:
    from conftest import Canaries, Setup

INDEX = "version: 1\nprompts:\n  ticket:\n    file: prompts/user/ticket.prompty\n"


def _prompt(c: Canaries) -> str:
    return f"""\
---
name: ticket
version: 1.0.0
description: Answer a support ticket.
model:
  api: chat
  configuration:
    type: aiinfra
    name: mini
  parameters:
    max_tokens: 300
inputs:
  ticket:
    type: string
  customer:
    type: string
    default: {c.email}
sample:
  ticket: "{c.prompt_text} call {c.phone}"
tests:
  - name: refund
    vars: {{ticket: "{c.prompt_text} card {c.card}, user {c.user_id}"}}
    assert:
      - {{type: contains, value: "{c.email}"}}
---
system:
You answer tickets for {{{{ customer }}}}. Escalate to {c.email} from {c.ip}.

user:
{{{{ ticket }}}}
"""


@pytest.fixture
def project(setup: Setup, canaries: Canaries) -> Setup:
    from aiinfra_cli.prompts import bump, load_library

    root = setup.root
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    setup.config()
    (root / "config" / "prompt-library.yaml").write_text(INDEX, encoding="utf-8")
    prompt = root / "prompts" / "user" / "ticket.prompty"
    prompt.parent.mkdir(parents=True)
    prompt.write_text(_prompt(canaries), encoding="utf-8")
    bump(load_library(root), "ticket", None)
    return setup


def _run(project: Setup, *args: str, key: bool = True) -> subprocess.CompletedProcess[str]:
    return invoke_cli(
        "prompt-library", "test", *args, cwd=project.root, env=project.env if key else {}
    )


def _agent_bodies(project: Setup) -> str:
    bodies = [json.dumps(r.body, ensure_ascii=False) for r in project.server.agent_requests()]
    assert bodies
    return "\n".join(bodies)


def test_offline_run_gets_recommendations_and_records_its_cost(
    project: Setup, canaries: Canaries
) -> None:
    plain = _run(project)
    done = _run(project, "--agent")
    assert done.returncode == plain.returncode == 0, done.stderr
    assert done.stdout.startswith(plain.stdout)
    assert "Recommendations (claude-haiku-4-5, $" in done.stdout
    assert " 1. Route summarize to gpt-4o-mini (Saving: about $600.00 a month)" in done.stdout
    assert "warning" not in done.stderr

    sent = _agent_bodies(project)
    canaries.assert_absent(sent)
    assert '\\"case\\":\\"refund\\"' in sent and '\\"prompt\\":\\"ticket\\"' in sent

    read = read_events([project.root / "logs" / "ai-usage"])
    assert read.rejects == []
    assert [(e.feature, e.endpoint) for e in read.events] == [(FEATURE, "prompt-tests")]


def test_live_run_json_keeps_the_models_output_away_from_the_agent(
    project: Setup, canaries: Canaries
) -> None:
    # The prompt's own model echoes the customer's data; the agent must not see that output.
    echo = f"Dear customer {canaries.email}, your card {canaries.card} is refunded."
    project.server.replies = [echo, echo, project.reply()]
    done = _run(project, "--live", "--agent", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [(c["case"], c["status"]) for c in document["cases"]] == [
        ("refund", "pass"),
        ("sample", "pass"),
    ]
    assert document["cases"][0]["output"] == echo
    assert document["agent"]["status"] == "ok"
    assert document["agent"]["recommendations"][0]["estimated_monthly_usd"] == "600.00"
    canaries.assert_absent(_agent_bodies(project))
    features = [e.feature for e in read_events([project.root / "logs" / "ai-usage"]).events]
    # The live calls are recorded too (issue 19): two cases, then the agent's request.
    assert features == ["aiinfra-prompt-tests", "aiinfra-prompt-tests", FEATURE]


def test_refusal_and_missing_key_leave_the_exit_code_alone(project: Setup) -> None:
    plain = _run(project)
    refused = _run(project, "--agent", "--agent-max-cost", "0.000001")
    assert refused.returncode == plain.returncode
    assert refused.stdout == plain.stdout
    (line,) = [ln for ln in refused.stderr.splitlines() if "agent" in ln]
    assert line.startswith("warning: agent: not run: it could cost up to $")
    assert line.endswith("more than the $0.000001 cap (--agent-max-cost)")

    keyless = _run(project, "--agent", "--json", key=False)
    assert keyless.returncode == plain.returncode
    assert json.loads(keyless.stdout)["agent"]["status"] == "unavailable"
    assert "warning: agent: not run: no model of the agent's chain has its key: set $FAKE_KEY" in (
        keyless.stderr
    )
    assert project.server.requests == []
    assert not (project.root / "logs").exists()


def test_dead_provider_is_one_line_and_the_table_stands(project: Setup) -> None:
    from fakeprovider import Fault

    project.server.inject(Fault.server_error())
    plain = _run(project)
    done = _run(project, "--agent")
    assert done.returncode == plain.returncode and done.stdout == plain.stdout
    assert "warning: agent: no recommendations: no model answered (claude: server_error" in (
        done.stderr.replace("\n", " ")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--agent-max-cost", "1"), "--agent-max-cost limits the agent: add --agent"),
        (("--agent", "--agent-max-cost", "lots"), "--agent-max-cost lots: expected an amount"),
    ],
)
def test_bad_agent_options_are_usage_errors(
    project: Setup, args: tuple[str, ...], message: str
) -> None:
    done = _run(project, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert project.server.requests == []


def test_help_names_the_options(tmp_path: Path) -> None:
    done = invoke_cli("prompt-library", "test", "--help", cwd=tmp_path)
    assert "--agent " in done.stdout and "--agent-max-cost USD" in done.stdout
