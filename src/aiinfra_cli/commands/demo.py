"""``aiinfra demo [TOPIC]``: the commands on built-in sample data, with no API key and no network.

It writes a scratch repo (a config, two months of usage logs with a few broken lines that real
logs have, and a little application code that calls LLMs), then runs the real commands on it.
The default topic is the main job, ``cost-report``: every event read, validated and re-priced,
the terminal summary printed, and the Markdown and JSON reports written inside the demo repo,
reconciled with a sample of the providers' bill (:mod:`aiinfra_cli.demo`) that holds
one API key the tracker never saw.
``optimize-context``, ``prompt-library``, ``model-health`` and ``init`` show the others; ``all``
runs every one. Deterministic apart from the dates (the sample month ends yesterday).

``--agent`` adds the agent's section to the topics that have one (cost-report, optimize-context,
init) without a key or the network: the demo starts a local stand-in for the model
(:mod:`aiinfra_cli.demo`, rule-based, on 127.0.0.1) and pins the config's agent
route to it, so the normal path runs — redaction, cost cap, schema validation, usage event.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.demo import (
    DEMO_APP_DIR,
    demo_config,
    generate_events,
    write_jsonl,
    write_sample_bill,
)
from aiinfra_cli.errors import UsageError
from aiinfra_cli.paths import CONFIG_RELPATH

if TYPE_CHECKING:
    from rich.console import Console

DEMO_DAYS = 60
BILLED_DAYS = 30  # the cost report's month, which the sample bill covers
# Lines a real log collects: a write cut short by a crash, a hand edit, a writer bug.
BROKEN_LINES = (
    '{"schema_version": 1, "timestamp": "2026-11-0',
    '{"schema_version": 1, "timestamp": "2026-11-02T10:00:00Z", "provider": "openai",'
    ' "request_model": "gpt-4o-mini", "input_tokens": -20, "output_tokens": 5, "status": "ok"}',
)


def write_demo_repo(root: Path, *, now: datetime, agent_base_url: str | None = None) -> Path:
    """Write the demo config and logs under ``root`` (a git repo); return the log directory.
    ``agent_base_url``: the agent's local stand-in, which the config's agent route then uses."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        # A real repo, so the report lands at its root as in a user's project; without git the
        # directory itself is the root all the same.
        with contextlib.suppress(OSError):
            subprocess.run(["git", "init", "-q", str(root)], check=False, capture_output=True)
    write_atomic(root / CONFIG_RELPATH, demo_config(agent_base_url))
    logs = root / "logs" / "ai-usage"
    yesterday = (now - timedelta(days=1)).date()
    events = list(generate_events(end=yesterday, days=DEMO_DAYS))
    text = write_jsonl(iter(events))
    write_atomic(logs / f"usage-{yesterday:%Y-%m-%d}.jsonl", text + "\n".join(BROKEN_LINES) + "\n")
    # The code behind the sample traffic: its call sites match the log's call_site fields.
    # Kept as .py.txt in the package so linters and type checkers leave its flaws alone.
    for source in sorted(DEMO_APP_DIR.glob("*.py.txt")):
        target = root / "src" / "app" / source.name.removesuffix(".txt")
        write_atomic(target, source.read_text(encoding="utf-8"))
    # The providers' bill for the report's month, with a job the tracker never saw.
    first = yesterday - timedelta(days=BILLED_DAYS - 1)
    write_sample_bill(root, events, first=first, last=yesterday)
    write_atomic(root / "pyproject.toml", '[project]\nname = "demo-app"\nversion = "0.1.0"\n')
    return logs


# The environment the agent sees in the demo: the stand-in's dummy key, nothing else (so no
# real key in the shell can send a request anywhere).
Agent = Mapping[str, str] | None
Section = Callable[[Path, datetime, "Console", Agent], int]


def _cost_report(root: Path, moment: datetime, console: Console, agent: Agent) -> int:
    from aiinfra_cli.commands import cost_report

    yesterday = (moment - timedelta(days=1)).date()
    return cost_report.run(
        timeframe=f"{BILLED_DAYS}d",
        until=yesterday.isoformat(),
        config_path=root / CONFIG_RELPATH,
        out_dir=root,
        now=moment,
        console=console,
        agent=agent is not None,
        environ=agent,
        reconcile=True,
    )


def _optimize_context(root: Path, moment: datetime, console: Console, agent: Agent) -> int:
    from aiinfra_cli.commands import optimize_context

    flag = " --agent" if agent is not None else ""
    console.print(f"$ aiinfra optimize-context src/app --usage-logs logs/ai-usage{flag}")
    with _cwd(root):
        optimize_context.run(
            [Path("src/app")],
            usage_logs=[Path("logs/ai-usage")],
            config_path=root / CONFIG_RELPATH,
            exit_zero=True,
            no_cache=True,
            agent=agent is not None,
            environ=agent,
        )
    return 0


def _prompt_library(root: Path, moment: datetime, console: Console, agent: Agent) -> int:
    from aiinfra_cli.commands import prompt_library

    prompt_library.demo_section(root, console)
    return 0


def _model_health(root: Path, moment: datetime, console: Console, agent: Agent) -> int:
    from aiinfra_cli.commands import model_health

    console.print(
        "$ aiinfra model-health   (keys hidden from the probes: the demo must not reach real"
        " providers; the local model is probed on 127.0.0.1)"
    )
    with _cwd(root), _without_keys():
        model_health.run(config_path=root / CONFIG_RELPATH, timeout=2.0)
    return 0


def _init(root: Path, moment: datetime, console: Console, agent: Agent) -> int:
    from aiinfra_cli.commands import init

    flag = " --agent" if agent is not None else ""
    console.print(f"$ aiinfra init --yes{flag}   (the existing config and logs are kept)")
    return init.run(
        path=root,
        lang="python",
        project_type=None,
        package_dir=None,
        dry_run=False,
        force=False,
        yes=True,
        agent=agent is not None,
        environ=agent,
    )


SECTIONS: dict[str, Section] = {
    "cost-report": _cost_report,
    "optimize-context": _optimize_context,
    "prompt-library": _prompt_library,
    "model-health": _model_health,
    "init": _init,
}
TOPICS = (*SECTIONS, "all")
AGENT_TOPICS = ("cost-report", "optimize-context", "init")
STAND_IN_NOTICE = (
    "--agent: the recommendations below come from aiinfra's local demo stand-in on 127.0.0.1,"
    " not from a real model: it answers by fixed rules from the redacted figures the agent"
    " sends (no key, no network, $0). With a key, the same path asks your config's model."
)


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _stand_in(enabled: bool) -> Iterator[str | None]:
    """The agent's local stand-in while the demo runs (its base URL), or nothing."""
    if not enabled:
        yield None
        return
    from aiinfra_cli.demo import KEY, KEY_ENV, DemoAgentServer

    saved = os.environ.get(KEY_ENV)
    # model-health reads keys from the environment: the stand-in's probe needs its dummy one.
    os.environ[KEY_ENV] = KEY
    try:
        with DemoAgentServer() as server:
            yield server.base_url
    finally:
        if saved is None:
            os.environ.pop(KEY_ENV, None)
        else:
            os.environ[KEY_ENV] = saved


@contextlib.contextmanager
def _without_keys() -> Iterator[None]:
    """Hide provider keys from this process while the demo probes, so nothing leaves the host."""
    from aiinfra_cli.config import DEFAULT_KEY_ENV

    saved = {name: os.environ.pop(name) for name in DEFAULT_KEY_ENV.values() if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _run_sections(
    root: Path, moment: datetime, shown: Console, topic: str, stand_in: str | None
) -> list[int]:
    """Write the demo repo and run the topic's sections on it; their exit codes."""
    write_demo_repo(root, now=moment, agent_base_url=stand_in)
    shown.print(
        f"demo repo: {DEMO_DAYS} days of sample LLM usage (5 models, 4 features, a spike,"
        " retries, fallbacks, an unpriced model, 2 broken lines); no key, no network"
    )
    agent: Agent = None
    if stand_in is not None:
        from aiinfra_cli.demo import KEY, KEY_ENV

        agent = {KEY_ENV: KEY}
        shown.print(STAND_IN_NOTICE)
    names = list(SECTIONS) if topic == "all" else [topic]
    codes = []
    for name in names:
        if len(names) > 1:
            shown.rule(f"aiinfra {name}")
        codes.append(SECTIONS[name](root, moment, shown, agent if name in AGENT_TOPICS else None))
    return codes


def run(
    *,
    keep: Path | None,
    topic: str = "cost-report",
    now: datetime | None = None,
    console: Console | None = None,
    agent: bool = False,
) -> int:
    """Build the demo repo and run ``topic`` on it (every section for ``all``).

    The exit code is the cost report's for the default topic; other sections show findings and
    unhealthy models on purpose, so for them it is 0 once they have run. ``agent``: the agent's
    section too, answered by the local stand-in (see the module docstring)."""
    if topic not in TOPICS:
        raise UsageError(f"unknown demo topic '{topic}'", hint=f"use one of {', '.join(TOPICS)}")
    if agent and topic not in (*AGENT_TOPICS, "all"):
        raise UsageError(
            f"the {topic} demo has no agent section",
            hint=f"use --agent with {', '.join(AGENT_TOPICS)} or all",
        )
    moment = now or datetime.now(timezone.utc)
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise UsageError(f"--keep {keep} is not empty", hint="name a new or empty directory")
    root = keep.resolve() if keep is not None else Path(tempfile.mkdtemp(prefix="aiinfra-demo-"))
    shown = console or output.out_console()
    try:
        with _stand_in(agent) as stand_in:
            codes = _run_sections(root, moment, shown, topic, stand_in)
        code = codes[0] if topic == "cost-report" else max((c for c in codes if c >= 2), default=0)
        if keep is not None:
            shown.print(f"demo repo kept at {root}")
        else:
            shown.print("(the demo repo is temporary: pass --keep DIR to keep it and its report)")
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return code
