"""`aiinfra demo TOPIC`: every command on the sample repo, with no key and no network."""

from __future__ import annotations

from pathlib import Path

from _support import run_cli


def test_demo_all_runs_every_command_on_one_repo(tmp_path: Path) -> None:
    # A real-looking key in the environment must not reach any provider: the demo hides it.
    planted = "sk-proj-" + "Q7x" * 12
    result = run_cli(
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
    assert "seen 2,285 calls" in text
    # model-health probes with no key at all, so nothing leaves the machine.
    assert "fast: auth: missing key OPENAI_API_KEY" in text
    assert planted not in text
    root = tmp_path / "demo"
    assert (root / "src" / "ai" / "model_orchestrator.py").is_file()
    assert (root / "prompts" / "user" / "summarize-ticket.prompty").is_file()
    assert (root / ".multiagent" / "health" / "history.jsonl").is_file()


def test_unknown_topic_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("demo", "everything", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "aiinfra: error: unknown demo topic 'everything' (use one of cost-report,"
        " optimize-context, prompt-library, model-health, init, all)\n"
    )
