"""`aiinfra demo TOPIC`: every command on the sample repo, with no key and no network (in-process;
tests/cost_report/test_cost_report_demo.py runs the demo through the real entry point)."""

from __future__ import annotations

import json
from pathlib import Path

from _support import invoke_cli


def _calls_at(root: Path, call_site: str) -> int:
    """Valid usage events the demo's sample logs hold for ``call_site``.

    The sample traffic ends today and weekdays are busier, so the count depends on the day the
    test runs: it is read from the logs the demo wrote, never written into the test."""
    count = 0
    for log in (root / "logs" / "ai-usage").glob("*.jsonl"):
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # the sample's deliberately broken lines
            count += event.get("call_site") == call_site
    return count


def test_demo_all_runs_every_command_on_one_repo(tmp_path: Path) -> None:
    # A real-looking key in the environment must not reach any provider: the demo hides it.
    planted = "sk-proj-" + "Q7x" * 12
    result = invoke_cli(
        "demo",
        "all",
        "--keep",
        str(tmp_path / "demo"),
        cwd=tmp_path,
        env={"OPENAI_API_KEY": planted},
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout + result.stderr
    for name in ("optimize-context", "prompt-library", "model-health", "init"):
        assert f" aiinfra {name} " in text
    # optimize-context joins the sample code's call sites to the sample log's traffic.
    assert "src/app/summarize.py:40:17: AIC001" in text
    assert f"seen {_calls_at(tmp_path / 'demo', 'src/app/summarize.py:40'):,} calls" in text
    # model-health probes with no key at all, so nothing leaves the machine.
    assert "fast: auth: missing key OPENAI_API_KEY" in text
    assert planted not in text
    root = tmp_path / "demo"
    assert (root / "src" / "ai" / "model_orchestrator.py").is_file()
    assert (root / "prompts" / "user" / "summarize-ticket.prompty").is_file()
    assert (root / ".multiagent" / "health" / "history.jsonl").is_file()


def test_unknown_topic_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke_cli("demo", "everything", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "aiinfra: error: unknown demo topic 'everything' (use one of cost-report,"
        " optimize-context, prompt-library, model-health, init, all)\n"
    )


def _agent_env() -> dict[str, str]:
    # Real-looking keys and a base URL in the shell must change nothing: the demo's agent
    # sees only the stand-in's dummy key, and its provider names its own base URL.
    return {
        "ANTHROPIC_API_KEY": "sk-ant-api03-" + "Zx9" * 12,
        "OPENAI_API_KEY": "sk-proj-" + "Q7x" * 12,
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
    }


def test_demo_agent_recommends_from_the_reports_own_figures(tmp_path: Path) -> None:
    import json
    from decimal import Decimal

    root = tmp_path / "demo"
    result = invoke_cli("demo", "--agent", "--keep", str(root), cwd=tmp_path, env=_agent_env())
    assert result.returncode == 0, result.stderr
    text = result.stdout + result.stderr
    assert "come from aiinfra's local demo stand-in on 127.0.0.1, not from a real model" in text
    assert "Recommendations (aiinfra-demo-stand-in, $0)" in result.stdout
    assert "warning:" not in result.stderr
    for secret in ("demo-no-key", *_agent_env().values()):
        assert secret not in text
    (report,) = (root / ".multiagent" / "reports").glob("ai-cost-report-*.json")
    document = json.loads(report.read_text(encoding="utf-8"))
    agent = document["agent"]
    assert (agent["status"], agent["model_id"], agent["cost_usd"]) == ("ok", "demo-stand-in", "0")
    # The stand-in computed its answer from the figures it was sent: they are the report's.
    total = Decimal(document["totals"]["cost_usd"]).quantize(Decimal("0.01"))
    priced = [m for m in document["by_model"] if m["priced"]]
    top = max(priced, key=lambda m: Decimal(m["cost_usd"]))
    first, *_ = agent["recommendations"]
    assert first["title"].startswith(f"Send half of {top['model']}'s traffic to ")
    assert (
        f"of ${total} ({top['share_pct']}%) over {top['requests']} requests" in first["rationale"]
    )
    assert first["location"] == document["top_call_sites"][0]["call_site"]
    spike = document["anomalies"]["days"][0]["date"]
    assert any(
        r["title"] == f"Find what drove the spike on {spike}" for r in agent["recommendations"]
    )
    markdown = report.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Recommendations" in markdown and "aiinfra-demo-stand-in" in markdown
    # The normal path ran: the stand-in's answer is a usage event like any agent call.
    events = [
        json.loads(line)
        for log in (root / "logs" / "ai-usage").glob("*.jsonl")
        for line in log.read_text(encoding="utf-8").splitlines()
        if "aiinfra-agent" in line
    ]
    assert [(e["model_id"], e["endpoint"], e["cost_usd"]) for e in events] == [
        ("demo-stand-in", "cost-report", "0")
    ]


def test_demo_agent_on_the_scan_and_on_init(tmp_path: Path) -> None:
    scan = invoke_cli(
        "demo",
        "optimize-context",
        "--agent",
        "--keep",
        str(tmp_path / "demo"),
        cwd=tmp_path,
        env=_agent_env(),
    )
    assert scan.returncode == 0, scan.stderr
    assert "$ aiinfra optimize-context src/app --usage-logs logs/ai-usage --agent" in scan.stdout
    assert " 1. Fix missing-output-cap (AIC001) at 2 call site(s)" in scan.stdout
    seen = _calls_at(tmp_path / "demo", "src/app/summarize.py:40")
    assert f"src/app/summarize.py:40 on claude-sonnet-4-6, {seen} calls seen" in scan.stdout
    setup = invoke_cli("demo", "init", "--agent", cwd=tmp_path, env=_agent_env())
    assert setup.returncode == 0, setup.stderr
    text = setup.stdout + setup.stderr
    assert "Proposed routes (aiinfra-demo-stand-in, $0)" in text
    assert " 1. summarize-fast: [quick, smart] (tier fast)" in text
    assert "#   summarize-fast:\n#     chain: [quick, smart]" in text


def test_demo_agent_needs_a_topic_with_an_agent_section(tmp_path: Path) -> None:
    result = invoke_cli("demo", "model-health", "--agent", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "aiinfra: error: the model-health demo has no agent section (use --agent with"
        " cost-report, optimize-context, init or all)\n"
    )
